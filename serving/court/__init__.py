"""Court-grade storage: API keys and the tamper-evident inquiry ledger in a SQL database.

SQLite by default, PostgreSQL by URL; the schema comes from the Alembic revisions in
``migrations/`` (:func:`upgrade`). Not yet wired into the app.
"""

from serving.court.chain import canonical_json, entry_hash, verify
from serving.court.db import default_database_url, make_engine, session_factory, upgrade
from serving.court.errors import (
    CourtStoreError,
    KeyNotFoundError,
    LedgerWriteError,
    UnscrubbedIdentifierError,
)
from serving.court.keys import authenticate, create_key, get_key, list_keys, revoke_key
from serving.court.ledger import append, query, scrub_identifiers
from serving.court.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    BreakReason,
    HourWindow,
    LedgerEntryCreate,
    LedgerEntryPublic,
    LedgerPage,
    LedgerQuery,
    QuotaOverride,
    VerifyResult,
)
from serving.court.tables import GENESIS_HASH, Role

__all__ = [
    "GENESIS_HASH",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyPublic",
    "BreakReason",
    "CourtStoreError",
    "HourWindow",
    "KeyNotFoundError",
    "LedgerEntryCreate",
    "LedgerEntryPublic",
    "LedgerPage",
    "LedgerQuery",
    "LedgerWriteError",
    "QuotaOverride",
    "Role",
    "UnscrubbedIdentifierError",
    "VerifyResult",
    "append",
    "authenticate",
    "canonical_json",
    "create_key",
    "default_database_url",
    "entry_hash",
    "get_key",
    "list_keys",
    "make_engine",
    "query",
    "revoke_key",
    "scrub_identifiers",
    "session_factory",
    "upgrade",
    "verify",
]
