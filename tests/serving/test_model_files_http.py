"""Models as files over real HTTP: a court-network server started from a bundle file alone (no
MLflow anywhere), and a reload under load that fails no request."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from courtval.cli import app as cli
from models.bundle_file import bundle_file_of, write_bundle_file
from models.property.schemas import PropertyRequest
from models.registry import LoadedModel
from models.settings import Settings, get_settings
from serving.app import create_app
from serving.court import Role
from tests.conftest import CASE, auth, issue_key, make_settings, running_server, serve_process

KEY = "a-long-random-secret-shared-by-both-networks"
#: Nothing listens on the discard port: no registry is reachable.
NO_REGISTRY = "http://127.0.0.1:9"


@pytest.fixture
def body(flat: PropertyRequest) -> dict[str, Any]:
    return {**CASE, **flat.model_dump(mode="json")}


@pytest.fixture
def court_network(
    champion: LoadedModel, session_settings: Settings, tmp_path: Path
) -> Iterator[Path]:
    """A court network's home holding only the property bundle, exported and imported by the
    CLI; the training network's registry stays on the other side."""
    runner = CliRunner()
    exported = tmp_path / "property.cvbundle"
    court_home = tmp_path / "court"
    env = {"COURTVAL_BUNDLE_SIGNING_KEY": KEY}
    get_settings.cache_clear()
    out = runner.invoke(
        cli,
        ["models", "export", "property", "-o", str(exported)],
        env={**env, "COURTVAL_HOME": str(session_settings.home)},
    )
    assert out.exit_code == 0, out.output
    get_settings.cache_clear()
    result = runner.invoke(
        cli, ["models", "import", str(exported)], env={**env, "COURTVAL_HOME": str(court_home)}
    )
    assert result.exit_code == 0, result.output
    get_settings.cache_clear()
    yield court_home
    get_settings.cache_clear()


def test_a_court_network_serves_from_the_bundle_alone(
    court_network: Path,
    champion: LoadedModel,
    flat: PropertyRequest,
    body: dict[str, Any],
    tmp_path: Path,
) -> None:
    """`courtval serve` in a fresh process, with no MLflow store and no tracking server."""
    settings = Settings(home=court_network, data_dir=tmp_path / "data")
    judge = issue_key(settings, Role.JUDGE)
    scientist = issue_key(settings, Role.DATA_SCIENTIST)
    settings_env = {
        "COURTVAL_HOME": str(court_network),
        "COURTVAL_DATA_DIR": str(tmp_path / "data"),
        "COURTVAL_TRACKING_URI": NO_REGISTRY,
        "COURTVAL_MODEL_SOURCE": "bundles",
        "COURTVAL_BUNDLE_SIGNING_KEY": KEY,
        "COURTVAL_SERVE_KINDS": '["property"]',
    }
    with serve_process(settings_env, tmp_path / "server.log", cwd=tmp_path) as url:
        answer = httpx.post(url + "/v1/valuations/property", json=body, headers=auth(judge))
        assert answer.status_code == 200, answer.text
        assert answer.json()["model"]["version"] == champion.info.version
        assert answer.json()["value"] == pytest.approx(champion.model.estimate(flat)[0], rel=1e-9)
        models = httpx.get(url + "/v1/models", headers=auth(scientist)).json()
        assert [(m["kind"], m["source"]) for m in models] == [("property", "bundle")]
    assert not (court_network / "mlflow.db").exists()


def _hammer(
    url: str, key: str, body: dict[str, Any], stop: threading.Event, seen: Counter[str]
) -> None:
    with httpx.Client(base_url=url, headers=auth(key), timeout=30) as client:
        while not stop.is_set():
            response = client.post("/v1/valuations/property", json=body)
            version = response.json()["model"]["version"] if response.status_code == 200 else ""
            seen[f"{response.status_code} {version}"] += 1


def test_reload_under_load_fails_no_request(
    champion: LoadedModel, session_settings: Settings, body: dict[str, Any], tmp_path: Path
) -> None:
    """Four clients value flats without pause while a newer bundle is put in place and the
    server reloads twice, then the bundle is tampered with and a third reload refuses it:
    every request is answered 200, first by the old version, then by the new one, which
    keeps serving."""
    settings = make_settings(
        tmp_path,
        tracking_uri=NO_REGISTRY,
        model_source="bundles",
        bundle_signing_key=KEY,
        serve_kinds=("property",),
    )
    path = bundle_file_of(settings, "property")
    write_bundle_file(champion, path, KEY, kind="property")
    judge, scientist = issue_key(settings, Role.JUDGE), issue_key(settings, Role.DATA_SCIENTIST)
    newer = str(int(champion.info.version) + 1)
    seen: Counter[str] = Counter()
    stop = threading.Event()
    with running_server(create_app(settings)) as url:
        clients = [
            threading.Thread(target=_hammer, args=(url, judge, body, stop, seen)) for _ in range(4)
        ]
        for thread in clients:
            thread.start()
        admin = httpx.Client(base_url=url, headers=auth(scientist), timeout=60)
        time.sleep(0.5)
        same = admin.post("/v1/admin/reload")
        info = champion.info.model_copy(update={"version": newer})
        write_bundle_file(LoadedModel(champion.model, info), path, KEY, kind="property")
        changed = admin.post("/v1/admin/reload")
        time.sleep(0.5)
        tampered = bytearray(path.read_bytes())
        tampered[-100] ^= 0xFF  # one flipped byte in the pickled payload
        path.write_bytes(bytes(tampered))
        refused = admin.post("/v1/admin/reload")
        time.sleep(0.3)
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
        after = httpx.post(url + "/v1/valuations/property", json=body, headers=auth(judge))
        metrics = admin.get("/metrics").text
    assert same.status_code == 200 and same.json()["models"][0]["outcome"] == "unchanged"
    assert changed.status_code == 200, changed.text
    assert changed.json()["models"][0] | {"reason": None} == {
        "kind": "property",
        "outcome": "changed",
        "version": newer,
        "previous_version": champion.info.version,
        "source": "bundle",
        "reason": None,
    }
    kept = refused.json()["models"][0]
    assert (kept["outcome"], kept["version"]) == ("kept", newer), kept
    assert "checksum" in kept["reason"] or "signature" in kept["reason"], kept
    assert set(seen) == {f"200 {champion.info.version}", f"200 {newer}"}, seen
    assert sum(seen.values()) > 20
    assert after.json()["model"]["version"] == newer
    served = [line for line in metrics.splitlines() if line.startswith("courtval_model_info{")]
    assert len(served) == 1 and f'version="{newer}"' in served[0], served
