"""Evaluation figures logged with each training run."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def predicted_vs_actual(actual: np.ndarray, predicted: np.ndarray, title: str) -> Figure:
    """Log-log scatter of estimates against sale prices, with the ±10% band."""
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.scatter(actual, predicted, s=4, alpha=0.3)
    lo, hi = float(np.min(actual)), float(np.max(actual))
    grid = np.geomspace(lo, hi, 50)
    ax.plot(grid, grid, color="black", lw=1)
    ax.fill_between(grid, grid * 0.9, grid * 1.1, color="green", alpha=0.15, label="±10%")
    ax.set(xscale="log", yscale="log", xlabel="sale price (CNY)", ylabel="estimate (CNY)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def error_by_group(table: pd.DataFrame, group: str) -> Figure:
    """Median APE and interval coverage per group (e.g. property type)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    labels = [str(v) for v in table[group]]
    left.bar(labels, table["median_ape"] * 100)
    left.set(ylabel="median APE (%)", title="error by group")
    right.bar(labels, table["interval_coverage"])
    right.axhline(0.8, color="red", lw=1)
    right.set(ylabel="interval coverage", ylim=(0, 1), title="coverage by group")
    fig.tight_layout()
    return fig


def reliability_curve(table: pd.DataFrame, title: str) -> Figure:
    """Observed rate against mean predicted probability per bin, bins sized by their count.

    ``table`` has the columns of :func:`models.classification.metrics.reliability_table`.
    """
    fig, (ax, hist) = plt.subplots(
        2, 1, figsize=(6, 7), gridspec_kw={"height_ratios": [3, 1]}, sharex=True
    )
    used = table[table["count"] > 0]
    ax.plot([0, 1], [0, 1], color="black", lw=1, label="perfect calibration")
    ax.plot(used["mean_predicted"], used["observed_rate"], marker="o", label="model")
    ax.set(ylabel="observed rate", xlim=(0, 1), ylim=(0, 1))
    ax.set_title(title)
    ax.legend(loc="upper left")
    widths = (table["bin_upper"] - table["bin_lower"]).to_numpy()
    hist.bar(table["bin_lower"], table["count"], width=widths, align="edge", alpha=0.6)
    hist.set(xlabel="predicted probability", ylabel="debtors")
    fig.tight_layout()
    return fig
