"""Blend weight: the trees must clearly beat the linear member; backfitting converges."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from models.estimator import _trees_clearly_win
from models.ridge import backfit


def test_trees_kept_only_on_a_clear_win() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=500)
    linear = z + rng.normal(0.0, 0.2, 500)
    assert _trees_clearly_win(linear, z + rng.normal(0.0, 0.1, 500), z)
    assert not _trees_clearly_win(linear, linear + rng.normal(0.0, 0.01, 500), z)
    assert not _trees_clearly_win(linear[:1], z[:1], z[:1])


def test_backfit_reaches_the_joint_optimum() -> None:
    """With a configuration effect nesting a one-hot column, 3 rounds already converge."""
    rng = np.random.default_rng(1)
    n_rows, n_codes = 400, 20
    codes = rng.integers(0, n_codes, n_rows)
    group = codes % 4
    onehot = sparse.csr_matrix(np.eye(4)[group])
    mileage = rng.normal(size=n_rows)
    design = sparse.hstack([sparse.csr_matrix(mileage[:, None]), onehot], format="csr")
    z = rng.normal(0.0, 0.5, n_codes)[codes] + 0.3 * group - 0.2 * mileage
    z = z + rng.normal(0.0, 0.05, n_rows)
    quick = backfit(design, z, (1.0,), {}, 5.0, 3, (codes, n_codes))
    slow = backfit(design, z, (1.0,), {}, 5.0, 400, (codes, n_codes))
    assert quick[4] is not None and slow[4] is not None

    def fitted(fit: tuple) -> np.ndarray:
        return fit[0] + design @ fit[1] + fit[4][codes]

    np.testing.assert_allclose(fitted(quick), fitted(slow), atol=2e-3)
    assert np.sqrt(np.mean((z - fitted(quick)) ** 2)) < 0.1
