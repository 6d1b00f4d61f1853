"""Hyperparameters of the difficulty model's two boosters."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DifficultyParams(BaseModel):
    """LightGBM settings shared by both heads (all bounded).

    One thread by default: on a shared 2-core machine, OpenMP threads that wait for a busy core
    slow training badly (see ``models.classification.params``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    learning_rate: float = Field(0.08, gt=0, le=1)
    num_leaves: int = Field(31, ge=2, le=1024)
    min_data_in_leaf: int = Field(100, ge=1)
    feature_fraction: float = Field(0.8, gt=0, le=1)
    bagging_fraction: float = Field(0.8, gt=0, le=1)
    lambda_l2: float = Field(1.0, ge=0)
    n_estimators: int = Field(600, ge=1, le=10_000)
    early_stopping_rounds: int = Field(30, ge=1)
    validation_share: float = Field(
        0.1, gt=0, lt=0.5, description="Training cases held out to early-stop each head."
    )
    n_jobs: int = Field(1, ge=1, le=64)

    def lightgbm(self, seed: int) -> dict[str, object]:
        """LightGBM parameters (objective and metric are set per head)."""
        return {
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.lambda_l2,
            "num_threads": self.n_jobs,
            "seed": seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }
