"""`courtval score debtors`: the triage system's debtor file scored by the capacity model in
service, here or chunk by chunk on a real Dask cluster, with the API's answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from courtval.cli import app
from models.capacity.bulk import DEBTOR_TABLE
from models.capacity.options import CapacityOptions
from models.capacity.schemas import CapacityBatchRequest, DebtorRequest
from models.identity import identity_key, keyed_hash
from models.labels import DEBTOR_LABELS
from models.registry import LoadedModel
from models.settings import Settings, get_settings
from models.table_requests import valid_requests
from tests.models.test_identity import RESIDENT
from training.capacity_task import CapacityTrainResult

runner = CliRunner()
KEY = "a-long-random-secret-shared-by-both-networks"


@pytest.fixture
def store(
    trained_capacity: CapacityTrainResult,
    session_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Settings]:
    """The CLI pointed at the session store, which holds a capacity champion."""
    monkeypatch.setenv("COURTVAL_HOME", str(session_settings.home))
    get_settings.cache_clear()
    yield session_settings
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def queue(debtor_data: pd.DataFrame) -> pd.DataFrame:
    """600 generated debtors whose rows are all valid requests, with the court's own key."""
    checked, _ = valid_requests(DEBTOR_TABLE, debtor_data, DEBTOR_TABLE.column_fields(debtor_data))
    valid = [i for i, request in enumerate(checked) if request is not None]
    return debtor_data.iloc[valid[:600]].reset_index(drop=True)


def _score(source: Path, out: Path, *options: str) -> str:
    args = ["score", "debtors", "--input", str(source), "--output", str(out), *options]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_scores_are_the_apis_answers(
    store: Settings, queue: pd.DataFrame, capacity_champion: LoadedModel, tmp_path: Path
) -> None:
    source, out = tmp_path / "debtors.parquet", tmp_path / "scored.csv"
    queue.to_parquet(source)
    output = _score(source, out, "--reasons", "--chunk-rows", "250")
    scored = pd.read_csv(out)
    assert "scored 600 debtors here" in output
    assert list(scored["case_id"]) == list(queue["case_id"])  # the court's key, in file order

    checked, _ = valid_requests(DEBTOR_TABLE, queue, DEBTOR_TABLE.column_fields(queue))
    requests = [r for r in checked if isinstance(r, DebtorRequest)]
    assert len(requests) == 600
    options = CapacityOptions.from_settings(store, identity_key(store))
    batch = CapacityBatchRequest(items=requests, include_contributions=True)
    api = capacity_champion.model.assess_batch(batch, capacity_champion.info, options).items
    np.testing.assert_allclose(
        scored["probability_full_6m"], [a.probability_full_6m for a in api], rtol=1e-12
    )
    assert list(scored["tier"]) == [str(a.tier) for a in api]
    first_reasons = [a.reasons[0].code if a.reasons else None for a in api]
    assert list(scored["reason_1_code"].replace({np.nan: None})) == first_reasons
    assert (scored["model_version"].astype(str) == capacity_champion.info.version).all()


def test_a_dask_cluster_scores_the_same_table(
    store: Settings, queue: pd.DataFrame, dask_scheduler: str, tmp_path: Path
) -> None:
    from distributed import Client, get_task_stream

    source = tmp_path / "debtors.parquet"
    queue.to_parquet(source)
    _score(source, tmp_path / "here.parquet", "--chunk-rows", "200")
    with Client(dask_scheduler, set_as_default=False) as observer, get_task_stream(observer) as s:
        output = _score(
            source, tmp_path / "there.parquet", "--chunk-rows", "200", "--scheduler", dask_scheduler
        )
    assert f"on the Dask cluster at {dask_scheduler}" in output
    # only the cluster's own count proves the chunks went there: one task a chunk
    assert sum(t["key"].startswith("on_worker") for t in s.data) == 3
    here = pd.read_parquet(tmp_path / "here.parquet")
    there = pd.read_parquet(tmp_path / "there.parquet")
    pd.testing.assert_frame_equal(here, there)


