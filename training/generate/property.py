"""Synthetic property transactions as a court would receive them, defects included.

The market structure lives in ``market.py``; this module samples units from it, prices them,
and plants the defects a cleaning step must catch. ``data/README.md`` documents every number.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from training.generate.finish import finish
from training.generate.market import (
    AGE_DEPRECIATION,
    AREA_ELASTICITY,
    AREA_REFERENCE,
    DECORATION_FACTOR,
    DECORATIONS,
    DISTRICTS,
    ORIENTATION_FACTOR,
    ORIENTATIONS,
    PROPERTY_TYPES,
    ROOMS_PREMIUM,
    TYPE_PRICE_FACTOR,
    Market,
    PropertyMarketConfig,
    build_market,
    floor_factor,
    km_to_degrees,
)

logger = logging.getLogger(__name__)

__all__ = [
    "COLUMN_DTYPES",
    "DefectKind",
    "GeneratedProperty",
    "PropertyMarketConfig",
    "generate_property_transactions",
]

COLUMN_DTYPES: dict[str, str] = {
    "transaction_id": "str",
    "district": "str",
    "community": "str",
    "latitude": "float64",
    "longitude": "float64",
    "area_m2": "float64",
    "floor": "int64",
    "total_floors": "int64",
    "orientation": "str",
    "rooms": "int64",
    "build_year": "int64",
    "property_type": "str",
    "elevator": "bool",
    "decoration": "str",
    "transaction_date": "datetime64[ns]",
    "price": "float64",
}
_ROOMS_P = np.array([0.08, 0.25, 0.40, 0.19, 0.06, 0.02])  # 1..6 rooms
_ORIENTATION_P = np.array([0.25, 0.25, 0.10, 0.08, 0.08, 0.06, 0.05, 0.05, 0.08])
_DECORATION_P = np.array([0.20, 0.35, 0.35, 0.10])
_INDUSTRIAL_DECORATION_P = np.array([0.60, 0.40, 0.0, 0.0])
_RES, _SHOP, _OFFICE, _IND = range(4)


class DefectKind(StrEnum):
    """Kinds of planted defects, as recorded in ``GeneratedProperty.planted``."""

    EXACT_DUPLICATE = "exact_duplicate"
    RELISTING = "relisting"
    PRICE_UNIT_ERROR = "price_unit_error"
    IMPOSSIBLE_FLOOR = "impossible_floor"
    BAD_AREA = "bad_area"
    FUTURE_BUILD_YEAR = "future_build_year"
    MISSING_REQUIRED = "missing_required"


@dataclass(frozen=True)
class GeneratedProperty:
    """Generated transactions and the answer key of their defects.

    Attributes:
        frame: Transactions with the columns and dtypes of ``COLUMN_DTYPES``.
        planted: One row per row of ``frame`` that cleaning should drop: ``transaction_id``
            and ``defect`` (a ``DefectKind`` value).
    """

    frame: pd.DataFrame
    planted: pd.DataFrame


def generate_property_transactions(
    n_rows: int = 50_000, seed: int = 0, config: PropertyMarketConfig | None = None
) -> GeneratedProperty:
    """Generate a deterministic set of property transactions with planted defects.

    Args:
        n_rows: Number of rows returned, defects included.
        seed: Seed of the random generator; the same seed gives the same frame.
        config: Market knobs; ``PropertyMarketConfig()`` when None.

    Returns:
        The transactions, sorted by date, and the planted defects.

    Raises:
        ValueError: If ``n_rows`` is not positive.
    """
    if n_rows < 1:
        raise ValueError(f"n_rows must be a positive integer, got {n_rows}")
    config = config or PropertyMarketConfig()
    rng = np.random.default_rng(seed)
    market = build_market(config, rng)
    counts = _defect_counts(n_rows, config)
    n_base = n_rows - counts[DefectKind.EXACT_DUPLICATE] - counts[DefectKind.RELISTING]
    rows = _sample_rows(n_base, market, config, rng)
    rows["price"] = _price(rows, market, config, rng)
    frame, defects = _plant_defects(_to_frame(rows), counts, config, rng)
    frame, planted = finish(frame, defects, id_prefix="P", dtypes=COLUMN_DTYPES)
    logger.info("Generated %d property transactions, %d planted defects", n_rows, len(planted))
    return GeneratedProperty(frame=frame, planted=planted)


def _defect_counts(n_rows: int, config: PropertyMarketConfig) -> dict[DefectKind, int]:
    counts = {kind: round(n_rows * getattr(config, f"{kind.value}_share")) for kind in DefectKind}
    if sum(counts.values()) > n_rows // 2:
        raise ValueError("The defect shares must add up to at most 0.5")
    return counts


def _sample_rows(
    n: int, market: Market, config: PropertyMarketConfig, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    comm = rng.choice(market.community_names.size, n, p=market.community_weight)
    cum_mix = np.cumsum(market.community_type_mix[comm], axis=1)
    type_code = np.minimum((rng.random(n)[:, None] > cum_mix).sum(axis=1), len(PROPERTY_TYPES) - 1)
    month = rng.integers(0, market.month_starts.size, n)
    month_len = (market.month_starts.astype("datetime64[M]") + 1).astype("datetime64[D]") - (
        market.month_starts
    )
    day = (rng.random(n) * month_len[month].astype(np.int64)).astype(np.int64)
    sold = market.month_starts[month] + day
    sold_year = sold.astype("datetime64[Y]").astype(np.int64) + 1970
    build_year = np.minimum(market.community_year[comm] + rng.integers(-2, 3, n), sold_year)
    area, rooms = _sample_area_rooms(type_code, rng)
    floor, total, elevator = _sample_floors(type_code, market.community_floors[comm], rng)
    decoration = np.where(
        type_code == _IND,
        rng.choice(len(DECORATIONS), n, p=_INDUSTRIAL_DECORATION_P),
        rng.choice(len(DECORATIONS), n, p=_DECORATION_P),
    )
    jitter = km_to_degrees(rng.normal(0, 0.1, n), rng.normal(0, 0.1, n), config.centre_latitude)
    unrecorded = rng.random(n) < config.missing_coordinate_share
    return {
        "comm": comm,
        "district": np.asarray(DISTRICTS, dtype=object)[market.community_district[comm]],
        "community": market.community_names[comm],
        "type_code": type_code,
        "month": month,
        "orientation_code": rng.choice(len(ORIENTATIONS), n, p=_ORIENTATION_P),
        "decoration_code": decoration,
        "latitude": np.where(unrecorded, np.nan, market.community_lat[comm] + jitter[0]),
        "longitude": np.where(unrecorded, np.nan, market.community_lon[comm] + jitter[1]),
        "area_m2": area,
        "floor": floor,
        "total_floors": total,
        "rooms": rooms,
        "build_year": build_year,
        "elevator": elevator,
        "transaction_date": sold,
    }


def _sample_area_rooms(
    type_code: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    n = type_code.size
    rooms = rng.choice(np.arange(1, 7), n, p=_ROOMS_P)
    residential = 18 + 30 * rooms * rng.lognormal(0, 0.15, n)
    shop = np.clip(rng.lognormal(np.log(60), 0.6, n), 10, 1_000)
    office = np.clip(rng.lognormal(np.log(120), 0.5, n), 20, 2_000)
    industrial = np.exp(rng.uniform(np.log(300), np.log(5_000), n))
    area = np.choose(type_code, [residential, shop, office, industrial])
    return np.round(area, 2), np.where(type_code == _RES, rooms, 0)


def _sample_floors(
    type_code: np.ndarray, typical_floors: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = type_code.size
    office_total = rng.integers(5, 31, n)
    industrial_total = rng.choice(np.arange(1, 5), n, p=[0.4, 0.3, 0.2, 0.1])
    total = np.choose(type_code, [typical_floors, typical_floors, office_total, industrial_total])
    floor = 1 + np.floor(rng.random(n) * total).astype(np.int64)
    shop_floor = np.where(rng.random(n) < 0.85, 1, np.minimum(2, total))
    floor = np.where(type_code == _SHOP, shop_floor, floor)
    elevator = np.where(type_code == _IND, False, (type_code == _OFFICE) | (total > 7))
    return floor, total.astype(np.int64), elevator


def _price(
    rows: dict[str, np.ndarray],
    market: Market,
    config: PropertyMarketConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    type_code, comm, area = rows["type_code"], rows["comm"], rows["area_m2"]
    factors = {
        "type": np.array([TYPE_PRICE_FACTOR[t] for t in PROPERTY_TYPES])[type_code],
        "orientation": np.array([ORIENTATION_FACTOR[o] for o in ORIENTATIONS]),
        "decoration": np.array([DECORATION_FACTOR[d] for d in DECORATIONS]),
    }
    age = rows["transaction_date"].astype("datetime64[Y]").astype(np.int64) + 1970
    age = age - rows["build_year"]
    industrial = np.where(type_code == _IND, market.community_industrial[comm], 1.0)
    log_unit = (
        np.log(market.community_price[comm] * factors["type"] * industrial)
        + market.log_index[market.community_district[comm], rows["month"]]
        + np.log(floor_factor(rows["floor"], rows["total_floors"], rows["elevator"], type_code))
        + np.log(factors["orientation"][rows["orientation_code"]])
        + np.log(factors["decoration"][rows["decoration_code"]])
        - AGE_DEPRECIATION * age
        + AREA_ELASTICITY[type_code] * np.log(area / AREA_REFERENCE[type_code])
        + np.where(type_code == _RES, np.log1p(ROOMS_PREMIUM * (rows["rooms"] - 3)), 0.0)
    )
    scale = np.array([config.noise_scale[t] for t in PROPERTY_TYPES])[type_code]
    log_unit = log_unit + scale * rng.standard_t(config.noise_df, type_code.size)
    return np.round(np.exp(log_unit) * area, -2)


def _to_frame(rows: dict[str, np.ndarray]) -> pd.DataFrame:
    labels = {
        "orientation": ("orientation_code", ORIENTATIONS),
        "decoration": ("decoration_code", DECORATIONS),
        "property_type": ("type_code", PROPERTY_TYPES),
    }
    data = dict(rows)
    for column, (code, vocabulary) in labels.items():
        data[column] = np.asarray([v.value for v in vocabulary], dtype=object)[rows[code]]
    data["transaction_date"] = rows["transaction_date"].astype("datetime64[ns]")
    return pd.DataFrame({c: data[c] for c in COLUMN_DTYPES if c != "transaction_id"})


def _plant_defects(
    frame: pd.DataFrame,
    counts: dict[DefectKind, int],
    config: PropertyMarketConfig,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Corrupt distinct clean rows in place and append duplicates and re-listings."""
    defects = np.full(len(frame), "", dtype=object)
    sources = rng.permutation(len(frame))
    taken: dict[DefectKind, np.ndarray] = {}
    for kind, count in counts.items():
        taken[kind], sources = sources[:count], sources[count:]
    for kind, corrupt in _CORRUPTIONS.items():
        corrupt(frame, taken[kind], rng)
        defects[taken[kind]] = kind.value
    duplicates = frame.iloc[taken[DefectKind.EXACT_DUPLICATE]]
    relistings, source_is_earlier = _relist(frame.iloc[taken[DefectKind.RELISTING]], config, rng)
    defects[taken[DefectKind.RELISTING][source_is_earlier]] = DefectKind.RELISTING.value
    appended = np.concatenate(
        [
            np.full(len(duplicates), DefectKind.EXACT_DUPLICATE.value, dtype=object),
            np.where(source_is_earlier, "", DefectKind.RELISTING.value).astype(object),
        ]
    )
    combined = pd.concat([frame, duplicates, relistings], ignore_index=True)
    return combined, np.concatenate([defects, appended])


