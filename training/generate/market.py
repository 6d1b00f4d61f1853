"""The synthetic Wenling property market: districts, communities, price index and coefficients.

Everything here is the *structure* behind the generated transactions; ``property.py`` samples
rows from it. The numbers are documented in ``data/README.md``; keep the two in step.
"""

import logging
from dataclasses import dataclass
from datetime import date

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.property.vocabulary import Decoration, Orientation, PropertyType

logger = logging.getLogger(__name__)

DISTRICTS: tuple[str, ...] = (
    "太平街道", "城东街道", "城西街道", "城北街道", "横峰街道", "泽国镇", "大溪镇", "松门镇",
    "箬横镇", "新河镇", "石塘镇", "滨海镇", "温峤镇", "城南镇", "石桥头镇", "坞根镇",
)  # fmt: skip
_NAME_HEADS = (
    "锦绣", "东方", "阳光", "金色", "翠竹", "碧水", "银河", "绿城", "华庭", "天成", "和平", "幸福",
    "紫荆", "丽景", "南湖", "江南", "海天", "龙湖", "凤凰", "怡景", "富丽", "春晓", "明月", "祥和",
    "嘉禾", "百合", "万松", "长安", "盛世", "书香",
)  # fmt: skip
_NAME_MIDDLES = (
    "明珠", "名城", "水岸", "时代", "新城", "星辰", "御景", "公馆", "半岛", "枫林", "香榭", "云台",
)  # fmt: skip
_NAME_TAILS = ("花园", "苑", "小区", "家园", "公寓", "新村", "府", "雅苑", "广场", "华府")

PROPERTY_TYPES: tuple[PropertyType, ...] = tuple(PropertyType)
ORIENTATIONS: tuple[Orientation, ...] = tuple(Orientation)
DECORATIONS: tuple[Decoration, ...] = tuple(Decoration)

TYPE_PRICE_FACTOR = {
    PropertyType.RESIDENTIAL: 1.0,
    PropertyType.SHOP: 1.8,
    PropertyType.OFFICE: 1.1,
    PropertyType.INDUSTRIAL: 0.45,
}
ORIENTATION_FACTOR = {
    Orientation.NORTH_SOUTH: 1.05,
    Orientation.SOUTH: 1.03,
    Orientation.SOUTH_EAST: 1.01,
    Orientation.SOUTH_WEST: 1.01,
    Orientation.EAST: 1.00,
    Orientation.WEST: 0.98,
    Orientation.NORTH_EAST: 0.97,
    Orientation.NORTH_WEST: 0.97,
    Orientation.NORTH: 0.95,
}
DECORATION_FACTOR = {
    Decoration.BARE: 0.95,
    Decoration.SIMPLE: 1.00,
    Decoration.FINE: 1.06,
    Decoration.LUXURY: 1.12,
}
# Walk-up buildings (no elevator): coefficient by floor 1..7; the 3rd floor is the best.
WALKUP_FLOOR_FACTOR = np.array([0.97, 1.00, 1.02, 1.01, 0.98, 0.95, 0.93])
ELEVATOR_FLOOR_SLOPE = 0.08  # +8% from the 1st to the top floor, before the discounts
GROUND_FLOOR_DISCOUNT = 0.95  # elevator buildings only; walk-ups have it in the table
TOP_FLOOR_DISCOUNT = 0.96  # roof leaks and heat, every building of 2+ floors
AGE_DEPRECIATION = 0.012  # per year of building age, on log unit price
ROOMS_PREMIUM = 0.015  # per room above/below 3, at equal area (住宅 only)
# Reference area (m²) and elasticity of unit price to area, per property type.
AREA_REFERENCE = np.array([90.0, 60.0, 120.0, 1200.0])
AREA_ELASTICITY = np.array([-0.08, -0.10, -0.05, -0.10])