def test_a_bad_cell_stops_the_run_or_is_listed_beside_it(
    store: Settings, queue: pd.DataFrame, tmp_path: Path
) -> None:
    bad = queue.head(50).astype({"flights_12m": object, "employer_found": object})
    bad["employer_found"] = bad["employer_found"].map({True: "是", False: "否"})  # as a clerk types
    bad.loc[7, "amount_due"] = -5.0
    bad.loc[30, "flights_12m"] = "many"
    source, out = tmp_path / "debtors.csv", tmp_path / "scored.parquet"
    bad.to_csv(source, index=False)

    result = runner.invoke(app, ["score", "debtors", "--input", str(source), "--output", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "2 rows have bad cells; nothing was written" in result.output
    assert "data row 8, column amount_due" in result.output
    assert "data row 31, column flights_12m" in result.output
    assert not out.exists()

    output = _score(source, out, "--skip-invalid", "--chunk-rows", "100")
    assert "2 rows left out" in output
    scored = pd.read_parquet(out)
    assert len(scored) == 48 and bad["case_id"][7] not in set(scored["case_id"])
    rejected = pd.read_parquet(tmp_path / "scored.rejected.parquet")
    assert list(rejected["data_row"]) == [8, 31]
    assert list(rejected["column"]) == ["amount_due", "flights_12m"]


def test_the_identity_number_leaves_only_as_its_keyed_hash(
    store: Settings, queue: pd.DataFrame, tmp_path: Path
) -> None:
    people = queue[queue["debtor_type"] == "自然人"].head(3).copy()
    people["debtor_id_number"] = RESIDENT
    # a clerk's file: columns by their Chinese labels, which name the fields as well
    labelled = ("debtor_id_number", "amount_due")
    people = people.rename(columns={name: DEBTOR_LABELS[name] for name in labelled})
    source, out = tmp_path / "debtors.parquet", tmp_path / "scored.csv"
    people.to_parquet(source)
    _score(source, out)
    scored = pd.read_csv(out)
    assert DEBTOR_LABELS["debtor_id_number"] not in scored.columns
    assert scored["expected_recovered_amount"].max() > 0
    assert set(scored["debtor_id_hash"]) == {keyed_hash(RESIDENT, identity_key(store))}
    assert RESIDENT not in out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["amount_due"]), "missing columns: amount_due (执行标的（元）)"),
        (lambda f: f.assign(tier="x"), "the columns tier are the answers' names"),
        (lambda f: f.head(0), "the file has no data rows"),
        (
            lambda f: f.assign(身份证号=RESIDENT),
            "the column 身份证号 holds identity numbers, which would pass through",
        ),
    ],
)
def test_a_file_it_cannot_score_is_one_clear_line(
    store: Settings, queue: pd.DataFrame, tmp_path: Path, change: object, message: str
) -> None:
    source = tmp_path / "debtors.parquet"
    change(queue.head(20)).to_parquet(source)  # type: ignore[operator]
    args = ["score", "debtors", "--input", str(source), "--output", str(tmp_path / "o.csv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output


def test_an_isolated_network_scores_with_its_imported_bundle(
    store: Settings, queue: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The court network has no registry: the batch commands load the bundle file the server
    serves (``COURTVAL_MODEL_SOURCE=bundles``)."""
    monkeypatch.setenv("COURTVAL_BUNDLE_SIGNING_KEY", KEY)
    get_settings.cache_clear()
    bundle = tmp_path / "capacity.cvbundle"
    exported = runner.invoke(app, ["models", "export", "capacity", "-o", str(bundle)])
    assert exported.exit_code == 0, exported.output

    monkeypatch.setenv("COURTVAL_HOME", str(tmp_path / "court"))
    monkeypatch.setenv("COURTVAL_MODEL_SOURCE", "bundles")
    get_settings.cache_clear()
    imported = runner.invoke(app, ["models", "import", str(bundle)])
    assert imported.exit_code == 0, imported.output
    source = tmp_path / "debtors.parquet"
    queue.head(40).to_parquet(source)
    _score(source, tmp_path / "scored.parquet")
    assert len(pd.read_parquet(tmp_path / "scored.parquet")) == 40
    assert not (tmp_path / "court" / "mlflow.db").exists()  # no registry was made or asked


def test_bench_debtors_scores_both_ways_to_the_same_file(env: Path) -> None:
    args = ["bench", "debtors", "--rows", "1000", "--train-rows", "2000", "--chunk-rows", "300"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["identical"] is True
    assert 950 <= figures["scored"] < 1000  # the queue's planted defects are left out
    assert figures["speedup"] == pytest.approx(figures["here_s"] / figures["cluster_s"], rel=0.01)
    assert figures["here_rows_per_s"] > 0 and figures["cluster_rows_per_s"] > 0
