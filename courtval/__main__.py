"""``python -m courtval`` is the ``courtval`` command."""

from courtval.cli import app

app()
