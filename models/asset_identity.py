"""What identifies a seized asset in a report: a property's 坐落 and 不动产权证号, a vehicle's
号牌号码 and 车辆识别代号 (VIN).

None of these is a model input: the value is the same with or without them. They are what a
report and a judge's list of inquiries need to tell two flats of one 小区, or two cars of one
series, apart (法释〔2018〕15号 Art. 11: a report states the property's basic facts), and what a
party checks when it objects to "wrong basic facts".

A VIN is checked as GB 16735 (and ISO 3779) define it: 17 characters, no I, O or Q, and for a
vehicle made in China (the world manufacturer code begins with ``L``) the 9th character is the
check digit and the 10th the model year, which the first registration must fit. A vehicle made
elsewhere keeps its maker's VIN, whose 9th and 10th characters Europe does not fix, so they
are not checked there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from models.errors import bilingual
from models.schemas import OneLine

#: The one-character abbreviations of the provinces that issue number plates.
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
#: The last character of a special plate: trailer, learner, police, Hong Kong, Macao, consulate,
#: test, oversize.
PLATE_SUFFIXES = "挂学警港澳领试超"
#: A plate's serial characters: digits and letters, without I and O.
_SERIAL = "[A-HJ-NP-Z0-9]"
_PLATE = re.compile(
    f"^[{PLATE_PROVINCES}][A-HJ-Z](?:{_SERIAL}{{5,6}}|{_SERIAL}{{4}}[{PLATE_SUFFIXES}])$"
)
#: Separators people write inside a plate (浙J·12345, 浙J 12345, 浙J-12345).
_PLATE_SEPARATORS = re.compile(r"[\s·•\-.]")

VIN_LENGTH = 17
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
#: The first character of the world manufacturer codes assigned to China.
CHINA_WMI_REGION = "L"

#: The model-year codes of a VIN's 10th character, 1980 on (a 30-year cycle: A is 1980 and 2010).
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
#: How far a vehicle's first registration may lie from its model year: a car of next year's
#: model is sold this year; stock may wait a few years before it is registered.
MODEL_YEAR_LEAD, MODEL_YEAR_LAG = 1, 3

#: A 不动产权证号 as printed: full-width brackets （2021） and ASCII digits.
_CERTIFICATE_CANONICAL = str.maketrans("()０１２３４５６７８９", "（）0123456789")


def compact(text: str) -> str:
    """``text`` as typed, without spaces and with full-width letters and digits as ASCII (the
    form identifiers and addresses are read and compared in)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def normalise_plate(text: str) -> str:
    """A plate as typed, in its plain form: ``浙j·12345`` → ``浙J12345``."""
    return _PLATE_SEPARATORS.sub("", compact(text).upper())


def check_plate(text: str) -> str:
    """The plate in its plain form; :class:`ValueError` when it is not a plate's shape."""
    plate = normalise_plate(text)
    if not _PLATE.match(plate):
        raise ValueError(
            bilingual(
                f"号牌号码“{plate}”格式不正确：应为省份简称、发牌机关字母和 5 位（新能源 6 位）"
                "号码，如 浙J12345、浙JD12345",
                f"plate number {plate!r} is not a Chinese plate: a province, a letter and 5 "
                "(new-energy 6) characters, e.g. 浙J12345",
            )
        )
    return plate


def vin_check_digit(vin: str) -> str:
    """The check digit (0–9 or X) that the 9th character of ``vin`` must be (ISO 3779)."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_vin(text: str) -> str:
    """The VIN in capitals; :class:`ValueError` naming what is wrong with it."""
    vin = compact(text).upper()
    if len(vin) != VIN_LENGTH:
        raise ValueError(
            bilingual(
                f"车辆识别代号应为 {VIN_LENGTH} 位，收到 {len(vin)} 位",
                f"a VIN has {VIN_LENGTH} characters, not {len(vin)}",
            )
        )
    if not _VIN.match(vin):
        bad = sorted({c for c in vin if not re.match(r"[A-HJ-NPR-Z0-9]", c)})
        raise ValueError(
            bilingual(
                f"车辆识别代号含不允许的字符：{'、'.join(bad)}（不使用字母 I、O、Q）",
                f"the VIN holds characters it may not: {', '.join(bad)} (no I, O or Q)",
            )
        )
    if vin.startswith(CHINA_WMI_REGION):
        expected = vin_check_digit(vin)
        if vin[8] != expected:
            raise ValueError(
                bilingual(
                    f"车辆识别代号第 9 位校验位应为 {expected}，实为 {vin[8]}，请核对是否抄错",
                    f"the VIN's check digit (9th character) should be {expected}, not {vin[8]}: "
                    "check it for a typing error",
                )
            )
    return vin


def vin_model_year(vin: str, near: int) -> int | None:
    """The model year a VIN of a vehicle made in China states (GB 16735: its 10th character),
    in the 30-year cycle closest to the year ``near``; ``None`` for another maker's VIN."""
    if not vin.startswith(CHINA_WMI_REGION) or vin[9] not in _YEAR_CODES:
        return None
    first = 1980 + _YEAR_CODES.index(vin[9])
    return first + 30 * round((near - first) / 30)


