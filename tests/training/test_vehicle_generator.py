"""Tests of the synthetic used-vehicle transactions: contract, determinism, documented effects."""

from enum import StrEnum
from functools import cache

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from models.vehicle.vocabulary import (
    BodyType,
    Color,
    Damage,
    EmissionStandard,
    Fuel,
    Gearbox,
    Origin,
    SellerType,
)
from training.cleaning import median_polish
from training.generate.vehicle import (
    COLUMN_DTYPES,
    GeneratedVehicle,
    VehicleDefectKind,
    VehicleMarketConfig,
    generate_vehicle_transactions,
)
from training.generate.vehicle_market import CATALOGUE, REGIONS, Segment

N_ROWS = 6_000
SEEDS = [0, 1, 2]
CONTRACT_COLUMNS = [
    "transaction_id", "brand", "series", "origin", "body_type", "fuel", "gearbox", "power_kw",
    "new_price", "registration_date", "transaction_date", "mileage_km", "region", "transfers",
    "damage", "emission_standard", "seller_type", "price",
]  # fmt: skip


@cache
def _generated(seed: int) -> GeneratedVehicle:
    return generate_vehicle_transactions(n_rows=N_ROWS, seed=seed)


@cache
def _clean_rows(seed: int) -> pd.DataFrame:
    """Rows without planted defects or messy names, with age, log price / new price and its
    residual after the series and age-band levels (a matched comparison)."""
    generated = _generated(seed)
    frame = generated.frame
    rows = frame[
        ~frame["transaction_id"].isin(generated.planted["transaction_id"])
        & frame["series"].isin({s.name for s in CATALOGUE})
    ]
    age = (rows["transaction_date"] - rows["registration_date"]).dt.days / 365.25
    rows = rows.assign(
        age=age, age_band=np.floor(age), log_ratio=np.log(rows["price"] / rows["new_price"])
    )
    return rows.assign(residual=median_polish(rows["log_ratio"], rows, ["series", "age_band"]))


def _segment(rows: pd.DataFrame) -> pd.Series:
    return rows["series"].map({s.name: s.segment for s in CATALOGUE})


def test_same_seed_gives_identical_frames() -> None:
    first = generate_vehicle_transactions(n_rows=2_000, seed=7)
    second = generate_vehicle_transactions(n_rows=2_000, seed=7)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    pd.testing.assert_frame_equal(first.planted, second.planted)


def test_different_seeds_give_different_frames() -> None:
    first = generate_vehicle_transactions(n_rows=2_000, seed=7)
    second = generate_vehicle_transactions(n_rows=2_000, seed=8)
    assert not first.frame["price"].equals(second.frame["price"])


@pytest.mark.parametrize("n_rows", [1, 137, 2_001])
def test_row_count_is_exact(n_rows: int) -> None:
    assert len(generate_vehicle_transactions(n_rows=n_rows, seed=0).frame) == n_rows


def test_hundred_thousand_rows_have_the_contract_shape() -> None:
    frame = generate_vehicle_transactions(n_rows=100_000, seed=0).frame
    assert frame.shape == (100_000, len(COLUMN_DTYPES))


def test_columns_and_dtypes_match_the_contract() -> None:
    frame = _generated(0).frame
    assert list(frame.columns) == list(COLUMN_DTYPES)
    assert list(frame.columns)[: len(CONTRACT_COLUMNS)] == CONTRACT_COLUMNS
    assert {c: str(frame[c].dtype) for c in frame.columns} == COLUMN_DTYPES


