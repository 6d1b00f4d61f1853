"""Models as single signed files, for court networks that cannot reach the MLflow registry.

A bundle file is, byte for byte::

    b"COURTVAL-BUNDLE/1\\n"        magic line (18 bytes)
    header length                 4 bytes, unsigned big-endian
    header                        UTF-8 JSON, a :class:`BundleHeader`
    signature                     32 bytes: HMAC-SHA256(key, magic + length + header)
    payload                       the model, as joblib bytes (``payload_size`` of them)

The signature covers the exact header bytes, and the header holds the payload's size and
SHA-256, so one key check guards the whole file. :func:`verify_bundle_file` checks the magic,
the signature, the header's schema, the payload's size and its checksum; only the
:class:`VerifiedBundle` it returns can be unpickled. Nothing unverified is ever unpickled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import logging
import os
import struct
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import joblib
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from models.errors import ModelIntegrityError
from models.registry import LoadedModel
from models.schemas import ModelInfo
from models.settings import Settings

logger = logging.getLogger(__name__)

MAGIC = b"COURTVAL-BUNDLE/1\n"
#: The file name suffix of a bundle file; the server's is ``<bundle_dir>/<kind>.cvbundle``.
SUFFIX = ".cvbundle"
FORMAT_VERSION: Literal[1] = 1
_LENGTH = struct.Struct(">I")
_SIGNATURE_SIZE = hashlib.sha256().digest_size
_MAX_HEADER = 1 << 20
#: Packages whose versions decide whether the payload unpickles as it was saved.
_RUNTIME_PACKAGES = ("joblib", "numpy", "pandas", "scikit-learn", "lightgbm")


class BundleHeader(BaseModel):
    """What a bundle file holds: the model's identity, its metrics and the payload checksum."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="constants")

    format_version: Literal[1] = FORMAT_VERSION
    name: str = Field(min_length=1, description="Registered model name, e.g. courtval-property.")
    kind: str = Field(min_length=1, description="Which valuer the payload is, e.g. property.")
    version: str = Field(min_length=1, description="Registry version the payload was.")
    run_id: str | None = None
    alias: str | None = None
    trained_at: dt.datetime | None = None
    metrics: dict[str, float] = Field(default_factory=dict)
    created_at: dt.datetime
    packages: dict[str, str] = Field(
        default_factory=dict, description="Versions of the packages that pickled the payload."
    )
    payload_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    payload_size: int = Field(ge=1)

    def summary(self) -> dict[str, Any]:
        """The header as one JSON-ready line: name, kind, version, sha256 …"""
        return {
            "name": self.name,
            "kind": self.kind,
            "version": self.version,
            "run_id": self.run_id,
            "alias": self.alias,
            "created_at": self.created_at.isoformat(),
            "sha256": self.payload_sha256,
            "size": self.payload_size,
        }

    @property
    def info(self) -> ModelInfo:
        """The model description responses carry."""
        return ModelInfo(
            name=self.name,
            version=self.version,
            run_id=self.run_id,
            alias=self.alias,
            trained_at=self.trained_at,
            metrics=self.metrics,
        )


#: A signing key: raw bytes, text (UTF-8 encoded) or the settings' secret.
BundleKey = bytes | str | SecretStr


def signing_key(settings: Settings) -> bytes:
    """The configured bundle key; refuses clearly when none is set."""
    key = settings.bundle_signing_key
    if key is None or not key.get_secret_value():
        raise ModelIntegrityError(
            "COURTVAL_BUNDLE_SIGNING_KEY is not set: bundle files are signed and verified "
            "with it; set the same secret on the training and the court network"
        )
    return key.get_secret_value().encode("utf-8")


def _key_bytes(key: BundleKey) -> bytes:
    if isinstance(key, SecretStr):
        key = key.get_secret_value()
    raw = key.encode("utf-8") if isinstance(key, str) else key
    if not raw:
        raise ModelIntegrityError("the bundle signing key is empty")
    return raw


def _sign(key: bytes, signed: bytes) -> bytes:
    return hmac.new(key, signed, hashlib.sha256).digest()


