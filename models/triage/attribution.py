"""Additive explanations of a LightGBM booster's raw score that cost one table look-up per tree.

For every leaf, the path from the root is walked once at load time: each split moves the node's
expected value to its child's, and that change is credited to the split feature's group (the
Saabas decomposition). A row's group contributions are then the sum, over trees, of its leaf's
row in that tree's table, and they add up exactly to the raw score minus the sum of the root
values. TreeSHAP would cost hundreds of operations per tree and row; this costs one gather, which
is what ranking a million cases with reasons needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np


def _node_value(node: dict[str, Any]) -> float:
    return float(node["leaf_value"] if "leaf_value" in node else node["internal_value"])


def _tree_table(
    root: dict[str, Any], group_of: np.ndarray, n_groups: int, n_leaves: int
) -> np.ndarray:
    table = np.zeros((n_leaves, n_groups), dtype=np.float32)
    stack: list[tuple[dict[str, Any], np.ndarray]] = [(root, np.zeros(n_groups))]
    while stack:
        node, credit = stack.pop()
        if "leaf_value" in node:
            table[int(node.get("leaf_index", 0))] = credit
            continue
        group = group_of[int(node["split_feature"])]
        for side in ("left_child", "right_child"):
            child = node[side]
            step = credit.copy()
            step[group] += _node_value(child) - _node_value(node)
            stack.append((child, step))
    return table


@dataclass(frozen=True)
class PathAttribution:
    """Per-leaf group credits of every tree of a booster.

    Attributes:
        table: All trees' leaf rows stacked (total leaves × groups).
        offsets: Row of each tree's first leaf in ``table``.
        bias: Sum of the trees' root values (the raw score with no feature credited).
    """

    table: np.ndarray
    offsets: np.ndarray
    bias: float

    @classmethod
    def from_booster(
        cls, booster: lgb.Booster, group_of: np.ndarray, n_groups: int
    ) -> PathAttribution:
        """Tables for ``booster``; ``group_of[j]`` is the group of feature ``j``."""
        trees = booster.dump_model()["tree_info"]
        tables = [
            _tree_table(t["tree_structure"], group_of, n_groups, int(t["num_leaves"]))
            for t in trees
        ]
        sizes = np.array([len(t) for t in tables], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        bias = float(sum(_node_value(t["tree_structure"]) for t in trees))
        return cls(table=np.concatenate(tables), offsets=offsets, bias=bias)

    def contributions(self, leaves: np.ndarray) -> np.ndarray:
        """Group contributions (rows × groups) from ``booster.predict(…, pred_leaf=True)``."""
        out = np.zeros((leaves.shape[0], self.table.shape[1]), dtype=np.float32)
        for tree, offset in enumerate(self.offsets):
            out += self.table[offset + leaves[:, tree]]
        return out
