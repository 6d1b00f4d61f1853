"""A 坐落 read into the 街道/镇, 小区 and floor: the forms seizure records use, a 小区 the sales
do not hold kept as written, and the served model's own names."""

from __future__ import annotations

import pytest

from models.property.address import AddressReader, chinese_number, floor_of_room, without_city
from models.registry import LoadedModel

READER = AddressReader(
    ["太平街道", "城东街道", "泽国镇"],
    {"锦绣花园": {"太平街道"}, "阳光小区": {"城东街道", "泽国镇"}, "东方明珠苑": {"泽国镇"}},
)


@pytest.mark.parametrize(
    ("address", "read"),
    [
        (
            "浙江省温岭市太平街道万昌中路58号锦绣花园3幢2单元501室",
            ("太平街道", "锦绣花园", "3", "2", "501", 5),
        ),
        ("锦绣花园3-2-1203", ("太平街道", "锦绣花园", "3", "2", "1203", 12)),
        ("温岭市泽国镇东方明珠苑12号楼1502", ("泽国镇", "东方明珠苑", "12", None, "1502", 15)),
        ("东方明珠苑5号楼地下一层", ("泽国镇", "东方明珠苑", "5", None, None, -1)),
        ("城东街道阳光3幢十五层", ("城东街道", "阳光小区", "3", None, None, 15)),
        ("温岭市城南镇古镇花园B座1502室", ("城南镇", "古镇花园", "B", None, "1502", 15)),
        ("锦绣花园甲幢五〇一室", ("太平街道", "锦绣花园", "甲", None, "501", 5)),
        ("锦绣花园第3幢502号", ("太平街道", "锦绣花园", "3", None, "502", 5)),
    ],
)
def test_the_common_forms_are_read(address: str, read: tuple[object, ...]) -> None:
    r = READER.read(address)
    assert (r.district, r.community, r.building, r.unit, r.room, r.floor) == read


def test_what_is_read_is_said_and_what_the_sales_do_not_hold_is_flagged() -> None:
    known = READER.read("太平街道锦绣花园3幢501室")
    assert (known.district_known, known.community_known, known.floor_from_room) == (True,) * 3
    assert known.notice == (
        "已从坐落识别：街道/镇「太平街道」；小区「锦绣花园」；所在楼层 5，由室号 501 推定。"
        "请核对后再询价。"
    )
    # A later phase is not valued as the old one: it stays as written, and is flagged.
    phase = READER.read("温岭市锦绣花园二期12幢1203室")
    assert (phase.community, phase.community_known, phase.district) == ("锦绣花园二期", False, None)
    assert "小区「锦绣花园二期」（成交数据中没有此名称，请核对）" in phase.notice
    assert phase.notice.endswith("请填写街道/镇。")
    town = READER.read("温岭市城南镇古镇花园B座1502室")
    assert (town.district, town.district_known) == ("城南镇", False)


def test_a_known_community_in_two_towns_names_them_and_fills_neither() -> None:
    r = READER.read("阳光小区3幢501室（共6层）")
    assert (r.district, r.district_options, r.total_floors) == (None, ["城东街道", "泽国镇"], 6)
    assert r.notice.endswith("请填写街道/镇（此小区在城东街道、泽国镇均有成交）。")


def test_nothing_readable_is_said_and_never_raises() -> None:
    for address in ("ｘｘ", "不详", "温岭市", "#"):
        assert READER.read(address).floor is None
    assert READER.read("温岭市").notice == "未能从坐落识别出任何信息。请填写街道/镇、小区、楼层。"


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), ("十", 10), ("十五", 15), ("二十", 20), ("二十三", 23), ("两", 2), ("甲", None)],
)
def test_chinese_numbers(text: str, number: int | None) -> None:
    assert chinese_number(text) == number


def test_the_floor_a_room_number_implies() -> None:
    assert [floor_of_room(r) for r in ("501", "1203", "12", "00501", "012")] == [
        5,
        12,
        None,
        None,
        None,
    ]


def test_the_served_models_own_names_are_read(champion: LoadedModel) -> None:
    valuer = champion.model
    places = valuer.comparables.districts_of_communities()
    community = next(c for c, where in sorted(places.items()) if len(where) == 1)
    (district,) = places[community]
    r = valuer.address_reader.read(f"浙江省温岭市{district}{community}2幢1102室")
    assert (r.district, r.community, r.floor) == (district, community, 11)
    assert r.district_known and r.community_known
    # Without the 街道/镇, the 小区's sales give it.
    assert valuer.address_reader.read(f"{community}2幢1102室").district == district


@pytest.mark.parametrize(
    ("address", "rest"),
    [
        ("浙江省温岭市太平街道锦园小区3幢402室", "太平街道锦园小区3幢402室"),
        ("温岭市 太平街道锦园小区3幢402室", "太平街道锦园小区3幢402室"),
        ("黑龙江省哈尔滨市南岗区花园街道x", "花园街道x"),
        ("城东街道新市场小区3幢", "城东街道新市场小区3幢"),  # 新市 is no city
        ("阳光小区3幢", "阳光小区3幢"),  # nor 阳光小区 a county
        ("温岭市", "温岭市"),
    ],
)
def test_an_address_without_its_city(address: str, rest: str) -> None:
    assert without_city(address) == rest
