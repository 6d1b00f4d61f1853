"""The key check every endpoint but health and docs depends on: 401, 403, 429, or a caller.

A key is presented as ``Authorization: Bearer cv_…`` or ``X-API-Key: cv_…``, or, from the web
page, by the session cookie of a sign-in with it (:mod:`serving.access.session`). Then, in order:
no key → 401; an unknown or revoked key → 401; a role the endpoint does not serve → 403; over
a quota or outside the allowed hours → 429 with ``Retry-After`` and the time the limit resets.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from models.court.quota import QuotaLimits
from models.settings import Settings
from serving.access.quota import QuotaRefusal, effective_limits
from serving.access.session import (
    COOKIE_NAME,
    CSRF_HEADER,
    SAFE_METHODS,
    csrf_ok,
    read_cookie,
)
from serving.access.store import CourtStore
from serving.court.schemas import ApiKeyPublic
from serving.court.tables import Role
from serving.observability import count_quota_rejection

logger = logging.getLogger(__name__)

_BEARER = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cv_…`.")
_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


@dataclass(frozen=True)
class Caller:
    """The authenticated key behind a request, and when its handling began."""

    key: ApiKeyPublic
    started: float

    @property
    def key_id(self) -> int:
        """The key's id in the store."""
        return self.key.id

    @property
    def owner(self) -> str:
        """The person answerable for the key."""
        return self.key.owner

    @property
    def role(self) -> Role:
        """What the key may do."""
        return self.key.role


def court_store(request: Request) -> CourtStore:
    """The court store the app opened at start-up."""
    store: CourtStore = request.app.state.court
    return store


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def _too_many(refusal: QuotaRefusal, now: dt.datetime) -> HTTPException:
    wait = max(1, math.ceil((refusal.resets_at - now).total_seconds()))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        refusal.message(),
        headers={
            "Retry-After": str(wait),
            "X-Quota-Limit": refusal.limit.value,
            "X-Quota-Resets-At": refusal.resets_at.isoformat(timespec="seconds"),
        },
    )


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "a judge", "an auditor"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def require(
    *roles: Role, metered: bool = True, day: bool = True
) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting keys of ``roles`` within their quota; the others get 401/403/429.

    Args:
        roles: The roles the endpoint serves.
        metered: Whether a request counts against the key's quota at all; unmetered are the
            metrics scrape and what only serves the page (the known names, the 坐落 reader, the
            batch template, polling a job already counted).
        day: Whether it counts against the day's limit; a follow-up of an answer the day
            already counted (an inquiry's price curve) keeps to the hours and the per-minute
            limit only.
    """
    allowed = frozenset(roles)
    needed = " or ".join(sorted(r.value for r in allowed))

    async def dependency(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
        header: Annotated[str | None, Security(_HEADER)],
    ) -> Caller:
        started = time.perf_counter()
        secret = bearer.credentials if bearer is not None else header
        court = court_store(request)
        if secret:
            key = court.keys.get(secret) or await run_in_threadpool(court.authenticate, secret)
            if key is None:
                raise _unauthorised("unknown or revoked API key")
        else:
            key = await _session_key(request, court)
        if key.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"{_a(key.role.value)} key may not use this endpoint; it needs {_a(needed)} key",
            )
        if metered:
            await _take_quota(request, court, key, day=day)
        caller = Caller(key=key, started=started)
        request.state.caller = caller
        return caller

    dependency.__name__ = f"require_{'_'.join(sorted(r.value for r in allowed))}"
    return dependency


async def web_session(request: Request) -> tuple[ApiKeyPublic, str] | None:
    """The active key of the request's web-session cookie, and the cookie; None without one."""
    cookie = request.cookies.get(COOKIE_NAME)
    court = court_store(request)
    claims = read_cookie(court.session_key, cookie) if cookie else None
    if claims is None or cookie is None:
        return None
    key = await run_in_threadpool(court.key_by_id, claims.key_id)
    return None if key is None else (key, cookie)


async def _session_key(request: Request, court: CourtStore) -> ApiKeyPublic:
    """The key of the web session the request's cookie names (401 without one, 403 when a
    changing request lacks its anti-forgery token)."""
    if COOKIE_NAME not in request.cookies:
        raise _unauthorised("an API key is required: Authorization: Bearer cv_…")
    session = await web_session(request)
    if session is None:
        raise _unauthorised("the web session has ended or its key was revoked; sign in again")
    key, cookie = session
    if request.method not in SAFE_METHODS and not csrf_ok(
        court.session_key, cookie, request.headers.get(CSRF_HEADER)
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"a signed-in request that changes data needs {CSRF_HEADER}"
        )
    return key


async def _take_quota(
    request: Request, court: CourtStore, key: ApiKeyPublic, *, day: bool = True
) -> None:
    """Count the request against the key's quota (``day``: :meth:`QuotaBook.take`); 429 when
    over it."""
    now = dt.datetime.now(dt.UTC)
    if court.quotas.needs_seed(key.id, now):
        await run_in_threadpool(court.quotas.seed_day, key.id, now)
    refusal = court.quotas.take(key.id, _limits(request, key), now, day=day)
    _refuse(request, key, refusal, now)


def take_more_inquiries(request: Request, caller: Caller, count: int) -> None:
    """Count ``count`` more inquiries of the caller's admitted request against its day's
    quota, all or none (:meth:`QuotaBook.take_more`); 429 when the day has not room for them."""
    key, now = caller.key, dt.datetime.now(dt.UTC)
    quotas = court_store(request).quotas
    _refuse(request, key, quotas.take_more(key.id, _limits(request, key), count, now), now)


def _limits(request: Request, key: ApiKeyPublic) -> QuotaLimits:
    settings: Settings = request.app.state.settings
    return effective_limits(settings.quota(key.role.value), key.quota)


def _refuse(
    request: Request, key: ApiKeyPublic, refusal: QuotaRefusal | None, now: dt.datetime
) -> None:
    """429 for a refused request (counted in the metrics); nothing when it was admitted."""
    if refusal is not None:
        logger.info("quota: key %d (%s) refused, %s", key.id, key.role, refusal.limit)
        count_quota_rejection(request, key.role.value, refusal.limit.value)
        raise _too_many(refusal, now)


JudgeDep = Annotated[Caller, Depends(require(Role.JUDGE))]
#: A judge's request that is part of one already counted (polling a batch job), or the page's
#: own furniture (the batch template, the known names of the inputs).
JudgeUnmeteredDep = Annotated[Caller, Depends(require(Role.JUDGE, metered=False))]
#: A judge's follow-up of an inquiry the day already counted (its price curve): within the
#: allowed hours and the per-minute limit, not counted against the day.
JudgeFollowUpDep = Annotated[Caller, Depends(require(Role.JUDGE, day=False))]
TriageDep = Annotated[Caller, Depends(require(Role.TRIAGE))]
DataScientistDep = Annotated[Caller, Depends(require(Role.DATA_SCIENTIST))]
AuditorDep = Annotated[Caller, Depends(require(Role.AUDITOR))]
JudgeOrAuditorDep = Annotated[Caller, Depends(require(Role.JUDGE, Role.AUDITOR))]
OperatorDep = Annotated[Caller, Depends(require(Role.DATA_SCIENTIST, Role.AUDITOR))]
#: The metrics scrape: an operator's key, not counted against its quota.
ScrapeDep = Annotated[Caller, Depends(require(Role.DATA_SCIENTIST, Role.AUDITOR, metered=False))]
