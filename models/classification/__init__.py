"""Generic calibrated binary probability classifier for mixed tabular data."""

from models.classification.estimator import ProbabilityClassifier
from models.classification.metrics import (
    ClassifierMetrics,
    classifier_metrics,
    expected_calibration_error,
    reliability_table,
)
from models.classification.params import ClassifierParams

__all__ = [
    "ClassifierMetrics",
    "ClassifierParams",
    "ProbabilityClassifier",
    "classifier_metrics",
    "expected_calibration_error",
    "reliability_table",
]
