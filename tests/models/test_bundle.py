"""Bundles: saved with a checksum, refused when tampered with."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.bundle import PAYLOAD_FILE, load_bundle, save_bundle
from models.errors import ModelIntegrityError


def test_round_trip(tmp_path: Path) -> None:
    manifest = save_bundle({"a": [1, 2]}, tmp_path / "b", name="m", kind="property")
    obj, read = load_bundle(tmp_path / "b", expected_kind="property")
    assert obj == {"a": [1, 2]}
    assert read.sha256 == manifest.sha256


def test_tampered_payload_is_refused(tmp_path: Path) -> None:
    save_bundle({"a": 1}, tmp_path / "b", name="m", kind="property")
    payload = tmp_path / "b" / PAYLOAD_FILE
    payload.write_bytes(payload.read_bytes() + b"x")
    with pytest.raises(ModelIntegrityError, match="checksum"):
        load_bundle(tmp_path / "b")


def test_wrong_kind_is_refused(tmp_path: Path) -> None:
    save_bundle({"a": 1}, tmp_path / "b", name="m", kind="vehicle")
    with pytest.raises(ModelIntegrityError, match="expected 'property'"):
        load_bundle(tmp_path / "b", expected_kind="property")


def test_missing_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="not a model bundle"):
        load_bundle(tmp_path)
