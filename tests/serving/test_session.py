"""The web session cookie: signed, expiring, tied to its anti-forgery token."""

from __future__ import annotations

from serving.access.session import csrf_ok, csrf_token, issue_cookie, read_cookie

SECRET = b"k" * 32


def test_a_cookie_reads_back_its_key_until_it_expires() -> None:
    cookie = issue_cookie(SECRET, key_id=7, hours=8, now=1_000.0)
    claims = read_cookie(SECRET, cookie, now=1_000.0 + 8 * 3600 - 1)
    assert claims is not None and claims.key_id == 7
    assert read_cookie(SECRET, cookie, now=1_000.0 + 8 * 3600 + 1) is None


def test_a_tampered_or_foreign_cookie_is_refused() -> None:
    cookie = issue_cookie(SECRET, key_id=7, hours=8)
    payload, signature = cookie.split(".")
    forged = issue_cookie(SECRET, key_id=1, hours=8).split(".")[0] + "." + signature
    assert read_cookie(SECRET, forged) is None
    assert read_cookie(b"another-secret", cookie) is None
    assert read_cookie(SECRET, payload) is None
    assert read_cookie(SECRET, "garbage.more") is None


def test_the_csrf_token_belongs_to_its_cookie() -> None:
    one, two = issue_cookie(SECRET, 1, 1), issue_cookie(SECRET, 1, 1)
    assert one != two  # a nonce: every sign-in has its own token
    assert csrf_ok(SECRET, one, csrf_token(SECRET, one))
    assert not csrf_ok(SECRET, two, csrf_token(SECRET, one))
    assert not csrf_ok(SECRET, one, None)
