"""The same asset asked about again: what matches it, what changed, and the sentence."""

from __future__ import annotations

import datetime as dt

import pytest

from models.court.repeats import (
    EarlierInquiry,
    FactChange,
    address_written,
    fact_changes,
    identity,
    matched_on,
    repeat_notice,
)
from models.property.address import address_key

FLAT = {
    "address": "温岭市太平街道锦园小区3幢402室",
    "certificate_number": "浙（2020）温岭市不动产权第0012345号",
    "district": "太平街道",
    "community": "锦园小区",
    "area_m2": 89.5,
    "decoration": "简装",
    "elevator": False,
    "valuation_date": "2026-11-02",
}
TOWN = {"district": "太平街道"}
FIELDS = [
    "address",
    "certificate_number",
    "district",
    "community",
    "area_m2",
    "decoration",
    "elevator",
    "valuation_date",
]


def test_an_identifier_matches_without_spaces_full_width_forms_or_case() -> None:
    assert identity("property", {"district": "太平街道"}) == {}  # facts alone identify nothing
    now = identity("property", {**TOWN, "address": " 温岭市太平街道锦园小区３幢402室 "})
    assert matched_on("property", now, FLAT) == ["坐落"]
    short = identity("property", {**TOWN, "address": "太平街道锦园小区3幢402室"})  # no city
    assert matched_on("property", short, FLAT) == ["坐落"]
    other = identity("property", {**TOWN, "address": "温岭市太平街道锦园小区3幢502室"})
    assert matched_on("property", other, FLAT) == []
    car = identity("vehicle", {"vin": "lsvau218xn2183294", "plate_number": "浙J12345"})
    assert matched_on("vehicle", car, {"vin": "LSVAU218XN2183294", "plate_number": "浙J54321"}) == [
        "车辆识别代号"
    ]
    assert matched_on("vehicle", car, {"plate_number": None}) == []


@pytest.mark.parametrize(
    "address",
    [
        "温岭市太平街道锦园小区3幢402室",  # as the earlier inquiry wrote it
        "浙江省温岭市太平街道万昌中路58号锦园小区3幢402室",  # with its province and road
        "锦园小区3号楼402室",  # without its 街道, 号楼 for 幢
        "锦园三栋402",  # a Chinese numeral, 栋, no 小区 and no 室
        "锦园3-402",  # building-room
        "太平街道锦园小区3#0402室",
        "城东街道锦园小区3幢402室",  # another 街道 written than the inquiry's own
    ],
)
def test_a_flat_typed_another_way_is_the_same_flat(address: str) -> None:
    assert matched_on("property", identity("property", {**TOWN, "address": address}), FLAT) == [
        "坐落"
    ]


@pytest.mark.parametrize(
    ("facts", "why"),
    [
        ({**TOWN, "address": "锦园小区3幢2单元402室"}, "a unit the earlier one did not name"),
        ({**TOWN, "address": "锦园小区4幢402室"}, "another building"),
        ({**TOWN, "address": "锦园二期3幢402室"}, "another 小区"),
        ({"district": "新河镇", "address": "锦园小区3幢402室"}, "a 小区 of that name elsewhere"),
        ({**TOWN, "address": "锦园小区"}, "no building or room"),
        ({**TOWN, "address": "水乡锦园3幢402室"}, "a 小区 whose name holds 乡"),
    ],
)
def test_another_flat_is_not_matched(facts: dict[str, str], why: str) -> None:
    assert matched_on("property", identity("property", facts), FLAT) == [], why


def test_an_address_written_otherwise_is_quoted_in_the_sentence() -> None:
    again = {**TOWN, "address": "锦园3-402"}
    assert address_written(FLAT, again) == FLAT["address"]
    assert address_written(FLAT, {"address": " 太平街道锦园小区３幢402室"}) is None  # alike
    assert address_written({"certificate_number": "x"}, again) is None
    earlier = EarlierInquiry(
        id=3,
        inquired_on=dt.date(2026, 11, 2),
        value=None,
        valid_until=dt.date(2027, 11, 2),
        disputed=False,
        matched_on=["坐落"],
        address_written=address_written(FLAT, again),
        changes=[],
    )
    (line,) = repeat_notice([earlier])
    assert "（坐落相同，原坐落写作“温岭市太平街道锦园小区3幢402室”）询价：询价编号 3，" in line


def test_the_forms_of_one_address_read_alike() -> None:
    key = "太平街道|锦园|3|2|501"
    assert address_key("温岭市太平街道万昌中路58号锦园小区三号楼2单元501室", "太平街道") == key
    assert address_key("锦园3-2-501", "太平街道") == key
    assert address_key("锦园小区十二幢03单元0501室", None) == "|锦园|12|3|501"
    assert address_key("温岭市锦园小区", "太平街道") == "锦园小区"  # unread: its text


def test_the_facts_typed_differently_are_listed_but_not_the_date_or_the_identifiers() -> None:
    again = {
        **FLAT,
        "area_m2": 95.0,
        "decoration": "精装",
        "valuation_date": "2026-12-01",
        "address": "别处",
    }
    assert fact_changes("property", FLAT, again, FIELDS) == [
        FactChange(field="area_m2", label="建筑面积（㎡）", before=89.5, after=95.0),
        FactChange(field="decoration", label="装修", before="简装", after="精装"),
    ]
    assert fact_changes("property", FLAT, {**FLAT, "valuation_date": "2026-12-01"}, FIELDS) == []


def test_the_sentence_names_the_earlier_inquiry_and_the_changes() -> None:
    earlier = EarlierInquiry(
        id=12,
        inquired_on=dt.date(2026, 11, 2),
        value=273_456.0,
        valid_until=dt.date(2027, 11, 2),
        disputed=True,
        matched_on=["不动产权证号", "坐落"],
        changes=[
            FactChange(field="area_m2", label="建筑面积（㎡）", before=89.5, after=95.0),
            FactChange(field="elevator", label="电梯", before=False, after=True),
            FactChange(field="latitude", label="纬度", before=None, after=28.37),
        ],
    )
    assert repeat_notice([earlier]) == [
        "本案已于 2026-11-02 就同一财产（不动产权证号、坐落相同）询价：询价编号 12，"
        "结果 27.3万元（273,456元），有效期至 2027-11-02，已被提出异议。"
        "本次填写的财产情况与之不同：建筑面积（㎡） 89.5 → 95；电梯 无 → 有；"
        "纬度 （未填） → 28.37。"
    ]
    sold = earlier.model_copy(
        update={"sold_on": dt.date(2026, 11, 20), "sale_price": 250_000.0, "sale_round": "一拍"}
    )
    expected = "已被提出异议；该财产已于 2026-11-20 一拍成交，成交价 25.0万元（250,000元），"
    assert expected + "请核对是否仍需询价。" in repeat_notice([sold])[0]
    same = earlier.model_copy(update={"changes": [], "disputed": False, "value": None})
    assert repeat_notice([same])[0].endswith("有效期至 2027-11-02。本次填写的财产情况与之相同。")
