"""Batch inquiries from a CSV or Excel file (the Wenling court values many properties at once).

A file's columns are named by the fields' Chinese labels (the template's headers) or their
English names; other columns (a 序号, a 备注) pass through to the results untouched. Every row
is checked like a single request; a bad value is named by its row and column. The rows are
valued in chunks (the progress the page shows), the whole batch is written to the ledger as
one entry, and only then are the results — the file's own columns plus the answers — ready.
Asked for, each row is instead an inquiry of its own (the single inquiry's answer and ledger
entry, so its own report, objection and sale record), the entries written in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError

from models.court.inquiry import InquiryContext
from models.errors import InvalidInputError, bilingual
from models.labels import PROPERTY_LABELS, VEHICLE_LABELS
from models.property.schemas import PropertyRequest
from models.registry import LoadedModel
from models.schemas import BatchRequest
from models.settings import Settings
from models.table_requests import TableSchema, cell
from models.valuer import TabularValuer
from models.vehicle.schemas import VehicleRequest
from serving.access.auth import Caller
from serving.access.record import ledger_entry
from serving.access.store import CourtStore
from serving.batch import answer_options
from serving.court.errors import LedgerWriteError
from serving.court.objections import FILE_INQUIRIES_SUFFIX
from serving.court.repeats import read_earlier_inquiries
from serving.court.schemas import LedgerEntryCreate, LedgerEntryPublic
from serving.inquiries import item_inputs, value_each
from serving.jobs import Job
from serving.observability import MetricsRegistry, count_ledger_write

#: Rows valued per step (one progress update each).
CHUNK = 500
#: At most this many bad cells are listed in one 422.
MAX_ERRORS = 20


@dataclass(frozen=True)
class BatchKind:
    """What a kind's batch file holds and how its answers read."""

    kind: str
    schema: type[BaseModel]
    labels: Mapping[str, str]
    answer_columns: Mapping[str, str]

    @property
    def table(self) -> TableSchema:
        """How a file's columns and cells are read as requests."""
        return TableSchema(self.schema, self.labels)

    @property
    def endpoint(self) -> str:
        """The ledger's endpoint of the kind's batch files."""
        return f"/v1/valuations/{self.kind}/batch-file"

    @property
    def inquiries_endpoint(self) -> str:
        """The ledger's endpoint of a batch file's rows valued as inquiries of their own."""
        return f"/v1/valuations/{self.kind}{FILE_INQUIRIES_SUFFIX}"


#: The market comparison check beside each row's answer (see models.adjustment): the median of
#: its comparables' adjusted prices, and whether it falls inside the row's interval.
COMPARABLES_VALUE_TITLE = "可比案例比准价格（元）"
COMPARABLES_INSIDE_TITLE = "比准价格在区间内"
#: The cell of a 比准价格 outside the interval: the two methods to be reconciled, as the
#: report and the page say (``serving.reports.sections.OUTSIDE_INTERVAL_ADVICE``), not a
#: sign that the estimate is wrong.
OUTSIDE_INTERVAL_CELL = "否（宜结合可比案例分析差异原因）"
_INSIDE_CELLS = {True: "是", False: OUTSIDE_INTERVAL_CELL, None: None}
#: The 政府基准价法 figure of a row the court's guide prices hold (property files only).
GUIDE_PRICE_TITLE = "政府基准价法参照值（元）"
#: A row whose 小区 (车系) no training sale had: its estimate errs more, its interval is wider.
UNSEEN_TITLE = "提示"
#: Beside a row valued as an inquiry of its own: the earlier, still valid inquiries of the same
#: asset in the case (by its certificate, address, plate or VIN; see models.court.repeats).
EARLIER_TITLE = "本案此前同一财产询价编号"
#: The request field holding a property's 坐落.
ADDRESS_FIELD = "address"

_COMMON = {
    "value": "询价结果（元）",
    "lower": "区间下限（元）",
    "upper": "区间上限（元）",
}
KINDS = {
    "property": BatchKind(
        "property",
        PropertyRequest,
        PROPERTY_LABELS,
        {**_COMMON, "value_per_m2": "单价（元/㎡）", "rule_based_value": "基准价法参照值（元）"},
    ),
    "vehicle": BatchKind(
        "vehicle",
        VehicleRequest,
        VEHICLE_LABELS,
        {**_COMMON, "rule_based_value": "残值率法参照值（元）"},
    ),
}


