"""繁简分流: which lane each ranked case goes to.

Among the open cases, in rank order (easiest first, by the model's ease score):

* **简案 (fast track)** — the easiest cases whose probability of being closed with payment
  within the statutory period is at least ``lane_fast_probability``, up to the fast-track
  team's capacity (``fast_track_capacity``): the lane fills to the team, never beyond it;
* **繁案 (complex)** — cases below ``lane_complex_probability``;
* **普通** — the rest.

Closed cases are in no lane (``None``): they are listed for their alerts (archiving, 终本
audit), after every open case.
"""

from __future__ import annotations

import numpy as np

from models.triage.vocabulary import Lane


def rank_order(ease: np.ndarray, is_open: np.ndarray) -> np.ndarray:
    """Positions in rank order: open cases by ease (highest first), then closed ones; equal
    scores keep the queue's order."""
    return np.lexsort((np.arange(len(ease)), -ease, ~is_open))


def assign_lanes(
    probability: np.ndarray,
    is_open: np.ndarray,
    order: np.ndarray,
    *,
    fast_probability: float,
    complex_probability: float,
    fast_capacity: int,
) -> np.ndarray:
    """The lane of each case (object array of ``Lane`` values or ``None``), by position."""
    lanes = np.full(len(probability), None, dtype=object)
    lanes[is_open] = Lane.NORMAL.value
    lanes[is_open & (probability < complex_probability)] = Lane.COMPLEX.value
    candidates = order[is_open[order] & (probability[order] >= fast_probability)]
    lanes[candidates[:fast_capacity]] = Lane.FAST.value
    return lanes
