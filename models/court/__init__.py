"""Pure court rules: case numbers, the working-day calendar, objections, reference prices.

No I/O, no database: the functions take dates and values and return pydantic models, or raise
the errors of :mod:`models.court.errors` with a Chinese / English message.
"""

from models.court.calendar import (
    YearArrangement,
    add_working_days,
    calendar_warning,
    covered_years,
    is_working_day,
    parse_holiday_notice,
    supplement_calendar,
)
from models.court.case_number import (
    ENFORCEMENT_CASE_TYPES,
    CaseNumber,
    CaseNumberParts,
    parse_case_number,
)
from models.court.errors import (
    CalendarNotCoveredError,
    CaseNumberError,
    NoUsableResultError,
    ObjectionRejectedError,
)
from models.court.objections import (
    AppraisalStatus,
    AppraisalTask,
    ObjectionGround,
    ObjectionRequest,
    Party,
    check_objection_in_time,
    objection_deadline,
    open_appraisal_task,
)
from models.court.reference_price import (
    AuctionStartPrices,
    ExcludedResult,
    ExclusionReason,
    PlatformResult,
    ReferencePrice,
    auction_start_prices,
    reference_price,
)

__all__ = [
    "ENFORCEMENT_CASE_TYPES",
    "AppraisalStatus",
    "AppraisalTask",
    "AuctionStartPrices",
    "CalendarNotCoveredError",
    "CaseNumber",
    "CaseNumberError",
    "CaseNumberParts",
    "ExcludedResult",
    "ExclusionReason",
    "NoUsableResultError",
    "ObjectionGround",
    "ObjectionRejectedError",
    "ObjectionRequest",
    "Party",
    "PlatformResult",
    "ReferencePrice",
    "YearArrangement",
    "add_working_days",
    "auction_start_prices",
    "calendar_warning",
    "check_objection_in_time",
    "covered_years",
    "is_working_day",
    "objection_deadline",
    "open_appraisal_task",
    "parse_case_number",
    "parse_holiday_notice",
    "reference_price",
    "supplement_calendar",
]
