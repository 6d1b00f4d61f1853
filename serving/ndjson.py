"""Bulk bodies as JSON Lines (``application/x-ndjson``): one record per line, read by Arrow.

A 100,000-case queue as one JSON document makes five million Python objects before the model
sees a number; as JSON Lines, Arrow's C++ reader turns it into columns directly. Every column is
then checked against the single-record schema's own field types and constraints (read from the
pydantic fields: bounds, integers, categories, lengths, patterns), vectorised, so both formats
accept and refuse the same values; an error names the line (0-based) and the field. Dates stay
text for the table reader, which parses them and names a bad one.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import types
import typing
from functools import cache
from typing import Any

import annotated_types
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
from fastapi.exceptions import RequestValidationError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    WrapValidator,
)
from pydantic.fields import FieldInfo

from models.errors import InvalidInputError

MEDIA_TYPE = "application/x-ndjson"


def _base(annotation: Any) -> Any:
    """The non-None member of an optional annotation, without its ``Annotated`` wrapper."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _arrow_type(annotation: Any) -> pa.DataType:
    base = _base(annotation)
    if base is bool:
        return pa.bool_()
    if base in (int, float):
        return pa.float64()  # an integer field refuses 2.5 in the column check, not here
    if base is dt.date or (isinstance(base, type) and issubclass(base, str | enum.Enum)):
        return pa.string()
    raise TypeError(f"no Arrow column type for {annotation!r}")


@cache
def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """The Arrow schema of ``model``'s fields (dates and categories as text)."""
    return pa.schema([(n, _arrow_type(f.annotation)) for n, f in model.model_fields.items()])


_PYTHON_VALIDATORS = (AfterValidator, BeforeValidator, PlainValidator, WrapValidator)


def _metadata(info: Any) -> list[Any]:
    """Everything a field's annotation carries: constraints and validators, at any depth."""
    found: list[Any] = []
    pending: list[Any] = [*info.metadata, info.annotation]
    while pending:
        item = pending.pop()
        if isinstance(item, FieldInfo):
            pending.extend(item.metadata)
        elif typing.get_origin(item) in (typing.Union, types.UnionType, typing.Annotated):
            pending.extend(typing.get_args(item))
        else:
            found.append(item)
    return found


def _constraints(info: Any) -> list[Any]:
    """The ``annotated_types`` constraints of a field (a group, such as ``StringConstraints``,
    is read by its attributes)."""
    kinds = (annotated_types.BaseMetadata, annotated_types.GroupedMetadata)
    return [item for item in _metadata(info) if isinstance(item, kinds)]


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(list[annotation])


def _validated(
    name: str, info: Any, column: pa.ChunkedArray
) -> tuple[list[dict[str, Any]], pa.Array | None]:
    """A field with its own Python validator (a case number, say): pydantic on the column's
    present values — the one check that is not vectorised, and only for such fields. Returns
    the errors, and the column as the validator leaves it (normalised), or None."""
    if not any(isinstance(item, _PYTHON_VALIDATORS) for item in _metadata(info)):
        return [], None
    values = column.to_pylist()
    lines = [i for i, v in enumerate(values) if v is not None]
    try:
        cleaned = _adapter(_base_with_metadata(info)).validate_python([values[i] for i in lines])
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        return [{**error, "loc": (lines[int(error["loc"][0])], name)}], None
    for line, value in zip(lines, cleaned, strict=True):
        values[line] = value
    return [], pa.array(values, type=column.type)


def _base_with_metadata(info: Any) -> Any:
    """The field's annotation without ``None``, with its metadata (for a column adapter)."""
    annotation: Any = info.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
    return typing.Annotated[(annotation, *info.metadata)] if info.metadata else annotation


#: (constraint, its attribute, the test a value must pass, pydantic's error type, words)
_BOUNDS: tuple[tuple[type, str, Any, str, str], ...] = (
    (annotated_types.Gt, "gt", np.greater, "greater_than", "greater than"),
    (annotated_types.Ge, "ge", np.greater_equal, "greater_than_equal", "greater than or equal to"),
    (annotated_types.Lt, "lt", np.less, "less_than", "less than"),
    (annotated_types.Le, "le", np.less_equal, "less_than_equal", "less than or equal to"),
)


