"""Text fields that refuse control characters say so in their JSON schema, as a pattern that
admits exactly what the check admits."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError

from models.schemas import FreeText, OneLine, TextWithout

#: Every ASCII character and some beyond it: a line separator, a C1 control, CJK, full width.
CHARACTERS = [chr(c) for c in range(128)] + ["\u2028", "\x85", "中", "Ａ", "\ufeff"]


class _Form(BaseModel):
    line: Annotated[str, OneLine] = Field(min_length=2)
    text: Annotated[str, FreeText] | None = None


@pytest.mark.parametrize(("name", "kind"), [("line", OneLine), ("text", FreeText)])
def test_the_pattern_admits_what_the_check_admits(name: str, kind: TextWithout) -> None:
    schema = _Form.model_json_schema()["properties"][name]
    pattern = schema["pattern"] if "pattern" in schema else schema["anyOf"][0]["pattern"]
    assert pattern == kind.pattern
    admitted = []
    for character in CHARACTERS:
        value = f"ab{character}cd"
        try:
            _Form.model_validate({"line": "ok", name: value})
            accepted = True
        except ValidationError as error:
            assert "控制字符" in str(error)
            accepted = False
        assert accepted == bool(re.fullmatch(pattern, value)), repr(character)
        admitted.append(accepted)
    assert 0 < sum(admitted) < len(admitted)  # both sides of the line are exercised


def test_line_breaks_are_free_text_only() -> None:
    assert _Form(line="ok", text="a\nb\tc").text == "a\nb\tc"
    with pytest.raises(ValidationError, match="控制字符"):
        _Form(line="a\nb")


def test_field_constraints_still_apply_beside_the_check() -> None:
    schema = _Form.model_json_schema()["properties"]["line"]
    assert schema["minLength"] == 2
    with pytest.raises(ValidationError, match="at least 2"):
        _Form(line="a")
