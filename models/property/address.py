"""A property's 坐落 read into the facts the valuation asks: its 街道/镇, its 小区, and the
floor its room number implies.

A seizure record states a flat's address in one line, e.g. 浙江省温岭市太平街道万昌中路58号锦绣花园
3幢2单元501室. The judge should not have to split it by hand. The reading is a suggestion the
page fills in for the judge to check, never a silent input of a valuation:

* the 街道/镇 is the longest name of the served model's sales found in the address;
* the 小区 is the text between the 街道/镇 (or the city and road) and the building number, as
  the record writes it. It is matched to a known name only when it is one (with or without
  the word 小区); a new phase (锦绣花园二期) stays as written, so the valuation cautions that its
  sales are unknown instead of valuing it as the old phase;
* a known 小区 whose sales all lie in one 街道/镇 gives that 街道/镇 when the address names none;
* the floor is read from 第N层 / 地下N层, or else from a room number of three or four digits
  (501 → 5, 1203 → 12), the way Chinese buildings number their rooms.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from pydantic import BaseModel, ConfigDict, Field

from models.asset_identity import Address, compact

#: Chinese numerals up to 99, as floors are written (十五层, 地下二层).
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2, "〇": 0}
_NUMBER = r"(?:\d+|[零〇一二两三四五六七八九十]+)"

#: The province, city and county an address may begin with, by the lengths their names have
#: (黑龙江省, 乌鲁木齐市): a longer run is no such name (城东街道新市场小区 has no 市 in it).
#: The 区 of a 小区, 社区 or 园区 is not a county.
_CITY = r"^(?:[^省]{2,3}省)?(?:[^市]{2,4}市)?(?:[^区县]{1,4}(?<![小社园])(?:区|县))?"
_CITY_PREFIX = re.compile(_CITY)
_ADMIN_PREFIX = re.compile(_CITY + r"(?P<town>[^街镇乡]{1,8}?(?:街道|镇|乡))?")
_STREET_OFFICE = re.compile(r"^[^街镇乡]{1,8}?街道")
#: A road and its number before the 小区: 万昌中路58号, 东海大道1188号.
_ROAD = re.compile(r"^[^\d]{1,12}?(?:路|街|大道|大街|巷|弄)\d+(?:-\d+)?号(?:院)?")
#: Where the building part starts: 3幢, 十二栋, 5号楼, B座, 3#, or 3-2-501.
_BUILDING = re.compile(
    rf"第?(?P<building>{_NUMBER}|[A-Z甲乙丙丁戊己庚辛])(?:幢|栋|号楼|座|#)"
    r"|(?P<dash>\d+)-(?P<dash2>\d+)(?:-(?P<dash3>\d+))?"
)
_UNIT = re.compile(rf"({_NUMBER})单元")
#: A room number: 501, 501室, 501号; in Chinese digits (五〇一室) only before 室.
_ROOM = re.compile(r"(\d{2,5}|[零〇一二三四五六七八九]{3,4}(?=室))(?:室|号房|房|号)?$")
_FLOOR = re.compile(rf"第?({_NUMBER})层")
_BASEMENT = re.compile(rf"(?:地下|负)({_NUMBER})层|^B(\d)")
_TOTAL = re.compile(rf"共({_NUMBER})层")
#: A remark after the room: (共6层), 【…】, and the total floors however written.
_REMARKS = re.compile(r"[(\[【].*?(?:[)\]】]|$)|共.*?层")
_COMMUNITY_WORD = "小区"


class AddressQuery(BaseModel):
    """A 坐落 to read."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    address: Address = Field(min_length=1, examples=["温岭市太平街道锦绣花园3幢2单元501室"])


