"""Training: synthetic data, cleaning, fitting, evaluation and promotion of courtval models."""
