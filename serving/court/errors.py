"""Errors of the court store (API keys and the inquiry ledger).

Each is a :class:`models.errors.CourtvalError`; the API maps :class:`LedgerWriteError` to 503
(an answer with no ledger record is not allowed), :class:`KeyNotFoundError`,
:class:`InquiryNotFoundError` and :class:`AppraisalTaskNotFoundError` to 404 and
:class:`AlreadyDisputedError` to 409. The objection errors reach judges, so their messages read
``中文 / English``.
"""

from __future__ import annotations

from models.court.errors import bilingual
from models.errors import CourtvalError


class CourtStoreError(CourtvalError):
    """Base class of the court store's errors."""


class LedgerWriteError(CourtStoreError):
    """An inquiry could not be written to the ledger; the request must fail (503)."""


class KeyNotFoundError(CourtStoreError, LookupError):
    """No API key has the given id."""

    def __init__(self, key_id: int) -> None:
        super().__init__(f"no API key with id {key_id}; `courtval keys list` shows the ids")
        self.key_id = key_id


class UnscrubbedIdentifierError(CourtStoreError, ValueError):
    """A personal identifier reached the ledger in clear; scrub the inputs first."""

    def __init__(self, field: str) -> None:
        super().__init__(
            f"{field}: a personal identifier must be stored as a keyed hash; pass the inputs "
            "through serving.court.ledger.scrub_identifiers before appending"
        )
        self.field = field


class InquiryNotFoundError(CourtStoreError, LookupError):
    """No valuation inquiry has the given id: no ledger entry has it, or the entry answered
    something other than a valuation (``not_valuation``); the API answers 404."""

    def __init__(self, entry_id: int, *, not_valuation: bool = False) -> None:
        if not_valuation:
            chinese = f"记录 {entry_id} 不是财产询价（估值）记录"
            english = f"ledger entry {entry_id} is not a valuation inquiry"
        else:
            chinese = f"没有编号为 {entry_id} 的询价记录"
            english = f"no valuation inquiry with id {entry_id}"
        super().__init__(
            bilingual(
                chinese + "；询价编号即询价台账记录的编号",
                english + "; an inquiry id is the id of its ledger entry",
            )
        )
        self.entry_id = entry_id


class AlreadyDisputedError(CourtStoreError):
    """The inquiry already has an objection and its appraisal task; the API answers 409."""

    def __init__(self, entry_id: int, task_id: int) -> None:
        super().__init__(
            bilingual(
                f"询价记录 {entry_id} 已有异议（评估任务 {task_id}），不能重复提出",
                f"inquiry {entry_id} is already disputed (appraisal task {task_id}); "
                "one objection per inquiry",
            )
        )
        self.entry_id = entry_id
        self.task_id = task_id


class AlreadySoldError(CourtStoreError):
    """The inquiry's sale is recorded already; the API answers 409."""

    def __init__(self, entry_id: int, sold_on: object, price: object) -> None:
        super().__init__(
            bilingual(
                f"询价记录 {entry_id} 已登记成交（{sold_on}，{price} 元），不能重复登记",
                f"inquiry {entry_id} already has its sale recorded ({sold_on}, {price} CNY)",
            )
        )
        self.entry_id = entry_id


class SaleNotFoundError(CourtStoreError, LookupError):
    """The inquiry has no recorded sale to correct; the API answers 404."""

    def __init__(self, entry_id: int) -> None:
        super().__init__(
            bilingual(
                f"询价记录 {entry_id} 尚未登记成交；请先登记（POST）再更正",
                f"inquiry {entry_id} has no recorded sale; record it (POST) before correcting it",
            )
        )
        self.entry_id = entry_id


class AppraisalTaskNotFoundError(CourtStoreError, LookupError):
    """No appraisal task has the given id; the API answers 404."""

    def __init__(self, task_id: int) -> None:
        super().__init__(
            bilingual(
                f"没有编号为 {task_id} 的评估任务；GET /v1/objections 列出任务",
                f"no appraisal task with id {task_id}; GET /v1/objections lists them",
            )
        )
        self.task_id = task_id


class InquiryAlteredError(CourtStoreError):
    """An inquiry's ledger entry no longer matches its hash: nothing is built on it (409)."""


class CurveModelChangedError(CourtStoreError):
    """An inquiry's price curve was never drawn, and the model that answered it is no longer
    served: a curve drawn now would not be that model's (409).

    ``answered_by`` and ``served`` are (name, version, run id) of the two models; the run id
    only when the name and version are the same (a model retrained under one version), and
    ``served`` ``None`` when no model of the kind is loaded.
    """

    def __init__(
        self,
        entry_id: int,
        answered_by: tuple[str | None, str | None, str | None],
        served: tuple[str | None, str | None, str | None] | None,
    ) -> None:
        def zh(model: tuple[str | None, str | None, str | None]) -> str:
            name, version, run = model
            return f"模型 {name} 第 {version} 版" + (f"（训练运行 {run}）" if run else "")

        def en(model: tuple[str | None, str | None, str | None]) -> str:
            name, version, run = model
            return f"model {name} version {version}" + (f" (run {run})" if run else "")

        super().__init__(
            bilingual(
                f"询价记录 {entry_id} 由{zh(answered_by)}作出，"
                + (f"现服务的是{zh(served)}" if served else "现未加载同类模型")
                + "，不能为其补绘价格走势图；如需走势图，请重新询价",
                f"inquiry {entry_id} was answered by {en(answered_by)}, and "
                + (f"{en(served)} is served now" if served else "no model of its kind is loaded")
                + "; its price curve cannot be drawn by another model. Ask again for a curve",
            )
        )
        self.entry_id = entry_id


class InquiryUnreadableError(CourtStoreError):
    """An inquiry's ledger entry no longer reads as the current schemas read an inquiry (an
    entry from an older version of courtval): nothing is built on it (409)."""

    def __init__(self, entry_id: int, detail: str) -> None:
        super().__init__(
            bilingual(
                f"询价记录 {entry_id} 的内容无法按现行格式读取（{detail}），不能据此生成报告或"
                "价格走势；记录本身未改动，可由审计人员查阅",
                f"ledger entry {entry_id} does not read as an inquiry of this version ({detail}); "
                "nothing is built on it. The entry itself is unchanged; an auditor can read it",
            )
        )
        self.entry_id = entry_id