def file_requests(
    frame: pd.DataFrame, spec: BatchKind, limit: int, completer: TabularValuer | None = None
) -> list[BaseModel]:
    """The file's rows as validated requests; with a ``completer`` and a 坐落 column, the
    completer's address fields may be blank or absent (read from each row's 坐落).

    Raises:
        InvalidInputError: No rows, too many, or required columns missing.
        RequestValidationError: Bad cells, each located at ``file.<row>.<field>``.
    """
    if frame.empty:
        raise InvalidInputError("file", bilingual("文件中没有数据行", "the file has no rows"))
    if len(frame) > limit:
        raise InvalidInputError(
            "file",
            bilingual(
                f"共 {len(frame)} 行，每批至多 {limit} 行", f"{len(frame)} rows; at most {limit}"
            ),
        )
    names = spec.table.column_fields(frame)
    readable = _readable_fields(names, completer)
    missing = [spec.labels.get(n, n) for n in spec.table.missing_fields(names) if n not in readable]
    if missing:
        raise InvalidInputError(
            "file",
            bilingual(f"缺少列：{'、'.join(missing)}", f"missing columns: {', '.join(missing)}"),
        )
    rows = list(spec.table.rows(frame, names))
    if completer is not None and readable:
        rows = [completer.complete_from_address(row) for row in rows]
    try:
        requests: list[BaseModel] = TypeAdapter(list[spec.schema]).validate_python(rows)  # type: ignore[name-defined]
    except ValidationError as exc:
        errors = exc.errors(include_url=False)[:MAX_ERRORS]
        raise RequestValidationError(
            [{**e, "loc": ("body", "file", *e["loc"])} for e in errors]
        ) from exc
    return requests


def _readable_fields(names: Mapping[str, str], completer: TabularValuer | None) -> tuple[str, ...]:
    """The fields a file may leave to its 坐落 column (none without one)."""
    if completer is None or ADDRESS_FIELD not in names.values():
        return ()
    return completer.address_fields


def inquiry_context(case_number: str, purpose: str) -> InquiryContext:
    """The batch's case and purpose, checked like a single inquiry's (422 naming the field)."""
    try:
        return InquiryContext(case_number=case_number, purpose=purpose)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from exc


