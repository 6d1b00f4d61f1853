"""Debtor performance capacity (履行能力): schemas, features and the three-headed model."""
