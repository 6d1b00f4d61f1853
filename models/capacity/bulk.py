"""A table of debtors scored in one pass: the answers of ``POST /v1/debtors/capacity/batch``
as columns beside the table's own (``courtval score debtors``, the triage system's nightly
file, on this machine or a chunk per task on a Dask cluster).

A row is read like a request (its columns named by the request's field names or their Chinese
labels, :data:`models.labels.DEBTOR_LABELS`; other columns, the court's own keys, pass
through) and checked on its own: a bad cell is named by its data row and column, and the row
is left out of the scores. The identity number never reaches the result: its column is
dropped and its keyed hash takes its place, as in the API's answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from models.capacity.model import CapacityModel
from models.capacity.options import CapacityOptions
from models.capacity.schemas import CapacityAssessment, DebtorRequest
from models.labels import DEBTOR_LABELS
from models.schemas import ModelInfo
from models.table_requests import BadCell, TableSchema, valid_requests

#: A debtor table's rows, read as requests; columns named by field name or Chinese label.
DEBTOR_TABLE = TableSchema(DebtorRequest, DEBTOR_LABELS)
#: The request field a result never holds in clear.
IDENTITY_FIELD = "debtor_id_number"


#: The answer's figures, copied to columns of the same names as they are.
SCORES = (
    "probability_full_6m",
    "expected_recovered_share",
    "expected_recovered_amount",
    "hidden_capacity_probability",
    "cash_ratio",
)


def answer_columns(reasons: int) -> list[str]:
    """The columns a scored table adds, in order (``reasons`` reason slots)."""
    slots = [f"reason_{k}{suffix}" for k in range(1, reasons + 1) for suffix in ("", "_code")]
    return [
        *SCORES,
        "tier",
        "tier_basis",
        *slots,
        "leads",
        "lead_codes",
        "relief_applies",
        "relief",
        "debtor_id_hash",
        "model_name",
        "model_version",
        "model_run_id",
    ]


@dataclass(frozen=True)
class ScoredDebtors:
    """One chunk of a table, scored.

    Attributes:
        table: Its valid rows, in order: their own columns (less the identity number) and the
            answer columns.
        bad: The cells that kept the other rows out, by data row and column.
    """

    table: pd.DataFrame
    bad: list[BadCell]


def score_debtor_table(
    model: CapacityModel,
    info: ModelInfo,
    options: CapacityOptions,
    with_reasons: bool,
    frame: pd.DataFrame,
    first_row: int,
) -> ScoredDebtors:
    """Score every valid row of ``frame`` (whose first row is data row ``first_row``); the
    reason columns only ``with_reasons``."""
    names = DEBTOR_TABLE.column_fields(frame)
    checked, bad = valid_requests(DEBTOR_TABLE, frame, names, first_row)
    requests = [r for r in checked if isinstance(r, DebtorRequest)]
    answers = model.assess_all(requests, info, options, with_reasons) if requests else []
    identity = [column for column, field in names.items() if field == IDENTITY_FIELD]
    own = frame.loc[[r is not None for r in checked]].drop(columns=identity)
    table = pd.concat([own.reset_index(drop=True), answer_table(answers, options.reasons)], axis=1)
    return ScoredDebtors(table=table, bad=bad)


def answer_table(answers: Sequence[CapacityAssessment], reasons: int) -> pd.DataFrame:
    """The answers as the columns of :func:`answer_columns` (one row each, in order)."""
    columns: dict[str, list[object]] = {name: [] for name in answer_columns(reasons)}
    for a in answers:
        for name in (*SCORES, "tier_basis", "debtor_id_hash"):
            columns[name].append(getattr(a, name))
        columns["tier"].append(str(a.tier))
        for k in range(reasons):
            reason = a.reasons[k] if k < len(a.reasons) else None
            columns[f"reason_{k + 1}"].append(reason.text if reason else None)
            columns[f"reason_{k + 1}_code"].append(reason.code if reason else None)
        leads = [f"{lead.action}（{lead.why}）" for lead in a.leads]
        columns["leads"].append("；".join(leads) or None)
        columns["lead_codes"].append(",".join(lead.code for lead in a.leads) or None)
        columns["relief_applies"].append(a.relief.applies if a.relief else None)
        columns["relief"].append(a.relief.text if a.relief else None)
        columns["model_name"].append(a.model.name)
        columns["model_version"].append(a.model.version)
        columns["model_run_id"].append(a.model.run_id)
    return pd.DataFrame(columns)
