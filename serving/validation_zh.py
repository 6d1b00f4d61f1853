"""Every 422 error also said in Chinese (``msg_zh``), for the judges' page and Chinese clients.

Pydantic's built-in error types are translated from their type and context; our own
validators already write ``中文 / English`` (:func:`models.errors.bilingual`), whose Chinese part
is taken. The field is named by its Chinese label (:mod:`models.labels`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from models.labels import DEBTOR_LABELS, label_of

#: Chinese templates by pydantic error type; ``{…}`` are the error's context values.
_TEMPLATES: dict[str, str] = {
    "missing": "必须填写",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "enum": "须为以下之一：{expected}",
    "literal_error": "须为以下之一：{expected}",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "bool_parsing": "须为“是”或“否”",
    "bool_type": "须为“是”或“否”",
    "date_parsing": "日期格式应为 年-月-日（如 2024-06-28）",
    "date_from_datetime_parsing": "日期格式应为 年-月-日（如 2024-06-28）",
    "date_from_datetime_inexact": "须为日期，不含时刻",
    "date_type": "日期格式应为 年-月-日（如 2024-06-28）",
    "string_type": "须为文字",
    "string_pattern_mismatch": "格式不符",
    "extra_forbidden": "不是可接受的字段",
    "json_invalid": "不是有效的 JSON",
    "model_type": "格式不符",
    "model_attributes_type": "格式不符",
    "list_type": "须为列表",
}
_FALLBACK = "取值无效"


def _field(loc: Sequence[Any]) -> str:
    """The innermost named field of an error location (list indexes skipped)."""
    names = [str(part) for part in loc if isinstance(part, str) and part != "body"]
    return names[-1] if names else ""


def _row(loc: Sequence[Any]) -> str:
    """Where in a batch: ``第 3 条：`` inside a JSON batch's ``items``; ``数据第 3 行（表格第 4
    行）：`` inside an uploaded ``file`` (its first row is the header); else nothing."""
    parts = list(loc)
    for position, part in enumerate(parts[:-1]):
        index = parts[position + 1]
        if not isinstance(index, int):
            continue
        if part == "items":
            return f"第 {index + 1} 条："
        if part == "file":
            return f"数据第 {index + 1} 行（表格第 {index + 2} 行）："
    return ""


def _number(value: Any) -> Any:
    """``0.0`` as ``0``: bounds read as people write them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: Endpoints whose requests describe a debtor: their fields are named by the debtor's labels
#: (``region`` is the court's 地区 there, a vehicle's 交易城市 elsewhere).
_DEBTOR_PATHS = ("/v1/debtors/", "/v1/cases/")


def labels_for(path: str) -> Mapping[str, str]:
    """The labels that name the fields of a request to ``path`` before
    :data:`models.labels.FIELD_LABELS`."""
    return DEBTOR_LABELS if path.startswith(_DEBTOR_PATHS) else {}


def chinese_message(error: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """One validation error (a pydantic/FastAPI error dict) as a Chinese sentence; ``labels``
    name its field first (:func:`labels_for`), then :func:`models.labels.label_of`."""
    loc = error.get("loc") or ()
    field = _field(loc)
    message = str(error.get("msg", ""))
    kind = str(error.get("type", ""))
    if kind in {"value_error", "assertion_error"}:
        plain = message.removeprefix("Value error, ").removeprefix(f"{field}: ")
        text = plain.split(" / ", 1)[0] if " / " in plain else f"{_FALLBACK}（{plain}）"
    else:
        context = {k: _number(v) for k, v in dict(error.get("ctx") or {}).items()}
        try:
            text = _TEMPLATES.get(kind, _FALLBACK).format(**context)
        except (KeyError, IndexError):  # a context without the value the template shows
            text = _FALLBACK
    label = f"{label_of(field, labels)}：" if field else ""
    return f"{_row(loc)}{label}{text}"


def with_chinese(errors: Sequence[Mapping[str, Any]], path: str = "") -> list[dict[str, Any]]:
    """The errors of a request to ``path``, each with its ``msg_zh``."""
    labels = labels_for(path)
    return [{**error, "msg_zh": chinese_message(error, labels)} for error in errors]
