"""The court rules' errors: each message says what is wrong, in Chinese and in English.

They subclass the project's domain errors (:mod:`models.errors`), so the one exception handler
in ``serving`` maps them without knowing this package: an :class:`~models.errors.InvalidInputError`
is a bad request, a :class:`CalendarNotCoveredError` is a server that needs a newer holiday
calendar. Every message reads ``中文 / English``.
"""

from __future__ import annotations

from models.errors import CourtvalError, InvalidInputError, bilingual

__all__ = [
    "AppraisalStepError",
    "CalendarNotCoveredError",
    "CaseNumberError",
    "NoUsableResultError",
    "ObjectionRejectedError",
    "bilingual",
]


class CaseNumberError(InvalidInputError):
    """A 案号 does not follow the Supreme People's Court's numbering rules."""

    def __init__(self, chinese: str, english: str) -> None:
        super().__init__("case_number", bilingual(chinese, english))


class ObjectionRejectedError(InvalidInputError):
    """An objection cannot be accepted (late, or dated before the report was received)."""

    def __init__(self, chinese: str, english: str) -> None:
        super().__init__("objection", bilingual(chinese, english))


class NoUsableResultError(InvalidInputError):
    """No platform result is left to average once disputed and expired ones are excluded."""

    def __init__(self, chinese: str, english: str) -> None:
        super().__init__("results", bilingual(chinese, english))


class CalendarNotCoveredError(CourtvalError):
    """A date falls in a year the holiday calendar has no official arrangement for."""


class AppraisalStepError(CourtvalError):
    """An appraisal task cannot take the recorded step from its status (the API answers 409)."""

    def __init__(self, chinese: str, english: str) -> None:
        super().__init__(bilingual(chinese, english))
