"""The configuration effect: a random effect on the combination of low-cardinality columns.

Many sales tables describe an item by a handful of coarse attributes (make, body, cylinders,
doors, a few option flags) whose *combination* — the configuration — carries most of the
price, with interactions a main-effects ridge cannot express. :class:`ConfigKey` turns the
values of every low-cardinality column into one integer key per row, and the linear member
estimates a level effect per key, shrunk towards zero with a pseudo-count chosen by
leave-one-out error on the training residuals (see :func:`choose_smoothing`). Keys seen
fewer than twice get no effect, so on data where the combination is nearly unique (Ames:
dozens of such columns) the effect vanishes and the member is dropped.

Keys are built column by column: the running key and the next column's code are combined
and re-indexed against the combinations seen in training, so the key stays small and an
unseen combination (at any step) maps to ``-1``. The batch path is vectorised numpy; the
single-row path (:meth:`ConfigKey.code_row`) does the same with dict lookups.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.tabular import ColumnSpec

#: Pseudo-counts tried for the configuration effect (``inf``: no effect).
SMOOTHINGS: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, math.inf)

_MIN_KEY_COUNT = 2
#: Smallest leave-one-out gain, as a share of the residual sum of squares, to keep the effect.
MIN_GAIN = 0.01


@dataclass(frozen=True)
class ConfigKey:
    """Fitted mapping from low-cardinality column values to a configuration code.

    Attributes:
        columns: Input column positions taking part, in combination order.
        categorical: Whether each of those columns is categorical (else numeric-kind).
        levels: Per column, value → code (``None``/``nan`` missing values have their own).
        nan_code: Per numeric column, the code of a missing value (-1 if unseen).
        steps: Per combination step after the first, the sorted known combined values.
        step_maps: The same as dicts (combined value → next code) for the row path.
        radix: Per column, the number of codes (combined = running key * radix + code).
    """

    columns: tuple[int, ...]
    categorical: tuple[bool, ...]
    levels: tuple[dict[str | float | None, int], ...]
    nan_code: tuple[int, ...]
    steps: tuple[np.ndarray, ...]
    step_maps: tuple[dict[int, int], ...]
    radix: tuple[int, ...]

    def _column_codes(self, j: int, vals: np.ndarray) -> np.ndarray:
        lookup = self.levels[j]
        if self.categorical[j]:
            return np.fromiter((lookup.get(v, -1) for v in vals), np.int64, count=len(vals))
        known = np.fromiter(lookup, np.float64, count=len(lookup))
        x = np.asarray(vals, dtype=np.float64)
        pos = np.clip(np.searchsorted(known, x), 0, max(len(known) - 1, 0))
        hit = known[pos] == x if len(known) else np.zeros(len(x), dtype=bool)
        codes = np.where(hit, pos, -1)
        return np.where(np.isnan(x), self.nan_code[j], codes).astype(np.int64)

    def codes(self, values: Sequence[np.ndarray]) -> np.ndarray:
        """Configuration code per row of normalised columns (-1: unseen configuration)."""
        key = self._column_codes(0, values[self.columns[0]])
        for j in range(1, len(self.columns)):
            code = self._column_codes(j, values[self.columns[j]])
            combined = key * self.radix[j] + code
            known = self.steps[j - 1]
            pos = np.clip(np.searchsorted(known, combined), 0, len(known) - 1)
            valid = (key >= 0) & (code >= 0) & (known[pos] == combined)
            key = np.where(valid, pos, -1)
        return key

    def code_row(self, row_values: Mapping[int, str | float | None]) -> int:
        """Configuration code of one row given as column position → normalised value."""
        key = -1
        for j, col in enumerate(self.columns):
            value = row_values.get(col)
            if self.categorical[j]:
                code = self.levels[j].get(value, -1)
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                code = self.nan_code[j]
            else:
                code = self.levels[j].get(float(value), -1)
            if code < 0:
                return -1
            if j == 0:
                key = code
                continue
            key = self.step_maps[j - 1].get(key * self.radix[j] + code, -1)
            if key < 0:
                return -1
        return key


def _levels(vals: np.ndarray, categorical: bool) -> tuple[dict[str | float | None, int], int]:
    if categorical:
        uniq = sorted({v for v in vals}, key=lambda v: (v is not None, v or ""))
        return {v: i for i, v in enumerate(uniq)}, -1
    x = np.asarray(vals, dtype=np.float64)
    known = np.unique(x[~np.isnan(x)])
    lookup: dict[str | float | None, int] = {float(v): i for i, v in enumerate(known)}
    return lookup, (len(known) if np.isnan(x).any() else -1)


def fit_config_key(
    specs: Sequence[ColumnSpec],
    values: Sequence[np.ndarray],
    max_levels: int,
    exclude: Sequence[int] = (),
) -> tuple[ConfigKey, np.ndarray] | None:
    """Fit the key on training columns; ``None`` when fewer than two columns qualify.

    Args:
        specs: Column specs.
        values: Normalised training columns.
        max_levels: Columns with at most this many distinct values (missing counted) join.
        exclude: Column positions never to use.

    Returns:
        The key and the training rows' codes, or ``None``.
    """
    columns = [
        i
        for i, vals in enumerate(values)
        if i not in exclude
        and pd.Series(vals, dtype=object if specs[i].kind == "categorical" else None).nunique(
            dropna=False
        )
        <= max_levels
    ]
    if len(columns) < 2:
        return None
    categorical = tuple(specs[i].kind == "categorical" for i in columns)
    fitted = [_levels(values[i], c) for i, c in zip(columns, categorical, strict=True)]
    radix = tuple(len(lookup) + int(nan >= 0) for lookup, nan in fitted)
    partial = ConfigKey(
        columns=tuple(columns),
        categorical=categorical,
        levels=tuple(lookup for lookup, _ in fitted),
        nan_code=tuple(nan for _, nan in fitted),
        steps=(),
        step_maps=(),
        radix=radix,
    )
    key = partial._column_codes(0, values[columns[0]])
    steps: list[np.ndarray] = []
    for j in range(1, len(columns)):
        combined = key * radix[j] + partial._column_codes(j, values[columns[j]])
        known, key = np.unique(combined, return_inverse=True)
        steps.append(known)
    maps = tuple({int(v): k for k, v in enumerate(s)} for s in steps)
    fitted_key = ConfigKey(
        columns=partial.columns,
        categorical=categorical,
        levels=partial.levels,
        nan_code=partial.nan_code,
        steps=tuple(steps),
        step_maps=maps,
        radix=radix,
    )
    return fitted_key, key.astype(np.int64)


def choose_smoothing(
    codes: np.ndarray, r: np.ndarray, n_codes: int, fixed: float | None = None
) -> tuple[float, np.ndarray]:
    """Pseudo-count with the smallest leave-one-out error of ``r``, and the level effects.

    A row's leave-one-out effect is ``(sum - r_i) / (count - 1 + s)`` of its key; keys seen
    fewer than twice have no effect. ``inf`` (no effect) is kept unless some pseudo-count
    gains at least :data:`MIN_GAIN` of the residual sum of squares.

    Args:
        codes: Configuration code per row.
        r: Residual per row.
        n_codes: Number of codes.
        fixed: Use this pseudo-count instead of choosing one.

    Returns:
        The pseudo-count and the effect per code (zeros for ``inf``).
    """
    sums = np.bincount(codes, weights=r, minlength=n_codes)
    counts = np.bincount(codes, minlength=n_codes).astype(np.float64)
    active = counts >= _MIN_KEY_COUNT
    row_active = active[codes]
    loo_sum = (sums[codes] - r)[row_active]
    loo_count = counts[codes][row_active] - 1.0
    target = r[row_active]
    # An effect must earn its keep: a leave-one-out gain of at least MIN_GAIN of the
    # residual sum of squares over all rows (not only over rows with a repeated key).
    best_s, best_err = math.inf, float(target @ target) - MIN_GAIN * float(r @ r)
    for s in SMOOTHINGS[:-1] if fixed is None else ():
        err = target - loo_sum / (loo_count + s)
        value = float(err @ err)
        if value < best_err:
            best_s, best_err = s, value
    best_s = best_s if fixed is None else fixed
    if math.isinf(best_s):
        return best_s, np.zeros(n_codes)
    return best_s, np.where(active, sums / (counts + best_s), 0.0)
