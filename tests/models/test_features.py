"""Feature building: the single-row path agrees with the table path; schema and features agree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.asset_identity import PROPERTY_IDENTITY_FIELDS
from models.property.features import FEATURES, INPUT_COLUMNS, feature_frame, feature_row
from models.property.schemas import PropertyRequest
from tests.conftest import request_from_row


def test_row_features_equal_frame_features(clean_property_data: pd.DataFrame) -> None:
    rows = clean_property_data.sample(100, random_state=1)
    table = feature_frame(rows)
    for (_, row), (_, expected) in zip(rows.iterrows(), table.iterrows(), strict=True):
        got = feature_row(request_from_row(row))
        for name in FEATURES:
            want = expected[name]
            if isinstance(want, str):
                assert got[name] == want, name
            elif name in {"latitude", "longitude"} and (np.isnan(want) or np.isnan(got[name])):
                continue  # a row with one coordinate missing becomes a request with neither
            else:
                np.testing.assert_allclose(got[name], want, rtol=1e-12, err_msg=name)


def test_request_schema_covers_every_input_column() -> None:
    """Every field is a model input but the ones that only identify the property."""
    fields = set(PropertyRequest.model_fields) - set(PROPERTY_IDENTITY_FIELDS)
    assert set(INPUT_COLUMNS) | {"valuation_date"} == fields
