"""Bundle files: a round trip, and every kind of tampering refused before anything unpickles."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import pickle
import struct
from collections.abc import Callable
from pathlib import Path

import joblib
import pytest
from pydantic import SecretStr

from models.bundle_file import (
    MAGIC,
    BundleHeader,
    inspect_bundle_file,
    read_bundle_file,
    signing_key,
    verify_bundle_file,
    write_bundle_file,
)
from models.errors import ModelIntegrityError
from models.registry import LoadedModel
from models.schemas import ModelInfo
from models.settings import Settings

KEY = b"a-long-random-secret-shared-by-both-networks"
INFO = ModelInfo(
    name="courtval-property",
    version="3",
    run_id="abc123",
    alias="champion",
    trained_at=dt.datetime(2026, 5, 1, 8, 30, 15, 123_000, tzinfo=dt.UTC),
    metrics={"median_ape": 0.081, "coverage": float("nan")},
)


def _touch(path: str) -> None:
    Path(path).touch()


class Trap:
    """Unpickling this touches ``sentinel``: proof of whether a payload was unpickled."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self) -> tuple[Callable[[str], None], tuple[str]]:
        return _touch, (str(self.sentinel),)


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    return tmp_path / "unpickled"


@pytest.fixture
def trap_file(tmp_path: Path, sentinel: Path) -> Path:
    """A validly signed bundle whose payload, once unpickled, touches the sentinel."""
    path = tmp_path / "trap.cvbundle"
    write_bundle_file(LoadedModel(Trap(sentinel), INFO), path, KEY, kind="property")
    return path


def _header_end(data: bytes) -> int:
    (length,) = struct.unpack_from(">I", data, len(MAGIC))
    return len(MAGIC) + 4 + length


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.cvbundle"
    written = write_bundle_file(LoadedModel({"a": [1, 2]}, INFO), path, KEY, kind="property")
    loaded = read_bundle_file(path, KEY, expected_kind="property")
    assert loaded.model == {"a": [1, 2]}
    assert loaded.info.model_dump(exclude={"metrics"}) == INFO.model_dump(exclude={"metrics"})
    assert loaded.info.metrics["median_ape"] == 0.081
    assert written.payload_sha256 == verify_bundle_file(path, KEY).header.payload_sha256


def test_a_secret_str_key_verifies_a_bytes_signature(tmp_path: Path) -> None:
    path = tmp_path / "m.cvbundle"
    write_bundle_file(LoadedModel(1, INFO), path, KEY, kind="property")
    assert read_bundle_file(path, SecretStr(KEY.decode())).model == 1


def test_the_trap_does_fire_when_the_file_is_intact(trap_file: Path, sentinel: Path) -> None:
    read_bundle_file(trap_file, KEY)
    assert sentinel.exists()


def _flip_payload_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0x01])


def _change_header_field(data: bytes) -> bytes:
    end = _header_end(data)
    header = data[:end].replace(b'"version":"3"', b'"version":"4"')
    assert header != data[:end]
    return header + data[end:]


def _flip_signature_byte(data: bytes) -> bytes:
    at = _header_end(data)
    return data[:at] + bytes([data[at] ^ 0x80]) + data[at + 1 :]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_flip_payload_byte, "checksum"),
        (_change_header_field, "signature does not match"),
        (_flip_signature_byte, "signature does not match"),
        (lambda data: data[:-10], "truncated"),
        (lambda data: data[: len(MAGIC) + 2], "truncated"),
        (lambda data: data + b"\x00", "extra bytes"),
        (lambda data: b"COURTVAL-BUNDLE/2\n" + data[len(MAGIC) :], "not a courtval bundle"),
    ],
    ids=["payload", "header", "signature", "truncated", "cut-in-header", "appended", "magic"],
)
def test_a_tampered_file_is_refused_before_unpickling(
    trap_file: Path, sentinel: Path, tamper: Callable[[bytes], bytes], message: str
) -> None:
    trap_file.write_bytes(tamper(trap_file.read_bytes()))
    with pytest.raises(ModelIntegrityError, match=message) as refused:
        read_bundle_file(trap_file, KEY)
    assert str(trap_file) in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not sentinel.exists()


def test_another_key_is_refused_before_unpickling(trap_file: Path, sentinel: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="altered or signed with another key"):
        read_bundle_file(trap_file, b"another key")
    assert not sentinel.exists()


def test_a_plain_pickle_is_refused_before_unpickling(tmp_path: Path, sentinel: Path) -> None:
    path = tmp_path / "model.joblib"
    joblib.dump(Trap(sentinel), path)
    with pytest.raises(ModelIntegrityError, match="not a courtval bundle"):
        read_bundle_file(path, KEY)
    assert not sentinel.exists()


def test_a_signed_header_with_a_wrong_checksum_is_refused(tmp_path: Path, sentinel: Path) -> None:
    """Even a correctly signed file (a writer's bug) does not load when the checksum fails."""
    payload = pickle.dumps(Trap(sentinel))
    header = BundleHeader(
        name="m",
        kind="property",
        version="1",
        created_at=dt.datetime.now(dt.UTC),
        payload_sha256=hashlib.sha256(b"something else").hexdigest(),
        payload_size=len(payload),
    ).model_dump_json()
    signed = MAGIC + struct.pack(">I", len(header)) + header.encode()
    path = tmp_path / "bad.cvbundle"
    path.write_bytes(signed + hmac.new(KEY, signed, hashlib.sha256).digest() + payload)
    with pytest.raises(ModelIntegrityError, match="payload checksum"):
        read_bundle_file(path, KEY)
    assert not sentinel.exists()


def test_a_signed_header_of_another_schema_is_refused(tmp_path: Path) -> None:
    header = json.dumps({"name": "m", "kind": "property", "surprise": 1}).encode()
    signed = MAGIC + struct.pack(">I", len(header)) + header
    path = tmp_path / "odd.cvbundle"
    path.write_bytes(signed + hmac.new(KEY, signed, hashlib.sha256).digest() + b"x")
    with pytest.raises(ModelIntegrityError, match="invalid header"):
        read_bundle_file(path, KEY)


def test_the_wrong_kind_is_refused(trap_file: Path, sentinel: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="expected 'vehicle'"):
        read_bundle_file(trap_file, KEY, expected_kind="vehicle")
    assert not sentinel.exists()


def test_a_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="cannot read it"):
        read_bundle_file(tmp_path / "nowhere.cvbundle", KEY)


def test_inspect_reads_the_header_without_unpickling(trap_file: Path, sentinel: Path) -> None:
    header = inspect_bundle_file(trap_file)
    assert (header.name, header.kind, header.version) == ("courtval-property", "property", "3")
    assert header.summary()["sha256"] == header.payload_sha256
    assert not sentinel.exists()


def test_writing_is_atomic_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "m.cvbundle"
    write_bundle_file(LoadedModel(1, INFO), path, KEY, kind="property")
    write_bundle_file(LoadedModel(2, INFO), path, KEY, kind="property")
    assert read_bundle_file(path, KEY).model == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.cvbundle"]  # no temp file left


@pytest.mark.parametrize("key", [None, ""])
def test_no_signing_key_is_refused_clearly(tmp_path: Path, key: str | None) -> None:
    settings = Settings(home=tmp_path, bundle_signing_key=key)
    with pytest.raises(ModelIntegrityError, match="COURTVAL_BUNDLE_SIGNING_KEY is not set"):
        signing_key(settings)


def test_an_empty_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="empty"):
        write_bundle_file(LoadedModel(1, INFO), tmp_path / "m.cvbundle", b"", kind="property")