def _relist(
    source: pd.DataFrame, config: PropertyMarketConfig, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """Re-record units within the window at a slightly different price; the earlier record
    is the one to drop. Returns the new records and whether each source is the earlier one."""
    n = len(source)
    delta = pd.to_timedelta(rng.integers(1, config.relisting_window_days + 1, n), unit="D")
    month_end = pd.Timestamp(config.start_month) + pd.DateOffset(months=config.n_months)
    later = source["transaction_date"] + delta
    source_is_earlier = (later < month_end).to_numpy()
    relisted = source.copy()
    relisted["transaction_date"] = later.where(
        source_is_earlier, source["transaction_date"] - delta
    )
    change = rng.uniform(-config.relisting_max_price_change, config.relisting_max_price_change, n)
    relisted["price"] = np.round(source["price"] * (1 + change), -2)
    return relisted, source_is_earlier


def _price_unit_error(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    in_wan = rng.random(idx.size) < 0.5  # recorded in 万元, else one digit too many
    price = frame["price"].to_numpy()[idx]
    frame.loc[idx, "price"] = np.where(in_wan, np.round(price / 10_000, 2), price * 10)


def _impossible_floor(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    frame.loc[idx, "floor"] = frame["total_floors"].to_numpy()[idx] + rng.integers(1, 11, idx.size)


def _bad_area(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    area = frame["area_m2"].to_numpy()[idx]
    residential = frame["property_type"].to_numpy()[idx] == PROPERTY_TYPES[_RES].value
    variant = rng.integers(0, 3, idx.size)  # 0: <= 0, 1: > 20,000 m², 2: 住宅 < 8 m²
    variant = np.where((variant == 2) & ~residential, 0, variant)
    non_positive = np.where(rng.random(idx.size) < 0.5, 0.0, -area)
    huge = np.round(rng.uniform(20_001, 100_000, idx.size), 2)
    frame.loc[idx, "area_m2"] = np.choose(variant, [non_positive, huge, np.round(area / 100, 2)])


def _future_build_year(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    sold_year = frame["transaction_date"].dt.year.to_numpy()[idx]
    frame.loc[idx, "build_year"] = sold_year + rng.integers(1, 6, idx.size)


def _missing_required(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    no_community = rng.random(idx.size) < 0.5
    frame.loc[idx[no_community], "community"] = np.nan
    frame.loc[idx[~no_community], "price"] = np.nan


_CORRUPTIONS: dict[DefectKind, Callable[[pd.DataFrame, np.ndarray, np.random.Generator], None]] = {
    DefectKind.PRICE_UNIT_ERROR: _price_unit_error,
    DefectKind.IMPOSSIBLE_FLOOR: _impossible_floor,
    DefectKind.BAD_AREA: _bad_area,
    DefectKind.FUTURE_BUILD_YEAR: _future_build_year,
    DefectKind.MISSING_REQUIRED: _missing_required,
}
