"""courtval's domain core: schemas, features, estimators, metrics and model loading.

Shared by ``training`` and ``serving``; imports neither.
"""
