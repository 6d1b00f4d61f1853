"""The synthetic used-vehicle market: catalogue, regions, depreciation, price index, knobs.

Everything here is the *structure* behind the generated transactions; ``vehicle.py`` samples
rows from it, prices them and plants defects. ``data/README.md`` documents every number.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from models.vehicle.vocabulary import BodyType, Color, Fuel, Origin

logger = logging.getLogger(__name__)

_P, _DI, _H, _E = Fuel.PETROL, Fuel.DIESEL, Fuel.HYBRID, Fuel.ELECTRIC
FUELS: tuple[Fuel, ...] = tuple(Fuel)
COLORS: tuple[Color, ...] = tuple(Color)


class Segment(StrEnum):
    """Depreciation segment of a series (not a column: the model has to learn it)."""

    ECONOMY = "economy"
    MAINSTREAM = "mainstream"
    LUXURY = "luxury"


_EC, _MS, _LX = Segment.ECONOMY, Segment.MAINSTREAM, Segment.LUXURY
_SEGMENT_CODE = {"eco": _EC, "main": _MS, "lux": _LX}


class Series(NamedTuple):
    """One series (车系) of the catalogue; prices in 万元, power in kW, launch as YYYY-MM."""

    brand: str
    name: str
    origin: Origin
    body: BodyType
    segment: Segment
    fuels: dict[Fuel, float]
    price: tuple[float, float]
    power: tuple[float, float]
    manual: float
    launch: str
    weight: float
    retention: float  # multiplies the segment's depreciation: < 1 holds value better


# One series per line, columns separated by two or more spaces: brand, series, origin, body type,
# depreciation segment (economy / mainstream / luxury), fuels with their share of trims (no share:
# all), new-car guide price range over the trims (万元), power range (kW), share of manual
# gearboxes, launch month (no registration before it), relative sales weight, and retention (a
# factor on the segment's depreciation: below 1 holds value better, e.g. Toyota, Lexus).
_CATALOGUE_TABLE = """
brand     series      from  body  seg   fuels            万元     kW       man   launch   wt   keep
比亚迪    秦PLUS      自主  轿车  eco   混动.75 纯电.25  8-15     80-150   0     2021-03  3    1.0
比亚迪    汉          自主  轿车  main  纯电.6 混动.4    19-30    160-380  0     2020-07  2    1.0
比亚迪    宋PLUS      自主  SUV   main  混动.8 纯电.2    13-20    110-160  0     2020-09  2.5  1.0
比亚迪    海豚        自主  轿车  eco   纯电             9-13     70-150   0     2021-08  1.5  1.0
吉利      帝豪        自主  轿车  eco   汽油             6-9      78-98    0.3   2009-06  2.5  1.1
吉利      星越L       自主  SUV   main  汽油.85 混动.15  14-20    160-175  0     2021-07  1.2  1.0
哈弗      哈弗H6      自主  SUV   eco   汽油.9 混动.1    10-15    110-155  0.15  2011-08  3    1.05
长安      CS75 PLUS   自主  SUV   eco   汽油             10-16    132-170  0.1   2019-09  2    1.05
长安      逸动        自主  轿车  eco   汽油             7-10     94-138   0.3   2012-05  1.5  1.1
奇瑞      瑞虎8       自主  SUV   eco   汽油             9-15     115-187  0.1   2018-03  1.2  1.1
五菱      宏光MINIEV  自主  轿车  eco   纯电             3-5      20-30    0     2020-07  1.5  1.0
五菱      宏光        自主  MPV   eco   汽油             5-7      73-99    0.8   2010-09  1.2  0.95
长城      长城炮      自主  皮卡  eco   柴油.6 汽油.4    10-20    120-150  0.5   2019-09  1    0.9
广汽传祺  M8          自主  MPV   main  汽油.7 混动.3    19-33    185-185  0     2017-12  0.8  0.95
理想      理想L7      自主  SUV   main  混动             31-38    300-330  0     2023-02  1    1.0
蔚来      ES6         自主  SUV   lux   纯电             34-47    320-360  0     2018-12  0.8  1.1
小鹏      P7          自主  轿车  main  纯电             21-34    196-348  0     2020-05  0.8  1.1
大众      朗逸        合资  轿车  main  汽油             10-15.5  81-110   0.15  2008-06  4    0.95
大众      帕萨特      合资  轿车  main  汽油             18-25    110-162  0     2011-05  2    1.0
大众      途观L       合资  SUV   main  汽油             21-29    137-162  0     2016-12  2    1.0
丰田      卡罗拉      合资  轿车  main  汽油.65 混动.35  11-16    90-110   0.05  2004-02  3    0.8
丰田      凯美瑞      合资  轿车  main  汽油.6 混动.4    18-27    130-160  0     2006-05  2    0.8
丰田      RAV4荣放    合资  SUV   main  汽油.7 混动.3    17-26    126-163  0     2009-03  1.5  0.8
丰田      汉兰达      合资  SUV   main  汽油.7 混动.3    25-35    183-183  0     2009-11  1.2  0.8
丰田      赛那        合资  MPV   main  混动             31-42    140-140  0     2021-05  0.6  0.7
丰田      埃尔法      进口  MPV   lux   混动.7 汽油.3    85-120   145-202  0     2010-01  0.3  0.3
本田      思域        合资  轿车  main  汽油             12-17    96-133   0.05  2006-04  1.8  0.85
本田      雅阁        合资  轿车  main  汽油.75 混动.25  17-26    143-158  0     2003-01  2    0.85
本田      CR-V        合资  SUV   main  汽油.8 混动.2    18-27    142-150  0     2004-06  1.8  0.85
日产      轩逸        合资  轿车  main  汽油             10-14    99-99    0.1   2006-06  3.5  0.95
别克      英朗        合资  轿车  eco   汽油             8-13     86-121   0.15  2010-01  2    1.15
别克      GL8         合资  MPV   main  汽油.85 混动.15  23-45    174-174  0     2005-01  1.5  0.85
宝马      3系         合资  轿车  lux   汽油             29-40    115-190  0     2005-01  2    1.0
宝马      5系         合资  轿车  lux   汽油.9 混动.1    43-56    135-220  0     2006-01  1.5  1.0
宝马      X5          进口  SUV   lux   汽油.9 混动.1    60-80    250-390  0     2005-01  0.6  1.0
奔驰      C级         合资  轿车  lux   汽油             32-47    125-190  0     2008-01  2    1.0
奔驰      E级         合资  轿车  lux   汽油             43-66    150-190  0     2010-01  1.5  1.0
奥迪      A4L         合资  轿车  lux   汽油             30-40    110-185  0     2009-01  1.8  1.05
奥迪      Q5L         合资  SUV   lux   汽油             40-50    150-200  0     2018-08  1.5  1.0
雷克萨斯  ES          进口  轿车  lux   混动.6 汽油.4    29-44    151-160  0     2006-01  1.2  0.6
雷克萨斯  RX          进口  SUV   lux   混动.4 汽油.6    45-70    175-273  0     2009-01  0.6  0.65
保时捷    Macan       进口  SUV   lux   汽油             57-90    185-280  0     2014-04  0.5  0.8
保时捷    Cayenne     进口  SUV   lux   汽油.85 混动.15  92-180   250-404  0     2005-01  0.3  0.8
路虎      揽胜        进口  SUV   lux   汽油             120-200  250-400  0     2005-01  0.2  1.15
特斯拉    Model 3     进口  轿车  main  纯电             23-34    194-357  0     2019-12  1.5  1.0
特斯拉    Model Y     进口  SUV   main  纯电             26-36    220-357  0     2021-01  1.5  1.0
"""


def _parse_catalogue(table: str) -> tuple[Series, ...]:
    """Rows of the table above; ``price`` and ``power`` are low-high ranges over the trims."""

    def span(text: str) -> tuple[float, float]:
        low, high = text.split("-")
        return float(low), float(high)

    series = []
    for line in table.strip().splitlines()[1:]:
        brand, name, origin, body, segment, fuels, price, power, manual, launch, weight, keep = (
            re.split(r"\s{2,}", line.strip())
        )
        shares = {Fuel(f[:2]): float(f[2:] or 1) for f in fuels.split()}
        spec = (brand, name, Origin(origin), BodyType(body), _SEGMENT_CODE[segment], shares)
        ranges = (span(price), span(power))
        series.append(Series(*spec, *ranges, float(manual), launch, float(weight), float(keep)))
    return tuple(series)


CATALOGUE: tuple[Series, ...] = _parse_catalogue(_CATALOGUE_TABLE)

# Depreciation per segment, age in years:
#   log retained = -retention * (immediate + drop * (1 - exp(-age / tau)) + rate * age)
SEGMENT_IMMEDIATE = {_EC: 0.08, _MS: 0.07, _LX: 0.12}  # guide price vs real new-car price
SEGMENT_DROP = {_EC: 0.12, _MS: 0.10, _LX: 0.30}
SEGMENT_TAU_YEARS = {_EC: 1.0, _MS: 1.0, _LX: 1.5}
SEGMENT_RATE = {_EC: 0.085, _MS: 0.075, _LX: 0.065}
FUEL_EXTRA_RATE = {_P: 0.0, _DI: -0.01, _H: 0.015, _E: 0.05}  # per year, not scaled by retention

# Region: (city, share of rows, log price effect, cold winters: electric range falls)
REGIONS: tuple[tuple[str, float, float, bool], ...] = (
    ("银川", 0.22, -0.02, True), ("石嘴山", 0.05, -0.05, True), ("吴忠", 0.05, -0.05, True),
    ("固原", 0.03, -0.07, True), ("中卫", 0.03, -0.06, True), ("兰州", 0.08, -0.03, True),
    ("呼和浩特", 0.07, -0.03, True), ("西安", 0.12, 0.0, False), ("成都", 0.10, 0.01, False),
    ("北京", 0.10, 0.04, False), ("上海", 0.08, 0.05, False), ("广州", 0.07, 0.03, False),
)  # fmt: skip
COLD_ELECTRIC_EFFECT = -0.06
COLOR_SHARE = np.array([0.32, 0.25, 0.13, 0.12, 0.08, 0.06, 0.04])
COLOR_EFFECT = np.array([0.0, 0.0, -0.01, -0.01, -0.02, -0.02, -0.04])
MANUAL_EFFECT = -0.04
# 国四: -(0.03 + 0.05 x month / last month), growing as more cities restrict it; 国五 after
# 国六b (2023-07) -0.03.
CN4_DISCOUNT = (0.03, 0.05)
CN5_DISCOUNT_AFTER = ("2023-07", 0.03)


class VehicleMarketConfig(BaseModel):
    """Knobs of the synthetic used-vehicle market; ``data/README.md`` gives the meaning of each.

    Shares of defects are of ``n_rows``; the other knobs are named for the effect they set.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_month: date = date(2020, 11, 1)
    n_months: int = Field(default=72, ge=1, le=600)
    age_shape: float = Field(default=2.0, gt=0)
    age_scale_years: float = Field(default=2.4, gt=0)
    max_age_years: float = Field(default=15.0, gt=1)
    annual_km_median: float = Field(default=14_000.0, gt=0)
    annual_km_sd: float = Field(default=0.30, ge=0, lt=1)
    electric_km_factor: float = Field(default=1.15, gt=0)
    mileage_effect_per_10k_km: float = Field(default=0.012, ge=0, lt=0.2)
    transfers_per_year: float = Field(default=0.12, ge=0, lt=1)
    transfer_effect: float = Field(default=0.025, ge=0, lt=0.5)
    dealer_share: float = Field(default=0.6, ge=0, le=1)
    dealer_premium: float = Field(default=0.06, ge=0, lt=0.5)
    accident_share: float = Field(default=0.05, ge=0, le=0.5)
    flood_share: float = Field(default=0.012, ge=0, le=0.5)
    accident_effect: float = Field(default=0.20, ge=0, lt=2)
    flood_effect: float = Field(default=0.42, ge=0, lt=2)
    petrol_index_knots: tuple[tuple[int, float], ...] = (
        (0, 0.0), (14, 0.04), (28, 0.03), (40, -0.04), (71, -0.07),
    )  # fmt: skip
    electric_index_knots: tuple[tuple[int, float], ...] = (
        (0, 0.0), (16, 0.05), (28, 0.02), (50, -0.18), (71, -0.22),
    )  # fmt: skip
    index_noise: float = Field(default=0.004, ge=0, lt=0.2)
    noise_scale: float = Field(default=0.05, ge=0, lt=1)
    noise_age_slope: float = Field(default=0.06, ge=0, lt=1)
    private_noise_factor: float = Field(default=1.2, gt=0)
    noise_df: float = Field(default=5.0, gt=2.0)
    exact_duplicate_share: float = Field(default=0.02, ge=0, le=0.2)
    relisting_share: float = Field(default=0.03, ge=0, le=0.2)
    relisting_window_days: int = Field(default=60, ge=1, le=365)
    relisting_max_price_cut: float = Field(default=0.06, ge=0, lt=0.5)
    relisting_max_extra_km: int = Field(default=300, ge=0)
    zero_mileage_share: float = Field(default=0.003, ge=0, le=0.1)
    price_unit_error_share: float = Field(default=0.005, ge=0, le=0.1)
    registration_after_transaction_share: float = Field(default=0.003, ge=0, le=0.1)
    mileage_typo_share: float = Field(default=0.003, ge=0, le=0.1)
    missing_required_share: float = Field(default=0.003, ge=0, le=0.1)
    series_typo_share: float = Field(default=0.002, ge=0, le=0.1)
    messy_text_share: float = Field(default=0.01, ge=0, le=0.5)


