"""Intervals for levels the model never saw (models.novelty)."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from models.conformal import LogResidualConformal
from models.estimator import ValueRegressor
from models.novelty import Novelty, group_fold_ids
from tests.models.test_estimator import SMALL, hedonic_sales

#: Communities no training sale comes from.
UNSEEN = [f"小区{c:04d}" for c in range(0, 300, 10)]


def _fit(sales: pd.DataFrame, novelty: str | None) -> ValueRegressor:
    params = SMALL.model_copy(update={"novelty_column": novelty})
    model = ValueRegressor(params=params, random_state=0)
    return model.fit(sales.drop(columns="price"), sales["price"])


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    """Training sales from every community but :data:`UNSEEN`."""
    frame = hedonic_sales(3_000, seed=1)
    return frame[~frame["community"].isin(UNSEEN)].reset_index(drop=True)


@pytest.fixture(scope="module")
def holdout() -> pd.DataFrame:
    """Fresh sales from the same market, the unseen communities among them."""
    return hedonic_sales(3_000, seed=2)


@pytest.fixture(scope="module")
def models(sales: pd.DataFrame) -> dict[str | None, ValueRegressor]:
    """The estimator without and with the unseen-community calibration."""
    return {novelty: _fit(sales, novelty) for novelty in (None, "community")}


def _coverage(model: ValueRegressor, frame: pd.DataFrame) -> tuple[float, float]:
    """Coverage and median relative width of the interval on ``frame``."""
    estimate, lower, upper = model.predict_interval(frame.drop(columns="price"))
    price = frame["price"].to_numpy()
    inside = float(np.mean((price >= lower) & (price <= upper)))
    return inside, float(np.median((upper - lower) / estimate))


def test_unseen_levels_get_the_interval_calibrated_on_them(
    models: dict[str | None, ValueRegressor], holdout: pd.DataFrame
) -> None:
    unseen = holdout["community"].isin(UNSEEN).to_numpy()
    plain, aware = models[None], models["community"]
    features = holdout.drop(columns="price")
    assert (aware.novel_mask(features) == unseen).all()
    assert not plain.novel_mask(features).any()
    # The estimate is the same; only the unseen rows' interval changes.
    np.testing.assert_allclose(plain.predict(features), aware.predict(features))
    np.testing.assert_allclose(
        plain.predict_interval(features[~unseen])[1], aware.predict_interval(features[~unseen])[1]
    )
    before, narrow = _coverage(plain, holdout[unseen])
    after, wide = _coverage(aware, holdout[unseen])
    assert before < 0.7 < 0.72 < after < 0.9, (before, after)
    assert wide > 1.25 * narrow


def test_fast_path_uses_the_unseen_offsets(
    models: dict[str | None, ValueRegressor], holdout: pd.DataFrame
) -> None:
    model = models["community"]
    unseen = holdout["community"].isin(UNSEEN)
    rows = pd.concat([holdout[unseen].head(3), holdout[~unseen].head(3)])
    features = rows.drop(columns="price")
    batch = model.predict_interval(features)
    for i, record in enumerate(features.to_dict("records")):
        record["sale_date"] = (record["sale_date"] - pd.Timestamp("1970-01-01")).days
        record["floor"] = float(record["floor"])
        record["land_fee"] = float(record["land_fee"].replace(",", ""))
        single = model.estimate_row(record)
        np.testing.assert_allclose(single, [b[i] for b in batch], rtol=1e-9)
        assert model.is_novel_row(record) == (i < 3)


def test_a_missing_column_counts_as_unseen(models: dict[str | None, ValueRegressor]) -> None:
    frame = hedonic_sales(5, seed=3).drop(columns=["price", "community"])
    assert models["community"].novel_mask(frame).all()


def test_similar_levels_name_what_a_typist_meant() -> None:
    levels = frozenset({"江南云台府", "锦绣花园", "东湖新村", "锦绣华府", None})
    novelty = Novelty("community", levels, LogResidualConformal())
    assert novelty.similar("江南云台") == ["江南云台府"]
    assert novelty.similar("锦秀花园")[0] == "锦绣花园"
    assert novelty.similar(" 东湖新村 ") == ["东湖新村"]
    assert novelty.similar("完全不同的名字") == []
    assert novelty.similar(None) == []
    assert novelty.is_novel("江南云台") and not novelty.is_novel(" 锦绣花园")
    assert not novelty.is_novel(None)  # some training rows had none


def test_a_near_tie_goes_to_the_name_that_fits_the_other_inputs() -> None:
    levels = frozenset({"江南云台府", "江北云台府", "锦绣花园"})
    novelty = Novelty("community", levels, LogResidualConformal())
    assert novelty.similar("江东云台府", prefer={"江北云台府"})[0] == "江北云台府"
    assert novelty.similar("江东云台府", prefer={"江南云台府"})[0] == "江南云台府"
    # A close name elsewhere still comes before a far one that fits.
    assert novelty.similar("锦绣花园二期", prefer={"江南云台府"}) == ["锦绣花园"]


def test_an_estimator_saved_before_novelty_still_answers(
    models: dict[str | None, ValueRegressor], holdout: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "old.joblib"
    joblib.dump(models["community"], path)
    old = joblib.load(path)
    del old.novelty_  # as a pickle made before 2026-12-06 has it
    features = holdout.drop(columns="price")
    assert old.novelty is None and not old.novel_mask(features).any()
    np.testing.assert_allclose(
        old.predict_interval(features)[1], models[None].predict_interval(features)[1]
    )


def test_the_column_must_be_categorical(sales: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="novelty_column 'area_m2'"):
        _fit(sales, "area_m2")
    with pytest.raises(ValueError, match="novelty_column 'no_such'"):
        _fit(sales, "no_such")


def test_grouped_folds_keep_each_level_whole() -> None:
    keys = np.array(["a", "b", "a", None, "c", "b", None, "d"], dtype=object)
    folds = group_fold_ids(keys, 3, seed=0)
    for key in ("a", "b", None):
        assert len(set(folds[[k == key for k in keys]])) == 1
    assert (group_fold_ids(keys, 3, seed=0) == folds).all()
    assert set(folds) <= {0, 1, 2}