class AddressReading(BaseModel):
    """What a 坐落 says, as far as it can be read; every part may be missing."""

    address: str = Field(description="The address as read (full-width digits as ASCII).")
    district: str | None = Field(default=None, description="街道/镇, as known or as written.")
    district_known: bool = Field(
        default=False, description="The 街道/镇 is one the served model's sales hold."
    )
    district_options: list[str] = Field(
        default_factory=list,
        description="When the address names no 街道/镇 and its known 小区 has sales in several: "
        "those 街道/镇.",
    )
    community: str | None = Field(default=None, description="小区, as written or as known.")
    community_known: bool = Field(
        default=False, description="The 小区 is one the served model's sales hold."
    )
    building: str | None = Field(default=None, description="幢/栋 number.")
    unit: str | None = Field(default=None, description="单元 number.")
    room: str | None = Field(default=None, description="Room number (室).")
    floor: int | None = Field(default=None, description="Floor (negative: underground).")
    floor_from_room: bool = Field(
        default=False, description="The floor was inferred from the room number."
    )
    total_floors: int | None = Field(default=None, description="From 共N层, when written.")
    notice: str = Field(description="What was read and what was not, in Chinese, to check.")


def without_city(address: str) -> str:
    """``address`` without the province, city and county it may begin with: 浙江省温岭市太平街道…
    and 太平街道… name the same place in one court's cases."""
    text = compact(address)
    rest = text[_CITY_PREFIX.match(text).end() :]  # type: ignore[union-attr]
    return rest or text


def address_key(address: str, district: str | None = None) -> str:
    """The form in which two 坐落 of one flat compare equal, however a clerk typed them.

    When the 小区, the building and the room can be read, it is ``街道/镇|小区|幢|单元|室``:
    the 街道/镇 is ``district`` (the inquiry's own field, so that a 坐落 that omits it still
    matches, and two 小区 of one name in different towns do not); the 小区 is read without
    the province, city, county, that 街道/镇 (or any 街道) and the road before it and without
    the word 小区; the numbers are digits. 温岭市太平街道万昌中路58号锦园小区三号楼2单元501室
    and 锦园3-2-501, both of 太平街道, give ``太平街道|锦园|3|2|501``. Otherwise it is the
    address without the province, city and county, compacted and upper-cased
    (:func:`without_city`).
    """
    text, town = without_city(address).upper(), compact(district or "").upper()
    if town and text.startswith(town):
        rest = text[len(town) :]
    else:  # another 街道 may be written; a 镇 or 乡 only its own (水乡花园 is no 乡)
        rest = text[m.end() :] if (m := _STREET_OFFICE.match(text)) else text
    place, where, details = _split(rest)
    if where is None:
        return text
    place = place.removesuffix(_COMMUNITY_WORD)
    building, unit, room = _parts(where, details)
    if not place or building is None or room is None:
        return text
    numbers = (_as_digits(building), _as_digits(unit) if unit else "", _as_digits(room))
    return "|".join((town, place, *numbers))


def _as_digits(number: str) -> str:
    """A building, unit or room number as digits (三 → 3, 0501 → 501); a letter (B座) as it
    is."""
    value = chinese_number(number)
    return str(value) if value is not None else number