@dataclass(frozen=True)
class BatchFileWork:
    """Everything a batch file's job needs, gathered while the request was still open."""

    spec: BatchKind
    file_name: str
    file_sha256: str
    frame: pd.DataFrame
    requests: list[BaseModel]
    context: InquiryContext
    loaded: LoadedModel
    settings: Settings
    court: CourtStore
    caller: Caller
    metrics: MetricsRegistry
    separate: bool = False
    """Each row an inquiry of its own, not one entry for the file."""

    def __call__(self, job: Job) -> tuple[pd.DataFrame, int]:
        """Value every row, record the batch in the ledger, return the results table and the
        ledger entry (the first row's when each row is an inquiry of its own)."""
        if self.separate:
            return self._separately(job)
        options = answer_options(self.settings)
        answers: list[dict[str, Any]] = []
        for start in range(0, len(self.requests), CHUNK):
            chunk = BatchRequest[Any](
                items=self.requests[start : start + CHUNK], include_comparables_value=True
            )
            answers.extend(self.loaded.model.value_batch(chunk, self.loaded.info, options)["items"])
            job.advance(len(answers))
        entry = self._entry(
            self.spec.endpoint,
            inputs={**self._file, "items": [r.model_dump(mode="json") for r in self.requests]},
            outputs={"items": answers},
            items=len(self.requests),
        )
        (written,) = self._written([entry])
        return self._table(answers, "询价台账编号", written.id), written.id

    def _separately(self, job: Job) -> tuple[pd.DataFrame, int]:
        """Value each row with the single inquiry's answer, record each in an entry of its
        own (one transaction), and name each row's inquiry in the table."""
        valuations = value_each(self.loaded, self.requests, self.settings, job.advance)
        inputs = item_inputs(self.context, self.requests, **self._file)
        entries = [
            self._entry(self.spec.inquiries_endpoint, inputs=given, outputs=valuation)
            for given, valuation in zip(inputs, valuations, strict=True)
        ]
        written = self._written(entries)
        ids = [entry.id for entry in written]
        table = self._table([_table_answer(v) for v in valuations], "询价编号", ids)
        asked = list(zip(ids, inputs, strict=True))
        earlier = read_earlier_inquiries(
            self.court.sessions, self.spec.kind, self.context.case_number, asked
        )
        if any(earlier):
            table[EARLIER_TITLE] = ["、".join(str(e.id) for e in row) or None for row in earlier]
        return table, ids[0]

    @property
    def _file(self) -> dict[str, str]:
        return {"file": self.file_name, "file_sha256": self.file_sha256}

    def _entry(
        self,
        endpoint: str,
        inputs: dict[str, Any],
        outputs: BaseModel | dict[str, Any],
        items: int | None = None,
    ) -> LedgerEntryCreate:
        return ledger_entry(
            self.court,
            self.settings,
            self.caller,
            endpoint=endpoint,
            inputs=inputs,
            outputs=outputs,
            model=self.loaded.info,
            case_number=self.context.case_number,
            purpose=self.context.purpose,
            items=items,
        )

    def _written(self, entries: list[LedgerEntryCreate]) -> list[LedgerEntryPublic]:
        """``entries`` appended in one transaction, the write counted in the metrics."""
        try:
            written = self.court.write_all_waiting(entries)
        except LedgerWriteError:
            count_ledger_write(self.metrics, ok=False)
            raise
        count_ledger_write(self.metrics, ok=True)
        return written

    def _table(
        self, answers: list[dict[str, Any]], id_title: str, ids: int | list[int]
    ) -> pd.DataFrame:
        """The file's own columns, the answers, the ledger entry (or each row's) and 案号."""
        table = self.frame.reset_index(drop=True).copy()
        for field, title in self.spec.answer_columns.items():
            table[title] = [round(float(a[field]), 2) for a in answers]
        guides = [a.get("guide_price_value") for a in answers]
        if any(guide is not None for guide in guides):
            table[GUIDE_PRICE_TITLE] = [None if g is None else round(float(g), 2) for g in guides]
        table[COMPARABLES_VALUE_TITLE] = [a.get("comparables_value") for a in answers]
        table[COMPARABLES_INSIDE_TITLE] = [
            _INSIDE_CELLS[a.get("comparables_inside_interval")] for a in answers
        ]
        table[UNSEEN_TITLE] = [self._unseen_cell(a.get("unseen_input_field")) for a in answers]
        for title, values in self._read_from_address().items():
            table[title] = values
        table[id_title] = ids
        table["案号"] = self.context.case_number
        return table

    def _read_from_address(self) -> dict[str, list[Any]]:
        """Each input read from the 坐落 for some row (its cell blank or its column absent):
        a column ``<label>（据坐落识别）`` with the value read, blank on the other rows."""
        names = self.spec.table.column_fields(self.frame)
        column_of = {field: column for column, field in names.items()}
        read: dict[str, list[Any]] = {}
        for field in _readable_fields(names, self.loaded.model):
            given = self.frame[column_of[field]].tolist() if field in column_of else None
            values = [
                getattr(r, field) if given is None or cell(given[i], False) is None else None
                for i, r in enumerate(self.requests)
            ]
            if any(v is not None for v in values):
                read[f"{self.spec.labels.get(field, field)}（据坐落识别）"] = values
        return read

    def _unseen_cell(self, field: str | None) -> str | None:
        """The 提示 cell of a row whose ``field`` value no training sale had."""
        if field is None:
            return None
        label = self.spec.labels.get(field, field)
        return f"{label}不在成交数据中（新{label}或名称有误），误差较大，区间已放宽"


def _table_answer(valuation: BaseModel) -> dict[str, Any]:
    """A single inquiry's answer in a batch item's fields (the results table's columns)."""
    answer = valuation.model_dump(mode="json")
    interval = answer["interval"]
    return {
        **answer,
        "lower": interval["lower"],
        "upper": interval["upper"],
        "rule_based_value": answer["rule_based"]["value"],
        "guide_price_value": (answer.get("guide_price") or {}).get("value"),
        "unseen_input_field": (answer.get("unseen_input") or {}).get("field"),
    }


def file_digest(content: bytes) -> str:
    """The SHA-256 of an uploaded file (kept in the ledger with the rows)."""
    return hashlib.sha256(content).hexdigest()


def template_table(spec: BatchKind) -> pd.DataFrame:
    """An empty batch file with the Chinese headers, for the page's "下载模板"."""
    return pd.DataFrame(columns=[spec.labels[n] for n in spec.schema.model_fields])
