"""The vehicle valuer: the fitted estimator, the residual-value-rate figure, the comparables
index and the price curve, shipped together as one artifact.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.adjustment import log_of, median_adjusted
from models.clock import years_between
from models.estimator import EstimatorParams, ValueRegressor
from models.schemas import ModelInfo
from models.valuer import REQUEST_DATE, AnswerOptions, TabularValuer
from models.vehicle import features as vehicle_features
from models.vehicle.comparables import VehicleComparables
from models.vehicle.residual_rate import ResidualRateTable
from models.vehicle.schemas import VehicleComparable, VehicleRequest, VehicleValuation


@dataclass
class VehicleValuer(TabularValuer):
    """Everything needed to answer a vehicle inquiry, fitted on cleaned transactions."""

    regressor: ValueRegressor
    rule: ResidualRateTable
    comparables: VehicleComparables

    display = vehicle_features.DISPLAY
    text_inputs = ("brand", "series", "region")

    @classmethod
    def fit(
        cls,
        frame: pd.DataFrame,
        evidence: pd.DataFrame | None = None,
        params: EstimatorParams | None = None,
        seed: int = 0,
    ) -> VehicleValuer:
        """Fit the estimator on cleaned sales; index ``evidence`` (default ``frame``)."""
        regressor = cls.fit_regressor(
            vehicle_features.feature_frame(frame),
            frame[vehicle_features.TARGET_COLUMN],
            params,
            seed,
        )
        sales = frame if evidence is None else evidence
        sold_at = regressor.predict_log(vehicle_features.feature_frame(sales))  # each as it sold
        return cls(
            regressor=regressor,
            rule=ResidualRateTable().fit(frame),
            comparables=VehicleComparables().fit(sales, sold_at),
        )

    def features(self, raw: pd.DataFrame, date_column: str) -> pd.DataFrame:
        """Model features of a table of vehicles."""
        return vehicle_features.feature_frame(raw, date_column)

    def feature_row(self, request: VehicleRequest) -> dict[str, Any]:
        """Model features of one vehicle."""
        return vehicle_features.feature_row(request)

    def requests_frame(self, items: Sequence[VehicleRequest]) -> pd.DataFrame:
        """A batch of vehicle requests as a raw table."""
        return vehicle_features.requests_frame(items)

    def rule_values(self, raw: pd.DataFrame, date_column: str) -> np.ndarray:
        """The residual-value-rate figure for every row."""
        return self.rule.values(raw, date_column)

    def comparables_for(
        self, request: VehicleRequest, options: AnswerOptions, value: float | None = None
    ) -> list[VehicleComparable]:
        """The most similar recent sales of the same series, adjusted to ``value``."""
        return self.comparables.query(
            request, options.comparables, options.comparables_months, log_of(value)
        )

    def related_levels(self, row: Mapping[str, Any]) -> Collection[str]:
        """The series with sales under the row's brand."""
        return self.comparables.series_of(str(row.get("brand")))

    def value(
        self, request: VehicleRequest, model: ModelInfo, options: AnswerOptions
    ) -> VehicleValuation:
        """The full answer for one vehicle."""
        row = vehicle_features.feature_row(request)
        (value, lower, upper), reasons = self.estimate_with_reasons(row, options.contributions)
        comparables = self.comparables_for(request, options, value)
        return VehicleValuation(
            value=value,
            age_years=round(years_between(request.registration_date, request.valuation_date), 2),
            interval=self.interval(lower, upper),
            rule_based=self.rule.figure(request),
            comparables=comparables,
            comparables_value=median_adjusted(comparables),
            contributions=reasons,
            unseen_input=self.unseen_input(row),
            model=model,
        )

    def value_requests(
        self, requests: Sequence[VehicleRequest], freeze_market_at: float | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Values and bounds of many requests in one pass.

        Args:
            requests: The vehicles (their ``valuation_date`` sets age and market month).
            freeze_market_at: When given, the market month (model clock) used for every
                row instead of its own date — for dates beyond the data, where only age and
                mileage should move the value.
        """
        raw = self.requests_frame(requests)
        features = self.features(raw, REQUEST_DATE)
        if freeze_market_at is not None:
            features["t_months"] = freeze_market_at
        value, lower, upper = self.regressor.predict_interval(features)
        return value, lower, upper
