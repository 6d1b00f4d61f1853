"""The ``courtval`` command: the one place that wires ``training`` and ``serving`` together."""
