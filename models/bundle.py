"""Models as files: a directory (or a single file, later) with the pickled model and a manifest.

The manifest records the SHA-256 of the payload; :func:`load_bundle` verifies it before
unpickling, so a tampered or truncated file is refused, never loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import joblib
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.errors import ModelIntegrityError

logger = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"
PAYLOAD_FILE = "model.joblib"
_CHUNK = 1 << 20


class BundleManifest(BaseModel):
    """What a bundle holds and the checksum that guards it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: str = Field(description="Which valuer the payload is, e.g. property.")
    created_at: dt.datetime
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    metadata: dict[str, Any] = Field(default_factory=dict)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def save_bundle(
    obj: object, directory: Path, *, name: str, kind: str, metadata: dict[str, Any] | None = None
) -> BundleManifest:
    """Write ``obj`` and its manifest into ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    payload = directory / PAYLOAD_FILE
    joblib.dump(obj, payload, compress=3)
    manifest = BundleManifest(
        name=name,
        kind=kind,
        created_at=dt.datetime.now(dt.UTC),
        sha256=sha256_file(payload),
        metadata=metadata or {},
    )
    (directory / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    logger.info("saved %s bundle %s (sha256 %s)", kind, directory, manifest.sha256[:12])
    return manifest


def read_manifest(directory: Path) -> BundleManifest:
    """The manifest of a bundle directory, validated."""
    path = directory / MANIFEST_FILE
    try:
        return BundleManifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ModelIntegrityError(f"{directory} is not a model bundle: no {MANIFEST_FILE}") from exc
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ModelIntegrityError(f"{path} is not a valid bundle manifest: {exc}") from exc


def load_bundle(directory: Path, expected_kind: str | None = None) -> tuple[Any, BundleManifest]:
    """Verify the payload's checksum against the manifest, then unpickle it."""
    manifest = read_manifest(directory)
    if expected_kind is not None and manifest.kind != expected_kind:
        raise ModelIntegrityError(
            f"bundle {directory} holds a {manifest.kind!r} model, expected {expected_kind!r}"
        )
    payload = directory / PAYLOAD_FILE
    if not payload.is_file():
        raise ModelIntegrityError(f"bundle {directory} has no {PAYLOAD_FILE}")
    actual = sha256_file(payload)
    if actual != manifest.sha256:
        raise ModelIntegrityError(
            f"bundle {directory} failed its checksum: manifest says {manifest.sha256[:12]}…, "
            f"file is {actual[:12]}…; refusing to load it"
        )
    return joblib.load(payload), manifest
