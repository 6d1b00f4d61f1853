"""The property valuer: the fitted estimator, the rule-based pricer and the comparables index,
shipped together as one artifact and answering the full output contract.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from models.estimator import EstimatorParams, ValueRegressor
from models.property.comparables import ComparablesIndex
from models.property.features import (
    FEATURE_LABELS,
    TARGET_COLUMN,
    feature_frame,
    feature_row,
    requests_frame,
)
from models.property.rule_based import RuleBasedPricer
from models.property.schemas import (
    PropertyBatchRequest,
    PropertyRequest,
    PropertyValuation,
)
from models.schemas import Contribution, ModelInfo, ValueInterval


@dataclass(frozen=True)
class AnswerOptions:
    """How much of the output contract to compute."""

    comparables: int = 5
    comparables_months: int = 24
    contributions: int = 5


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def top_contributions(effects: dict[str, float], row: dict[str, Any], n: int) -> list[Contribution]:
    """The ``n`` largest effects (log scale) as signed percentage contributions."""
    ranked = sorted(effects.items(), key=lambda kv: abs(kv[1]), reverse=True)[:n]
    return [
        Contribution(
            feature=name,
            label=FEATURE_LABELS.get(name, name),
            value=_format_value(row.get(name)),
            effect_pct=round(math.expm1(effect) * 100.0, 2),
        )
        for name, effect in ranked
    ]


@dataclass
class PropertyValuer:
    """Everything needed to answer a property inquiry, fitted on cleaned transactions."""

    regressor: ValueRegressor
    rule: RuleBasedPricer
    comparables: ComparablesIndex

    @classmethod
    def fit(
        cls,
        frame: pd.DataFrame,
        evidence: pd.DataFrame | None = None,
        params: EstimatorParams | None = None,
        seed: int = 0,
    ) -> PropertyValuer:
        """Fit the estimator and the rule-based pricer on cleaned sales.

        ``evidence`` (default: ``frame``) are the sales the comparables are drawn from; it may
        include sales more recent than the training rows.
        """
        regressor = ValueRegressor(params=params, random_state=seed)
        regressor.fit(feature_frame(frame), frame[TARGET_COLUMN].to_numpy(dtype="float64"))
        return cls(
            regressor=regressor,
            rule=RuleBasedPricer().fit(frame),
            comparables=ComparablesIndex().fit(frame if evidence is None else evidence),
        )

    @property
    def params(self) -> EstimatorParams:
        """The estimator's hyperparameters (defaults when it was built without)."""
        return self.regressor.params or EstimatorParams()

    @property
    def interval_method(self) -> str:
        """How the interval is made, in words for the response."""
        method: str = self.regressor.interval_method_
        return method

    def _interval(self, lower: float, upper: float) -> ValueInterval:
        return ValueInterval(
            lower=lower,
            upper=upper,
            coverage=self.params.coverage,
            method=self.interval_method,
        )

    def estimate(self, request: PropertyRequest) -> tuple[float, float, float]:
        """Value, lower and upper bound for one property: the fast path."""
        return self.regressor.estimate_row(feature_row(request))

    def value(
        self, request: PropertyRequest, model: ModelInfo, options: AnswerOptions
    ) -> PropertyValuation:
        """The full answer for one property."""
        row = feature_row(request)
        value, lower, upper = self.regressor.estimate_row(row)
        _, effects = self.regressor.contributions_row(row)
        return PropertyValuation(
            value=value,
            value_per_m2=value / request.area_m2,
            interval=self._interval(lower, upper),
            rule_based=self.rule.figure(request),
            comparables=self.comparables.query(
                request, options.comparables, options.comparables_months
            ),
            contributions=top_contributions(effects, row, options.contributions),
            model=model,
        )

    def predict_frame(self, raw: pd.DataFrame, date_column: str = "valuation_date") -> pd.DataFrame:
        """Vectorised value, bounds and rule-based figure for a table of properties."""
        return self._predict(raw, feature_frame(raw, date_column), date_column)

    def _predict(self, raw: pd.DataFrame, features: pd.DataFrame, date_column: str) -> pd.DataFrame:
        value, lower, upper = self.regressor.predict_interval(features)
        return pd.DataFrame(
            {
                "value": value,
                "lower": lower,
                "upper": upper,
                "rule_based_value": self.rule.values(raw, date_column=date_column),
            },
            index=raw.index,
        )

    def value_batch(
        self, batch: PropertyBatchRequest, model: ModelInfo, options: AnswerOptions
    ) -> dict[str, Any]:
        """Vectorised answers for many properties; extras only when the batch asks.

        Returns a JSON-ready payload of the :class:`PropertyBatchValuation` shape (plain dicts:
        building 10,000 pydantic items would cost more than valuing them; the API tests
        validate the payload against the schema).
        """
        raw = requests_frame(batch.items)
        features = feature_frame(raw, "valuation_date")
        answer = self._predict(raw, features, "valuation_date")
        answer.insert(1, "value_per_m2", answer["value"] / raw["area_m2"])
        items: list[dict[str, Any]] = answer.to_dict(orient="records")
        if batch.include_comparables:
            for item, request in zip(items, batch.items, strict=True):
                found = self.comparables.query(
                    request, options.comparables, options.comparables_months
                )
                item["comparables"] = [c.model_dump(mode="json") for c in found]
        if batch.include_contributions:
            for item, reasons in zip(
                items, self._batch_contributions(features, options.contributions), strict=True
            ):
                item["contributions"] = [c.model_dump(mode="json") for c in reasons]
        return {
            "items": items,
            "interval_coverage": self.params.coverage,
            "interval_method": self.interval_method,
            "model": model.model_dump(mode="json"),
        }

    def _batch_contributions(self, features: pd.DataFrame, n: int) -> list[list[Contribution]]:
        _, effects = self.regressor.contributions(features)
        records = features.to_dict(orient="records")
        columns = list(effects.columns)
        values = effects.to_numpy()
        return [
            top_contributions(dict(zip(columns, values[i], strict=True)), records[i], n)
            for i in range(len(records))
        ]
