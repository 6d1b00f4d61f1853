"""A tracking store that cannot be used is named in seconds, before any training, with no
password in the message; MLflow's own client would retry for about 100 s, and `courtval
train` used to find out only after fitting, in a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from courtval.cli import app
from models.errors import RegistryUnreachableError
from models.registry import redacted, require_tracking_store, tracking_unreachable

#: Nothing listens on the discard port.
DOWN = "postgresql+psycopg://court:s3cret@127.0.0.1:9/mlflow"

runner = CliRunner()


def test_a_database_server_that_is_down_is_named() -> None:
    assert "cannot connect to 127.0.0.1:9" in (tracking_unreachable(DOWN) or "")


def test_the_message_never_shows_the_password() -> None:
    assert redacted(DOWN) == "postgresql+psycopg://court:***@127.0.0.1:9/mlflow"
    with pytest.raises(RegistryUnreachableError, match="unreachable") as raised:
        require_tracking_store(DOWN)
    assert "s3cret" not in str(raised.value) and "court:***@" in str(raised.value)


@pytest.mark.timeout(60)  # MLflow's retries would take about 100 s
def test_a_running_server_with_a_wrong_database_is_named(postgres_url: str) -> None:
    assert tracking_unreachable(postgres_url) is None
    wrong = postgres_url.rsplit("/", 1)[0] + "/no_such_store"
    assert "no_such_store" in (tracking_unreachable(wrong) or "")


def test_a_new_sqlite_store_is_fine_for_training_but_not_for_reading(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/new/mlflow.db"
    assert tracking_unreachable(uri, must_exist=False) is None
    assert "no MLflow store" in (tracking_unreachable(uri) or "")


@pytest.mark.timeout(60)
def test_train_names_a_store_that_is_down_before_training(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = env / "sales.parquet"
    runner.invoke(app, ["data", "generate", "property", "--rows", "300", "--out", str(out)])
    monkeypatch.setenv("COURTVAL_TRACKING_URI", DOWN)
    from models.settings import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, ["train", "property", "--data", str(out)])
    assert result.exit_code == 2, result.output
    assert "unreachable" in result.output and "cannot connect to 127.0.0.1:9" in result.output
    assert "s3cret" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
