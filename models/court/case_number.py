"""案号 — the case number of an enforcement case, checked and normalised.

The format is the Supreme People's Court's 《关于人民法院案件案号的若干规定》 (法〔2015〕137号,
in force since 2016-01-01), arts. 2–5: ``（收案年度）法院代字 类型代字 案件编号 号``, e.g.
``（2024）浙1081执1234号``.

* 收案年度: the four-digit calendar year the case was filed (from 2016: older numbers follow the
  former, court-specific format such as ``（2014）杭西执民字第12号`` and are not accepted).
* 法院代字: ``最高法`` for the Supreme People's Court; otherwise the province-level one-character
  abbreviation (内 for Inner Mongolia, 兵 for the Xinjiang Production and Construction Corps
  branch) alone for a high court, plus 2 digits for an intermediate or specialised court
  (``京01``, ``沪72``) or 4 digits for a basic court (``浙1081``, ``京0108``).
* 类型代字: the enforcement types of the annex 《人民法院案件类型及其代字标准》: 执 (首次执行),
  执恢, 执保, 执异, 执复, 执监, 执协, 执请, 执他 — taken from our knowledge of that annex;
  the search corpus confirms the format and real examples (``（2021）最高法执监344号``,
  ``（2020）湘执复244号``) but not the full table.
* 案件编号: the filing order within the year, a natural number without leading zeros.

Normalisation: surrounding whitespace removed, half-width brackets and full-width digits turned
into their canonical forms (full-width brackets, ASCII digits).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Collection
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from models.clock import china_today
from models.court.errors import CaseNumberError
from models.schemas import DocumentedPattern

logger = logging.getLogger(__name__)

#: Enforcement case-type codes (类型代字) and what they mean.
ENFORCEMENT_CASE_TYPES: dict[str, str] = {
    "执": "首次执行",
    "执恢": "恢复执行",
    "执保": "财产保全执行",
    "执异": "执行异议",
    "执复": "执行复议",
    "执监": "执行监督",
    "执协": "执行协调",
    "执请": "执行请示",
    "执他": "其他执行",
}

#: Province-level one-character abbreviations used as court codes (法院代字), plus 兵.
PROVINCES: str = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新兵"
SUPREME_COURT = "最高法"

#: The first year of the uniform numbering rules.
FIRST_YEAR = 2016
MAX_SEQUENCE_DIGITS = 7

CourtLevel = Literal["最高", "高级", "中级", "基层"]
_LEVEL_BY_DIGITS: dict[int, CourtLevel] = {0: "高级", 2: "中级", 4: "基层"}

_CANONICAL = str.maketrans("()０１２３４５６７８９", "（）0123456789")
#: ASCII digits only: Python's ``\d`` also reads other scripts' digits (٢٠٢٤), which would be
#: stored as typed, so one case would have two 案号.
_YEAR = re.compile(r"^（(\d+)）", re.ASCII)
_BODY = re.compile(r"^(最高法|\D)(\d*)(\D+?)(\d*)$", re.ASCII)


class CaseNumberParts(BaseModel):
    """A valid 案号, split into its elements."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(description="The normalised 案号, e.g. （2024）浙1081执1234号.")
    year: int = Field(ge=FIRST_YEAR, description="收案年度.")
    province: str = Field(description="省级简称, or 最高法 for the Supreme People's Court.")
    court_code: str = Field(description="The court's digits: '' (high/supreme), 2 or 4 digits.")
    court_level: CourtLevel = Field(description="法院层级 implied by the code.")
    case_type: str = Field(description="类型代字, e.g. 执, 执恢, 执异.")
    sequence: int = Field(ge=1, description="案件编号 (filing order within the year).")


def normalise_case_number(text: str) -> str:
    """``text`` with whitespace stripped, full-width brackets and ASCII digits."""
    return re.sub(r"\s+", "", text).translate(_CANONICAL)


def parse_case_number(
    text: str,
    *,
    case_types: Collection[str] = tuple(ENFORCEMENT_CASE_TYPES),
    today: dt.date | None = None,
) -> CaseNumberParts:
    """Check a 案号 and split it into its elements.

    Args:
        text: The case number as typed (either bracket width).
        case_types: The accepted 类型代字 (default: the enforcement types).
        today: The date the check is made (default: today in China); bounds the year.

    Raises:
        CaseNumberError: naming the element that is wrong and what is allowed.
    """
    normal = normalise_case_number(text)
    if not normal:
        raise CaseNumberError("案号为空", "the case number is empty")
    if "第" in normal:
        raise CaseNumberError(
            f"案号“{normal}”是 2016 年以前的旧格式（含“第”），"
            "请使用统一案号，如（2024）浙1081执1234号",
            f"case number {normal!r} uses the pre-2016 format (第); "
            "use e.g. （2024）浙1081执1234号",
        )
    year, year_end = _year(normal, today or china_today())
    if not normal.endswith("号"):
        raise CaseNumberError(
            f"案号“{normal}”须以“号”结尾", f"case number {normal!r} must end with 号"
        )
    body = normal[year_end:-1]
    match = _BODY.match(body)
    if match is None:
        raise CaseNumberError(
            f"案号“{normal}”在年度之后应为 法院代字+类型代字+编号，如 浙1081执1234",
            f"case number {normal!r}: after the year expected court code + case type + "
            "sequence, e.g. 浙1081执1234",
        )
    province, digits, case_type, sequence = match.groups()
    level = _court_level(province, digits)
    _check_case_type(case_type, case_types)
    number = _sequence(sequence)
    return CaseNumberParts(
        text=normal,
        year=year,
        province=province,
        court_code=digits,
        court_level=level,
        case_type=case_type,
        sequence=number,
    )


