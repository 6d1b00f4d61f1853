"""Haidian's rule (Case 1), exactly: the cash enforceability ratio (现金可执行率) =
bank deposits found ÷ amount to be enforced; cases are sorted by it, highest first.

A case whose bank search is not back has no ratio; it sorts after every case that has one
(score −1). Equal ratios (most often 0: no deposits) keep the queue's order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def cash_ratio(cases: pd.DataFrame) -> np.ndarray:
    """Deposits found ÷ amount due (``NaN`` when the bank search is not back)."""
    deposits = pd.to_numeric(cases["bank_deposits_found"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    amount = pd.to_numeric(cases["amount_due"], errors="coerce").to_numpy(dtype=np.float64)
    return deposits / np.where(amount > 0, amount, np.nan)


def cash_ratio_score(cases: pd.DataFrame) -> np.ndarray:
    """The ranking score of the rule: the ratio, −1 where there is none."""
    ratio = cash_ratio(cases)
    return np.where(np.isnan(ratio), -1.0, ratio)


def cash_ratio_order(cases: pd.DataFrame) -> np.ndarray:
    """Positions of ``cases`` in Haidian's order (highest ratio first, ties in queue order)."""
    return np.argsort(-cash_ratio_score(cases), kind="stable")
