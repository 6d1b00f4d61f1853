"""Hand-made case records for the triage tests: one row per call, the contract's columns.

``case(...)`` gives an open case of an individual debtor filed 30 days before :data:`AS_OF`,
every "5+X+Y" search done and nothing found, nothing else happened; pass changes by column name.
Dates are best given with :func:`ago` (days before ``AS_OF``). ``frame(...)`` builds the table
with the contract's dtypes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.triage.columns import CASE_DEBTOR_COLUMNS, INPUT_DTYPES, OUTCOME_DTYPES
from training.generate.debtors import COLUMN_DTYPES as DEBTOR_DTYPES

#: The day the tests look at the cases.
AS_OF = pd.Timestamp("2025-06-30")

DTYPES: dict[str, str] = {
    **INPUT_DTYPES,
    **{c: DEBTOR_DTYPES[c] for c in CASE_DEBTOR_COLUMNS},
    **OUTCOME_DTYPES,
}


def ago(days: float) -> pd.Timestamp:
    """The day ``days`` whole days before :data:`AS_OF` (negative: after it)."""
    return AS_OF - pd.Timedelta(days=days)


def case(**changes: Any) -> dict[str, Any]:
    """One case record with sensible defaults; unknown column names are an error."""
    unknown = set(changes) - set(DTYPES)
    if unknown:
        raise KeyError(f"not case-record columns: {sorted(unknown)}")
    record: dict[str, Any] = dict.fromkeys(DTYPES)
    record.update(
        {
            "case_id": "C0000001",
            "case_number": "（2025）京0108执1号",
            "debtor_id": "D1",
            "creditor_id": "K1",
            "filed_at": ago(30),
            "creditor_type": "自然人",
            "case_cause": "民间借贷",
            "neighbourhood_checked": True,
            "searches_at": ago(25),
            "debtor_type": "自然人",
            "region": "北京",
            "amount_due": 100_000.0,
            "months_since_judgment": 3.0,
            "bank_deposits_found": 0.0,
            "securities_found": 0.0,
            "real_estate_count": 0,
            "vehicle_count": 0,
            "equity_value": 0.0,
            "creditor_leads": 0,
            "creditor_leads_verified": 0,
            "social_insurance_active": False,
            "employer_found": False,
            "household_registration_found": True,
            "dishonest_listed": False,
            "outcome": "未结",
            "recovered_amount": 0.0,
            "observed_until": AS_OF,
        }
    )
    record.update(changes)
    return record


def frame(*records: dict[str, Any], outcome: bool = True) -> pd.DataFrame:
    """The records as a table with the contract's dtypes (``outcome=False`` drops it)."""
    table = pd.DataFrame.from_records(list(records), columns=list(DTYPES))
    for column, dtype in DTYPES.items():
        if dtype == "str":
            table[column] = table[column].astype(object)
        elif dtype in ("bool", "int64") and table[column].isna().any():
            table[column] = table[column].astype("boolean" if dtype == "bool" else "Int64")
        else:
            table[column] = table[column].astype(dtype)
    if not outcome:
        table = table.drop(columns=list(OUTCOME_DTYPES))
    return table


def numbered(n: int, **changes: Any) -> list[dict[str, Any]]:
    """``n`` cases ``C1``…``Cn`` with the same changes."""
    return [case(case_id=f"C{i}", **changes) for i in range(1, n + 1)]


def request_records(cases: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a case table as JSON request items: the request's fields only, dates as
    ``YYYY-MM-DD``, missing values left out."""
    from models.triage.schemas import CaseRequest

    fields = [c for c in CaseRequest.model_fields if c in cases]
    out: list[dict[str, Any]] = []
    for row in cases[fields].to_dict("records"):
        item: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or value is pd.NA or value is pd.NaT:
                continue
            if isinstance(value, float) and value != value:
                continue
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            elif hasattr(value, "item"):
                value = value.item()
            item[key] = value
        out.append(item)
    return out
