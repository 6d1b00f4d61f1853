"""Tests of the synthetic property transactions: contract, determinism, and planted effects."""

import time
from functools import cache

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from models.property.vocabulary import Decoration, Orientation, PropertyType
from training.generate import (
    COLUMN_DTYPES,
    DefectKind,
    GeneratedProperty,
    PropertyMarketConfig,
    generate_property_transactions,
)
from training.generate.market import DISTRICTS

N_ROWS = 4_000
SEEDS = [0, 1, 2]


@cache
def _generated(seed: int) -> GeneratedProperty:
    return generate_property_transactions(n_rows=N_ROWS, seed=seed)


def _clean_rows_with_log_unit_price(seed: int) -> pd.DataFrame:
    generated = _generated(seed)
    frame = generated.frame
    clean = frame[~frame["transaction_id"].isin(generated.planted["transaction_id"])]
    return clean.assign(log_unit=np.log(clean["price"] / clean["area_m2"]))


def _within_community(rows: pd.DataFrame) -> pd.Series:
    """Log unit price minus its community mean: a matched comparison inside each 小区."""
    return rows["log_unit"] - rows.groupby("community")["log_unit"].transform("mean")


def test_same_seed_gives_identical_frames() -> None:
    first = generate_property_transactions(n_rows=2_000, seed=7)
    second = generate_property_transactions(n_rows=2_000, seed=7)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    pd.testing.assert_frame_equal(first.planted, second.planted)


def test_different_seeds_give_different_frames() -> None:
    first = generate_property_transactions(n_rows=2_000, seed=7)
    second = generate_property_transactions(n_rows=2_000, seed=8)
    assert not first.frame["price"].equals(second.frame["price"])


@pytest.mark.parametrize("n_rows", [1, 137, 2_001])
def test_row_count_is_exact(n_rows: int) -> None:
    assert len(generate_property_transactions(n_rows=n_rows, seed=0).frame) == n_rows


def test_columns_and_dtypes_match_the_contract() -> None:
    frame = _generated(0).frame
    assert list(frame.columns) == list(COLUMN_DTYPES)
    assert {c: str(frame[c].dtype) for c in frame.columns} == COLUMN_DTYPES


def test_ids_are_unique_and_formatted() -> None:
    ids = _generated(0).frame["transaction_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"P\d{8}").all()


@pytest.mark.parametrize(
    ("column", "vocabulary"),
    [
        ("property_type", PropertyType),
        ("orientation", Orientation),
        ("decoration", Decoration),
        ("district", DISTRICTS),
    ],
)
def test_categorical_values_are_in_the_vocabulary(column: str, vocabulary: object) -> None:
    allowed = {str(value) for value in vocabulary}  # type: ignore[attr-defined]
    assert set(_generated(0).frame[column].dropna()) <= allowed


def test_communities_are_unique_across_districts() -> None:
    frame = _generated(0).frame.dropna(subset=["community"])
    assert frame.groupby("community")["district"].nunique().max() == 1
    assert frame["community"].nunique() > 300


def test_dates_coordinates_and_types_have_the_documented_shape() -> None:
    frame = _generated(0).frame
    dates = frame["transaction_date"]
    assert dates.min() >= pd.Timestamp("2020-11-01")
    assert dates.max() <= pd.Timestamp("2026-10-31")
    assert (dates == dates.dt.normalize()).all()
    assert frame["latitude"].isna().mean() == pytest.approx(0.15, abs=0.03)
    assert frame["latitude"].dropna().between(28.0, 28.8).all()
    assert frame["longitude"].dropna().between(121.0, 121.8).all()
    shares = frame["property_type"].value_counts(normalize=True)
    assert shares[PropertyType.RESIDENTIAL.value] == pytest.approx(0.82, abs=0.04)


def test_planted_defects_match_the_configured_shares() -> None:
    generated = _generated(0)
    config = PropertyMarketConfig()
    counts = generated.planted["defect"].value_counts()
    assert set(counts.index) <= {kind.value for kind in DefectKind}
    for kind in DefectKind:
        assert counts.get(kind.value, 0) == round(N_ROWS * getattr(config, f"{kind}_share"))
    assert generated.planted["transaction_id"].isin(generated.frame["transaction_id"]).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_with_elevator_higher_floors_are_dearer(seed: int) -> None:
    rows = _clean_rows_with_log_unit_price(seed)
    lifted = rows[rows["elevator"] & rows["property_type"].eq(PropertyType.RESIDENTIAL.value)]
    lifted = lifted.assign(residual=_within_community(lifted))
    height = (lifted["floor"] - 1) / (lifted["total_floors"] - 1)
    high = lifted[(height >= 0.6) & (lifted["floor"] < lifted["total_floors"])]
    low = lifted[(lifted["floor"] >= 2) & (height <= 0.3)]
    assert high["residual"].mean() - low["residual"].mean() > 0.01


@pytest.mark.parametrize("seed", SEEDS)
def test_north_south_is_dearer_than_north(seed: int) -> None:
    rows = _clean_rows_with_log_unit_price(seed)
    homes = rows[rows["property_type"].eq(PropertyType.RESIDENTIAL.value)]
    residual = _within_community(homes)
    by_orientation = residual.groupby(homes["orientation"]).mean()
    gap = by_orientation[Orientation.NORTH_SOUTH.value] - by_orientation[Orientation.NORTH.value]
    assert gap > 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_factories_are_more_dispersed_than_homes(seed: int) -> None:
    rows = _clean_rows_with_log_unit_price(seed)
    log_unit = rows.groupby("property_type")["log_unit"]
    robust_sd = log_unit.agg(lambda x: 1.4826 * (x - x.median()).abs().median())
    ratio = robust_sd[PropertyType.INDUSTRIAL.value] / robust_sd[PropertyType.RESIDENTIAL.value]
    assert ratio > 1.3


@pytest.mark.parametrize("seed", SEEDS)
def test_median_residential_unit_price_is_calibrated(seed: int) -> None:
    rows = _clean_rows_with_log_unit_price(seed)
    homes = rows[rows["property_type"].eq(PropertyType.RESIDENTIAL.value)]
    median = float(np.exp(homes["log_unit"].median()))
    assert median == pytest.approx(6_800, rel=0.15)


def test_fifty_thousand_rows_take_well_under_five_seconds() -> None:
    start = time.perf_counter()
    generated = generate_property_transactions(n_rows=50_000, seed=0)
    assert time.perf_counter() - start < 5.0
    assert len(generated.frame) == 50_000


def test_config_rejects_unknown_and_inconsistent_knobs() -> None:
    with pytest.raises(ValidationError):
        PropertyMarketConfig(n_distrcts=3)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="sum to 1"):
        PropertyMarketConfig(type_shares=dict.fromkeys(PropertyType, 0.5))


def test_small_market_config_is_honoured() -> None:
    config = PropertyMarketConfig(n_districts=2, communities_per_district=3, n_months=12)
    frame = generate_property_transactions(n_rows=500, seed=1, config=config).frame
    assert frame["district"].nunique() <= 2
    assert frame["community"].nunique() <= 6
    assert frame["transaction_date"].max() < pd.Timestamp("2021-11-01")
