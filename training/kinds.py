"""The model kinds courtval trains, described without importing their heavy machinery.

The CLI reads this to build its per-kind commands (``courtval --help`` stays fast);
``training.tasks`` adds each kind's task and generator.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindInfo:
    """What the commands need to know about a model kind."""

    default_rows: int
    file_name: str
    description: str
    benchmarks: tuple[str, ...]
    #: Name of the dataset in `courtval data generate NAME`.
    dataset: str
    #: How `courtval evaluate KIND` judges the model: k-fold cross-validation on real data
    #: ("cross_validation"), or a time split of freshly generated data ("generated").
    evaluation: str = "cross_validation"
    #: Whether `courtval train KIND --scheduler` can fit the model's independent steps on a
    #: Dask cluster (``training.folds.training_on_cluster``).
    cluster_training: bool = True


KIND_INFO: dict[str, KindInfo] = {
    "property": KindInfo(
        50_000,
        "property_transactions.parquet",
        "property transactions calibrated to Wenling",
        ("ames",),
        "property",
    ),
    "vehicle": KindInfo(
        100_000,
        "vehicle_transactions.parquet",
        "used-vehicle transactions of the Chinese market",
        ("car_prices",),
        "vehicle",
    ),
    "capacity": KindInfo(
        50_000,
        "debtors.parquet",
        "enforcement debtors with their 6-month outcomes",
        ("credit_data", "lending_club"),
        "debtors",
    ),
    "difficulty": KindInfo(
        100_000,
        "cases.parquet",
        "enforcement cases with their stage timelines and outcomes",
        (),
        "cases",
        "generated",
        cluster_training=False,  # one booster and a survival fit: no independent steps
    ),
}
