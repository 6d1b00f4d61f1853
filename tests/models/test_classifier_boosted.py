"""The tree member: one round count for all folds, categorical smoothing chosen inside."""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pytest
from scipy.special import expit
from sklearn.model_selection import StratifiedKFold

from models.classification import boosted_member
from models.classification.boosted_member import MAX_CAT_TO_ONEHOT, fit_boosted_member
from models.classification.params import ClassifierParams

FAST = ClassifierParams(
    learning_rate=0.1, n_estimators=200, early_stopping_rounds=20, cat_smooth=(10.0, 200.0)
)


Columns = dict[str, np.ndarray]


def loans(n_levels: int, n_rows: int = 1500, seed: int = 0) -> tuple[Columns, Columns, np.ndarray]:
    """Numeric and categorical columns, and outcomes driven by the numeric one only."""
    rng = np.random.default_rng(seed)
    income = rng.normal(0.0, 1.0, n_rows)
    region = rng.choice([f"省{k}" for k in range(n_levels)], n_rows).astype(object)
    y = (rng.random(n_rows) < expit(1.5 * income)).astype(np.float64)
    return {"收入": income}, {"地区": region}, y


def folds(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(StratifiedKFold(3, shuffle=True, random_state=0).split(y, y))


@pytest.mark.parametrize(
    ("n_levels", "tried"), [(3, 1), (MAX_CAT_TO_ONEHOT, 1), (MAX_CAT_TO_ONEHOT + 12, 2)]
)
def test_smoothing_candidates_only_for_many_level_categoricals(
    n_levels: int, tried: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    numeric, categorical, y = loans(n_levels)
    seen = _tried_settings(monkeypatch)
    params = FAST.model_copy(update={"extra_trees_max_rows": 0})
    fit_boosted_member(numeric, categorical, y, folds(y), monotone={}, params=params, seed=0)
    assert seen == [(smooth, False) for smooth in FAST.cat_smooth[:tried]]


def _tried_settings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, bool]]:
    """The (cat_smooth, extra_trees) settings the inner cross-validation will try, as tried."""
    seen: list[tuple[float, bool]] = []
    original = boosted_member._cross_validated

    def spy(*args: Any) -> tuple[float, list[lgb.Booster]]:
        seen.append((args[2]["cat_smooth"], args[2]["extra_trees"]))
        return original(*args)

    monkeypatch.setattr(boosted_member, "_cross_validated", spy)
    return seen


@pytest.mark.parametrize(("max_rows", "randomised"), [(1499, [False]), (1500, [False, True])])
def test_extra_trees_is_a_candidate_only_on_small_samples(
    max_rows: int, randomised: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    numeric, categorical, y = loans(MAX_CAT_TO_ONEHOT + 12)  # 1,500 rows
    seen = _tried_settings(monkeypatch)
    params = FAST.model_copy(update={"extra_trees_max_rows": max_rows})
    fit_boosted_member(numeric, categorical, y, folds(y), monotone={}, params=params, seed=0)
    assert seen == [(smooth, extra) for extra in randomised for smooth in FAST.cat_smooth]


def test_fold_boosters_share_one_round_count_and_score_held_out_rows() -> None:
    numeric, categorical, y = loans(20)
    inner = folds(y)
    # Without extra_trees: with random thresholds, a fold's booster skips a round whose tree
    # finds no gain (now and then, on two features one of which is noise): fewer trees, not a
    # round count of its own, but it blurs the count checked here.
    exact = FAST.model_copy(update={"extra_trees_max_rows": 0})
    fit = fit_boosted_member(numeric, categorical, y, inner, monotone={}, params=exact, seed=0)
    rounds = {b.current_iteration() for b in fit.member.boosters}
    assert len(rounds) == 1 and len(fit.member.boosters) == len(inner)
    for booster, (_, held) in zip(fit.member.boosters, inner, strict=True):
        matrix = fit.member.matrix({**numeric, **categorical})[held]
        assert np.allclose(fit.oof[held], booster.predict(matrix, raw_score=True))
    assert np.corrcoef(fit.oof, numeric["收入"])[0, 1] > 0.8
