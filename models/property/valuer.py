"""The property valuer: the fitted estimator, the rule-based pricer and the comparables index,
shipped together as one artifact and answering the full output contract.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from models.adjustment import log_of, median_adjusted
from models.estimator import EstimatorParams, ValueRegressor
from models.property import features as property_features
from models.property.address import AddressReader
from models.property.comparables import ComparablesIndex
from models.property.guide_prices import GuidePriceFigure, GuidePriceTable
from models.property.rule_based import RuleBasedPricer
from models.property.schemas import (
    Comparable,
    PropertyRequest,
    PropertyValuation,
    RuleBasedFigure,
)
from models.schemas import ModelInfo
from models.valuer import AnswerOptions, TabularValuer

__all__ = ["AnswerOptions", "PropertyValuer", "guide_figure"]


def guide_figure(
    request: PropertyRequest, rule: RuleBasedFigure, table: GuidePriceTable | None
) -> GuidePriceFigure | None:
    """The 政府基准价法 figure of ``request``, with the rule-based method's coefficients
    (``None`` without a table, or when it has no price in effect for the 小区)."""
    if table is None:
        return None
    row = table.find(
        request.district, request.community, request.property_type.value, request.valuation_date
    )
    if row is None:
        return None
    return table.figure(row, request.area_m2, rule.floor_coefficient, rule.orientation_coefficient)


@dataclass
class PropertyValuer(TabularValuer):
    """Everything needed to answer a property inquiry, fitted on cleaned transactions."""

    regressor: ValueRegressor
    rule: RuleBasedPricer
    comparables: ComparablesIndex

    display = property_features.DISPLAY
    text_inputs = ("district", "community")
    address_fields = ("district", "community", "floor")

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
        regressor = cls.fit_regressor(
            property_features.feature_frame(frame),
            frame[property_features.TARGET_COLUMN],
            params,
            seed,
        )
        sales = frame if evidence is None else evidence
        sold_at = regressor.predict_log(property_features.feature_frame(sales))  # each as it sold
        return cls(
            regressor=regressor,
            rule=RuleBasedPricer().fit(frame),
            comparables=ComparablesIndex().fit(sales, sold_at),
        )

    @cached_property
    def address_reader(self) -> AddressReader:
        """Reads a 坐落 against the 街道/镇 and 小区 of the sales (built on first use)."""
        places = self.comparables.districts_of_communities()
        districts = set(self.regressor.known_levels("district")).union(*places.values())
        return AddressReader(districts, places)

    def complete_from_address(self, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with its blank 街道/镇, 小区 and floor read from its 坐落, where it states
        them (a seizure list often gives only the 坐落)."""
        blank = [name for name in self.address_fields if row.get(name) in (None, "")]
        address = row.get("address")
        if not blank or not isinstance(address, str) or not address.strip():
            return row
        reading = self.address_reader.read(address)
        found = {name: getattr(reading, name) for name in blank}
        return {**row, **{name: value for name, value in found.items() if value is not None}}

    def features(self, raw: pd.DataFrame, date_column: str) -> pd.DataFrame:
        """Model features of a table of properties."""
        return property_features.feature_frame(raw, date_column)

    def feature_row(self, request: PropertyRequest) -> dict[str, Any]:
        """Model features of one property."""
        return property_features.feature_row(request)

    def requests_frame(self, items: Sequence[PropertyRequest]) -> pd.DataFrame:
        """A batch of property requests as a raw table."""
        return property_features.requests_frame(list(items))

    def rule_values(self, raw: pd.DataFrame, date_column: str) -> np.ndarray:
        """The base-price figure for every row."""
        return np.asarray(self.rule.values(raw, date_column=date_column), dtype="float64")

    def comparables_for(
        self, request: PropertyRequest, options: AnswerOptions, value: float | None = None
    ) -> list[Comparable]:
        """The most similar recent sales of the same type, adjusted to ``value``."""
        return self.comparables.query(
            request, options.comparables, options.comparables_months, log_of(value)
        )

    def batch_extras(self, raw: pd.DataFrame, value: np.ndarray) -> dict[str, np.ndarray]:
        """Value per m² beside the value."""
        return {"value_per_m2": value / raw["area_m2"].to_numpy(dtype="float64")}

    def related_levels(self, row: Mapping[str, Any]) -> Collection[str]:
        """The 小区 with sales in the row's 街道/镇."""
        return self.comparables.communities_in(str(row.get("district")))

    def add_item_figures(
        self,
        items: list[dict[str, Any]],
        raw: pd.DataFrame,
        requests: Sequence[PropertyRequest],
        options: AnswerOptions,
    ) -> None:
        """Each item's 政府基准价法 value, when the court has a guide price file (the
        coefficients vectorised, as the rule-based values are)."""
        table = options.guide_prices
        if table is None:
            return
        floor, orientation = self.rule.coefficients(raw)
        for item, request, f, o in zip(items, requests, floor, orientation, strict=True):
            row = table.find(
                request.district,
                request.community,
                request.property_type.value,
                request.valuation_date,
            )
            item["guide_price_value"] = (
                None if row is None else row.unit_price(float(f), float(o)) * request.area_m2
            )

    def value(
        self, request: PropertyRequest, model: ModelInfo, options: AnswerOptions
    ) -> PropertyValuation:
        """The full answer for one property."""
        row = property_features.feature_row(request)
        (value, lower, upper), reasons = self.estimate_with_reasons(row, options.contributions)
        comparables = self.comparables_for(request, options, value)
        rule = self.rule.figure(request)
        guide = guide_figure(request, rule, options.guide_prices)
        unseen = self.unseen_input(row)
        if unseen is not None and guide is not None:  # the one local price a new 小区 has
            notice = f"{unseen.notice}政府基准价表载有该小区，可参照政府基准价法参照值。"
            unseen = unseen.model_copy(update={"notice": notice})
        return PropertyValuation(
            value=value,
            value_per_m2=value / request.area_m2,
            interval=self.interval(lower, upper),
            rule_based=rule,
            guide_price=guide,
            comparables=comparables,
            comparables_value=median_adjusted(comparables),
            contributions=reasons,
            unseen_input=unseen,
            model=model,
        )