def chinese_number(text: str) -> int | None:
    """``15``, ``十五``, ``二十`` or ``三`` as an integer (up to 99); ``None`` otherwise."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    high = _DIGITS.get(tens, -1) if tens else 1
    low = _DIGITS.get(ones, -1) if ones else 0
    return None if high < 0 or low < 0 else 10 * high + low


def floor_of_room(room: str) -> int | None:
    """The floor a room number implies: 501 → 5, 1203 → 12; none for other lengths."""
    if len(room) == 3:
        return int(room[0]) or None
    if len(room) == 4:
        return int(room[:2]) or None
    return None


class AddressReader:
    """Reads addresses against the 街道/镇 and 小区 names of the served model's sales.

    Args:
        districts: The known 街道/镇.
        communities: Each known 小区 → the 街道/镇 its sales lie in.
    """

    def __init__(self, districts: Collection[str], communities: Mapping[str, Collection[str]]):
        self.districts = sorted(districts, key=len, reverse=True)
        self.communities = {name: frozenset(where) for name, where in communities.items()}

    def read(self, address: str) -> AddressReading:
        """Read one address (never raises: what cannot be read is left out and said)."""
        text = compact(address)
        district = next((d for d in self.districts if d in text), None)
        rest = text[text.rindex(district) + len(district) :] if district else text
        written = None  # a 街道/镇 the sales do not hold, as the address writes it
        if district is None:
            admin = _ADMIN_PREFIX.match(rest)
            assert admin is not None  # every part is optional: it always matches
            written, rest = admin.group("town"), rest[admin.end() :]
        place, where, details = _split(rest)
        community, places = self._community(place)
        known = places is not None
        district_known, options = district is not None, []
        if district is None and places is not None:
            options = sorted(places)
            if len(options) == 1:
                district, district_known, options = options[0], True, []
        district = district or written
        building, unit, room = _parts(where, details)
        floor, from_room = _floor(details, room)
        total = _TOTAL.search(details)
        reading = AddressReading(
            address=text,
            district=district,
            district_known=district_known,
            district_options=options,
            community=community,
            community_known=known,
            building=building,
            unit=unit,
            room=room,
            floor=floor,
            floor_from_room=from_room,
            total_floors=chinese_number(total.group(1)) if total else None,
            notice="",
        )
        return reading.model_copy(update={"notice": _notice(reading)})

    def _community(self, place: str) -> tuple[str | None, frozenset[str] | None]:
        """The 小区 as written, or the known name it is (with or without 小区) and the
        街道/镇 of its sales (``None``: not a known name)."""
        if not place:
            return None, None
        for name in (place, place + _COMMUNITY_WORD, place.removesuffix(_COMMUNITY_WORD)):
            if name in self.communities:
                return name, self.communities[name]
        return place, None


def _split(rest: str) -> tuple[str, re.Match[str] | None, str]:
    """An address after its 街道/镇: the 小区 as written (a road before it skipped), where the
    building part starts, and the text from there (or after the 小区 when no building)."""
    rest = rest[m.end() :] if (m := _ROAD.match(rest)) else rest
    where = _BUILDING.search(rest)
    place = rest[: where.start()] if where else re.split(r"\d", rest, maxsplit=1)[0]
    details = rest[where.start() :] if where else rest[len(place) :]
    return place, where, details


def _parts(where: re.Match[str] | None, details: str) -> tuple[str | None, str | None, str | None]:
    """Building, unit and room numbers."""
    if where is not None and where.group("dash"):
        if where.group("dash3"):
            return where.group("dash"), where.group("dash2"), where.group("dash3")
        return where.group("dash"), None, where.group("dash2")
    building = where.group("building") if where is not None else None
    unit = _UNIT.search(details)
    room = _ROOM.search(_REMARKS.sub("", details))
    room_number = _digit_by_digit(room.group(1)) if room else None
    return building, unit.group(1) if unit else None, room_number


def _digit_by_digit(number: str) -> str:
    """A room number as ASCII digits: 五〇一 → 501 (a room is read digit by digit)."""
    return "".join(str(_DIGITS[c]) if c in _DIGITS else c for c in number)


def _floor(details: str, room: str | None) -> tuple[int | None, bool]:
    """The floor written (地下N层 negative), else the room number's, and whether inferred."""
    below = _BASEMENT.search(details)
    if below:
        number = chinese_number(below.group(1) or below.group(2))
        return (-number if number else None), False
    written = _FLOOR.search(_REMARKS.sub("", details))
    if written:
        return chinese_number(written.group(1)), False
    inferred = floor_of_room(room) if room else None
    return inferred, inferred is not None


def _notice(r: AddressReading) -> str:
    """What was read, and what the judge must still fill or check."""
    found = []
    if r.district:
        found.append(f"街道/镇「{r.district}」{_state(r.district_known)}")
    if r.community:
        found.append(f"小区「{r.community}」{_state(r.community_known)}")
    if r.floor is not None:
        how = f"，由室号 {r.room} 推定" if r.floor_from_room else ""
        found.append(f"所在楼层 {r.floor}{how}")
    if r.total_floors is not None:
        found.append(f"总楼层 {r.total_floors}")
    missing = [
        label
        for label, value in (("街道/镇", r.district), ("小区", r.community), ("楼层", r.floor))
        if value is None
    ]
    said = "已从坐落识别：" + "；".join(found) + "。" if found else "未能从坐落识别出任何信息。"
    if not missing:
        return said + "请核对后再询价。"
    where = f"（此小区在{'、'.join(r.district_options)}均有成交）" if r.district_options else ""
    return f"{said}请填写{'、'.join(missing)}{where}。"


def _state(known: bool) -> str:
    return "" if known else "（成交数据中没有此名称，请核对）"
