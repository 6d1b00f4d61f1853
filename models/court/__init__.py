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
    supplemented_years,
)
from models.court.case_number import (
    ENFORCEMENT_CASE_TYPES,
    CaseNumber,
    CaseNumberParts,
    parse_case_number,
)
from models.court.errors import (
    AppraisalStepError,
    CalendarNotCoveredError,
    CaseNumberError,
    NoUsableResultError,
    ObjectionRejectedError,
)
from models.court.objections import (
    NEXT_STATUSES,
    AppraisalProgress,
    AppraisalStatus,
    AppraisalTask,
    ObjectionGround,
    ObjectionRequest,
    Party,
    SettledDates,
    check_objection_in_time,
    check_progress,
    objection_deadline,
    open_appraisal_task,
    settle_dates,
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
    "NEXT_STATUSES",
    "AppraisalProgress",
    "AppraisalStatus",
    "AppraisalStepError",
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
    "SettledDates",
    "YearArrangement",
    "add_working_days",
    "auction_start_prices",
    "calendar_warning",
    "check_objection_in_time",
    "check_progress",
    "covered_years",
    "is_working_day",
    "objection_deadline",
    "open_appraisal_task",
    "parse_case_number",
    "parse_holiday_notice",
    "reference_price",
    "settle_dates",
    "supplement_calendar",
    "supplemented_years",
]
