"""The quota book's counts: a request, and the further inquiries of an inquiry batch."""

from __future__ import annotations

import datetime as dt

from models.court.quota import HourWindow, QuotaLimits
from serving.access.quota import QuotaBook, QuotaLimit

LIMITS = QuotaLimits(requests_per_day=5, requests_per_minute=100)
NOON = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


def test_more_inquiries_are_counted_all_or_none_against_the_day() -> None:
    book = QuotaBook("Asia/Shanghai")
    assert book.take(1, LIMITS, NOON) is None
    refused = book.take_more(1, LIMITS, 5, NOON)  # 1 + 5 > 5: none of the five is counted
    assert refused is not None and refused.limit is QuotaLimit.PER_DAY
    assert refused.resets_at == dt.datetime(2026, 12, 3, tzinfo=book.local(NOON).tzinfo)
    assert book.take_more(1, LIMITS, 3, NOON) is None  # 4 of 5 used
    assert book.take(1, LIMITS, NOON) is None
    assert book.take(1, LIMITS, NOON) is not None
    assert book.take_more(2, LIMITS, 0, NOON) is None  # another key, nothing more to count


def test_a_follow_up_keeps_to_the_minute_and_the_hours_but_not_the_day() -> None:
    book = QuotaBook("Asia/Shanghai")
    limits = QuotaLimits(requests_per_day=1, requests_per_minute=3)
    assert book.take(1, limits, NOON) is None  # the inquiry: the day's one request
    assert book.take(1, limits, NOON) is not None  # another inquiry: refused for the day
    assert book.take(1, limits, NOON, day=False) is None  # its curve: still served
    assert book.take(1, limits, NOON, day=False) is None  # three this minute in all
    refused = book.take(1, limits, NOON, day=False)
    assert refused is not None and refused.limit is QuotaLimit.PER_MINUTE
    later = NOON + dt.timedelta(minutes=1)
    assert book.take(1, limits, later, day=False) is None  # a new minute
    closed = QuotaLimits(
        requests_per_day=10, requests_per_minute=10, allowed_hours=HourWindow(start=8, end=9)
    )
    refused = book.take(2, closed, NOON, day=False)
    assert refused is not None and refused.limit is QuotaLimit.HOURS
