"""What every valuation inquiry carries besides the asset's facts: its case and its purpose.

Wenling's rule: an inquiry is made for one case and its result used only for that case, so a
valuation request without a valid 案号 and a stated purpose is refused (422).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic

from pydantic import BaseModel, ConfigDict, Field, computed_field

from models.court.case_number import CaseNumber
from models.court.repeats import EarlierInquiry, repeat_notice
from models.schemas import ItemT, OneLine, RequestT


class InquiryContext(BaseModel):
    """The case an inquiry serves and why it is made."""

    case_number: CaseNumber = Field(
        description="案号 of the enforcement case, e.g. （2024）浙1081执1234号 (half-width "
        "brackets accepted and normalised).",
        examples=["（2024）浙1081执1234号"],
    )
    purpose: Annotated[str, OneLine] = Field(
        min_length=2,
        max_length=200,
        description="询价用途, e.g. 确定财产处置参考价; the result may serve only this case.",
        examples=["确定财产处置参考价"],
    )


class InquiryRecord(BaseModel):
    """Where an answer was recorded: its ledger entry, which is also the inquiry's id."""

    id: int = Field(ge=1, description="询价编号 = the ledger entry id (reports, objections).")
    entry_hash: str = Field(description="The ledger entry's SHA-256 chain hash.")
    case_number: str
    purpose: str
    recorded_at: dt.datetime
    valid_until: dt.date = Field(description="询价结果有效期至 (one year, 法释〔2018〕15号).")
    first_auction_start: int | None = Field(
        default=None,
        description="一拍起拍价建议 (CNY): at least 70% of the value as reference price "
        "(法释〔2016〕18号 Art. 10), rounded up to 100 yuan.",
    )
    second_auction_start: int | None = Field(
        default=None,
        description="二拍起拍价下限 (CNY): the first start cut by at most 20% (Art. 26), i.e. "
        "56% of the reference, rounded up to 100 yuan.",
    )
    earlier: list[EarlierInquiry] = Field(
        default_factory=list,
        description="Earlier inquiries of the same asset (the same 不动产权证号, 坐落, 号牌号码 "
        "or VIN) in this case whose results are still valid, newest first, with the facts typed "
        "differently this time.",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def earlier_notice(self) -> list[str]:
        """``earlier`` in Chinese, one sentence each (the page's and the report's words)."""
        return repeat_notice(self.earlier)


class InquiryBatch(InquiryContext, Generic[RequestT]):
    """Several assets of one case, each valued and recorded as an inquiry of its own: its own
    ledger entry, so its own report, objection and sale record (Art. 11 asks a report per
    property). The limit is ``COURTVAL_INQUIRY_BATCH_LIMIT``; a larger batch that needs no
    per-asset record goes to the ``/batch`` endpoint, one entry for the whole batch."""

    model_config = ConfigDict(extra="forbid")

    items: list[RequestT] = Field(min_length=1)


class InquiryBatchAnswer(BaseModel, Generic[ItemT]):
    """The answers to an :class:`InquiryBatch`, in request order, each the full answer to one
    inquiry with its ``inquiry`` record."""

    items: list[ItemT]
