"""The recovered-share head: LightGBM with the cross-entropy objective on a share in [0, 1].

The share recovered within 6 months is a proportion, so the head predicts its expectation
through a logistic link (``objective="cross_entropy"``), early-stopped on a held-out tenth of
the training rows. Categorical columns become the integer codes of the categories seen in
training (LightGBM's native categorical splits); unseen values go down the missing branch. The
design is a plain float matrix, so one row predicts in microseconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd

from models.tabular import lookup

_PARAMS = {
    "objective": "cross_entropy",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "lambda_l2": 1.0,
    "verbose": -1,
    "deterministic": True,
    "force_col_wise": True,
}
MAX_ROUNDS = 2000
EARLY_STOPPING = 50


@dataclass
class ShareHead:
    """A fitted share model and the category levels it was trained with."""

    booster: lgb.Booster
    columns: list[str]
    categories: dict[str, list[str]]

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Expected share in [0, 1] for each row."""
        design = _design(features[self.columns], self.categories)
        return np.clip(np.asarray(self.booster.predict(design, num_threads=1)), 0.0, 1.0)


def _design(features: pd.DataFrame, categories: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Numbers as they are, categories as codes (``NaN`` when missing or unseen)."""
    out = np.empty(features.shape, dtype=np.float64)
    for j, column in enumerate(features.columns):
        levels = categories.get(column)
        values = features[column]
        if levels is None:
            out[:, j] = values.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            # A level's position, each distinct value looked up once (a pd.Categorical
            # per column cost milliseconds on the single rows served over HTTP).
            codes = {level: float(code) for code, level in enumerate(levels)}
            out[:, j] = lookup(values.to_numpy(dtype=object), codes, np.nan)
    return out


def fit_share_head(
    features: pd.DataFrame,
    share: np.ndarray,
    seed: int,
    monotone: Mapping[str, int] | None = None,
    n_jobs: int = 1,
) -> ShareHead:
    """Fit the head on ``features`` (numbers and object categoricals) and shares in [0, 1].

    ``n_jobs`` is LightGBM's thread count; the fit is deterministic whatever it is.
    """
    categorical = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    categories = {c: sorted(str(v) for v in features[c].dropna().unique()) for c in categorical}
    design = _design(features, categories)
    rng = np.random.default_rng(seed)
    valid = rng.random(len(design)) < 0.1
    columns = list(features.columns)
    constraints = [int((monotone or {}).get(c, 0)) for c in columns]
    params = {
        **_PARAMS,
        "seed": seed,
        "num_threads": n_jobs,
        "monotone_constraints": constraints,
    }
    cat_index = [columns.index(c) for c in categorical]
    train_set = lgb.Dataset(
        design[~valid], label=share[~valid], feature_name=columns, categorical_feature=cat_index
    )
    valid_set = lgb.Dataset(design[valid], label=share[valid], reference=train_set)
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=MAX_ROUNDS,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)],
    )
    return ShareHead(booster=booster, columns=columns, categories=categories)