def check_model_year(vin: str, registered: int) -> None:
    """:class:`ValueError` when a Chinese VIN's model year is not one a vehicle first
    registered in ``registered`` can have (one year ahead to three behind)."""
    year = vin_model_year(vin, registered)
    if year is None or -MODEL_YEAR_LEAD <= registered - year <= MODEL_YEAR_LAG:
        return
    raise ValueError(
        bilingual(
            f"车辆识别代号第 10 位表示 {year} 年款，与初次登记年份 {registered} 相差过大："
            "请核对车辆识别代号和初次登记日期（两者均无误时，可不填车辆识别代号）",
            f"the VIN's 10th character says model year {year}, too far from the first "
            f"registration in {registered}: check both (or leave the VIN out if both are right)",
        )
    )


def check_certificate_number(text: str) -> str:
    """A 不动产权证号 with its brackets full-width and its digits ASCII; it must hold a number."""
    number = re.sub(r"\s+", "", text).translate(_CERTIFICATE_CANONICAL)
    if not re.search(r"\d", number):
        raise ValueError(
            bilingual(
                f"不动产权证号“{number}”中没有编号数字",
                f"the property certificate number {number!r} holds no digits",
            )
        )
    return number


def _blank_as_none(value: Any) -> Any:
    """An empty or blank text is "not given" (a form's empty input, a batch file's empty cell)."""
    return None if isinstance(value, str) and not value.strip() else value


#: An optional identification field: blank means not given.
Blank = BeforeValidator(_blank_as_none)

Address = Annotated[str, OneLine, StringConstraints(strip_whitespace=True, max_length=200)]
CertificateNumber = Annotated[
    str, OneLine, StringConstraints(max_length=80), AfterValidator(check_certificate_number)
]
PlateNumber = Annotated[str, OneLine, StringConstraints(max_length=20), AfterValidator(check_plate)]
Vin = Annotated[str, OneLine, StringConstraints(max_length=40), AfterValidator(check_vin)]

#: The request fields that identify a property or a vehicle (never model features, never in
#: the sales table a data scientist retrains on).
PROPERTY_IDENTITY_FIELDS = ("address", "certificate_number")
VEHICLE_IDENTITY_FIELDS = ("plate_number", "vin")
IDENTITY_FIELDS_OF: dict[str, tuple[str, ...]] = {
    "property": PROPERTY_IDENTITY_FIELDS,
    "vehicle": VEHICLE_IDENTITY_FIELDS,
}
IDENTITY_FIELDS = frozenset(PROPERTY_IDENTITY_FIELDS + VEHICLE_IDENTITY_FIELDS)


def _text(facts: Mapping[str, Any], name: str) -> str:
    value = facts.get(name)
    return str(value).strip() if value not in (None, "") else ""


def describe_property(facts: Mapping[str, Any]) -> str:
    """One line that names a property for a list: its 坐落 when given, else its 街道/镇 and 小区;
    and its floor area."""
    where = _text(facts, "address") or " ".join(
        t for t in (_text(facts, "district"), _text(facts, "community")) if t
    )
    area = facts.get("area_m2")
    return f"{where}，{float(area):g}㎡" if isinstance(area, int | float) and where else where


def describe_vehicle(facts: Mapping[str, Any]) -> str:
    """One line that names a vehicle for a list: its plate (or the VIN's last six characters)
    beside its brand and series."""
    model = " ".join(t for t in (_text(facts, "brand"), _text(facts, "series")) if t)
    vin = _text(facts, "vin")
    mark = _text(facts, "plate_number") or (f"VIN…{vin[-6:]}" if vin else "")
    return f"{mark} {model}".strip() if mark else model


def describe_asset(kind: str, facts: Mapping[str, Any]) -> str:
    """One line that names the asset of a ``property`` or ``vehicle`` inquiry."""
    return describe_property(facts) if kind == "property" else describe_vehicle(facts)
