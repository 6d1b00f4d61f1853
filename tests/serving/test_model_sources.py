"""Where the server's models come from: registry, bundle files, the fallback, and reloads."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from models.bundle_file import bundle_file_of, inspect_bundle_file, write_bundle_file
from models.errors import ModelIntegrityError, ModelNotFoundError
from models.property.schemas import PropertyRequest
from models.registry import LoadedModel, tracking_unreachable
from models.settings import Settings
from serving.state import ModelStore, load_champions, reload_store
from training.pipeline import TrainResult

KEY = "a-long-random-secret-shared-by-both-networks"
#: Nothing listens on the discard port: the registry is unreachable.
UNREACHABLE = "http://127.0.0.1:9"


def _settings(session_settings: Settings, tmp_path: Path, **changes: Any) -> Settings:
    """The session's registry, a private bundle directory, property only."""
    fields: dict[str, Any] = {
        "home": session_settings.home,
        "data_dir": session_settings.data_dir,
        "bundle_dir": tmp_path / "bundles",
        "bundle_signing_key": KEY,
        "serve_kinds": ("property",),
    }
    return Settings(**{**fields, **changes})


def _bundle(settings: Settings, champion: LoadedModel, version: str | None = None) -> None:
    info = champion.info.model_copy(update={"version": version or champion.info.version})
    path = bundle_file_of(settings, "property")
    write_bundle_file(LoadedModel(champion.model, info), path, KEY, kind="property")


def test_an_unreachable_tracking_server_is_found_quickly() -> None:
    assert tracking_unreachable(UNREACHABLE) is not None


def test_a_missing_sqlite_store_is_unreachable(tmp_path: Path) -> None:
    assert "no MLflow store" in (tracking_unreachable(f"sqlite:///{tmp_path}/none.db") or "")


def test_bundles_mode_serves_the_bundle_file(
    session_settings: Settings, tmp_path: Path, champion: LoadedModel, flat: PropertyRequest
) -> None:
    settings = _settings(
        session_settings, tmp_path, model_source="bundles", tracking_uri=UNREACHABLE
    )
    _bundle(settings, champion)
    store = load_champions(settings)
    loaded = store.get("property")
    assert loaded is not None and store.source("property") == "bundle"
    assert loaded.info.version == champion.info.version
    assert loaded.model.estimate(flat) == champion.model.estimate(flat)


def test_bundles_mode_without_a_key_refuses(
    session_settings: Settings, tmp_path: Path, champion: LoadedModel
) -> None:
    _bundle(_settings(session_settings, tmp_path), champion)
    settings = _settings(
        session_settings, tmp_path, model_source="bundles", bundle_signing_key=None
    )
    with pytest.raises(ModelIntegrityError, match="COURTVAL_BUNDLE_SIGNING_KEY"):
        load_champions(settings)


def test_auto_falls_back_to_the_bundle_when_the_registry_is_unreachable(
    session_settings: Settings,
    tmp_path: Path,
    champion: LoadedModel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = _settings(session_settings, tmp_path, tracking_uri=UNREACHABLE)
    _bundle(settings, champion)
    with caplog.at_level(logging.WARNING, logger="serving.state"):
        store = load_champions(settings)
    assert store.source("property") == "bundle"
    assert "cannot connect to 127.0.0.1:9" in caplog.text


def test_auto_without_registry_or_bundle_names_both_reasons(
    session_settings: Settings, tmp_path: Path
) -> None:
    settings = _settings(session_settings, tmp_path, tracking_uri=UNREACHABLE)
    with pytest.raises(
        ModelNotFoundError, match=r"registry: .*unreachable.*; bundle: no bundle file"
    ):
        load_champions(settings)


def test_registry_mode_does_not_fall_back(
    session_settings: Settings, tmp_path: Path, champion: LoadedModel
) -> None:
    settings = _settings(
        session_settings, tmp_path, tracking_uri=UNREACHABLE, model_source="registry"
    )
    _bundle(settings, champion)
    with pytest.raises(ModelNotFoundError, match="unreachable"):
        load_champions(settings)


def test_a_registry_load_is_kept_as_the_last_good_bundle(
    session_settings: Settings, tmp_path: Path, trained: TrainResult, flat: PropertyRequest
) -> None:
    settings = _settings(session_settings, tmp_path)
    store = load_champions(settings)
    assert store.source("property") == "registry"
    path = bundle_file_of(settings, "property")
    assert inspect_bundle_file(path).version == trained.version
    written = path.stat().st_mtime_ns
    load_champions(settings)
    assert path.stat().st_mtime_ns == written  # the same version is not written again

    offline = load_champions(settings.model_copy(update={"tracking_uri": UNREACHABLE}))
    loaded, served = offline.get("property"), store.get("property")
    assert offline.source("property") == "bundle"
    assert loaded is not None and served is not None
    assert loaded.info.version == trained.version
    assert loaded.model.estimate(flat) == served.model.estimate(flat)


def test_no_key_no_last_good_copy(
    session_settings: Settings, tmp_path: Path, trained: TrainResult
) -> None:
    settings = _settings(session_settings, tmp_path, bundle_signing_key=None)
    assert load_champions(settings).source("property") == "registry"
    assert not bundle_file_of(settings, "property").exists()


def test_reload_keeps_the_model_when_the_registry_fails(
    session_settings: Settings, tmp_path: Path, trained: TrainResult
) -> None:
    current = load_champions(_settings(session_settings, tmp_path, bundle_signing_key=None))
    failing = _settings(
        session_settings, tmp_path, tracking_uri=UNREACHABLE, model_source="registry"
    )
    store, report = reload_store(current, failing)
    assert store.get("property") is current.get("property")
    assert store.source("property") == "registry"
    assert report.changed == [] and "unreachable" in report.kept["property"]
    assert current.get("property") is not None  # the serving store is untouched


def test_reload_of_the_same_version_keeps_the_same_object(
    session_settings: Settings, tmp_path: Path, trained: TrainResult
) -> None:
    settings = _settings(session_settings, tmp_path)
    current = load_champions(settings)
    store, report = reload_store(current, settings)
    assert store.get("property") is current.get("property")
    assert [m.outcome for m in report.models] == ["unchanged"]


def test_reload_picks_up_an_imported_bundle(
    session_settings: Settings, tmp_path: Path, champion: LoadedModel
) -> None:
    settings = _settings(session_settings, tmp_path, model_source="bundles")
    _bundle(settings, champion, version="1")
    current = load_champions(settings)
    _bundle(settings, champion, version="2")
    store, report = reload_store(current, settings)
    loaded = store.get("property")
    assert loaded is not None and loaded.info.version == "2"
    assert report.changed == ["property"] and report.models[0].previous_version == "1"
    assert report.models[0].source == "bundle"


def test_reload_keeps_the_model_when_a_bundle_is_tampered(
    session_settings: Settings, tmp_path: Path, champion: LoadedModel
) -> None:
    settings = _settings(session_settings, tmp_path, model_source="bundles")
    _bundle(settings, champion)
    current = load_champions(settings)
    path = bundle_file_of(settings, "property")
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    store, report = reload_store(current, settings)
    assert store.get("property") is current.get("property")
    assert "checksum" in report.kept["property"]


def test_reload_raises_when_a_kind_has_no_model_at_all(
    session_settings: Settings, tmp_path: Path
) -> None:
    failing = _settings(
        session_settings, tmp_path, tracking_uri=UNREACHABLE, model_source="registry"
    )
    with pytest.raises(ModelNotFoundError):
        reload_store(ModelStore(), failing)
