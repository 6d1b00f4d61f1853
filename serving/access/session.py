"""Web sessions: a judge signs in once with an API key and the browser holds a signed cookie.

The cookie names the key (its id), when the session ends and a random nonce, signed with
HMAC-SHA256 under the session key; it is ``HttpOnly`` and ``SameSite=Strict`` and never holds
the key's secret. A request that changes anything (POST, PUT, PATCH, DELETE) and is
authenticated by the cookie must also carry ``X-CSRF-Token``, a second HMAC of the cookie that
the page reads from its ``<meta name="csrf-token">``: another site can neither read it nor
send the cookie. Revoking the key ends its sessions (the key is looked up on each request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE_NAME = "courtval_session"
CSRF_HEADER = "X-CSRF-Token"
#: Methods that cannot change anything; a cookie alone may authenticate them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SessionClaims:
    """What a valid session cookie says."""

    key_id: int
    expires_at: float
    nonce: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, purpose: str, payload: str) -> str:
    return _b64(hmac.new(secret, f"{purpose}:{payload}".encode(), hashlib.sha256).digest())


def issue_cookie(secret: bytes, key_id: int, hours: float, now: float | None = None) -> str:
    """A signed cookie value for a session of key ``key_id`` lasting ``hours``."""
    claims = {
        "k": key_id,
        "e": round((now if now is not None else time.time()) + hours * 3600),
        "n": secrets.token_hex(8),
    }
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, 'session', payload)}"


def read_cookie(secret: bytes, value: str, now: float | None = None) -> SessionClaims | None:
    """The claims of a cookie signed with ``secret`` and not expired, else None."""
    payload, _, signature = value.partition(".")
    if not payload or not hmac.compare_digest(signature, _mac(secret, "session", payload)):
        return None
    try:
        claims = json.loads(_unb64(payload))
        parsed = SessionClaims(int(claims["k"]), float(claims["e"]), str(claims["n"]))
    except (ValueError, KeyError, TypeError):
        return None
    if parsed.expires_at <= (now if now is not None else time.time()):
        return None
    return parsed


def csrf_token(secret: bytes, cookie: str) -> str:
    """The anti-forgery token of a session cookie (what the page sends in ``X-CSRF-Token``)."""
    return _mac(secret, "csrf", cookie)


def csrf_ok(secret: bytes, cookie: str, token: str | None) -> bool:
    """Whether ``token`` is the cookie's anti-forgery token."""
    return token is not None and hmac.compare_digest(token, csrf_token(secret, cookie))
