"""Machinery every valuer shares: the estimator's answer, reasons and the vectorised batch.

A valuer (property, vehicle …) is a fitted :class:`ValueRegressor` plus what its kind adds —
a rule-based figure, comparables, a price curve. :class:`TabularValuer` holds the common part;
a kind supplies its features, its rule-based values and its comparables through a few hooks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from pydantic import BaseModel

from models.adjustment import inside_interval, median_adjusted
from models.estimator import EstimatorParams, ValueRegressor
from models.feature_display import FeatureDisplay
from models.property.guide_prices import GuidePriceTable
from models.request_frame import frame_records
from models.schemas import Contribution, ModelInfo, UnseenInput, ValueInterval

#: Requests carry ``valuation_date`` where transactions carry their sale date.
REQUEST_DATE = "valuation_date"


def unseen_notice(label: str, value: str, similar: Sequence[str]) -> str:
    """The judge's caution about a value no training sale had, with the close known ones."""
    notice = (
        f"{label}「{value}」不在模型的成交数据中（可能是新{label}，也可能是名称有误）。"
        f"本次估价只依据其他信息，误差通常较大，区间已按未见{label}的误差放宽。"
    )
    if similar:
        notice += f"成交数据中相近的{label}：{'、'.join(similar)}；如系笔误，请更正后重新询价。"
    return notice


@dataclass(frozen=True)
class AnswerOptions:
    """How much of the output contract to compute."""

    comparables: int = 5
    comparables_months: int = 24
    contributions: int = 5
    #: The government's base prices (property answers only; other kinds have none).
    guide_prices: GuidePriceTable | None = None


class BatchRequest(Protocol):
    """What a batch request of any kind offers."""

    @property
    def items(self) -> Sequence[Any]:
        """The requests, in order."""
        ...

    @property
    def include_comparables(self) -> bool:
        """Whether each item gets its comparables."""
        ...

    @property
    def include_comparables_value(self) -> bool:
        """Whether each item gets its 比准价格 (without the comparables)."""
        ...

    @property
    def include_contributions(self) -> bool:
        """Whether each item gets its top reasons."""
        ...


