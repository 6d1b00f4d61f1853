"""A synthetic government base-price table (政府指导价 / 存量房计税基准价) for the generated
property market, so that `make run` and the tests show the 政府基准价法 figure.

The process: the market of ``generate_property_transactions`` with the same seed (the same
小区, districts and price index); each January of the data's last ``years`` years the "tax
bureau" prices a share ``coverage`` of the 小区 (the same ones every year) for 住宅 at
``level`` × the 小区's market price per m² at that month's index, with 5% log-normal
assessment noise, rounded to 10 CNY. Real tables lag the market and sit below it; the level
of 0.85 is an assumption, not a published figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.property.guide_prices import GUIDE_PRICE_LABELS
from models.property.vocabulary import PropertyType
from training.generate.market import DISTRICTS, PropertyMarketConfig, build_market


def generate_guide_prices(
    seed: int = 0,
    config: PropertyMarketConfig | None = None,
    *,
    years: int = 3,
    coverage: float = 0.9,
    level: float = 0.85,
) -> pd.DataFrame:
    """The table, with the Chinese column headers the server reads.

    Args:
        seed: The property generator's seed whose market is priced.
        config: That generator's market knobs; ``PropertyMarketConfig()`` when None.
        years: How many of the data's last Januaries are priced.
        coverage: Share of the 小区 the table holds.
        level: Government price ÷ market price.

    Raises:
        ValueError: ``coverage`` or ``level`` not in (0, 1], or ``years`` below 1.
    """
    if not 0 < coverage <= 1 or not 0 < level <= 1 or years < 1:
        raise ValueError("coverage and level must lie in (0, 1] and years be at least 1")
    config = config or PropertyMarketConfig()
    market = build_market(config, np.random.default_rng(seed))
    rng = np.random.default_rng([seed, 20_181])  # its own stream: the market stays the same
    months = pd.DatetimeIndex(market.month_starts)
    januaries = np.flatnonzero(months.month == 1)[-years:]
    priced = np.flatnonzero(rng.random(market.community_names.size) < coverage)
    rows = []
    for month in januaries:
        day = months[month].date()
        index = np.exp(market.log_index[market.community_district[priced], month])
        noise = rng.lognormal(0, 0.05, priced.size)
        prices = np.round(market.community_price[priced] * index * level * noise, -1)
        for community, price in zip(priced, prices, strict=True):
            rows.append(
                {
                    "district": DISTRICTS[market.community_district[community]],
                    "community": market.community_names[community],
                    "property_type": PropertyType.RESIDENTIAL.value,
                    "price_per_m2": float(price),
                    "effective_from": day,
                    "source": f"温岭市税务局{day.year}年度存量房交易计税基准价（模拟）",
                }
            )
    return pd.DataFrame(rows).rename(columns=GUIDE_PRICE_LABELS)
