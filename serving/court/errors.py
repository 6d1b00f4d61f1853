"""Errors of the court store (API keys and the inquiry ledger).

Each is a :class:`models.errors.CourtvalError`; the API maps :class:`LedgerWriteError` to 503
(an answer with no ledger record is not allowed) and :class:`KeyNotFoundError` to 404.
"""

from __future__ import annotations

from models.errors import CourtvalError


class CourtStoreError(CourtvalError):
    """Base class of the court store's errors."""


class LedgerWriteError(CourtStoreError):
    """An inquiry could not be written to the ledger; the request must fail (503)."""


class KeyNotFoundError(CourtStoreError, LookupError):
    """No API key has the given id."""

    def __init__(self, key_id: int) -> None:
        super().__init__(f"no API key with id {key_id}; `courtval keys list` shows the ids")
        self.key_id = key_id


class UnscrubbedIdentifierError(CourtStoreError, ValueError):
    """A personal identifier reached the ledger in clear; scrub the inputs first."""

    def __init__(self, field: str) -> None:
        super().__init__(
            f"{field}: a personal identifier must be stored as a keyed hash; pass the inputs "
            "through serving.court.ledger.scrub_identifiers before appending"
        )
        self.field = field
