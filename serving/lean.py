"""Fast parsing of very large JSON bodies (a 100,000-case queue is about 100 MB).

A pydantic model's instances and Python validators cost more than the model run at that size.
:func:`lean_schema` derives a ``TypedDict`` with the same fields, types and constraints (checked
in Rust by ``validate_json``) that yields plain dicts; the cross-field checks the model's Python
validators make are then run vectorised on the table (``models.triage.records``). The OpenAPI
documentation still shows the full model.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any, NotRequired

from pydantic import BaseModel, ConfigDict, StringConstraints, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from serving.batch import body_errors

#: A date left as text by :func:`lean_schema` (the table reader parses and checks it).
DateText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


@cache
def lean_schema(model: type[BaseModel]) -> Any:
    """A ``TypedDict`` with ``model``'s fields (types and constraints, no Python validators).

    Date fields stay text: parsing a hundred thousand of them is one vectorised call later
    (``models.triage.records``), which also names the row and field of a bad one.
    """
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation: Any = info.annotation
        if annotation in (dt.date, dt.date | None):
            annotation = DateText if annotation is dt.date else DateText | None
        elif info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        fields[name] = annotation if info.is_required() else NotRequired[annotation]
    make: Any = TypedDict  # the functional form, with a name built at run time
    lean = make(f"Lean{model.__name__}", fields)
    config = ConfigDict(
        extra="forbid", str_strip_whitespace=bool(model.model_config.get("str_strip_whitespace"))
    )
    setattr(lean, "__pydantic_config__", config)  # noqa: B010 - how pydantic configures a TypedDict
    return lean


def parse_lean(adapter: TypeAdapter[Any], body: bytes) -> Any:
    """Validate a JSON body with ``adapter``; errors become the usual 422 naming each field."""
    try:
        return adapter.validate_json(body)
    except ValidationError as exc:
        raise body_errors(exc) from exc