@dataclass(frozen=True)
class VehicleMarket:
    """A drawn market: the trims (配置) of every series and one price index per fuel.

    Attributes:
        trim_series: Position in ``CATALOGUE`` of each trim's series.
        trim_price: New-car guide price (CNY) of each trim.
        trim_power: Engine power (kW) of each trim.
        trim_fuel: Position in ``FUELS`` of each trim's fuel.
        trim_manual: Whether each trim has a manual gearbox.
        series_trims: Trim positions of each series, padded with -1, shape (series, max trims).
        series_trim_cum: Cumulative trim probabilities, same shape (padded with 1).
        month_starts: First day of each month, ``datetime64[D]``.
        log_index: Log price index, shape (fuels, months), in ``FUELS`` order.
    """

    trim_series: np.ndarray
    trim_price: np.ndarray
    trim_power: np.ndarray
    trim_fuel: np.ndarray
    trim_manual: np.ndarray
    series_trims: np.ndarray
    series_trim_cum: np.ndarray
    month_starts: np.ndarray
    log_index: np.ndarray


def log_retained(
    age_years: np.ndarray, series_code: np.ndarray, fuel_code: np.ndarray
) -> np.ndarray:
    """Log of the share of the new price a car keeps at ``age_years`` (before other effects)."""
    segments = [s.segment for s in CATALOGUE]
    immediate, drop, tau, rate = (
        np.array([table[g] for g in segments])[series_code]
        for table in (SEGMENT_IMMEDIATE, SEGMENT_DROP, SEGMENT_TAU_YEARS, SEGMENT_RATE)
    )
    retention = np.array([s.retention for s in CATALOGUE])[series_code]
    extra = np.array([FUEL_EXTRA_RATE[f] for f in FUELS])[fuel_code]
    curve = immediate + drop * (1 - np.exp(-age_years / tau)) + rate * age_years
    return -retention * curve - extra * age_years


