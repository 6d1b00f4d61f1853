"""The overdue alerts (Haidian's 五超, the second investigation, Changning's "5+X+Y" audit).

:func:`find_alerts` reads a frame of case records (``models.triage.columns``) and returns one
row per alert. Every rule is a vectorised mask over the whole frame; messages are rendered once
per distinct day count, not once per case.

The rules look at the cases as they stood on ``as_of``: a date after ``as_of`` counts as "has not
happened yet" (so a past ``as_of`` replays that day's alerts), and a case filed after ``as_of``
raises none. "Closed" means ``closed_at`` on or before ``as_of``. Thresholds come from
:class:`AlertRules` (built from the settings); "more than N days" is strict:

* ``ASSETS_NOT_SEIZED``: assets found, not seized, case open, found more than ``seize_days``
  days ago (15: day 15 is in time, day 16 is one day over).
* ``MEASURE_EXPIRING``: a seizure or freezing measure, nothing disposed, case open, expiring in
  ``measure_days`` days or fewer, or already expired.
* ``PAYOUT_OVERDUE``: money received, not paid out, received more than ``payout_days`` ago.
* ``OPEN_TOO_LONG``: open more than ``statutory_months`` (6 months: more than 182 days).
* ``ARCHIVE_OVERDUE``: closed, not archived, closed more than ``archive_days`` ago.
* ``SECOND_INVESTIGATION``: open more than ``second_investigation_months`` (2.5 months: more
  than 76 days) and no second asset investigation.
* ``MISSING_SEARCHES``: termination for lack of assets proposed on an open case (拟终本), or a
  case closed 终本 (the audit), with any "5+X+Y" search not done. Without an ``outcome`` column
  a closed case whose termination was proposed counts as 终本.

The returned frame has :data:`ALERT_COLUMNS`: ``row`` (position of the case in ``cases``),
``case_id`` (``None`` when ``cases`` has none), ``kind`` (an :class:`AlertKind` value),
``days_overdue`` (whole days past the limit, ≥ 0; 0 for a measure not yet expired and for missing
searches, which have no deadline), ``days_left`` (``MEASURE_EXPIRING`` only: days until the
measure expires, 0 once expired; ``NA`` otherwise), ``message`` (Chinese) and ``missing`` (a tuple
of :class:`Search` values, in checklist order; empty but for ``MISSING_SEARCHES``). Rows are
ordered by ``row``, then in :class:`AlertKind` order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.capacity.features import SEARCHES
from models.errors import DataError
from models.settings import Settings
from models.triage.calendar import as_day, day_values, days_between, month_limit_days
from models.triage.columns import STAGE_COLUMNS
from models.triage.vocabulary import ALERT_TITLES, AlertKind, CaseOutcome, Search

logger = logging.getLogger(__name__)

ALERT_COLUMNS: tuple[str, ...] = (
    "row",
    "case_id",
    "kind",
    "days_overdue",
    "days_left",
    "message",
    "missing",
)
#: The "5" searches: done when any of the fields is known (``models.capacity.features``).
FIVE_SEARCHES: dict[Search, tuple[str, ...]] = {
    Search.DEPOSITS: SEARCHES["bank"],
    Search.SECURITIES: SEARCHES["securities"],
    Search.REAL_ESTATE: SEARCHES["real_estate"],
    Search.VEHICLES: SEARCHES["vehicles"],
    Search.BUSINESS_REGISTRATION: SEARCHES["equity"],
}
#: The "Y" checks: done when the field is known (the neighbourhood visit: known and true).
Y_CHECKS: dict[Search, str] = {
    Search.SOCIAL_INSURANCE: "social_insurance_active",
    Search.HOUSEHOLD_REGISTRATION: "household_registration_found",
    Search.NEIGHBOURHOOD_COMMITTEE: "neighbourhood_checked",
}
_LEADS = ("creditor_leads", "creditor_leads_verified")
#: Every column the rules read (``outcome`` and ``case_id`` are optional).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "filed_at",
    *STAGE_COLUMNS,
    *(f for fields in FIVE_SEARCHES.values() for f in fields),
    *_LEADS,
    *Y_CHECKS.values(),
)
_SEARCH_ORDER: tuple[Search, ...] = tuple(Search)
_DENSE_SPAN = 1 << 20
_TITLES: dict[str, str] = {kind.value: title for kind, title in ALERT_TITLES.items()}


class AlertRules(BaseModel):
    """The alert thresholds, in whole days or in months of ``DAYS_PER_MONTH`` days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seize_days: int = Field(ge=1, description="Assets found, not seized for more than this.")
    measure_days: int = Field(ge=0, description="A measure expiring within this many days.")
    payout_days: int = Field(ge=1, description="Money received, not paid out for more than this.")
    archive_days: int = Field(ge=1, description="Closed, not archived for more than this.")
    statutory_months: float = Field(gt=0, description="法定期限: open longer than this.")
    second_investigation_months: float = Field(
        gt=0, description="Open longer than this without a second asset investigation."
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertRules:
        """The thresholds configured in ``settings`` (``COURTVAL_ALERT_*`` and friends)."""
        return cls(
            seize_days=settings.alert_seize_days,
            measure_days=settings.alert_measure_days,
            payout_days=settings.alert_payout_days,
            archive_days=settings.alert_archive_days,
            statutory_months=settings.statutory_months,
            second_investigation_months=settings.second_investigation_months,
        )


@dataclass(frozen=True)
class _Timeline:
    """Days since each stage date as of the day of looking (``NaN``: not happened by then)."""

    days: dict[str, np.ndarray]
    days_to_expiry: np.ndarray  # seizure_expires_at − as_of (NaN: no measure as of then)
    exists: np.ndarray  # filed on or before as_of
    closed: np.ndarray

    def happened(self, column: str) -> np.ndarray:
        return ~np.isnan(self.days[column])

    @property
    def open(self) -> np.ndarray:
        return self.exists & ~self.closed


@dataclass(frozen=True)
class _Hits:
    """The alerts of one rule: case positions, days overdue and messages (same length)."""

    kind: AlertKind
    rows: np.ndarray
    days_overdue: np.ndarray
    message: np.ndarray
    days_left: np.ndarray | None = None
    missing_code: np.ndarray | None = None


def require_columns(cases: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Raise :class:`DataError` naming the case-record columns ``cases`` lacks."""
    absent = [c for c in columns if c not in cases.columns]
    if absent:
        raise DataError(
            f"{what} needs the case-record columns {absent} (see models.triage.columns)"
        )


def is_terminated(cases: pd.DataFrame, closed: np.ndarray) -> np.ndarray:
    """Closed 终本: by ``outcome`` when present, else closed after a proposal to terminate."""
    if "outcome" in cases.columns:
        outcome = cases["outcome"].eq(CaseOutcome.TERMINATED.value)
        return closed & outcome.to_numpy(dtype=bool, na_value=False)
    return closed & cases["termination_proposed_at"].notna().to_numpy()


def _timeline(cases: pd.DataFrame, as_of: pd.Timestamp) -> _Timeline:
    day = as_day(as_of)
    days: dict[str, np.ndarray] = {}
    for column in ("filed_at", *STAGE_COLUMNS):
        elapsed = days_between(day_values(cases[column]), day)
        elapsed[elapsed < 0] = np.nan  # after as_of: not happened yet
        days[column] = elapsed
    expiry = days_between(day, day_values(cases["seizure_expires_at"]))
    expiry[np.isnan(days["seized_at"]) & cases["seized_at"].notna().to_numpy()] = np.nan
    filed_later = day_values(cases["filed_at"]) > day
    return _Timeline(
        days=days,
        days_to_expiry=expiry,
        exists=~filed_later,
        closed=~np.isnan(days["closed_at"]) & ~filed_later,
    )


def _render(values: np.ndarray, render: Callable[[int], object]) -> np.ndarray:
    """``render`` of each integer value, called once per distinct value."""
    if len(values) == 0:
        return np.empty(0, dtype=object)
    low = int(values.min())
    offset = values - low
    span = int(offset.max()) + 1
    if span <= _DENSE_SPAN:  # day counts and search codes: a lookup table, no sorting
        slots = np.flatnonzero(np.bincount(offset, minlength=span))
        distinct = slots + low
    else:
        distinct, inverse = np.unique(values, return_inverse=True)
        offset, span = inverse.reshape(-1), len(distinct)
        slots = np.arange(span)
    table = np.empty(span, dtype=object)
    for slot, value in zip(slots.tolist(), distinct.tolist(), strict=True):
        table[slot] = render(value)
    return table[offset]


def _elapsed_rule(
    kind: AlertKind,
    candidates: np.ndarray,
    elapsed: np.ndarray,
    limit: int,
    render: Callable[[int], str],
) -> _Hits:
    """Alert the candidates whose ``elapsed`` days exceed ``limit``; render by elapsed days."""
    rows = np.flatnonzero(candidates & (elapsed > limit))
    days = elapsed[rows].astype(np.int64)
    return _Hits(kind, rows, days - limit, _render(days, render))


def _overdue_text(since: str, undone: str, limit: int) -> Callable[[int], str]:
    return lambda d: f"{since}已{d}天{undone}，超过{limit}天期限{d - limit}天"


def _months_text(what: str, months: float, limit: int) -> Callable[[int], str]:
    return lambda d: f"立案已{d}天{what}，超过{months:g}个月期限（{limit}天）{d - limit}天"


def _measure_text(days_to_expiry: int) -> str:
    if days_to_expiry > 0:
        return f"查封冻结措施{days_to_expiry}天后到期，尚未处置"
    if days_to_expiry == 0:
        return "查封冻结措施今日到期，尚未处置"
    return f"查封冻结措施已到期{-days_to_expiry}天，尚未处置"


def _measure_rule(t: _Timeline, rules: AlertRules) -> _Hits:
    candidates = t.open & ~t.happened("disposed_at")
    rows = np.flatnonzero(candidates & (t.days_to_expiry <= rules.measure_days))
    to_expiry = t.days_to_expiry[rows].astype(np.int64)
    return _Hits(
        AlertKind.MEASURE_EXPIRING,
        rows,
        np.maximum(-to_expiry, 0),
        _render(to_expiry, _measure_text),
        days_left=np.maximum(to_expiry, 0),
    )


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def missing_search_codes(cases: pd.DataFrame) -> np.ndarray:
    """Per case, a bit mask of the "5+X+Y" searches not done (bit i: ``list(Search)[i]``)."""
    not_done: dict[Search, np.ndarray] = {}
    for search, fields in FIVE_SEARCHES.items():
        not_done[search] = np.logical_and.reduce([np.isnan(_numbers(cases, f)) for f in fields])
    leads, verified = (np.nan_to_num(_numbers(cases, c)) for c in _LEADS)
    not_done[Search.CREDITOR_LEADS] = leads > verified
    for search, column in Y_CHECKS.items():
        not_done[search] = cases[column].isna().to_numpy()
    visited = cases[Y_CHECKS[Search.NEIGHBOURHOOD_COMMITTEE]].astype("boolean")
    not_done[Search.NEIGHBOURHOOD_COMMITTEE] = ~visited.to_numpy(dtype=bool, na_value=False)
    code = np.zeros(len(cases), dtype=np.int64)
    for bit, search in enumerate(_SEARCH_ORDER):
        code |= not_done[search].astype(np.int64) << bit
    return code


def searches_of_code(code: int) -> tuple[str, ...]:
    """The searches a :func:`missing_search_codes` mask names, in checklist order."""
    return tuple(s.value for bit, s in enumerate(_SEARCH_ORDER) if code >> bit & 1)


def _missing_text(key: int) -> str:
    where = "终本案件" if key & 1 else "拟终本前"
    return f"{where}“5+X+Y”查询未完成：{'、'.join(searches_of_code(key >> 1))}"


def _missing_rule(cases: pd.DataFrame, t: _Timeline) -> _Hits:
    proposed = t.open & t.happened("termination_proposed_at")
    audited = is_terminated(cases, t.closed)
    candidates = np.flatnonzero(proposed | audited)
    code = missing_search_codes(cases.iloc[candidates])
    has_missing = code > 0
    rows, code = candidates[has_missing], code[has_missing]
    key = code << 1 | audited[rows].astype(np.int64)
    return _Hits(
        AlertKind.MISSING_SEARCHES,
        rows,
        np.zeros(len(rows), dtype=np.int64),
        _render(key, _missing_text),
        missing_code=code,
    )


def _all_hits(cases: pd.DataFrame, t: _Timeline, rules: AlertRules) -> list[_Hits]:
    statutory = month_limit_days(rules.statutory_months)
    second = month_limit_days(rules.second_investigation_months)
    filed = t.days["filed_at"]
    return [
        _elapsed_rule(
            AlertKind.ASSETS_NOT_SEIZED,
            t.open & ~t.happened("seized_at"),
            t.days["assets_found_at"],
            rules.seize_days,
            _overdue_text("查到财产", "未控制", rules.seize_days),
        ),
        _measure_rule(t, rules),
        _elapsed_rule(
            AlertKind.PAYOUT_OVERDUE,
            t.exists & ~t.happened("paid_out_at"),
            t.days["money_received_at"],
            rules.payout_days,
            _overdue_text("执行款到账", "未发放", rules.payout_days),
        ),
        _elapsed_rule(
            AlertKind.OPEN_TOO_LONG,
            t.open,
            filed,
            statutory,
            _months_text("未结案", rules.statutory_months, statutory),
        ),
        _elapsed_rule(
            AlertKind.ARCHIVE_OVERDUE,
            t.closed & ~t.happened("archived_at"),
            t.days["closed_at"],
            rules.archive_days,
            _overdue_text("结案", "未归档", rules.archive_days),
        ),
        _elapsed_rule(
            AlertKind.SECOND_INVESTIGATION,
            t.open & ~t.happened("second_search_at"),
            filed,
            second,
            _months_text("未进行二次财产调查", rules.second_investigation_months, second),
        ),
        _missing_rule(cases, t),
    ]


def _optional(hits: list[_Hits], name: str, fill: int) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate an optional per-rule column; returns (values, present)."""
    values, present = [], []
    for h in hits:
        value = getattr(h, name)
        n = len(h.rows)
        values.append(value if value is not None else np.full(n, fill, dtype=np.int64))
        present.append(np.full(n, value is not None))
    return np.concatenate(values).astype(np.int64), np.concatenate(present)


def _alert_frame(cases: pd.DataFrame, hits: list[_Hits]) -> pd.DataFrame:
    rows = np.concatenate([h.rows for h in hits]).astype(np.int64)
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    kinds = np.concatenate([np.full(len(h.rows), h.kind.value, dtype=object) for h in hits])
    days_left, has_left = _optional(hits, "days_left", 0)
    missing, _ = _optional(hits, "missing_code", 0)
    case_ids = (
        cases["case_id"].to_numpy(dtype=object)[rows]
        if "case_id" in cases.columns
        else np.full(len(rows), None, dtype=object)
    )
    return pd.DataFrame(
        {
            "row": rows,
            "case_id": case_ids,
            "kind": kinds[order],
            "days_overdue": np.concatenate([h.days_overdue for h in hits])[order],
            "days_left": pd.arrays.IntegerArray(days_left[order], ~has_left[order]),
            "message": np.concatenate([h.message for h in hits])[order],
            "missing": _render(missing[order], searches_of_code),
        },
        columns=list(ALERT_COLUMNS),
    )


def find_alerts(cases: pd.DataFrame, as_of: pd.Timestamp, rules: AlertRules) -> pd.DataFrame:
    """Every alert the rules raise on ``cases`` as of ``as_of``: one row per alert.

    Args:
        cases: Case records (``models.triage.columns``); the index is ignored, ``row`` is the
            position. ``outcome`` and ``case_id`` are optional.
        as_of: The day of looking (time of day and time zone are dropped).
        rules: The thresholds, usually ``AlertRules.from_settings(settings)``.

    Returns:
        A frame with :data:`ALERT_COLUMNS` (see the module docstring).

    Raises:
        DataError: ``cases`` lacks a column the rules read.
    """
    require_columns(cases, REQUIRED_COLUMNS, "find_alerts")
    hits = _all_hits(cases, _timeline(cases, as_of), rules)
    alerts = _alert_frame(cases, hits)
    logger.info("%d alerts on %d cases as of %s", len(alerts), len(cases), as_day(as_of))
    return alerts


def alerts_per_case(alerts: pd.DataFrame, n_cases: int) -> list[list[dict[str, Any]]]:
    """The alerts of each case, position by position, as plain dicts for the API.

    Each dict has ``kind``, ``title`` (Chinese), ``days_overdue``, ``days_left`` (``None`` but
    for ``MEASURE_EXPIRING``), ``message`` and ``missing`` (a list of :class:`Search` values).
    """
    per_case: list[list[dict[str, Any]]] = [[] for _ in range(n_cases)]
    days_left = alerts["days_left"].astype(object).where(alerts["days_left"].notna(), None)
    columns = zip(
        alerts["row"].tolist(),
        alerts["kind"].tolist(),
        alerts["days_overdue"].tolist(),
        days_left.tolist(),
        alerts["message"].tolist(),
        alerts["missing"].tolist(),
        strict=True,
    )
    for row, kind, overdue, left, message, missing in columns:
        per_case[row].append(
            {
                "kind": kind,
                "title": _TITLES[kind],
                "days_overdue": overdue,
                "days_left": left,
                "message": message,
                "missing": list(missing),
            }
        )
    return per_case


def alert_summary(alerts: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """The triage board: per alert kind (every kind, in order), how many and the oldest.

    Columns: ``kind``, ``title``, ``count`` (alerts of the kind), ``share`` (of all cases),
    ``oldest_days`` (the largest ``days_overdue``; 0 when none) and ``oldest_case_id`` (that
    alert's ``case_id``, or its ``row`` when ``cases`` has no ids; ``None`` when no alert).
    """
    kinds = [kind.value for kind in AlertKind]
    counts = alerts["kind"].value_counts().reindex(kinds, fill_value=0)
    grouped = alerts.groupby("kind")["days_overdue"]
    oldest_at = grouped.idxmax().reindex(kinds)
    has_ids = "case_id" in cases.columns
    oldest_case: list[object] = []
    for at in oldest_at:
        if pd.isna(at):
            oldest_case.append(None)
        else:
            oldest_case.append(alerts.at[at, "case_id" if has_ids else "row"])
    return pd.DataFrame(
        {
            "kind": kinds,
            "title": [_TITLES[k] for k in kinds],
            "count": counts.to_numpy(dtype=np.int64),
            "share": counts.to_numpy(dtype=np.float64) / max(len(cases), 1),
            "oldest_days": grouped.max().reindex(kinds, fill_value=0).to_numpy(dtype=np.int64),
            "oldest_case_id": pd.Series(oldest_case, dtype=object),
        }
    )
