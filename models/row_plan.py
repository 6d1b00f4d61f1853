"""Precompiled lookups that value one row without pandas (the serving fast path).

A :class:`RowPlan` merges, per input column, everything the blend needs: the booster
feature (raw number, categorical code or target mean) and the linear member's term. A row
given as a plain mapping is then one pass of dict lookups into a ``float64`` array, one
``booster.predict`` call and a handful of vectorised numpy operations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.encoding import TreeDesign
from models.linear_member import LinearMember
from models.tabular import ColumnSpec, canonical_category, normalize_scalar

CategoryTable = dict[str | None, tuple[float, float]]


@dataclass(frozen=True)
class RowPlan:
    """Per-column encoding tables for single-row prediction.

    Attributes:
        n_features: Number of booster features (= input columns).
        numeric: ``(position, column, kind)`` of numeric-kind columns.
        categorical: ``(position, column, table, default)`` of categorical columns, where
            ``table`` maps a canonical category to ``(booster feature, linear term)``.
        linear: The linear member (for its vectorised numeric terms).
    """

    n_features: int
    numeric: tuple[tuple[int, str, str], ...]
    categorical: tuple[tuple[int, str, CategoryTable, tuple[float, float]], ...]
    linear: LinearMember

    def encode(self, row: Mapping[str, Any]) -> tuple[np.ndarray, float]:
        """Booster feature vector and linear-member prediction for one row.

        Args:
            row: Column name → already-typed value; missing keys count as missing values.

        Returns:
            A ``(1, n_features)`` array and the linear prediction (log scale).
        """
        arr = np.empty(self.n_features, dtype=np.float64)
        for pos, name, kind in self.numeric:
            value = row.get(name)
            kind_of = type(value)
            arr[pos] = value if kind_of is float or kind_of is int else _number(kind, value)
        linear = self.linear.intercept
        config = self.linear.config_key
        keys: dict[int, str | float | None] = {}
        for pos, name, table, default in self.categorical:
            value = row.get(name)
            key = (value.strip() or None) if type(value) is str else canonical_category(value)
            feature, term = table.get(key, default)
            arr[pos] = feature
            linear += term
            keys[pos] = key
        if len(self.linear.num_idx):
            linear += float(self.linear.numeric_terms(arr[self.linear.num_idx]).sum())
        if config is not None:
            linear += self.linear.config_value(self._config_code(arr, keys))
        return arr.reshape(1, -1), linear

    def _config_code(self, arr: np.ndarray, keys: Mapping[int, str | float | None]) -> int:
        config = self.linear.config_key
        if config is None:
            return -1
        values = {pos: keys[pos] if pos in keys else float(arr[pos]) for pos in config.columns}
        return config.code_row(values)

    def encode_terms(self, row: Mapping[str, Any]) -> tuple[np.ndarray, float, np.ndarray]:
        """:meth:`encode` of one row, then the linear member's per-column terms."""
        arr, linear = self.encode(row)
        terms = np.zeros(self.n_features)
        keys: dict[int, str | float | None] = {}
        for pos, name, table, default in self.categorical:
            key = canonical_category(row.get(name))
            keys[pos] = key
            terms[pos] = table.get(key, default)[1]
        if len(self.linear.num_idx):
            terms[self.linear.num_idx] = self.linear.numeric_terms(arr[0, self.linear.num_idx])
        config = self.linear.config_key
        if config is not None:
            effect = self.linear.config_value(self._config_code(arr[0], keys))
            terms[list(config.columns)] += effect / len(config.columns)
        return arr, linear, terms


def _number(kind: str, value: Any) -> float:
    result = normalize_scalar(kind, value)
    return result if isinstance(result, float) else math.nan


def compile_plan(specs: list[ColumnSpec], tree_design: TreeDesign, linear: LinearMember) -> RowPlan:
    """Merge the tree design and the linear member into per-column lookup tables."""
    linear_tables = dict(
        zip(
            linear.cat_idx,
            zip(linear.cat_lookup, linear.cat_default, strict=True),
            strict=True,
        )
    )
    numeric: list[tuple[int, str, str]] = []
    categorical: list[tuple[int, str, CategoryTable, tuple[float, float]]] = []
    for pos, (spec, tree_col) in enumerate(zip(specs, tree_design.columns, strict=True)):
        if spec.kind != "categorical":
            numeric.append((pos, spec.name, spec.kind))
            continue
        lin_lookup, lin_default = linear_tables.get(pos, ({}, 0.0))
        keys = set(tree_col.lookup) | set(lin_lookup)
        table = {
            key: (tree_col.lookup.get(key, tree_col.default), lin_lookup.get(key, lin_default))
            for key in keys
        }
        categorical.append((pos, spec.name, table, (tree_col.default, lin_default)))
    return RowPlan(
        n_features=len(specs),
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        linear=linear,
    )
