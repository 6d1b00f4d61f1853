"""Vehicle features and the residual-value-rate figure: single-row and table paths agree."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from models.asset_identity import VEHICLE_IDENTITY_FIELDS
from models.vehicle.features import FEATURES, INPUT_COLUMNS, feature_frame, feature_row
from models.vehicle.residual_rate import ResidualRateTable
from models.vehicle.schemas import ResidualRateFigure, VehicleRequest
from tests.conftest import vehicle_request_from_row


def test_row_features_equal_frame_features(clean_vehicle_data: pd.DataFrame) -> None:
    rows = clean_vehicle_data.sample(100, random_state=1)
    table = feature_frame(rows)
    for (_, row), (_, expected) in zip(rows.iterrows(), table.iterrows(), strict=True):
        got = feature_row(vehicle_request_from_row(row))
        for name in FEATURES:
            want = expected[name]
            if isinstance(want, str):
                assert got[name] == want, name
            else:
                np.testing.assert_allclose(got[name], want, rtol=1e-12, err_msg=name)


def test_request_schema_covers_every_input_column() -> None:
    identity = set(VEHICLE_IDENTITY_FIELDS)
    assert set(INPUT_COLUMNS) | {"valuation_date"} == set(VehicleRequest.model_fields) - identity


@pytest.fixture(scope="module")
def table(clean_vehicle_data: pd.DataFrame) -> ResidualRateTable:
    return ResidualRateTable().fit(clean_vehicle_data)


def test_residual_rate_row_equals_table(
    clean_vehicle_data: pd.DataFrame, table: ResidualRateTable
) -> None:
    rows = clean_vehicle_data.sample(200, random_state=2)
    vectorised = table.values(rows, "transaction_date")
    singles = [table.figure(vehicle_request_from_row(row)).value for _, row in rows.iterrows()]
    np.testing.assert_allclose(singles, vectorised, rtol=1e-3)  # the figure rounds its factors


def test_residual_rate_factors(table: ResidualRateTable, car: VehicleRequest) -> None:
    def figure(**changes: object) -> ResidualRateFigure:
        return table.figure(VehicleRequest.model_validate({**car.model_dump(), **changes}))

    intact, accident, flood = (figure(damage=d) for d in ("无", "事故", "泡水"))
    assert intact.condition_coefficient == 1.0
    assert intact.value > accident.value > flood.value
    assert figure(registration_date=dt.date(2016, 5, 1)).residual_rate < intact.residual_rate
    assert intact.rate_source in {"series", "segment"}  # 4,000 rows: few cells have 10 sales
    assert figure(series="未收录车系").rate_source in {"segment", "age"}


def test_registration_after_valuation_names_the_field(car: VehicleRequest) -> None:
    data = {**car.model_dump(), "registration_date": car.valuation_date + dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as caught:
        VehicleRequest.model_validate(data)
    assert caught.value.errors()[0]["loc"] == ("registration_date",)
