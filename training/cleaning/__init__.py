"""Cleaning of transaction data: a generic framework plus one short list of rules per data set.

``framework`` holds ``Rule``, ``clean`` and the report; ``robust`` the group medians, MADs and
median polish that outlier rules use; ``property`` and ``vehicle`` the data-set rules.
"""

from training.cleaning.framework import (
    CleaningRepairStep,
    CleaningReport,
    CleaningResult,
    CleaningStep,
    Repair,
    RowMask,
    Rule,
    clean,
    duplicated_rows,
    missing_any,
    relisted_rows,
)
from training.cleaning.property import PropertyCleaningConfig, clean_property, property_rules
from training.cleaning.robust import Levels, group_center_scale, median_polish, robust_outliers
from training.cleaning.vehicle import VehicleCleaningConfig, clean_vehicle, vehicle_rules

__all__ = [
    "CleaningRepairStep",
    "CleaningReport",
    "CleaningResult",
    "CleaningStep",
    "Levels",
    "PropertyCleaningConfig",
    "Repair",
    "RowMask",
    "Rule",
    "VehicleCleaningConfig",
    "clean",
    "clean_property",
    "clean_vehicle",
    "duplicated_rows",
    "group_center_scale",
    "median_polish",
    "missing_any",
    "property_rules",
    "relisted_rows",
    "robust_outliers",
    "vehicle_rules",
]