def price_index(config: VehicleMarketConfig, rng: np.random.Generator) -> np.ndarray:
    """Log price index per fuel and month, shape (fuels, months): the knots plus a shared walk."""
    months = np.arange(config.n_months)

    def curve(knots: tuple[tuple[int, float], ...]) -> np.ndarray:
        x, y = zip(*knots, strict=True)
        return np.interp(months, x, y)

    petrol, electric = curve(config.petrol_index_knots), curve(config.electric_index_knots)
    by_fuel = {_P: petrol, _DI: petrol, _H: (petrol + electric) / 2, _E: electric}
    walk = np.cumsum(rng.normal(0, config.index_noise, config.n_months))
    return np.stack([by_fuel[f] for f in FUELS]) + walk - walk[0]


def _series_trims(spec: Series, rng: np.random.Generator) -> list[tuple[float, float, int, bool]]:
    """(guide price CNY, power kW, fuel code, manual) of each trim of one series."""
    n = int(rng.integers(3, 7))
    position = np.linspace(0, 1, n)
    price = spec.price[0] * (spec.price[1] / spec.price[0]) ** position
    power = spec.power[0] * (spec.power[1] / spec.power[0]) ** position
    fuels = [FUELS.index(f) for f in spec.fuels]
    share = np.array(list(spec.fuels.values()))
    drawn = rng.choice(fuels, n, p=share / share.sum())
    drawn[rng.permutation(n)[: len(fuels)]] = fuels  # every listed fuel has a trim
    trims = [
        (float(np.round(p * 10_000, -3) - 100), float(np.round(w)), int(f), False)
        for p, w, f in zip(price, power, drawn, strict=True)
    ]
    if spec.manual > 0:
        trims.append((trims[0][0] - 10_000, trims[0][1], FUELS.index(_P), True))
    return trims