def _installed_packages() -> dict[str, str]:
    found = {}
    for name in _RUNTIME_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle file whose signature, size and checksum held; the only thing that unpickles."""

    source: Path
    header: BundleHeader
    data: bytes
    payload_offset: int

    def load(self) -> LoadedModel:
        """Unpickle the (verified) payload."""
        installed = _installed_packages()
        differ = {
            name: f"{saved} -> {installed[name]}"
            for name, saved in self.header.packages.items()
            if installed.get(name, saved) != saved
        }
        if differ:
            logger.warning(
                "bundle %s was saved with other package versions: %s", self.source, differ
            )
        model = joblib.load(io.BytesIO(memoryview(self.data)[self.payload_offset :]))
        logger.info(
            "loaded %s version %s from bundle %s (sha256 %s)",
            self.header.name,
            self.header.version,
            self.source,
            self.header.payload_sha256[:12],
        )
        return LoadedModel(model=model, info=self.header.info)

    def write_to(self, path: Path) -> None:
        """Copy the verified bytes (not the file, which may have changed since) to ``path``."""
        _write_atomically(path, self.data)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bundle_file(
    loaded: LoadedModel, path: Path, key: BundleKey, *, kind: str
) -> BundleHeader:
    """Sign ``loaded`` into the bundle file ``path`` (written atomically); returns its header."""
    buffer = io.BytesIO()
    joblib.dump(loaded.model, buffer, compress=3)
    payload = buffer.getvalue()
    info = loaded.info
    header = BundleHeader(
        name=info.name,
        kind=kind,
        version=info.version,
        run_id=info.run_id,
        alias=info.alias,
        trained_at=info.trained_at,
        metrics=info.metrics,
        created_at=dt.datetime.now(dt.UTC),
        packages=_installed_packages(),
        payload_sha256=hashlib.sha256(payload).hexdigest(),
        payload_size=len(payload),
    )
    header_bytes = header.model_dump_json().encode("utf-8")
    signed = MAGIC + _LENGTH.pack(len(header_bytes)) + header_bytes
    _write_atomically(path, signed + _sign(_key_bytes(key), signed) + payload)
    logger.info(
        "wrote %s version %s to bundle %s (sha256 %s)",
        info.name,
        info.version,
        path,
        header.payload_sha256[:12],
    )
    return header


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ModelIntegrityError(f"bundle {path}: cannot read it ({exc.strerror or exc})") from exc


def _split_header(path: Path, data: bytes) -> tuple[bytes, int]:
    """The signed prefix (magic, length, header) and where the header ends."""
    if not data.startswith(MAGIC):
        raise ModelIntegrityError(f"{path} is not a courtval bundle file (no {MAGIC!r} line)")
    start = len(MAGIC) + _LENGTH.size
    if len(data) < start:
        raise ModelIntegrityError(f"bundle {path} is truncated: the header length is missing")
    (length,) = _LENGTH.unpack_from(data, len(MAGIC))
    if length > _MAX_HEADER or start + length + _SIGNATURE_SIZE > len(data):
        raise ModelIntegrityError(
            f"bundle {path} is truncated or malformed: its header claims {length} bytes"
        )
    return data[: start + length], start + length


def _parse_header(path: Path, header_bytes: bytes) -> BundleHeader:
    try:
        return BundleHeader.model_validate_json(header_bytes)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "header"
        raise ModelIntegrityError(
            f"bundle {path} has an invalid header: {where}: {first['msg']}"
        ) from exc


def inspect_bundle_file(path: Path) -> BundleHeader:
    """A bundle file's header, for listing; neither signature nor payload is checked."""
    data = _read(path)
    signed, end = _split_header(path, data)
    return _parse_header(path, signed[len(MAGIC) + _LENGTH.size : end])


def verify_bundle_file(
    path: Path, key: BundleKey, expected_kind: str | None = None
) -> VerifiedBundle:
    """Check magic, signature, header, payload size and SHA-256; raise on the first failure."""
    data = _read(path)
    signed, end = _split_header(path, data)
    signature = data[end : end + _SIGNATURE_SIZE]
    if not hmac.compare_digest(signature, _sign(_key_bytes(key), signed)):
        raise ModelIntegrityError(
            f"bundle {path}: signature does not match: the bundle was altered or signed with "
            "another key; refusing to load it"
        )
    header = _parse_header(path, signed[len(MAGIC) + _LENGTH.size :])
    offset = end + _SIGNATURE_SIZE
    size = len(data) - offset
    if size != header.payload_size:
        raise ModelIntegrityError(
            f"bundle {path}: payload is {size} bytes, the header says {header.payload_size}; "
            "the file is truncated or has extra bytes"
        )
    actual = hashlib.sha256(memoryview(data)[offset:]).hexdigest()
    if not hmac.compare_digest(actual, header.payload_sha256):
        raise ModelIntegrityError(
            f"bundle {path}: payload checksum {actual[:12]}… does not match the header's "
            f"{header.payload_sha256[:12]}…; refusing to load it"
        )
    if expected_kind is not None and header.kind != expected_kind:
        raise ModelIntegrityError(
            f"bundle {path} holds a {header.kind!r} model, expected {expected_kind!r}"
        )
    return VerifiedBundle(source=path, header=header, data=data, payload_offset=offset)


def read_bundle_file(path: Path, key: BundleKey, expected_kind: str | None = None) -> LoadedModel:
    """Verify a bundle file (see :func:`verify_bundle_file`), then unpickle its model."""
    return verify_bundle_file(path, key, expected_kind).load()


def bundle_file_of(settings: Settings, kind: str) -> Path:
    """Where the server looks for the bundle (imported or last good) of ``kind``."""
    return settings.resolved_bundle_dir / f"{kind}{SUFFIX}"