class TabularValuer(ABC):
    """The shared half of a valuer; subclasses are dataclasses with a ``regressor`` field."""

    regressor: ValueRegressor
    #: How the features read in the reasons shown to judges (names, units, groups).
    display: FeatureDisplay = FeatureDisplay(labels={})
    #: The free-text inputs (names, places) whose known values the page offers as one types.
    text_inputs: tuple[str, ...] = ()
    #: Inputs a table row may leave blank when it gives the asset's address: read from it.
    address_fields: tuple[str, ...] = ()

    def complete_from_address(self, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with the :attr:`address_fields` it leaves blank read from its address (as
        far as the address states them; default: none, the row as it is)."""
        return row

    @staticmethod
    def fit_regressor(
        features: pd.DataFrame, prices: pd.Series, params: EstimatorParams | None, seed: int
    ) -> ValueRegressor:
        """The estimator fitted on a kind's features and sale prices."""
        regressor = ValueRegressor(params=params, random_state=seed)
        return regressor.fit(features, prices.to_numpy(dtype="float64"))

    @abstractmethod
    def features(self, raw: pd.DataFrame, date_column: str) -> pd.DataFrame:
        """Model features of a raw table (transactions or batch requests)."""

    @abstractmethod
    def feature_row(self, request: Any) -> dict[str, Any]:
        """Model features of one request, as plain values (the fast path)."""

    @abstractmethod
    def requests_frame(self, items: Sequence[Any]) -> pd.DataFrame:
        """A batch of requests as a raw table with ``valuation_date``."""

    @abstractmethod
    def rule_values(self, raw: pd.DataFrame, date_column: str) -> np.ndarray:
        """The rule-based figure for every row of a raw table."""

    @abstractmethod
    def comparables_for(
        self, request: Any, options: AnswerOptions, value: float | None = None
    ) -> Sequence[BaseModel]:
        """The comparable sales of one request, their prices adjusted to its estimate ``value``
        (see :mod:`models.adjustment`; none adjusted without it)."""

    @abstractmethod
    def value(self, request: Any, model: ModelInfo, options: AnswerOptions) -> BaseModel:
        """The full answer for one request."""

    def batch_extras(self, raw: pd.DataFrame, value: np.ndarray) -> dict[str, np.ndarray]:
        """Kind-specific columns placed after ``value`` in a batch answer (default: none)."""
        return {}

    def add_item_figures(
        self,
        items: list[dict[str, Any]],
        raw: pd.DataFrame,
        requests: Sequence[Any],
        options: AnswerOptions,
    ) -> None:
        """Kind-specific figures of each batch item, from the batch's raw table and its
        requests (default: none)."""
        return None

    @property
    def params(self) -> EstimatorParams:
        """The estimator's hyperparameters (defaults when it was built without)."""
        return self.regressor.params or EstimatorParams()

    @property
    def interval_method(self) -> str:
        """How the interval is made, in words for the response."""
        method: str = self.regressor.interval_method_
        return method

    def interval(self, lower: float, upper: float) -> ValueInterval:
        """The interval of an answer, with its nominal coverage and method."""
        return ValueInterval(
            lower=lower, upper=upper, coverage=self.params.coverage, method=self.interval_method
        )

    def related_levels(self, row: Mapping[str, Any]) -> Collection[str]:
        """The known values of the novelty column that fit the row's other inputs (offered
        first among the close names; default: none)."""
        return ()

    def vocabulary(self) -> dict[str, list[str]]:
        """Each of :attr:`text_inputs` → the values its training sales had."""
        return {name: self.regressor.known_levels(name) for name in self.text_inputs}

    def unseen_input(self, row: Mapping[str, Any]) -> UnseenInput | None:
        """The caution for one feature row whose novelty-column value no training sale had
        (``None`` when it had, or the model has no such column)."""
        novelty = self.regressor.novelty
        if novelty is None or not self.regressor.is_novel_row(row):
            return None
        value = row.get(novelty.column)
        text = "" if value is None else str(value)
        label = self.display.labels.get(novelty.column, novelty.column)
        similar = novelty.similar(value, prefer=self.related_levels(row))
        return UnseenInput(
            field=novelty.column,
            label=label,
            value=text,
            similar=similar,
            notice=unseen_notice(label, text, similar),
        )

    def estimate(self, request: Any) -> tuple[float, float, float]:
        """Value, lower and upper bound for one request: the fast path."""
        return self.regressor.estimate_row(self.feature_row(request))

    def reasons(self, row: Mapping[str, Any], n: int) -> list[Contribution]:
        """The top ``n`` contributions to one row's estimate (none, and no SHAP, for 0)."""
        if n <= 0:
            return []
        _, effects = self.regressor.contributions_row(row)
        return self.display.contributions(effects, row, n)

    def estimate_with_reasons(
        self, row: Mapping[str, Any], n: int
    ) -> tuple[tuple[float, float, float], list[Contribution]]:
        """Value, bounds and the top ``n`` contributions of one row, encoded once (no SHAP
        for ``n`` = 0)."""
        if n <= 0:
            return self.regressor.estimate_row(row), []
        estimate, _, effects = self.regressor.explain_row(row)
        return estimate, self.display.contributions(effects, row, n)

    def predict_frame(self, raw: pd.DataFrame, date_column: str = REQUEST_DATE) -> pd.DataFrame:
        """Vectorised value, bounds and rule-based figure for a raw table."""
        return self._predict(raw, self.features(raw, date_column), date_column)

    def _predict(
        self,
        raw: pd.DataFrame,
        features: pd.DataFrame,
        date_column: str,
        novel: np.ndarray | None = None,
    ) -> pd.DataFrame:
        value, lower, upper = self.regressor.predict_interval(features, novel)
        return pd.DataFrame(
            {
                "value": value,
                "lower": lower,
                "upper": upper,
                "rule_based_value": self.rule_values(raw, date_column),
            },
            index=raw.index,
        )

    def value_batch(
        self, batch: BatchRequest, model: ModelInfo, options: AnswerOptions
    ) -> dict[str, Any]:
        """Vectorised answers for many requests; extras only when the batch asks.

        Returns a JSON-ready payload of the kind's batch-answer shape (plain dicts: building
        10,000 pydantic items would cost more than valuing them; the API tests validate the
        payload against the schema).
        """
        raw = self.requests_frame(batch.items)
        features = self.features(raw, REQUEST_DATE)
        novel = self.regressor.novel_mask(features)  # read once: the interval needs it too
        answer = self._predict(raw, features, REQUEST_DATE, novel)
        for position, (name, column) in enumerate(
            self.batch_extras(raw, answer["value"].to_numpy()).items(), start=1
        ):
            answer.insert(position, name, column)
        items = frame_records(answer)
        if batch.include_comparables:
            for item, request in zip(items, batch.items, strict=True):
                found = self.comparables_for(request, options, item["value"])
                item["comparables"] = [c.model_dump(mode="json") for c in found]
                item["comparables_value"] = median_adjusted(found)
        elif batch.include_comparables_value:
            values = [item["value"] for item in items]
            checks = self.comparables_values(batch.items, values, options)
            for item, check in zip(items, checks, strict=True):
                item["comparables_value"] = check
        if batch.include_comparables or batch.include_comparables_value:
            for item in items:  # as the item schema computes it (BatchComparablesCheck)
                item["comparables_inside_interval"] = inside_interval(
                    item["comparables_value"], item["lower"], item["upper"]
                )
        self.add_item_figures(items, raw, batch.items, options)
        novelty = self.regressor.novelty
        if novelty is not None:
            for item, is_novel in zip(items, novel.tolist(), strict=True):
                item["unseen_input_field"] = novelty.column if is_novel else None
        if batch.include_contributions:
            reasons = self._batch_contributions(features, options.contributions)
            for item, top in zip(items, reasons, strict=True):
                item["contributions"] = [c.model_dump(mode="json") for c in top]
        return {
            "items": items,
            "interval_coverage": self.params.coverage,
            "interval_method": self.interval_method,
            "model": model.model_dump(mode="json"),
        }

    def comparables_values(
        self, requests: Sequence[Any], values: Sequence[float], options: AnswerOptions
    ) -> list[float | None]:
        """The 比准价格 of each request at its estimate, without the comparables themselves
        (``include_comparables_value``: a batch file keeps the check, not five sales a row)."""
        return [
            median_adjusted(self.comparables_for(request, options, value))
            for request, value in zip(requests, values, strict=True)
        ]

    def _batch_contributions(self, features: pd.DataFrame, n: int) -> list[list[Contribution]]:
        _, effects = self.regressor.contributions(features)
        records = frame_records(features)
        columns = list(effects.columns)
        values = effects.to_numpy()
        return [
            self.display.contributions(dict(zip(columns, row, strict=True)), record, n)
            for row, record in zip(values, records, strict=True)
        ]
