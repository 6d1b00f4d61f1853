"""Per-key request quotas (Wenling's limits): per minute, per day, and allowed hours.

Counts are fixed windows in the court's time zone: a minute, a calendar day. They are kept in
the server process; at a key's first request of a day the day count is seeded from the ledger
(its entries since local midnight), so a restart does not hand out a fresh day. With several
server processes each keeps its own minute count (the day count stays close, seeded from the
shared ledger); run one process per court store or put the counts in a shared store.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from models.court.quota import QuotaLimits
from serving.court.schemas import QuotaOverride


class QuotaLimit(StrEnum):
    """Which limit refused a request."""

    HOURS = "hours"
    PER_DAY = "per_day"
    PER_MINUTE = "per_minute"


@dataclass(frozen=True)
class QuotaRefusal:
    """A refused request: the limit and when it lets the key in again."""

    limit: QuotaLimit
    resets_at: dt.datetime
    allowed: int | None

    def message(self) -> str:
        """One line for the 429 answer."""
        when = self.resets_at.isoformat(timespec="seconds")
        if self.limit is QuotaLimit.HOURS:
            return f"outside this key's allowed hours; allowed again from {when}"
        return (
            f"{self.allowed} requests {self.limit.value.replace('_', ' ')} used; resets at {when}"
        )


def effective_limits(role: QuotaLimits, override: QuotaOverride) -> QuotaLimits:
    """The role's limits with the key's overrides applied."""
    return QuotaLimits(
        requests_per_day=override.requests_per_day or role.requests_per_day,
        requests_per_minute=override.requests_per_minute or role.requests_per_minute,
        allowed_hours=override.allowed_hours or role.allowed_hours,
    )


@dataclass
class _Usage:
    day: dt.date
    day_count: int
    minute: dt.datetime
    minute_count: int


#: Counts a key's requests already recorded since a moment: ``(key_id, since) -> count``.
DaySeed = Callable[[int, dt.datetime], int]


class QuotaBook:
    """Thread-safe request counts per key, checked against the key's limits."""

    def __init__(self, timezone: str, seed: DaySeed | None = None) -> None:
        self._zone = ZoneInfo(timezone)
        self._seed = seed
        self._usage: dict[int, _Usage] = {}
        self._lock = threading.Lock()

    def local(self, now: dt.datetime) -> dt.datetime:
        """``now`` in the court's time zone."""
        return now.astimezone(self._zone)

    def needs_seed(self, key_id: int, now: dt.datetime) -> bool:
        """Whether the key's count for today has not been read from the ledger yet."""
        usage = self._usage.get(key_id)
        return usage is None or usage.day != self.local(now).date()

    def seed_day(self, key_id: int, now: dt.datetime) -> None:
        """Start the key's day from the ledger's count (a database read; call off the loop)."""
        local = self.local(now)
        midnight = dt.datetime.combine(local.date(), dt.time(), tzinfo=self._zone)
        count = self._seed(key_id, midnight.astimezone(dt.UTC)) if self._seed else 0
        with self._lock:
            usage = self._usage.get(key_id)
            if usage is None or usage.day != local.date():
                minute = local.replace(second=0, microsecond=0)
                self._usage[key_id] = _Usage(local.date(), count, minute, 0)

    def take(
        self, key_id: int, limits: QuotaLimits, now: dt.datetime, *, day: bool = True
    ) -> QuotaRefusal | None:
        """Count one request, or return why it is refused (a refused request is not counted).

        With ``day`` false the request is a follow-up of one the day already counted (an
        inquiry's price curve): the allowed hours and the per-minute limit apply, the day's
        limit and count do not."""
        local = self.local(now)
        hours = limits.allowed_hours
        if hours is not None and not hours.allows(local.hour):
            return QuotaRefusal(QuotaLimit.HOURS, self._next_opening(local, hours.start), None)
        minute = local.replace(second=0, microsecond=0)
        with self._lock:
            usage = self._usage.get(key_id)
            if usage is None or usage.day != local.date():
                usage = self._usage[key_id] = _Usage(local.date(), 0, minute, 0)
            if usage.minute != minute:
                usage.minute, usage.minute_count = minute, 0
            if day and usage.day_count >= limits.requests_per_day:
                return self._day_refusal(local, limits)
            if usage.minute_count >= limits.requests_per_minute:
                return QuotaRefusal(
                    QuotaLimit.PER_MINUTE,
                    minute + dt.timedelta(minutes=1),
                    limits.requests_per_minute,
                )
            usage.day_count += int(day)
            usage.minute_count += 1
        return None

    def take_more(
        self, key_id: int, limits: QuotaLimits, count: int, now: dt.datetime
    ) -> QuotaRefusal | None:
        """Count ``count`` more inquiries of a request already admitted by :meth:`take` (an
        inquiry batch is one request but one inquiry per item) against the day's limit, all
        or none: the refusal when the day has not room for all of them."""
        local = self.local(now)
        with self._lock:
            usage = self._usage.get(key_id)
            if usage is None or usage.day != local.date():
                minute = local.replace(second=0, microsecond=0)
                usage = self._usage[key_id] = _Usage(local.date(), 0, minute, 0)
            if usage.day_count + count > limits.requests_per_day:
                return self._day_refusal(local, limits)
            usage.day_count += count
        return None

    def _day_refusal(self, local: dt.datetime, limits: QuotaLimits) -> QuotaRefusal:
        midnight = dt.datetime.combine(local.date(), dt.time(), tzinfo=self._zone)
        return QuotaRefusal(
            QuotaLimit.PER_DAY, midnight + dt.timedelta(days=1), limits.requests_per_day
        )

    def _next_opening(self, local: dt.datetime, start_hour: int) -> dt.datetime:
        opening = local.replace(hour=start_hour, minute=0, second=0, microsecond=0)
        return opening if opening > local else opening + dt.timedelta(days=1)
