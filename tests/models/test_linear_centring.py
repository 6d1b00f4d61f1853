"""The linear member's categorical terms read against the average sale."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.inner_cv import fit_linear, predict_linear
from models.params import EstimatorParams
from models.property.features import TARGET_COLUMN, feature_frame
from models.tabular import FrameEncoder


def test_categorical_terms_average_zero_and_predictions_hold(
    clean_property_data: pd.DataFrame,
) -> None:
    features = feature_frame(clean_property_data)
    z = np.log(clean_property_data[TARGET_COLUMN].to_numpy(dtype="float64"))
    encoder = FrameEncoder().fit(features)
    values = encoder.normalize(features)
    member = fit_linear(list(encoder.specs_), values, z, EstimatorParams())
    terms = member.terms(values)
    assert member.cat_idx  # district, community, orientation … are categorical
    for i in member.cat_idx:
        assert abs(terms[:, i].mean()) < 1e-9
    np.testing.assert_allclose(member.intercept + terms.sum(axis=1), predict_linear(member, values))
    # the centred member still fits: its residual is far below the spread of the prices
    assert np.std(z - predict_linear(member, values)) < 0.5 * np.std(z)
