"""Alembic environment and revisions of the court store, run by ``db.upgrade``."""