def _numeric_errors(name: str, info: Any, column: pa.ChunkedArray) -> list[dict[str, Any]]:
    """Required, integral and bound checks of a numeric column, vectorised."""
    values = column.to_numpy(zero_copy_only=False).astype(np.float64)
    present = ~np.isnan(values)
    checks: list[tuple[np.ndarray, str, str]] = []
    if info.is_required():
        checks.append((~present, "missing", "Field required"))
    if _base(info.annotation) is int:
        whole = np.equal(np.mod(values, 1), 0)
        checks.append((present & ~whole, "int_from_float", "Input should be a valid integer"))
    for constraint in _constraints(info):
        for bound, attr, passes, error_type, words in _BOUNDS:
            if isinstance(constraint, bound):
                limit = getattr(constraint, attr)
                failed = present & ~passes(values, limit)
                checks.append((failed, error_type, f"Input should be {words} {limit}"))
    errors = []
    for bad, kind, message in checks:
        rows = np.flatnonzero(bad)
        if rows.size:
            errors.append({"type": kind, "loc": (int(rows[0]), name), "msg": message})
    return errors


def _first(bad: pa.ChunkedArray | pa.Array) -> int | None:
    rows = np.flatnonzero(np.asarray(bad.to_numpy(zero_copy_only=False), dtype=bool))
    return int(rows[0]) if rows.size else None


def _string_checks(info: Any, column: pa.ChunkedArray) -> list[tuple[Any, str, str]]:
    """(bad mask, type, message) of a text field's length and pattern constraints."""
    checks: list[tuple[Any, str, str]] = []
    length = pc.utf8_length(column)
    for constraint in _constraints(info):
        low = getattr(constraint, "min_length", None)
        high = getattr(constraint, "max_length", None)
        pattern = getattr(constraint, "pattern", None)
        if low is not None:
            checks.append(
                (
                    pc.less(length, low),
                    "string_too_short",
                    f"String should have at least {low} characters",
                )
            )
        if high is not None:
            checks.append(
                (
                    pc.greater(length, high),
                    "string_too_long",
                    f"String should have at most {high} characters",
                )
            )
        if pattern is not None:
            matches = pc.match_substring_regex(column, pattern)
            checks.append(
                (
                    pc.invert(matches),
                    "string_pattern_mismatch",
                    f"String should match pattern {pattern!r}",
                )
            )
    return checks


def _text_errors(name: str, info: Any, column: pa.ChunkedArray) -> list[dict[str, Any]]:
    """Required, category, length and pattern checks of a text or boolean column, vectorised
    (a date stays text here: the table reader parses it and names a bad one)."""
    base = _base(info.annotation)
    checks: list[tuple[Any, str, str]] = []
    if info.is_required():
        checks.append((column.is_null(), "missing", "Field required"))
    if isinstance(base, type) and issubclass(base, enum.Enum):
        allowed = [m.value for m in base]
        outside = pc.and_(
            column.is_valid(), pc.invert(pc.is_in(column, value_set=pa.array(allowed)))
        )
        checks.append((outside, "enum", f"Input should be one of {', '.join(allowed)}"))
    elif base is str:
        checks += _string_checks(info, column)
    errors = []
    for bad, kind, message in checks:
        row = _first(pc.fill_null(bad, False))
        if row is not None:
            errors.append({"type": kind, "loc": (row, name), "msg": message})
    return errors


def _check_columns(table: pa.Table, model: type[BaseModel], field: str) -> pa.Table:
    """The table with validator-normalised columns; a 422 naming the first bad values."""
    errors: list[dict[str, Any]] = []
    for name, info in model.model_fields.items():
        column = table.column(name)
        numeric = _base(info.annotation) in (int, float)
        errors += (_numeric_errors if numeric else _text_errors)(name, info, column)
        invalid, cleaned = _validated(name, info, column)
        errors += invalid
        if cleaned is not None:
            table = table.set_column(table.schema.get_field_index(name), name, cleaned)
    if errors:
        errors.sort(key=lambda e: e["loc"][0])
        raise RequestValidationError(
            [{**e, "loc": ("body", field, *e["loc"])} for e in errors[:20]]
        )
    return table


def read_ndjson(body: bytes, model: type[BaseModel], field: str) -> pd.DataFrame:
    """JSON Lines of ``model`` records as a table; a bad line or value is a 422 naming it
    (``field`` names the records in error locations, e.g. ``cases``)."""
    if not body.strip():
        raise InvalidInputError(field, "at least one record is needed")
    options = pa_json.ParseOptions(
        explicit_schema=arrow_schema(model), unexpected_field_behavior="error"
    )
    try:
        table = pa_json.read_json(io.BytesIO(body), parse_options=options)
    except pa.ArrowInvalid as exc:
        raise InvalidInputError(field, f"not JSON Lines of {model.__name__}: {exc}") from exc
    return _check_columns(_stripped(table), model, field).to_pandas()


def _stripped(table: pa.Table) -> pa.Table:
    """Text columns without surrounding white space (as the schema's ``str_strip_whitespace``)."""
    for i, column in enumerate(table.columns):
        if pa.types.is_string(column.type):
            table = table.set_column(i, table.field(i), pc.utf8_trim_whitespace(column))
    return table
