"""Synthetic used-vehicle transactions as a listing platform would deliver them, defects included.

The market structure lives in ``vehicle_market.py``; this module samples cars from it, prices
them, and plants the defects a cleaning step must catch. ``data/README.md`` documents every
number.
"""

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.vehicle.vocabulary import Damage, EmissionStandard, Fuel, Gearbox, SellerType
from training.generate.finish import finish
from training.generate.vehicle_defects import VehicleDefectKind, plant_defects
from training.generate.vehicle_market import (
    CATALOGUE,
    CN4_DISCOUNT,
    CN5_DISCOUNT_AFTER,
    COLD_ELECTRIC_EFFECT,
    COLOR_EFFECT,
    COLOR_SHARE,
    COLORS,
    FUELS,
    MANUAL_EFFECT,
    REGIONS,
    VehicleMarket,
    VehicleMarketConfig,
    build_market,
    log_retained,
)

logger = logging.getLogger(__name__)

__all__ = [
    "COLUMN_DTYPES",
    "GeneratedVehicle",
    "VehicleDefectKind",
    "VehicleMarketConfig",
    "generate_vehicle_transactions",
]

COLUMN_DTYPES: dict[str, str] = {
    "transaction_id": "str",
    "brand": "str",
    "series": "str",
    "origin": "str",
    "body_type": "str",
    "fuel": "str",
    "gearbox": "str",
    "power_kw": "float64",
    "new_price": "float64",
    "registration_date": "datetime64[ns]",
    "transaction_date": "datetime64[ns]",
    "mileage_km": "float64",
    "region": "str",
    "transfers": "int64",
    "damage": "str",
    "emission_standard": "str",
    "seller_type": "str",
    "price": "float64",
    "color": "str",
}
_ELECTRIC = FUELS.index(Fuel.ELECTRIC)
_DAMAGE_NOISE = np.array([0.0, 0.05, 0.08])  # extra SD of log price: none, accident, flood
_MIN_AGE_YEARS = 0.08  # about a month: dealers sell cars registered weeks ago (准新车)


@dataclass(frozen=True)
class GeneratedVehicle:
    """Generated transactions and the answer key of their defects.

    Attributes:
        frame: Transactions with the columns and dtypes of ``COLUMN_DTYPES``.
        planted: One row per row of ``frame`` that cleaning should drop: ``transaction_id``
            and ``defect`` (a ``VehicleDefectKind`` value). Names with stray spaces, full-width
            letters or another case are not listed: cleaning repairs them and keeps the row.
    """

    frame: pd.DataFrame
    planted: pd.DataFrame


def generate_vehicle_transactions(
    n_rows: int = 100_000, seed: int = 0, config: VehicleMarketConfig | None = None
) -> GeneratedVehicle:
    """Generate a deterministic set of used-vehicle transactions with planted defects.

    Args:
        n_rows: Number of rows returned, defects included.
        seed: Seed of the random generator; the same seed gives the same frame.
        config: Market knobs; ``VehicleMarketConfig()`` when None.

    Returns:
        The transactions, sorted by date, and the planted defects.

    Raises:
        ValueError: If ``n_rows`` is not positive or the defect shares add up to over 0.5.
    """
    if n_rows < 1:
        raise ValueError(f"n_rows must be a positive integer, got {n_rows}")
    config = config or VehicleMarketConfig()
    rng = np.random.default_rng(seed)
    market = build_market(config, rng)
    counts = _defect_counts(n_rows, config)
    n_base = (
        n_rows - counts[VehicleDefectKind.EXACT_DUPLICATE] - counts[VehicleDefectKind.RELISTING]
    )
    rows = _sample_rows(n_base, market, config, rng)
    rows["price"] = _price(rows, market, config, rng)
    frame, defects = plant_defects(_to_frame(rows, market), counts, config, rng)
    frame, planted = finish(frame, defects, id_prefix="V", dtypes=COLUMN_DTYPES)
    logger.info("Generated %d vehicle transactions, %d planted defects", n_rows, len(planted))
    return GeneratedVehicle(frame=frame, planted=planted)


