"""The Art. 13 reference price from the results a judge enters.

Each result is either one of our inquiries, named by its id, or another platform's figure as
the judge copies it from that platform's report. For our inquiries nothing is taken from the
client: the value is the ledger entry's ``outputs["value"]``, the report date is the day (in
China) the entry was written, the validity is the one-year maximum (our reports state no shorter
one), and the result is disputed when an objection to it stands (:mod:`serving.court.objections`).
The average and the exclusions are :func:`models.court.reference_price.reference_price`'s.

All our inquiries count as one platform, :data:`PLATFORM_NAME`: like any platform we give one
result per property, so two of our inquiries in one computation are refused as a repeated
platform (send the latest).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag
from sqlalchemy.orm import Session

from models.court.case_number import CaseNumber, normalise_case_number
from models.court.errors import bilingual
from models.court.reference_price import PlatformResult, ReferencePrice, reference_price
from models.errors import InvalidInputError
from serving.court.objections import (
    VALUATION_ENDPOINTS,
    answered_value,
    disputed_entry_ids,
    inquiry_date,
    valuation_entry,
)
from serving.court.schemas import MAX_ROW_ID
from serving.court.tables import LedgerEntryRow

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_RESULTS",
    "PLATFORM_NAME",
    "REFERENCE_PRICE_ENDPOINT",
    "VALUATION_ENDPOINTS",
    "InquiryResult",
    "ReferencePriceRequest",
    "ResultInput",
    "reference_from_inputs",
]

#: The platform name our inquiries appear under in the reference price.
PLATFORM_NAME = "courtval"
#: Where a reference price is computed: the ledger ``endpoint`` of its entries, whose ``inputs``
#: are the :class:`ReferencePriceRequest` and ``outputs`` the :class:`ReferencePrice`.
REFERENCE_PRICE_ENDPOINT = "/v1/reference-price"
#: Most results one computation takes (Art. 13 averages a handful of platforms).
MAX_RESULTS = 10


class InquiryResult(BaseModel):
    """One of our inquiries, by id; everything else about it is read from the ledger."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inquiry_id: int = Field(ge=1, le=MAX_ROW_ID, description="询价记录编号（询价台账记录的编号）.")


def _result_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "inquiry" if "inquiry_id" in value else "platform"
    return "inquiry" if isinstance(value, InquiryResult) else "platform"


#: A result as entered: ``{"inquiry_id": …}`` for ours, a :class:`PlatformResult` otherwise.
ResultInput = Annotated[
    Annotated[InquiryResult, Tag("inquiry")] | Annotated[PlatformResult, Tag("platform")],
    Discriminator(_result_kind),
]


class ReferencePriceRequest(BaseModel):
    """The results a judge averages into the reference price of one property in one case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case_number: CaseNumber = Field(description="案号.")
    results: list[ResultInput] = Field(
        min_length=1,
        max_length=MAX_RESULTS,
        description="询价结果：本平台的以 inquiry_id 引用，其他平台的填写平台、结果和日期.",
    )


def _check_case(entry: LedgerEntryRow, case_number: str | None) -> None:
    if case_number is None or entry.case_number is None:
        return
    if normalise_case_number(entry.case_number) != normalise_case_number(case_number):
        raise InvalidInputError(
            "results",
            bilingual(
                f"询价记录 {entry.id} 不属于案件 {case_number}",
                f"inquiry {entry.id} belongs to another case than {case_number}",
            ),
        )


def _ours(entry: LedgerEntryRow, *, disputed: bool) -> PlatformResult:
    return PlatformResult(
        platform=PLATFORM_NAME,
        value=Decimal(str(answered_value(entry))),  # the shortest decimal of the stored float
        inquiry_date=inquiry_date(entry),
        disputed=disputed,
    )


def _theirs(result: PlatformResult) -> PlatformResult:
    if result.platform.casefold() == PLATFORM_NAME.casefold():
        raise InvalidInputError(
            "results",
            bilingual(
                f"本平台（{PLATFORM_NAME}）的询价结果须以 inquiry_id 引用，不能直接填写数值",
                f"a {PLATFORM_NAME} result must be given by its inquiry_id, not as a value",
            ),
        )
    return result


def reference_from_inputs(
    session: Session,
    results: Sequence[InquiryResult | PlatformResult],
    *,
    decision_date: dt.date,
    case_number: str | None = None,
) -> ReferencePrice:
    """The Art. 13 reference price of ``results`` as of ``decision_date``.

    Args:
        session: A session on the court store (only read).
        results: The results as entered (:class:`ReferencePriceRequest`'s ``results``).
        decision_date: The day the price is fixed; results expired by then are left out.
        case_number: When given, an inquiry recorded under another 案号 is refused.

    Raises:
        InquiryNotFoundError: an ``inquiry_id`` names no valuation inquiry.
        InvalidInputError: an inquiry belongs to another case, a result claims to be ours
            without an id, a platform repeats, or a result is dated after the decision.
        NoUsableResultError: every result is disputed or expired.
    """
    ids = [r.inquiry_id for r in results if isinstance(r, InquiryResult)]
    disputed = disputed_entry_ids(session, ids)
    platform_results: list[PlatformResult] = []
    for result in results:
        if isinstance(result, InquiryResult):
            entry = valuation_entry(session, result.inquiry_id)
            _check_case(entry, case_number)
            platform_results.append(_ours(entry, disputed=entry.id in disputed))
        else:
            platform_results.append(_theirs(result))
    price = reference_price(platform_results, decision_date=decision_date)
    logger.info(
        "reference price from %d results (%d ours, %d excluded) as of %s",
        len(results),
        len(ids),
        len(price.excluded),
        decision_date,
    )
    return price