def test_ids_are_unique_and_formatted() -> None:
    ids = _generated(0).frame["transaction_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"V\d{8}").all()
    assert ids.iloc[0] == "V00000001"


@pytest.mark.parametrize(
    ("column", "vocabulary"),
    [
        ("origin", Origin),
        ("body_type", BodyType),
        ("fuel", Fuel),
        ("gearbox", Gearbox),
        ("damage", Damage),
        ("emission_standard", EmissionStandard),
        ("seller_type", SellerType),
        ("color", Color),
    ],
)
def test_categorical_values_are_in_the_vocabulary(column: str, vocabulary: type[StrEnum]) -> None:
    assert set(_generated(0).frame[column]) <= {v.value for v in vocabulary}


def test_catalogue_is_large_and_series_are_unique_across_brands() -> None:
    names = [s.name for s in CATALOGUE]
    assert len(names) == len(set(names)) >= 40
    assert len({s.brand for s in CATALOGUE}) >= 20
    assert {s.origin for s in CATALOGUE} == set(Origin)
    rows = _clean_rows(0)
    assert rows.groupby("series")["brand"].nunique().max() == 1


def test_dates_regions_and_mileage_have_the_documented_shape() -> None:
    rows = _clean_rows(0)
    assert rows["transaction_date"].min() >= pd.Timestamp("2020-11-01")
    assert rows["transaction_date"].max() <= pd.Timestamp("2026-10-31")
    assert rows["transaction_date"].dt.to_period("M").nunique() == 72
    assert (rows["registration_date"] < rows["transaction_date"]).all()
    assert set(rows["region"]) == {r[0] for r in REGIONS}
    assert rows["region"].value_counts(normalize=True)["银川"] == pytest.approx(0.22, abs=0.03)
    km_per_year = rows["mileage_km"] / rows["age"]
    assert km_per_year.median() == pytest.approx(14_000, rel=0.1)
    assert np.corrcoef(rows["age"], rows["mileage_km"])[0, 1] > 0.7


def test_registrations_follow_each_series_launch() -> None:
    rows = _clean_rows(0)
    launch = rows["series"].map({s.name: pd.Timestamp(s.launch) for s in CATALOGUE})
    assert (rows["registration_date"] >= launch - pd.Timedelta(days=31)).all()


def test_planted_defects_match_the_configured_shares() -> None:
    generated = _generated(0)
    config = VehicleMarketConfig()
    counts = generated.planted["defect"].value_counts()
    assert set(counts.index) <= {kind.value for kind in VehicleDefectKind}
    for kind in VehicleDefectKind:
        assert counts.get(kind.value, 0) == round(N_ROWS * getattr(config, f"{kind}_share"))
    assert generated.planted["transaction_id"].isin(generated.frame["transaction_id"]).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_electric_cars_depreciate_faster_than_petrol(seed: int) -> None:
    rows = _clean_rows(seed)
    slope = {
        fuel: np.polyfit(group["age"], group["log_ratio"], 1)[0]
        for fuel, group in rows.groupby("fuel")
    }
    assert slope[Fuel.ELECTRIC.value] < slope[Fuel.PETROL.value] - 0.03


@pytest.mark.parametrize("seed", SEEDS)
def test_luxury_cars_lose_more_in_the_first_years(seed: int) -> None:
    rows = _clean_rows(seed)
    young = rows[rows["age"].between(1, 3) & rows["fuel"].eq(Fuel.PETROL.value)]
    by_segment = young.groupby(_segment(young))["log_ratio"].mean()
    assert by_segment[Segment.LUXURY] < by_segment[Segment.MAINSTREAM] - 0.08


@pytest.mark.parametrize("seed", SEEDS)
def test_damaged_cars_are_cheaper(seed: int) -> None:
    residual = _clean_rows(seed).groupby("damage")["residual"].mean()
    none = residual[Damage.NONE.value]
    assert residual[Damage.ACCIDENT.value] - none < -0.12
    assert residual[Damage.FLOOD.value] - none < -0.3


@pytest.mark.parametrize("seed", SEEDS)
def test_more_mileage_is_cheaper_at_equal_age(seed: int) -> None:
    rows = _clean_rows(seed)
    rows = rows[rows["damage"].eq(Damage.NONE.value)]
    extra_km = rows["mileage_km"] - rows.groupby(["series", "age_band"])["mileage_km"].transform(
        "median"
    )
    assert np.corrcoef(extra_km, rows["residual"])[0, 1] < -0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_dealers_ask_more_than_private_sellers(seed: int) -> None:
    residual = _clean_rows(seed).groupby("seller_type")["residual"].mean()
    assert residual[SellerType.DEALER.value] - residual[SellerType.PRIVATE.value] > 0.03


@pytest.mark.parametrize("seed", SEEDS)
def test_shanghai_is_dearer_than_guyuan(seed: int) -> None:
    residual = _clean_rows(seed).groupby("region")["residual"].mean()
    assert residual["上海"] - residual["固原"] > 0.05


def test_used_prices_stay_below_the_new_price() -> None:
    rows = _clean_rows(0)
    assert (rows["price"] / rows["new_price"]).median() == pytest.approx(0.55, abs=0.1)
    assert (rows["price"] < 1.1 * rows["new_price"]).mean() > 0.99


def test_config_rejects_unknown_knobs_and_too_many_defects() -> None:
    with pytest.raises(ValidationError):
        VehicleMarketConfig(relisting_shar=0.1)  # type: ignore[call-arg]
    config = VehicleMarketConfig(
        exact_duplicate_share=0.2, relisting_share=0.2, messy_text_share=0.2
    )
    with pytest.raises(ValueError, match=r"at most 0\.5"):
        generate_vehicle_transactions(n_rows=1_000, config=config)
    with pytest.raises(ValueError, match="positive"):
        generate_vehicle_transactions(n_rows=0)


def test_short_window_config_is_honoured() -> None:
    config = VehicleMarketConfig(n_months=12)
    frame = generate_vehicle_transactions(n_rows=1_000, seed=1, config=config).frame
    assert frame["transaction_date"].max() < pd.Timestamp("2021-11-01")
