"""The court store as a running server holds it: engine, sessions, checked keys, quotas."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from models.identity import identity_key, stored_secret
from models.settings import Settings
from serving.access.quota import QuotaBook
from serving.court import authenticate
from serving.court.curves import INQUIRY_CURVE_LIKE
from serving.court.db import begin_write, make_engine, session_factory, upgrade
from serving.court.errors import KeyNotFoundError
from serving.court.keys import get_key
from serving.court.ledger import append, append_all, append_in, ledger_write_errors
from serving.court.schemas import ApiKeyPublic, LedgerEntryCreate, LedgerEntryPublic
from serving.court.tables import LedgerEntryRow

logger = logging.getLogger(__name__)

R = TypeVar("R")


@dataclass
class KeyCache:
    """Keys recently checked against the store, by the SHA-256 of their secret.

    Saves a database round trip (and the ``last_used_at`` write) on every request; a revoked
    key keeps working for at most ``ttl_s`` seconds.
    """

    ttl_s: float
    _entries: dict[str, tuple[ApiKeyPublic, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def fingerprint(secret: str) -> str:
        """The cache key of a secret (never the secret itself)."""
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()

    def get(self, secret: str) -> ApiKeyPublic | None:
        """The cached key of ``secret`` if still fresh."""
        with self._lock:
            hit = self._entries.get(self.fingerprint(secret))
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, secret: str, key: ApiKeyPublic) -> None:
        """Remember a key that authenticated."""
        if self.ttl_s > 0:
            with self._lock:
                self._entries[self.fingerprint(secret)] = (key, time.monotonic() + self.ttl_s)


def _ledger_writer() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-writer")


@dataclass
class CourtStore:
    """What the API needs of the court store at run time.

    Ledger appends run on one thread of their own (:meth:`write`). Appends are serialised by
    the database anyway (the chain's head is locked), so one thread loses nothing; it hands
    each append over in about half the time of the shared worker pool, keeps them from
    waiting behind other work in that pool, and on SQLite spares concurrent appends the
    busy-wait sleeps (milliseconds each) of writers in several threads queuing for the lock.
    """

    engine: Engine
    sessions: sessionmaker[Session]
    identity_key: bytes
    session_key: bytes
    keys: KeyCache
    quotas: QuotaBook
    writer: ThreadPoolExecutor = field(default_factory=_ledger_writer)

    async def write(self, entry: Callable[[], LedgerEntryCreate]) -> LedgerEntryPublic:
        """Append the entry that ``entry()`` makes (on the ledger's thread too), and await it.

        Raises:
            LedgerWriteError: nothing was recorded; the answer must not be given.
        """
        return await asyncio.get_running_loop().run_in_executor(
            self.writer, lambda: append(self.engine, entry())
        )

    async def write_all(
        self, entries: Callable[[], Sequence[LedgerEntryCreate]]
    ) -> list[LedgerEntryPublic]:
        """Append the entries that ``entries()`` makes in one transaction (all or none), on the
        ledger's thread, and await them.

        Raises:
            LedgerWriteError: nothing was recorded; no answer may be given.
        """
        return await asyncio.get_running_loop().run_in_executor(
            self.writer, lambda: append_all(self.engine, entries())
        )

    async def change(
        self,
        change: Callable[[Session], R],
        entry: Callable[[R], LedgerEntryCreate],
    ) -> tuple[R, LedgerEntryPublic]:
        """Change the court's records and append the entry that records it, in one writer
        transaction on the ledger's thread: both are committed, or neither.

        Args:
            change: Makes the change in the session it is given and returns what it did;
                it must not commit (the domain's errors it raises roll the change back).
            entry: The ledger entry of that result.

        Raises:
            LedgerWriteError: the entry could not be written; the change was rolled back.
        """

        def run() -> tuple[R, LedgerEntryPublic]:
            with self.sessions() as session:
                begin_write(session)
                result = change(session)
                session.flush()
                written = append_in(session.connection(), entry(result))
                with ledger_write_errors():
                    session.commit()
            return result, written

        return await asyncio.get_running_loop().run_in_executor(self.writer, run)

    def write_all_waiting(self, entries: Sequence[LedgerEntryCreate]) -> list[LedgerEntryPublic]:
        """:meth:`write_all` for a thread of its own (a file job's), blocking until written."""
        return self.writer.submit(append_all, self.engine, entries).result()

    def authenticate(self, secret: str) -> ApiKeyPublic | None:
        """The active key of ``secret`` (cached for a few seconds), else None."""
        cached = self.keys.get(secret)
        if cached is not None:
            return cached
        with self.sessions() as session:
            key = authenticate(session, secret)
        if key is not None:
            self.keys.put(secret, key)
        return key

    def key_by_id(self, key_id: int) -> ApiKeyPublic | None:
        """The active key with this id (a web session's key; cached like secrets), else None."""
        handle = f"session-key:{key_id}"
        cached = self.keys.get(handle)
        if cached is not None:
            return cached
        with self.sessions() as session:
            try:
                key = get_key(session, key_id)
            except KeyNotFoundError:
                return None
        if not key.active:
            return None
        self.keys.put(handle, key)
        return key

    def close(self) -> None:
        """Finish the appends handed over, then release the connections."""
        self.writer.shutdown(wait=True)
        self.engine.dispose()


def ledger_count_since(sessions: sessionmaker[Session], key_id: int, since: dt.datetime) -> int:
    """The key's requests answered since ``since``, by its ledger entries (seeds the day's
    quota count); the key's own creation by an operator (``courtval keys create``, whose
    endpoint is a command, not a path) is not one of its requests, nor is an inquiry's price
    curve (not counted: the inquiry was)."""
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(LedgerEntryRow)
            .where(
                LedgerEntryRow.key_id == key_id,
                LedgerEntryRow.created_at >= since,
                LedgerEntryRow.endpoint.startswith("/"),
                ~LedgerEntryRow.endpoint.like(INQUIRY_CURVE_LIKE),
            )
        )
    return int(count or 0)


def open_court_store(settings: Settings) -> CourtStore:
    """Connect to the settings' court store and migrate it to the current schema."""
    url = settings.resolved_database_url
    if settings.database_url is None:
        settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    revision = upgrade(engine)
    logger.info(
        "court store %s at revision %s",
        make_url(url).render_as_string(hide_password=True),
        revision,
    )
    sessions = session_factory(engine)
    return CourtStore(
        engine=engine,
        sessions=sessions,
        identity_key=identity_key(settings),
        session_key=stored_secret(
            settings.session_secret, settings.session_key_file, "session-signing key"
        ),
        keys=KeyCache(ttl_s=settings.key_cache_seconds),
        quotas=QuotaBook(
            settings.court_timezone,
            seed=lambda key_id, since: ledger_count_since(sessions, key_id, since),
        ),
    )