class PropertyMarketConfig(BaseModel):
    """Knobs of the synthetic market. Defaults reproduce the Wenling-calibrated data set.

    Attributes:
        n_districts: Number of 街道/镇, taken in order from ``DISTRICTS``.
        communities_per_district: Number of 小区 per district (16 x 25 = 400 by default).
        start_month: First month of the data (day ignored).
        n_months: Number of months of transactions (72: 2020-11 to 2026-10).
        centre_latitude: Latitude of the city centre (太平街道).
        centre_longitude: Longitude of the city centre.
        district_radius_km: Other districts' centres lie 3 km to this far from the centre.
        residential_base_price: 住宅 unit price (CNY/m²) at district level 1, index 1 and
            all coefficients 1; calibrated so the median 住宅 unit price is about 6,800.
        type_shares: Expected share of rows per property type.
        noise_scale: Scale of the Student-t noise on log price, per property type.
        noise_df: Degrees of freedom of that Student-t noise.
        industrial_location_sd: SD of a per-community log factor on 厂房 unit price only.
        index_peak: Rise of the city price index from the first month to the peak.
        index_peak_month: Month (0-based) of the peak.
        index_fall: Fall of the index from the peak to the last month.
        index_cycle: Amplitude of the 12-month cycle on the log index.
        index_noise: Monthly random-walk step (SD) of the city log index.
        district_index_noise: Monthly random-walk step (SD) of each district's deviation.
        missing_coordinate_share: Share of rows whose latitude/longitude are not recorded.
        exact_duplicate_share: Share of rows that are copies of another row with a new id.
        relisting_share: Share of rows that are an earlier record of a re-listed unit.
        relisting_window_days: A re-listing comes at most this many days after the first.
        relisting_max_price_change: A re-listing's price differs by at most this share.
        price_unit_error_share: Share of rows with price in 万元 (/10,000) or x10.
        impossible_floor_share: Share of rows with floor > total_floors.
        bad_area_share: Share of rows with area <= 0, > 20,000 m² or 住宅 < 8 m².
        future_build_year_share: Share of rows built after the year they were sold.
        missing_required_share: Share of rows missing the community or the price.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_districts: int = Field(default=16, ge=1, le=len(DISTRICTS))
    communities_per_district: int = Field(default=25, ge=1, le=200)
    start_month: date = date(2020, 11, 1)
    n_months: int = Field(default=72, ge=1, le=600)
    centre_latitude: float = Field(default=28.37, ge=-90, le=90)
    centre_longitude: float = Field(default=121.38, ge=-180, le=180)
    district_radius_km: float = Field(default=15.0, gt=3.0, le=200.0)
    residential_base_price: float = Field(default=8_740.0, gt=0)
    type_shares: dict[PropertyType, float] = Field(
        default_factory=lambda: {
            PropertyType.RESIDENTIAL: 0.82,
            PropertyType.SHOP: 0.08,
            PropertyType.OFFICE: 0.06,
            PropertyType.INDUSTRIAL: 0.04,
        }
    )
    noise_scale: dict[PropertyType, float] = Field(
        default_factory=lambda: {
            PropertyType.RESIDENTIAL: 0.06,
            PropertyType.SHOP: 0.12,
            PropertyType.OFFICE: 0.10,
            PropertyType.INDUSTRIAL: 0.25,
        }
    )
    noise_df: float = Field(default=4.0, gt=2.0)
    industrial_location_sd: float = Field(default=0.25, ge=0, lt=2)
    index_peak: float = Field(default=0.15, gt=-0.9, lt=10)
    index_peak_month: int = Field(default=30, ge=0)
    index_fall: float = Field(default=0.08, ge=0, lt=1)
    index_cycle: float = Field(default=0.01, ge=0, lt=0.5)
    index_noise: float = Field(default=0.004, ge=0, lt=0.2)
    district_index_noise: float = Field(default=0.003, ge=0, lt=0.2)
    missing_coordinate_share: float = Field(default=0.15, ge=0, le=1)
    exact_duplicate_share: float = Field(default=0.02, ge=0, le=0.2)
    relisting_share: float = Field(default=0.02, ge=0, le=0.2)
    relisting_window_days: int = Field(default=60, ge=1, le=365)
    relisting_max_price_change: float = Field(default=0.03, ge=0, lt=0.5)
    price_unit_error_share: float = Field(default=0.005, ge=0, le=0.1)
    impossible_floor_share: float = Field(default=0.003, ge=0, le=0.1)
    bad_area_share: float = Field(default=0.003, ge=0, le=0.1)
    future_build_year_share: float = Field(default=0.002, ge=0, le=0.1)
    missing_required_share: float = Field(default=0.003, ge=0, le=0.1)

    @model_validator(mode="after")
    def _check_per_type_maps(self) -> "PropertyMarketConfig":
        for name in ("type_shares", "noise_scale"):
            mapping: dict[PropertyType, float] = getattr(self, name)
            if set(mapping) != set(PropertyType) or min(mapping.values()) < 0:
                allowed = [t.value for t in PropertyType]
                raise ValueError(f"{name} needs a non-negative value for each of {allowed}")
        if not np.isclose(sum(self.type_shares.values()), 1.0):
            raise ValueError("type_shares must sum to 1")
        return self


@dataclass(frozen=True)
class Market:
    """A drawn market: one row per community, one index curve per district.

    Attributes:
        community_names: 小区 names, unique.
        community_district: District position (into ``DISTRICTS``) of each community.
        community_lat: Latitude of each community's centre.
        community_lon: Longitude of each community's centre.
        community_price: 住宅 unit price (CNY/m²) of each community at index 1.
        community_industrial: Extra factor on 厂房 unit price in each community (land and
            location matter more for factories than the residential level says).
        community_year: Typical build year of each community.
        community_floors: Typical total floors (6-7 walk-up or 11-33 with elevator).
        community_weight: Relative transaction volume of each community (sums to 1).
        community_type_mix: Property-type probabilities, shape (communities, 4).
        month_starts: First day of each month, ``datetime64[D]``.
        log_index: Log price index, shape (districts, months).
    """

    community_names: np.ndarray
    community_district: np.ndarray
    community_lat: np.ndarray
    community_lon: np.ndarray
    community_price: np.ndarray
    community_industrial: np.ndarray
    community_year: np.ndarray
    community_floors: np.ndarray
    community_weight: np.ndarray
    community_type_mix: np.ndarray
    month_starts: np.ndarray
    log_index: np.ndarray


def km_to_degrees(north_km: np.ndarray, east_km: np.ndarray, latitude: float) -> np.ndarray:
    """Convert a (north, east) offset in km into (latitude, longitude) degrees, stacked."""
    return np.stack([north_km / 110.574, east_km / (111.320 * np.cos(np.radians(latitude)))])


def community_name_pool() -> list[str]:
    """All 小区 names the syllable lists can form, in a fixed order."""
    two = [h + t for h in _NAME_HEADS for t in _NAME_TAILS]
    three = [h + m + t for h in _NAME_HEADS for m in _NAME_MIDDLES for t in _NAME_TAILS]
    return two + three


def price_index(config: PropertyMarketConfig, rng: np.random.Generator) -> np.ndarray:
    """Draw the log price index per district and month, shape (districts, months)."""
    months = np.arange(config.n_months)
    peak = min(config.index_peak_month, config.n_months - 1)
    rise = np.log1p(config.index_peak) * months / max(peak, 1)
    fall = np.log1p(config.index_peak) + np.log1p(-config.index_fall) * (months - peak) / max(
        config.n_months - 1 - peak, 1
    )
    trend = np.where(months <= peak, rise, fall)
    cycle = config.index_cycle * np.sin(2 * np.pi * months / 12)
    city = np.cumsum(rng.normal(0, config.index_noise, config.n_months))
    district = np.cumsum(
        rng.normal(0, config.district_index_noise, (config.n_districts, config.n_months)), axis=1
    )
    return trend + cycle + city - city[0] + district - district[:, :1]


def build_market(config: PropertyMarketConfig, rng: np.random.Generator) -> Market:
    """Draw districts, communities and the price index of one market."""
    n_d, per = config.n_districts, config.communities_per_district
    radius = np.concatenate([[0.0], rng.uniform(3.0, config.district_radius_km, n_d - 1)])
    angle = rng.uniform(0, 2 * np.pi, n_d)
    d_lat, d_lon = km_to_degrees(
        radius * np.cos(angle), radius * np.sin(angle), config.centre_latitude
    )
    district_level = np.exp(-0.02 * radius + rng.normal(0, 0.06, n_d))

    district_of = np.repeat(np.arange(n_d), per)
    n_c = district_of.size
    c_dlat, c_dlon = km_to_degrees(
        rng.normal(0, 1.2, n_c), rng.normal(0, 1.2, n_c), config.centre_latitude
    )
    year = np.clip(np.round(rng.normal(2007, 8, n_c)), 1985, 2022).astype(np.int64)
    low_rise_p = np.select([year < 2000, year < 2010], [0.85, 0.45], 0.10)
    high_floors = rng.choice(np.array([11, 12, 15, 18, 24, 26, 28, 30, 33]), n_c)
    floors = np.where(rng.random(n_c) < low_rise_p, rng.choice([6, 7], n_c), high_floors)
    shares = np.array([config.type_shares[t] for t in PROPERTY_TYPES])
    mix = rng.dirichlet(30 * shares + 1e-9, n_c) if n_c > 1 else shares[None, :]
    weight = rng.lognormal(0, 0.5, n_c)
    pool = community_name_pool()
    names = np.asarray(pool, dtype=object)[rng.choice(len(pool), n_c, replace=False)]
    start = np.datetime64(config.start_month.strftime("%Y-%m"), "M")
    market = Market(
        community_names=names,
        community_district=district_of,
        community_lat=(config.centre_latitude + d_lat)[district_of] + c_dlat,
        community_lon=(config.centre_longitude + d_lon)[district_of] + c_dlon,
        community_price=config.residential_base_price
        * district_level[district_of]
        * rng.lognormal(0, 0.15, n_c),
        community_industrial=rng.lognormal(0, config.industrial_location_sd, n_c),
        community_year=year,
        community_floors=floors.astype(np.int64),
        community_weight=weight / weight.sum(),
        community_type_mix=mix / mix.sum(axis=1, keepdims=True),
        month_starts=(start + np.arange(config.n_months)).astype("datetime64[D]"),
        log_index=price_index(config, rng),
    )
    logger.debug("Built a market of %d districts and %d communities", n_d, n_c)
    return market


def floor_factor(
    floor: np.ndarray, total_floors: np.ndarray, elevator: np.ndarray, type_code: np.ndarray
) -> np.ndarray:
    """Floor coefficient of each unit (see data/README.md for the table).

    Args:
        floor: Floor of the unit, 1-based.
        total_floors: Floors in the building.
        elevator: Whether the building has an elevator.
        type_code: Position of the property type in ``PROPERTY_TYPES``.

    Returns:
        The multiplicative coefficient on unit price.
    """
    walkup = WALKUP_FLOOR_FACTOR[np.clip(floor, 1, WALKUP_FLOOR_FACTOR.size) - 1]
    rel = (floor - 1) / np.maximum(total_floors - 1, 1)
    lifted = (1 + ELEVATOR_FLOOR_SLOPE * rel) * np.where(floor == 1, GROUND_FLOOR_DISCOUNT, 1.0)
    dwelling = np.where(elevator, lifted, walkup)
    dwelling = dwelling * np.where(
        (floor == total_floors) & (total_floors > 1), TOP_FLOOR_DISCOUNT, 1
    )
    shop = np.select([floor == 1, floor == 2], [1.0, 0.65], 0.5)
    industrial = np.where(floor == 1, 1.0, 0.9)
    return np.choose(type_code, [dwelling, shop, dwelling, industrial])
