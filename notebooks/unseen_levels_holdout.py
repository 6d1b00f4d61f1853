# %% [markdown]
# # How wrong is a valuation in a 小区 (or car series) the model never saw?
#
# The README's figures on unseen levels. Generated sales (30,000, seeds 0 and 1), cleaned; a
# tenth of the 小区 (for cars: of the series) is drawn at random and *none* of its sales is
# trained on; the model is fitted on the rest of the sales before the last 15% of dates, and
# every sale of those last dates is valued on its sale day. The sales are split by whether
# their 小区 / series was in training. Each model is fitted twice: without a
# `novelty_column` (the intervals before 2026-12-06) and with the kind's own (see
# `models/novelty.py`); the estimate is the same, only the unseen rows' interval changes.
#
# Run: `.venv/bin/python notebooks/unseen_levels_holdout.py` (about half a minute).

# %%
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from models.estimator import EstimatorParams
from models.property import features as property_features
from models.property.valuer import PropertyValuer
from models.vehicle import features as vehicle_features
from models.vehicle.valuer import VehicleValuer
from training.cleaning import clean_property, clean_vehicle
from training.generate import generate_property_transactions
from training.generate.vehicle import generate_vehicle_transactions
from training.property_task import PROPERTY_ESTIMATOR
from training.vehicle_task import VEHICLE_ESTIMATOR

ROWS = 30_000
KINDS: dict[str, tuple[Callable[..., Any], Callable[..., Any], Any, Any, EstimatorParams]] = {
    "property": (
        generate_property_transactions,
        clean_property,
        PropertyValuer,
        property_features,
        PROPERTY_ESTIMATOR,
    ),
    "vehicle": (
        generate_vehicle_transactions,
        clean_vehicle,
        VehicleValuer,
        vehicle_features,
        VEHICLE_ESTIMATOR,
    ),
}


def figures(y: np.ndarray, est: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> dict[str, Any]:
    """Median APE, PPE10, the interval's coverage and its median relative width."""
    ape = np.abs(est - y) / y
    return {
        "n": len(y),
        "median_ape": round(float(np.median(ape)), 4),
        "ppe10": round(float(np.mean(ape <= 0.10)), 3),
        "coverage": round(float(np.mean((y >= lo) & (y <= hi))), 3),
        "width": round(float(np.median((hi - lo) / est)), 3),
    }


# %%
rows = []
for kind, (generate, clean, valuer_class, features, params) in KINDS.items():
    column = params.novelty_column
    assert column is not None
    for seed in (0, 1):
        frame = clean(generate(ROWS, seed=seed).frame).frame.dropna(subset=[column])
        levels = frame[column].unique()
        rng = np.random.default_rng(seed + 1)
        unseen_levels = set(rng.choice(levels, size=len(levels) // 10, replace=False))
        cut = frame["transaction_date"].quantile(0.85)
        unseen = frame[column].isin(unseen_levels)
        train = frame[(frame["transaction_date"] < cut) & ~unseen]
        test = frame[frame["transaction_date"] >= cut]
        test_unseen = test[column].isin(unseen_levels).to_numpy()
        X = features.feature_frame(test, "transaction_date")
        y = test["price"].to_numpy(dtype="float64")
        for novelty in (None, column):
            fitted = valuer_class.fit(
                train, params=params.model_copy(update={"novelty_column": novelty}), seed=0
            )
            est, lo, hi = fitted.regressor.predict_interval(X)
            flagged = fitted.regressor.novel_mask(X)
            assert novelty is None or (flagged == test_unseen).all()
            for name, mask in (("seen", ~test_unseen), ("unseen", test_unseen)):
                rows.append(
                    {
                        "kind": kind,
                        "seed": seed,
                        "novelty_column": novelty,
                        "levels": name,
                        **figures(y[mask], est[mask], lo[mask], hi[mask]),
                    }
                )

# %%
table = pd.DataFrame(rows)
print(table.to_string(index=False))
print(json.dumps(rows, ensure_ascii=False))