def _defect_counts(n_rows: int, config: VehicleMarketConfig) -> dict[VehicleDefectKind, int]:
    counts = {k: round(n_rows * getattr(config, f"{k.value}_share")) for k in VehicleDefectKind}
    if sum(counts.values()) + round(n_rows * config.messy_text_share) > n_rows // 2:
        raise ValueError("The defect and messy-text shares must add up to at most 0.5")
    return counts


def _sample_rows(
    n: int, market: VehicleMarket, config: VehicleMarketConfig, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    launched = _first_month(market) < config.n_months  # series on sale within the window
    weight = np.array([s.weight for s in CATALOGUE]) * launched
    series = rng.choice(len(CATALOGUE), n, p=weight / weight.sum())
    offset = (rng.random(n)[:, None] > market.series_trim_cum[series]).sum(axis=1)
    trim = market.series_trims[series, offset]
    month, sold, registered = _sample_dates(series, market, config, rng)
    age = (sold - registered).astype(int) / 365.25
    fuel = market.trim_fuel[trim]
    annual_km = config.annual_km_median * rng.lognormal(0, config.annual_km_sd, n)
    annual_km *= np.where(fuel == _ELECTRIC, config.electric_km_factor, 1.0)
    p_region = np.array([r[1] for r in REGIONS])
    damage_p = [1 - config.accident_share - config.flood_share, config.accident_share]
    return {
        "series_code": series,
        "trim": trim,
        "fuel_code": fuel,
        "month": month,
        "age": age,
        "registration_date": registered,
        "transaction_date": sold,
        "mileage_km": np.maximum(np.round(annual_km * age, -2), 100.0),
        "region_code": rng.choice(len(REGIONS), n, p=p_region / p_region.sum()),
        "transfers": np.minimum(rng.poisson(config.transfers_per_year * age), 6),
        "damage_code": rng.choice(3, n, p=[*damage_p, config.flood_share]),
        "emission_code": _emission(registered, fuel, rng),
        "dealer": rng.random(n) < config.dealer_share,
        "color_code": rng.choice(len(COLORS), n, p=COLOR_SHARE),
    }


def _sample_dates(
    series: np.ndarray, market: VehicleMarket, config: VehicleMarketConfig, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Month index and day of sale (uniform over the months after the series' launch), and
    registration day (age Gamma-distributed, capped by the launch and ``max_age_years``)."""
    n = series.size
    launch = np.array([np.datetime64(s.launch, "M") for s in CATALOGUE])
    first = np.clip(_first_month(market), 0, config.n_months - 1)[series]
    month = first + (rng.random(n) * (config.n_months - first)).astype(np.int64)
    next_month = (market.month_starts.astype("datetime64[M]") + 1).astype("datetime64[D]")
    month_days = (next_month - market.month_starts).astype(int)
    sold = market.month_starts[month] + (rng.random(n) * month_days[month]).astype(int)
    age = rng.gamma(config.age_shape, config.age_scale_years, n)
    on_sale = (sold - launch[series].astype("datetime64[D]")).astype(int) / 365.25
    cap = np.maximum(np.minimum(config.max_age_years, on_sale), _MIN_AGE_YEARS + 0.01)
    age = np.where(age > cap, rng.uniform(_MIN_AGE_YEARS, cap), np.maximum(age, _MIN_AGE_YEARS))
    return month, sold, sold - np.round(age * 365.25).astype(np.int64)


def _first_month(market: VehicleMarket) -> np.ndarray:
    """Index of each series' first month of used sales: the month after its launch."""
    launch = np.array([np.datetime64(s.launch, "M") for s in CATALOGUE])
    return (launch - market.month_starts[0].astype("datetime64[M]")).astype(int) + 1


def _emission(registered: np.ndarray, fuel: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """国四 before 2017 (10 % already 国五), 国五 to 2019-06, 国六 from 2020-07, mixed between."""
    month = registered.astype("datetime64[M]")
    u = rng.random(registered.size)
    code = np.select(
        [
            month < np.datetime64("2017-01"),
            month < np.datetime64("2019-07"),
            month < np.datetime64("2020-07"),
        ],
        [np.where(u < 0.9, 0, 1), 1, np.where(u < 0.6, 2, 1)],
        2,
    )
    return np.where(fuel == _ELECTRIC, 2, code)  # platforms show 国六 for electric cars


def _price(
    rows: dict[str, np.ndarray],
    market: VehicleMarket,
    config: VehicleMarketConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    trim, fuel, month, age = rows["trim"], rows["fuel_code"], rows["month"], rows["age"]
    region = np.array([r[2] for r in REGIONS])[rows["region_code"]]
    cold = np.array([r[3] for r in REGIONS])[rows["region_code"]]
    emission = rows["emission_code"]
    late = month >= (np.datetime64(CN5_DISCOUNT_AFTER[0]) - market.month_starts[0].astype("M"))
    cn4 = CN4_DISCOUNT[0] + CN4_DISCOUNT[1] * month / max(config.n_months - 1, 1)
    damage = np.array([0.0, config.accident_effect, config.flood_effect])[rows["damage_code"]]
    log_price = (
        np.log(market.trim_price[trim])
        + log_retained(age, rows["series_code"], fuel)
        + market.log_index[fuel, month]
        + region
        + np.where(cold & (fuel == _ELECTRIC), COLD_ELECTRIC_EFFECT, 0.0)
        - config.mileage_effect_per_10k_km * rows["mileage_km"] / 10_000
        - config.transfer_effect * rows["transfers"]
        - damage
        - np.select([emission == 0, (emission == 1) & late], [cn4, CN5_DISCOUNT_AFTER[1]], 0.0)
        + np.where(rows["dealer"], config.dealer_premium, 0.0)
        + np.where(market.trim_manual[trim], MANUAL_EFFECT, 0.0)
        + COLOR_EFFECT[rows["color_code"]]
    )
    scale = config.noise_scale * (1 + config.noise_age_slope * age)
    scale *= np.where(rows["dealer"], 1.0, config.private_noise_factor)
    noise = scale * rng.standard_t(config.noise_df, age.size)
    noise += _DAMAGE_NOISE[rows["damage_code"]] * rng.standard_normal(age.size)
    return np.round(np.exp(log_price + noise), -2)


def _to_frame(rows: dict[str, np.ndarray], market: VehicleMarket) -> pd.DataFrame:
    series, trim = rows["series_code"], rows["trim"]

    def label(values: list[str], codes: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=object)[codes]

    manual = market.trim_manual[trim]
    data = {
        "brand": label([s.brand for s in CATALOGUE], series),
        "series": label([s.name for s in CATALOGUE], series),
        "origin": label([s.origin.value for s in CATALOGUE], series),
        "body_type": label([s.body.value for s in CATALOGUE], series),
        "fuel": label([f.value for f in FUELS], rows["fuel_code"]),
        "gearbox": np.where(manual, Gearbox.MANUAL.value, Gearbox.AUTOMATIC.value),
        "power_kw": market.trim_power[trim],
        "new_price": market.trim_price[trim],
        "registration_date": rows["registration_date"].astype("datetime64[ns]"),
        "transaction_date": rows["transaction_date"].astype("datetime64[ns]"),
        "mileage_km": rows["mileage_km"],
        "region": label([r[0] for r in REGIONS], rows["region_code"]),
        "transfers": rows["transfers"],
        "damage": label([d.value for d in Damage], rows["damage_code"]),
        "emission_standard": label([e.value for e in EmissionStandard], rows["emission_code"]),
        "seller_type": np.where(rows["dealer"], SellerType.DEALER.value, SellerType.PRIVATE.value),
        "price": rows["price"],
        "color": label([c.value for c in COLORS], rows["color_code"]),
    }
    return pd.DataFrame({c: data[c] for c in COLUMN_DTYPES if c != "transaction_id"})
