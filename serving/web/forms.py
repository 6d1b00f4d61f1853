"""Form fields built from the request schemas, so that the page asks exactly what the API checks.

Each field's kind, bounds, choices and whether it is required come from the pydantic model's
JSON schema; its Chinese label from :mod:`models.labels`. The browser's own checks are off
(``novalidate``): the API's answer is the one source of truth, shown inline in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from models.labels import label_of

FieldKind = Literal["text", "textarea", "number", "integer", "select", "boolean", "date"]

#: Fields shown as a multi-line box.
_TEXTAREAS = frozenset({"grounds"})
#: One-line fields given the form's whole width (a 坐落 runs to forty characters and more).
_WIDE = frozenset({"address"})


@dataclass(frozen=True)
class FormField:
    """One input of a form."""

    name: str
    label: str
    kind: FieldKind
    required: bool
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    max_length: int | None = None
    options: tuple[str, ...] = ()
    default: Any = None
    placeholder: str = ""

    @property
    def wide(self) -> bool:
        """Whether the input spans the form's whole width."""
        return self.kind == "textarea" or self.name in _WIDE

    @property
    def step(self) -> str:
        """The number input's step: whole numbers for integers, anything for decimals."""
        return "1" if self.kind == "integer" else "any"


def _resolve(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """A property with its ``$ref`` resolved and ``X | None`` unwrapped."""
    resolved = dict(prop)
    if "anyOf" in resolved:
        options = [p for p in resolved.pop("anyOf") if p.get("type") != "null"]
        resolved = {**options[0], **resolved} if options else resolved
    if "$ref" in resolved:
        target = defs[resolved.pop("$ref").rsplit("/", 1)[-1]]
        resolved = {**target, **resolved}
    return resolved


def _kind(name: str, prop: Mapping[str, Any]) -> FieldKind:
    if "enum" in prop:
        return "select"
    kind = prop.get("type")
    if kind == "boolean":
        return "boolean"
    if kind == "integer":
        return "integer"
    if kind == "number":
        return "number"
    if prop.get("format") == "date":
        return "date"
    return "textarea" if name in _TEXTAREAS else "text"


def _example(prop: Mapping[str, Any]) -> str:
    examples = prop.get("examples") or []
    return f"如 {examples[0]}" if examples else ""


def form_fields(
    schema: type[BaseModel],
    *,
    first: Iterable[str] = (),
    skip: Iterable[str] = (),
    defaults: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[FormField]:
    """The inputs of ``schema``'s form, ``first`` ones first, then in the schema's order.

    Args:
        schema: The request model the form posts.
        first: Field names to put at the top (the case number and purpose).
        skip: Field names the form does not ask.
        defaults: Initial values that override the schema's defaults (e.g. today's date).
        labels: The form's own labels (a name other forms label otherwise, as ``region``);
            default: :func:`models.labels.label_of`.
    """
    json_schema = schema.model_json_schema()
    defs = json_schema.get("$defs", {})
    required = set(json_schema.get("required", []))
    names = list(json_schema["properties"])
    leading = [n for n in first if n in names]
    ordered = leading + [n for n in names if n not in leading and n not in set(skip)]
    chosen = dict(defaults or {})
    fields = []
    for name in ordered:
        prop = _resolve(json_schema["properties"][name], defs)
        fields.append(
            FormField(
                name=name,
                label=label_of(name, labels),
                kind=_kind(name, prop),
                required=name in required,
                minimum=prop.get("minimum", prop.get("exclusiveMinimum")),
                maximum=prop.get("maximum"),
                exclusive_minimum="exclusiveMinimum" in prop,
                max_length=prop.get("maxLength"),
                options=tuple(str(o) for o in prop.get("enum", ())),
                default=chosen.get(name, prop.get("default")),
                placeholder=_example(prop),
            )
        )
    return fields


def today_iso(timezone: str) -> str:
    """Today in the court's time zone, as the date inputs want it (the server may run on UTC,
    and the court's rules count the court's days)."""
    return dt.datetime.now(ZoneInfo(timezone)).date().isoformat()
