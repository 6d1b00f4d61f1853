"""Tests of the court store: API keys and the inquiry ledger, on SQLite and PostgreSQL."""
