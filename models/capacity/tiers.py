"""How a debtor's tier is decided, in this order (thresholds from the settings):

1. **能够履行 (able)** — probability of full performance within 6 months ≥ ``able_probability``;
2. **执行难 (hard: hidden capacity)** — else probability that the debtor has means the searches
   missed ≥ ``hidden_probability``. This comes before "partial" on purpose: a debtor who hides
   means is expected to pay part under pressure, but what the court must do is look for the
   hidden means (the leads), not wait for the part;
3. **部分履行 (partial)** — else expected recovered share ≥ ``partial_share``;
4. **执行不能 (unable)** — otherwise: little will be recovered and nothing points to hidden
   means; the round can be closed (终本) and the creditor pointed to relief.
"""

from __future__ import annotations

import numpy as np

from models.capacity.options import CapacityOptions
from models.capacity.vocabulary import Tier
from models.text import pct


def decide_tiers(
    p_full: np.ndarray, share: np.ndarray, p_hidden: np.ndarray, options: CapacityOptions
) -> np.ndarray:
    """The tier of every row, as an object array of :class:`Tier` members."""
    order = np.array([Tier.ABLE, Tier.HARD, Tier.PARTIAL, Tier.UNABLE], dtype=object)
    index = np.select(
        [
            p_full >= options.able_probability,
            p_hidden >= options.hidden_probability,
            share >= options.partial_share,
        ],
        [0, 1, 2],
        default=3,
    )
    return order[index]


def tier_basis(
    tier: Tier, p_full: float, share: float, p_hidden: float, options: CapacityOptions
) -> str:
    """Which comparisons decided ``tier``, in Chinese."""
    full = f"全部履行概率{pct(p_full)}"
    if tier == Tier.ABLE:
        return f"{full} ≥ {pct(options.able_probability)}（能够履行阈值）"
    steps = [f"{full} < {pct(options.able_probability)}"]
    hidden = f"隐匿财产概率{pct(p_hidden)}"
    if tier == Tier.HARD:
        return "，".join([*steps, f"{hidden} ≥ {pct(options.hidden_probability)}"])
    steps.append(f"{hidden} < {pct(options.hidden_probability)}")
    sign = "≥" if tier == Tier.PARTIAL else "<"
    steps.append(f"预计回收比例{pct(share)} {sign} {pct(options.partial_share)}")
    return "，".join(steps)