def build_market(config: VehicleMarketConfig, rng: np.random.Generator) -> VehicleMarket:
    """Draw the trims of every series and the price index of one market."""
    rows: list[tuple[int, float, float, int, bool, float]] = []
    for s, spec in enumerate(CATALOGUE):
        trims = _series_trims(spec, rng)
        n_auto = len(trims) - (spec.manual > 0)
        auto_weight = rng.dirichlet(np.full(n_auto, 4.0)) * (1 - spec.manual)
        weights = [*auto_weight, spec.manual] if spec.manual > 0 else list(auto_weight)
        rows += [(s, *trim, w) for trim, w in zip(trims, weights, strict=True)]
    series, price, power, fuel, manual, weight = (np.array(c) for c in zip(*rows, strict=True))
    width = int(np.bincount(series).max())
    table = np.full((len(CATALOGUE), width), -1, dtype=np.int64)
    cum = np.ones((len(CATALOGUE), width))
    for s in range(len(CATALOGUE)):
        own = np.flatnonzero(series == s)
        table[s, : own.size] = own
        cum[s, : own.size] = np.cumsum(weight[own]) / weight[own].sum()
    start = np.datetime64(config.start_month.strftime("%Y-%m"), "M")
    logger.debug("Built a vehicle market of %d trims", series.size)
    return VehicleMarket(
        trim_series=series.astype(np.int64),
        trim_price=price.astype(np.float64),
        trim_power=power.astype(np.float64),
        trim_fuel=fuel.astype(np.int64),
        trim_manual=manual.astype(bool),
        series_trims=table,
        series_trim_cum=cum,
        month_starts=(start + np.arange(config.n_months)).astype("datetime64[D]"),
        log_index=price_index(config, rng),
    )