def _year(normal: str, today: dt.date) -> tuple[int, int]:
    """The filing year and where it ends in ``normal``."""
    match = _YEAR.match(normal)
    if match is None:
        raise CaseNumberError(
            f"案号“{normal}”须以括号中的收案年度开头，如（2024）",
            f"case number {normal!r} must start with the filing year in brackets, e.g. （2024）",
        )
    if len(match.group(1)) != 4:
        raise CaseNumberError(
            f"收案年度“{match.group(1)}”须为 4 位数字",
            f"filing year {match.group(1)!r} must have 4 digits",
        )
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= today.year:
        raise CaseNumberError(
            f"收案年度 {year} 超出范围：统一案号自 {FIRST_YEAR} 年起施行，"
            f"且不得晚于今年（{today.year}）",
            f"filing year {year} out of range: allowed {FIRST_YEAR}–{today.year} (uniform case "
            f"numbers started in {FIRST_YEAR}; no future years)",
        )
    return year, match.end()


def _court_level(province: str, digits: str) -> CourtLevel:
    if province == SUPREME_COURT:
        if digits:
            raise CaseNumberError(
                f"最高人民法院的法院代字“最高法”后不应有数字“{digits}”",
                f"the Supreme People's Court code 最高法 takes no digits, got {digits!r}",
            )
        return "最高"
    if province not in PROVINCES:
        raise CaseNumberError(
            f"法院代字“{province}”不是省级简称；允许：{SUPREME_COURT} 或 {'、'.join(PROVINCES)}",
            f"court code {province!r} is not a province abbreviation; allowed: {SUPREME_COURT} "
            f"or one of {PROVINCES}",
        )
    level = _LEVEL_BY_DIGITS.get(len(digits))
    if level is None:
        raise CaseNumberError(
            f"法院代码“{province}{digits}”的数字须为 0 位（高级法院）、2 位（中级法院，如 京01）"
            "或 4 位（基层法院，如 浙1081）",
            f"court code {province + digits!r} must have 0 (high court), 2 (intermediate court, "
            "e.g. 京01) or 4 digits (basic court, e.g. 浙1081)",
        )
    return level


def _check_case_type(case_type: str, allowed: Collection[str]) -> None:
    if case_type not in allowed:
        raise CaseNumberError(
            f"类型代字“{case_type}”不是可接受的执行案件类型；允许：{'、'.join(allowed)}",
            f"case type {case_type!r} is not an accepted enforcement case type; allowed: "
            f"{', '.join(allowed)}",
        )


def _sequence(sequence: str) -> int:
    if not sequence:
        raise CaseNumberError(
            "案号缺少案件编号（“号”前的数字）", "the sequence number before 号 is missing"
        )
    if sequence.startswith("0") or len(sequence) > MAX_SEQUENCE_DIGITS:
        raise CaseNumberError(
            f"案件编号“{sequence}”须为 1 至 {MAX_SEQUENCE_DIGITS} 位、不以 0 开头的自然数",
            f"sequence {sequence!r} must be a natural number of 1–{MAX_SEQUENCE_DIGITS} digits "
            "without leading zeros",
        )
    return int(sequence)


def _validate_case_number(text: str) -> str:
    return parse_case_number(text).text


def _case_number_pattern() -> str:
    """The shape of a 案号 as a regular expression (JSON Schema's dialect, which Python's
    ``re`` reads alike): what a client may check before it sends one. It admits the years
    from :data:`FIRST_YEAR` (2016; the tests hold the two to agree) to 2099, so only a future
    year is refused by the server alone; spaces inside are removed by the server but not
    offered here."""
    digit = "[0-9０-９]"
    year = "[2２][0０](?:[1１][6-9６-９]|[2-9２-９][0-9０-９])"
    suffixes = [code.removeprefix("执") for code in ENFORCEMENT_CASE_TYPES if code != "执"]
    return (
        rf"^\s*[（(]{year}[）)]"
        rf"(?:{SUPREME_COURT}|[{PROVINCES}](?:{digit}{{2}}){{0,2}})"
        rf"执(?:{'|'.join(suffixes)})?"
        rf"[1-9１-９]{digit}{{0,{MAX_SEQUENCE_DIGITS - 1}}}号\s*$"
    )


#: The shape of a valid 案号 (see :func:`_case_number_pattern`).
CASE_NUMBER_PATTERN = _case_number_pattern()


#: A 案号 field for request schemas: validated, and stored in its normalised form; its JSON
#: schema carries :data:`CASE_NUMBER_PATTERN`, so a client can check its shape before sending.
CaseNumber = Annotated[
    str,
    StringConstraints(max_length=40),
    AfterValidator(_validate_case_number),
    DocumentedPattern(CASE_NUMBER_PATTERN),
]
