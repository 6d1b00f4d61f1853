"""Training configuration: one frozen model, logged to MLflow as the run's params."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from models.estimator import EstimatorParams


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
