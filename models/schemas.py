"""Output pieces shared by every valuation model."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from models.clock import china_today
from models.errors import bilingual

RequestT = TypeVar("RequestT", bound=BaseModel)
ItemT = TypeVar("ItemT", bound=BaseModel)


#: The earliest date a request may carry (earlier is a typing error, and pandas cannot hold
#: the days before 1677 at its resolution).
EARLIEST_DATE = dt.date(1900, 1, 1)
#: The latest date a table's records may carry (pandas holds days to 2262 in nanoseconds).
LATEST_DATE = dt.date(2100, 12, 31)


class _KnownPast:
    """A day known to be past in China: it only moves forward, so a date on or before it
    needs no clock reading (a 10,000-item batch read the clock 10,000 times)."""

    day = EARLIEST_DATE


def _past_or_today(value: dt.date) -> dt.date:
    if value < EARLIEST_DATE:
        raise ValueError(
            bilingual(
                f"日期 {value} 早于 {EARLIEST_DATE}",
                f"the date {value} is before {EARLIEST_DATE}",
            )
        )
    if value <= _KnownPast.day:
        return value
    today = china_today()
    # Yesterday, not today: a clock set back across midnight cannot make it a future day.
    _KnownPast.day = max(_KnownPast.day, today - dt.timedelta(days=1))
    if value > today:
        raise ValueError(
            bilingual(
                f"估价时点 {value} 晚于今天（{today}）",
                f"valuation_date {value} is in the future (today is {today})",
            )
        )
    return value


def _without(characters: re.Pattern[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if characters.search(value):
            raise ValueError(
                bilingual(
                    "不得包含控制字符（如 NUL）", "must not contain control characters such as NUL"
                )
            )
        return value

    return check


@dataclass(frozen=True)
class DocumentedPattern:
    """Writes ``pattern`` into a field's JSON schema without enforcing it: the field's own
    check does, with a message saying what is wrong, which a pattern mismatch cannot. A client
    reads from the schema what it may send."""

    pattern: str

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


@dataclass(frozen=True)
class TextWithout:
    """A text check refusing the characters of a regular-expression class (``characters``, the
    inside of ``[...]``), which the field's JSON schema states as its pattern."""

    characters: str

    @property
    def pattern(self) -> str:
        """What the check admits, as a JSON Schema pattern."""
        return f"^[^{self.characters}]*$"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        check = _without(re.compile(f"[{self.characters}]"))
        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return DocumentedPattern(self.pattern).__get_pydantic_json_schema__(schema, handler)


#: The control characters (C0 and DEL), as the inside of a regular-expression class that
#: Python's ``re``, pydantic's Rust patterns and JSON Schema's all read.
CONTROL_CHARACTERS = r"\x00-\x1f\x7f"
#: A text field of one line: no control characters. PostgreSQL refuses a NUL in a text column,
#: so a 询价用途 holding one was accepted and then failed at the ledger write (503).
OneLine = TextWithout(CONTROL_CHARACTERS)
#: Free text that may span lines: tabs and line breaks, no other control characters.
FreeText = TextWithout(r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f")


#: The date a value is asked for: any day from 1900 to today, never a future one.
ValuationDate = Annotated[
    dt.date,
    AfterValidator(_past_or_today),
    Field(description="Date the value is asked for: 1900-01-01 to today in China (UTC+8)."),
]


class ValueInterval(BaseModel):
    """A prediction interval for a value, in CNY."""

    lower: float
    upper: float
    coverage: float = Field(gt=0, lt=1, description="Nominal coverage, e.g. 0.8.")
    method: str = Field(description="How the interval was made.")


class Contribution(BaseModel):
    """One input's signed effect on the estimate (SHAP, log scale, shown as a percentage)."""

    feature: str
    label: str = Field(description="The feature's name in Chinese.")
    value: str = Field(
        description="The input's value as a judge reads it, with its unit "
        "(89.5㎡, 1/33层, 6.2万公里); 未填 when the input was left out."
    )
    effect_pct: float = Field(description="Approximate % change of the estimate due to it.")


class UnseenInput(BaseModel):
    """An input whose value no training sale had: a new 小区 (车系), or a misspelt one.

    The estimate then rests on the other inputs alone (location, district, brand …) and errs
    more, so its interval is the one calibrated on unseen values (see ``models.novelty``).
    """

    field: str = Field(description="The input's name, e.g. community.")
    label: str = Field(description="The input's name in Chinese, e.g. 小区.")
    value: str = Field(description="The value as asked.")
    similar: list[str] = Field(
        description="Values the training sales did have that read most like it, best first "
        "(what a typist may have meant); empty when none is close."
    )
    notice: str = Field(description="The caution shown to judges, in Chinese.")


#: What a batch item says about :class:`UnseenInput` (the field's name, or nothing).
UNSEEN_INPUT_FIELD_DESCRIPTION = (
    "The input (e.g. community) whose value no training sale had; its interval is the wider "
    "one calibrated on unseen values. None when every value was seen."
)


class ModelInfo(BaseModel):
    """Which model answered."""

    name: str
    version: str
    run_id: str | None
    alias: str | None = None
    trained_at: dt.datetime | None = None
    metrics: dict[str, float] = Field(default_factory=dict)


class BatchRequest(BaseModel, Generic[RequestT]):
    """Several requests valued in one call; comparables and reasons only when asked for."""

    model_config = ConfigDict(extra="forbid")

    items: list[RequestT] = Field(min_length=1)
    include_comparables: bool = Field(
        default=False, description="Each item's comparable sales and their 比准价格."
    )
    include_comparables_value: bool = Field(
        default=False,
        description=(
            "Each item's 比准价格 (the market comparison check) without the comparables "
            "themselves (about 80 µs a row); implied by include_comparables."
        ),
    )
    include_contributions: bool = Field(default=False, description="Each item's top reasons.")


class BatchValuation(BaseModel, Generic[ItemT]):
    """The answer to a batch request, items in request order."""

    items: list[ItemT]
    interval_coverage: float = Field(description="Nominal coverage of every item's interval.")
    interval_method: str
    model: ModelInfo


class Vocabulary(BaseModel):
    """The values a valuation's free-text inputs had in the served model's training sales:
    what the page offers as the judge types (a value outside them is still valued, with an
    ``unseen_input`` caution when it is the model's novelty column)."""

    fields: dict[str, list[str]] = Field(description="Input name → its known values, sorted.")
    model: ModelInfo
