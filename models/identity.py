"""Identity numbers of parties: format checks and the keyed hash that is all courtval keeps.

A resident identity number (居民身份证号码, GB 11643) or a unified social credit code
(统一社会信用代码, GB 32100) is validated with its check character and then replaced by an
HMAC-SHA256 under a secret key from the settings. The clear number is never stored, logged or
returned; the same number under the same key always gives the same hash, so records of one
party can still be joined.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import unicodedata
from pathlib import Path

from pydantic import SecretStr

from models.settings import Settings

logger = logging.getLogger(__name__)

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK = "10X98765432"
#: ASCII digits only (:func:`normalise_identity` makes them so): Python's ``\d`` also reads
#: other scripts' digits, and a number checked in them failed its (ASCII) hash with a 500.
_RESIDENT = re.compile(r"^\d{17}[\dX]$", re.ASCII)

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT = re.compile(rf"^[{_CREDIT_CHARS}]{{18}}$")


#: Fields holding personal identifiers: never echoed in an error, kept hashed in the ledger.
SENSITIVE_FIELDS = frozenset({"debtor_id_number"})
#: Keys of another system that it may fill with an identity number (the triage system keying
#: a debtor by 身份证号): kept hashed in the ledger when they hold one, as they are otherwise.
IDENTITY_SHAPED_KEYS = frozenset({"debtor_id", "creditor_id"})


def _plain(character: str) -> str:
    """The ASCII digit of a digit of any script; the half-width form of a full-width one."""
    if character.isdecimal():
        return str(unicodedata.decimal(character))
    if "！" <= character <= "～":
        return chr(ord(character) - 0xFEE0)
    return character


def normalise_identity(number: str) -> str:
    """Upper-case, half-width, ASCII digits, without spaces (the forms clerks type). Digits
    of any script are read as their ASCII digits, so one number has one hash however it was
    spelled."""
    half = "".join(_plain(c) for c in number)
    return re.sub(r"\s+", "", half).upper()


def resident_id_is_valid(number: str) -> bool:
    """True for an 18-character resident identity number with a correct check character."""
    if not _RESIDENT.match(number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11] == number[17]


def credit_code_is_valid(number: str) -> bool:
    """True for an 18-character unified social credit code with a correct check character."""
    if not _CREDIT.match(number):
        return False
    total = sum(
        _CREDIT_CHARS.index(c) * w for c, w in zip(number[:17], _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_CHARS[(31 - total % 31) % 31] == number[17]


def is_identity_number(value: object) -> bool:
    """Whether ``value`` is a valid resident identity number or unified social credit code."""
    if not isinstance(value, str) or not 15 <= len(value) <= 40:  # 18 characters, spaced
        return False
    clean = normalise_identity(value)
    return resident_id_is_valid(clean) or credit_code_is_valid(clean)


def check_identity(number: str) -> str:
    """The normalised number; ``ValueError`` saying which format it fails."""
    clean = normalise_identity(number)
    if resident_id_is_valid(clean) or credit_code_is_valid(clean):
        return clean
    raise ValueError(
        "not a valid 18-character resident identity number (身份证号) or unified social "
        "credit code (统一社会信用代码): wrong length, characters or check character"
    )


def keyed_hash(number: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised number under ``key``, hex."""
    return hmac.new(key, normalise_identity(number).encode("ascii"), hashlib.sha256).hexdigest()


def stored_secret(configured: SecretStr | None, path: Path, what: str) -> bytes:
    """A configured secret, or a random one kept in ``path`` (mode 0600, made on first use).

    Args:
        configured: The secret from the settings, if any.
        path: Where the generated secret lives.
        what: What the secret is for (for the log line).
    """
    if configured is not None:
        return configured.get_secret_value().encode("utf-8")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
            logger.info("generated the %s in %s", what, path)
    return path.read_text(encoding="ascii").strip().encode("ascii")


def identity_key(settings: Settings) -> bytes:
    """The configured hash key, or the generated one kept under ``home`` (made on first use)."""
    return stored_secret(
        settings.identity_hash_key, settings.identity_key_file, "identity-hash key"
    )
