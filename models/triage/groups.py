"""Case groups: bundled enforcement (捆绑执行, Tianjin) and enforcement-to-bankruptcy (执转破).

**Bundles.** Open cases that share a debtor (``debtor_id``), a creditor (``creditor_id``) or a
seized asset (``seized_asset_id``, the 轮候查封 case) are worked together. A group is one key of
one link kind, not a connected component over all three links: a bank creditor with thousands
of cases would otherwise chain every debtor it sued, and every other creditor of those debtors,
into one component nobody can work. So a case may sit in up to three groups (its debtor's, its
asset's, its creditor's). A group needs at least ``min_cases`` open cases; closed cases
(``closed_at`` set; given ``as_of``, on or before it) and missing or empty keys are left out.
When two kinds give exactly the same cases (two cases of one debtor brought by one creditor),
the group is kept once, under the first kind in :data:`LINKS` order (debtor, asset, creditor);
identical member sets are found by an order-free 64-bit hash of the members plus their count.

A group's ``ease`` is the amount-weighted mean of its members' ease (weights: ``amount_due``;
the plain mean when the group's amounts are all missing or zero): the share of the group's money
expected to come in, so one easy large claim lifts the group more than one easy small one.
Groups are ranked by ease (1 = easiest), then by total amount (larger first), then ``group_id``.

**执转破 candidates.** A company debtor (``debtor_type`` 法人) with at least ``min_cases`` cases in
the table, of which more than ``unpaid_share`` are unpaid: closed 终本 (by ``outcome``; without it,
closed after a proposal to terminate), or open with no money received.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from models.capacity.vocabulary import DebtorType
from models.errors import InvalidInputError
from models.text import cny
from models.triage.alerts import is_terminated, require_columns
from models.triage.calendar import as_day, day_values

logger = logging.getLogger(__name__)

#: Link kind -> the column that links cases; also the order kept when groups coincide.
LINKS: dict[str, str] = {
    "debtor": "debtor_id",
    "asset": "seized_asset_id",
    "creditor": "creditor_id",
}
BUNDLE_COLUMNS: tuple[str, ...] = (
    "group_id",
    "kind",
    "key",
    "case_ids",
    "n_cases",
    "total_amount",
    "ease",
    "rank",
)
BANKRUPTCY_COLUMNS: tuple[str, ...] = (
    "debtor_id",
    "case_ids",
    "n_cases",
    "n_unpaid",
    "total_amount",
    "message",
)
_BANKRUPTCY_INPUTS: tuple[str, ...] = (
    "case_id",
    "debtor_id",
    "debtor_type",
    "amount_due",
    "closed_at",
    "money_received_at",
    "termination_proposed_at",
)
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _check_ease(ease: np.ndarray, n_cases: int) -> np.ndarray:
    values = np.asarray(ease, dtype=np.float64)
    if values.shape != (n_cases,):
        raise InvalidInputError("ease", f"needs one score per case ({n_cases}), got {values.shape}")
    if not np.all((values >= 0) & (values <= 1)):
        raise InvalidInputError("ease", "scores must lie in [0, 1] (no NaN)")
    return values


def _codes(keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the keys (-1: missing or empty) and the distinct keys."""
    keys = keys.where(keys.astype(object) != "")
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _link_groups(
    keys: pd.Series, rows: np.ndarray, ease: np.ndarray, min_cases: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups of one link kind over the open cases ``rows``.

    Returns the group keys, the members (rows, grouped, each group easiest first) and the
    groups' start offsets in the members.
    """
    codes, uniques = _codes(keys)
    counts = np.bincount(codes + 1, minlength=len(uniques) + 1)  # slot 0: missing keys
    keep = (codes >= 0) & (counts[codes + 1] >= min_cases)
    members, member_codes = rows[keep], codes[keep]
    order = np.lexsort((members, -ease[members], member_codes))
    members, member_codes = members[order], member_codes[order]
    starts = _starts(member_codes)
    return uniques[member_codes[starts]], members, starts


def _starts(sorted_codes: np.ndarray) -> np.ndarray:
    """Where each run of equal codes begins."""
    if len(sorted_codes) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])


def _mix(rows: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row number (splitmix64), for order-free set signatures."""
    z = rows.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
    return z ^ (z >> np.uint64(31))


def _group_stats(
    members: np.ndarray, starts: np.ndarray, amount: np.ndarray, ease: np.ndarray
) -> dict[str, np.ndarray]:
    """Per group: size, total amount, amount-weighted ease and a member-set signature."""
    sizes = np.diff(np.r_[starts, len(members)])
    weights = amount[members]
    total = np.add.reduceat(weights, starts) if len(starts) else np.zeros(0)
    weighted = np.add.reduceat(weights * ease[members], starts) if len(starts) else np.zeros(0)
    plain = np.add.reduceat(ease[members], starts) / sizes if len(starts) else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        group_ease = np.where(total > 0, weighted / total, plain)
    signature = np.add.reduceat(_mix(members), starts) if len(starts) else np.zeros(0, np.uint64)
    return {"n_cases": sizes, "total_amount": total, "ease": group_ease, "signature": signature}


def _happened(cases: pd.DataFrame, column: str, as_of: pd.Timestamp | None) -> np.ndarray:
    """The date is set (and, given ``as_of``, on or before it)."""
    if as_of is None:
        return cases[column].notna().to_numpy()
    return np.asarray(day_values(cases[column]) <= as_day(as_of))


def _existing(cases: pd.DataFrame, as_of: pd.Timestamp | None) -> np.ndarray:
    """Cases filed by ``as_of`` (every case when there is no ``as_of`` or no ``filed_at``)."""
    if as_of is None or "filed_at" not in cases.columns:
        return np.ones(len(cases), dtype=bool)
    return ~np.asarray(day_values(cases["filed_at"]) > as_day(as_of))


def _bundle_table(
    cases: pd.DataFrame, ease: np.ndarray, min_cases: int, as_of: pd.Timestamp | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Every link kind's groups before de-duplication and ranking, and all their members.

    The table's ``start`` and ``end`` columns slice each group's members out of the array.
    """
    open_rows = np.flatnonzero(_existing(cases, as_of) & ~_happened(cases, "closed_at", as_of))
    amount = np.nan_to_num(pd.to_numeric(cases["amount_due"], errors="coerce").to_numpy(float))
    amount = np.clip(amount, 0, None)
    parts, member_parts, offset = [], [], 0
    for kind, column in LINKS.items():
        keys, members, starts = _link_groups(
            cases[column].iloc[open_rows], open_rows, ease, min_cases
        )
        stats = _group_stats(members, starts, amount, ease)
        bounds = {"start": starts + offset, "end": starts + offset + stats["n_cases"]}
        parts.append(pd.DataFrame({"kind": kind, "key": keys, **stats, **bounds}))
        member_parts.append(members)
        offset += len(members)
    return pd.concat(parts, ignore_index=True), np.concatenate(member_parts)


def _member_ids(table: pd.DataFrame, members: np.ndarray, case_id: np.ndarray) -> list[list]:
    """Each group's case ids (slices of one list: no per-group array work)."""
    ids = case_id[members].tolist()
    return [ids[a:b] for a, b in zip(table["start"].tolist(), table["end"].tolist(), strict=True)]


def find_bundles(
    cases: pd.DataFrame, ease: np.ndarray, min_cases: int, as_of: pd.Timestamp | None = None
) -> pd.DataFrame:
    """The bundled-enforcement groups (捆绑执行) among the open cases, easiest group first.

    Args:
        cases: Case records with ``case_id``, ``debtor_id``, ``creditor_id``,
            ``seized_asset_id``, ``closed_at`` and ``amount_due``.
        ease: Per case (by position) a score in [0, 1], higher = easier, e.g. the model's
            probability of closing with payment within the statutory period.
        min_cases: Open cases a group needs (``Settings.bundle_min_cases``).
        as_of: Optional day of looking: cases filed later are left out and a case closed later
            counts as open (as in :func:`models.triage.alerts.find_alerts`).

    Returns:
        One row per group with :data:`BUNDLE_COLUMNS`: ``group_id`` (``kind:key``), ``kind``
        (debtor, asset or creditor), ``key``, ``case_ids`` (list, easiest first), ``n_cases``,
        ``total_amount`` (sum of ``amount_due``), ``ease`` (see the module docstring) and
        ``rank`` (1 = easiest group); sorted by rank.
    """
    require_columns(cases, ("case_id", *LINKS.values(), "closed_at", "amount_due"), "find_bundles")
    scores = _check_ease(ease, len(cases))
    table, members = _bundle_table(cases, scores, max(int(min_cases), 1), as_of)
    table = table[~table.duplicated(["n_cases", "signature"])].reset_index(drop=True)
    table["group_id"] = table["kind"] + ":" + table["key"].astype(str)
    table["case_ids"] = _member_ids(table, members, cases["case_id"].to_numpy(dtype=object))
    table = table.sort_values(
        ["ease", "total_amount", "group_id"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    logger.info("%d bundles of at least %d open cases", len(table), min_cases)
    return table[list(BUNDLE_COLUMNS)]


def _unpaid(cases: pd.DataFrame, as_of: pd.Timestamp | None) -> np.ndarray:
    """Closed 终本, or open with no money received."""
    closed = _happened(cases, "closed_at", as_of)
    no_money = ~_happened(cases, "money_received_at", as_of)
    return is_terminated(cases, closed) | (~closed & no_money)


def _bankruptcy_message(n_cases: int, n_unpaid: int, total: float) -> str:
    return (
        f"该企业共有{n_cases}件执行案件，{n_unpaid}件终本或未履行，"
        f"执行标的合计{cny(total)}，建议移送破产审查（执转破）"
    )


def find_bankruptcy_candidates(
    cases: pd.DataFrame, min_cases: int, unpaid_share: float, as_of: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Company debtors to refer for bankruptcy review (执转破, Wujiang).

    Args:
        cases: Case records with ``case_id``, ``debtor_id``, ``debtor_type``, ``amount_due``,
            ``closed_at``, ``money_received_at``, ``termination_proposed_at`` (``outcome``
            optional).
        min_cases: Cases a debtor needs (``Settings.bankruptcy_min_cases``).
        unpaid_share: The unpaid share must be strictly above this
            (``Settings.bankruptcy_unpaid_share``).
        as_of: Optional day of looking: cases filed later are left out, later closings and
            payments have not happened yet.

    Returns:
        One row per flagged debtor with :data:`BANKRUPTCY_COLUMNS` (``case_ids`` in table
        order; ``message`` in Chinese), most unpaid cases first, then largest total.
    """
    require_columns(
        cases,
        _BANKRUPTCY_INPUTS,
        "find_bankruptcy_candidates",
    )
    company = cases["debtor_type"].eq(DebtorType.COMPANY.value).to_numpy(bool, na_value=False)
    rows = np.flatnonzero(company & _existing(cases, as_of))
    codes, debtors = _codes(cases["debtor_id"].iloc[rows])
    rows, codes = rows[codes >= 0], codes[codes >= 0]
    amount = pd.to_numeric(cases["amount_due"], errors="coerce").to_numpy(float)[rows]
    n_cases = np.bincount(codes, minlength=len(debtors))
    n_unpaid = np.bincount(codes, weights=_unpaid(cases, as_of)[rows], minlength=len(debtors))
    total = np.bincount(codes, weights=np.nan_to_num(amount), minlength=len(debtors))
    flagged = (n_cases >= min_cases) & (n_unpaid > unpaid_share * n_cases)
    table = pd.DataFrame(
        {
            "debtor_id": debtors,
            "n_cases": n_cases,
            "n_unpaid": n_unpaid.astype(np.int64),
            "total_amount": total,
        }
    )[flagged]
    return _with_members(table, cases, rows, codes)


def _with_members(
    table: pd.DataFrame, cases: pd.DataFrame, rows: np.ndarray, codes: np.ndarray
) -> pd.DataFrame:
    """Add the flagged debtors' case ids and messages; sort most unpaid first."""
    keep = np.isin(codes, table.index.to_numpy())
    rows, codes = rows[keep], codes[keep]
    order = np.argsort(codes, kind="stable")
    case_id = cases["case_id"].to_numpy(dtype=object)[rows[order]]
    starts = _starts(codes[order])
    groups = np.split(case_id, starts[1:]) if len(case_id) else []
    table = table.sort_index()
    table.insert(1, "case_ids", [g.tolist() for g in groups])
    table["message"] = [
        _bankruptcy_message(n, u, t)
        for n, u, t in zip(table["n_cases"], table["n_unpaid"], table["total_amount"], strict=True)
    ]
    table = table.sort_values(["n_unpaid", "total_amount"], ascending=False, kind="stable")
    logger.info("%d company debtors flagged for 执转破", len(table))
    return table.reset_index(drop=True)[list(BANKRUPTCY_COLUMNS)]
