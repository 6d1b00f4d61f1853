"""Synthetic data generators that stand in for the courts' own transaction records."""

from training.generate.property import (
    COLUMN_DTYPES,
    DefectKind,
    GeneratedProperty,
    PropertyMarketConfig,
    generate_property_transactions,
)

__all__ = [
    "COLUMN_DTYPES",
    "DefectKind",
    "GeneratedProperty",
    "PropertyMarketConfig",
    "generate_property_transactions",
]
