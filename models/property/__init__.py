"""Property (不动产) valuation: schemas, features, rule-based figure, comparables, valuer."""
