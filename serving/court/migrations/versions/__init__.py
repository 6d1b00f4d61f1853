"""Alembic revisions of the court store, oldest first; one file per revision."""
