"""Every 422 error is also said in Chinese, naming the field by its label."""

from __future__ import annotations

from typing import Any

import pytest

from serving.validation_zh import chinese_message, with_chinese


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            {"loc": ["body", "area_m2"], "type": "greater_than", "msg": "x", "ctx": {"gt": 0.0}},
            "建筑面积（㎡）：须大于 0",
        ),
        (
            {"loc": ["body", "district"], "type": "missing", "msg": "Field required"},
            "街道/镇：必须填写",
        ),
        (
            {
                "loc": ["body", "orientation"],
                "type": "enum",
                "msg": "x",
                "ctx": {"expected": "'南' or '北'"},
            },
            "朝向：须为以下之一：'南' or '北'",
        ),
        (
            {
                "loc": ["body", "floor"],
                "type": "value_error",
                "msg": "Value error, 所在楼层 30 高于总楼层 18 / floor 30 is above total_floors 18",
            },
            "所在楼层：所在楼层 30 高于总楼层 18",
        ),
        (
            {
                "loc": ["body", "case_number"],
                "type": "value_error",
                "msg": "Value error, case_number: 案号须以括号开头 / must start with a bracket",
            },
            "案号：案号须以括号开头",
        ),
        (
            {"loc": ["body", "items", 2, "build_year"], "type": "int_parsing", "msg": "x"},
            "第 3 条：建成年份：须为整数",
        ),
        (
            {"loc": ["body", "file", 6, "area_m2"], "type": "greater_than", "ctx": {"gt": 0}},
            "数据第 7 行（表格第 8 行）：建筑面积（㎡）：须大于 0",
        ),
        (
            {"loc": ["body", "amount_due"], "type": "value_error", "msg": "negative"},
            "执行标的（元）：取值无效（negative）",  # a debtor's field, by its label
        ),
        ({"loc": ["body", "x"], "type": "greater_than", "msg": "x", "ctx": {}}, "x：取值无效"),
        ({"loc": ["body"], "type": "json_invalid", "msg": "x"}, "不是有效的 JSON"),
    ],
)
def test_chinese_message(error: dict[str, Any], expected: str) -> None:
    assert chinese_message(error) == expected


def test_with_chinese_keeps_the_english() -> None:
    error = {"loc": ["body", "rooms"], "type": "less_than_equal", "msg": "≤ 50", "ctx": {"le": 50}}
    assert with_chinese([error]) == [{**error, "msg_zh": "房间数：须不大于 50"}]


def test_a_debtors_fields_are_named_by_the_debtors_labels() -> None:
    error = {"loc": ["body", "cases", 0, "region"], "type": "enum", "ctx": {"expected": "'无锡'"}}
    assert with_chinese([error], "/v1/cases/rank")[0]["msg_zh"] == "地区：须为以下之一：'无锡'"
    assert with_chinese([error], "/v1/valuations/vehicle")[0]["msg_zh"].startswith("交易城市：")
