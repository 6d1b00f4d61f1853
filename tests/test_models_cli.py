"""`courtval models export | import | list`: a registered model carried to another network."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from courtval.cli import app
from models.registry import client_for
from models.settings import Settings, get_settings
from tests.conftest import SMALL, make_settings
from training.config import TrainConfig
from training.pipeline import TrainResult, train
from training.property_task import property_task

runner = CliRunner()
KEY = "a-long-random-secret-shared-by-both-networks"


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the CLI at a home (and key); call it again to switch networks."""

    def use(home: Path, key: str | None = KEY) -> None:
        monkeypatch.setenv("COURTVAL_HOME", str(home))
        if key is None:
            monkeypatch.delenv("COURTVAL_BUNDLE_SIGNING_KEY", raising=False)
        else:
            monkeypatch.setenv("COURTVAL_BUNDLE_SIGNING_KEY", key)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def _line(output: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return parsed


@pytest.fixture
def exported(
    trained: TrainResult, session_settings: Settings, network: Any, tmp_path: Path
) -> tuple[Path, dict[str, Any]]:
    """The property champion exported from the training network's registry."""
    network(session_settings.home)
    out = tmp_path / "property.cvbundle"
    result = runner.invoke(app, ["models", "export", "property", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, _line(result.stdout)


def test_export_import_list(
    exported: tuple[Path, dict[str, Any]], trained: TrainResult, network: Any, tmp_path: Path
) -> None:
    out, summary = exported
    assert (summary["name"], summary["kind"]) == ("courtval-property", "property")
    assert (summary["version"], summary["alias"]) == (trained.version, "champion")

    network(tmp_path / "court")  # the isolated network: no registry, same key
    result = runner.invoke(app, ["models", "import", str(out)])
    assert result.exit_code == 0, result.output
    imported = _line(result.stdout)
    assert imported["sha256"] == summary["sha256"] and imported["version"] == trained.version
    assert Path(imported["file"]) == tmp_path / "court" / "bundles" / "property.cvbundle"

    result = runner.invoke(app, ["models", "list", "--verify"])
    assert result.exit_code == 0, result.output
    listed = _line(result.stdout)
    assert listed["file"] == "property.cvbundle" and listed["verified"] is True
    assert listed["sha256"] == summary["sha256"]


def test_export_by_registered_name(
    trained: TrainResult, session_settings: Settings, network: Any, tmp_path: Path
) -> None:
    network(session_settings.home)
    out = tmp_path / "m.cvbundle"
    result = runner.invoke(app, ["models", "export", "courtval-property", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert _line(result.stdout)["kind"] == "property"


def test_an_unknown_name_is_one_clear_line(network: Any, tmp_path: Path) -> None:
    network(tmp_path / "home")
    result = runner.invoke(app, ["models", "export", "boat", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "neither a model kind" in result.output and "Traceback" not in result.output


def test_export_without_a_key_refuses(network: Any, tmp_path: Path) -> None:
    network(tmp_path / "home", key=None)
    result = runner.invoke(app, ["models", "export", "property", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "COURTVAL_BUNDLE_SIGNING_KEY is not set" in result.output


def test_a_tampered_bundle_is_refused(
    exported: tuple[Path, dict[str, Any]], network: Any, tmp_path: Path
) -> None:
    out, _ = exported
    data = out.read_bytes()
    out.write_bytes(data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:])
    network(tmp_path / "court")
    result = runner.invoke(app, ["models", "import", str(out)])
    assert result.exit_code == 2
    assert "checksum" in result.output and "refusing to load it" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "court" / "bundles").exists()


def test_another_key_is_refused(
    exported: tuple[Path, dict[str, Any]], network: Any, tmp_path: Path
) -> None:
    out, _ = exported
    network(tmp_path / "court", key="not the training network's key")
    result = runner.invoke(app, ["models", "import", str(out)])
    assert result.exit_code == 2
    assert "signature does not match" in result.output


def test_list_shows_a_broken_file_without_failing(network: Any, tmp_path: Path) -> None:
    network(tmp_path / "court")
    bundles = tmp_path / "court" / "bundles"
    bundles.mkdir(parents=True)
    (bundles / "vehicle.cvbundle").write_bytes(b"not a bundle")
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert "not a courtval bundle" in _line(result.stdout)["error"]


def test_promote_by_hand_rolls_the_champion_back_with_its_reason(
    network: Any, tmp_path: Path, property_data: pd.DataFrame
) -> None:
    settings = make_settings(tmp_path)
    task = property_task(settings)
    first = train(task, property_data, TrainConfig(estimator=SMALL, seed=0), settings)
    second = train(task, property_data, TrainConfig(estimator=SMALL, seed=0), settings)
    assert not second.promotion.promoted  # the same model again: the champion stays
    network(settings.home)
    args = ["models", "promote", "property", second.version, "--reason", "回退测试 rollback"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert _line(result.stdout) == {
        "name": "courtval-property",
        "alias": "champion",
        "version": second.version,
        "previous_version": first.version,
        "reason": "回退测试 rollback",
    }
    client = client_for(settings.resolved_tracking_uri)
    held = client.get_model_version_by_alias("courtval-property", "champion")
    assert str(held.version) == second.version
    assert held.tags["promotion"] == f"by hand: 回退测试 rollback (was v{first.version})"
    listed = runner.invoke(app, ["models", "versions", "courtval-property"])
    assert listed.exit_code == 0, listed.output
    lines = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(v["version"], v["aliases"]) for v in lines] == [
        (first.version, []),
        (second.version, ["champion"]),
    ]
    assert lines[0]["promotion"] == first.promotion.describe()  # the run's decision
    assert lines[1]["promotion"].startswith("by hand: 回退测试 rollback")  # the version's
    assert lines[1]["metrics"]["median_ape"] == pytest.approx(second.metrics.median_ape)
    assert runner.invoke(app, ["models", "versions", "nothing"]).exit_code == 2
    missing = runner.invoke(app, ["models", "promote", "property", "9", "--reason", "x"])
    assert missing.exit_code == 2
    assert "courtval-property has no version 9" in missing.output
    blank = runner.invoke(app, ["models", "promote", "property", first.version, "--reason", " "])
    assert blank.exit_code == 2 and "--reason" in blank.output
    network(tmp_path / "elsewhere")  # a home without a store: refused, and none is made
    nowhere = runner.invoke(app, ["models", "promote", "property", "1", "--reason", "x"])
    assert nowhere.exit_code == 2 and "no MLflow store at" in nowhere.output
    unlisted = runner.invoke(app, ["models", "versions"])
    assert unlisted.exit_code == 2 and "no MLflow store at" in unlisted.output
    assert not (tmp_path / "elsewhere" / "mlflow.db").exists()
