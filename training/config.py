"""Training configuration: one frozen model, logged to MLflow as the run's params."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from models.estimator import EstimatorParams

#: The shared defaults of the models trained on a market's own transactions (tens of thousands
#: of sales, a few well-understood features): trees boost from the ridge member's prediction —
#: prices are close to log-additive in place, time and the unit's facts — with a high feature
#: fraction, early stopping on 3 inner folds. Each task sets its learning rate and the column
#: its intervals are made per (Mondrian); see ``property_task.py`` and ``vehicle_task.py``.
MARKET_ESTIMATOR = EstimatorParams(
    tree_target="linear_residual",
    num_leaves=31,
    min_data_in_leaf=20,
    feature_fraction=0.8,
    n_estimators=1500,
    early_stopping_rounds=50,
    inner_folds=3,
)


class TrainConfig(BaseModel):
    """How a valuation model is trained and judged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(default=0, ge=0)
    eval_months: int = Field(
        default=3, ge=1, le=24, description="The most recent months held out for evaluation."
    )
    promotion_metric: str = Field(
        default="median_ape", pattern="^(median_ape|rmsle)$", description="Lower is better."
    )
    estimator: EstimatorParams | None = Field(
        default=None, description="Estimator hyperparameters; None: the task's defaults."
    )

    def flat_params(self) -> dict[str, object]:
        """Params as a flat dict for ``mlflow.log_params``."""
        flat: dict[str, object] = {}
        for key, value in self.model_dump().items():
            if isinstance(value, dict):
                flat.update({f"{key}.{k}": v for k, v in value.items()})
            else:
                flat[key] = value
        return flat
