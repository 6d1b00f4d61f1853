"""The `courtval` command: data generation, evaluation on a file, clear errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from courtval.cli import app
from models.settings import Settings, get_settings
from serving.court import LedgerEntryCreate, Role, append, make_engine, query
from serving.court.admin import operator
from serving.court.db import session_factory
from tests.conftest import auth, issue_key, serve_process
from training.capacity_task import CapacityTrainResult
from training.difficulty_task import DifficultyTrainResult
from training.pipeline import TrainResult

runner = CliRunner()


def test_generate_writes_data_and_planted_defects(env: Path) -> None:
    out = env / "p.parquet"
    result = runner.invoke(
        app, ["data", "generate", "property", "--rows", "500", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out)) == 500
    assert (env / "p.planted.csv").exists()


def test_generate_vehicle_writes_data_and_planted_defects(env: Path) -> None:
    result = runner.invoke(app, ["data", "generate", "vehicle", "--rows", "800"])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(env / "data" / "vehicle_transactions.parquet")
    assert len(frame) == 800
    assert (env / "data" / "vehicle_transactions.planted.csv").exists()


def test_evaluate_vehicle_on_a_file_with_the_folds_on_a_dask_cluster(
    env: Path, dask_scheduler: str
) -> None:
    """The folds go to the cluster (``tests/training/test_folds.py``: the same figures as
    here); the other evaluate tests fit theirs here."""
    out = env / "v.csv"
    runner.invoke(app, ["data", "generate", "vehicle", "--rows", "400", "--out", str(out)])
    args = ["evaluate", "vehicle", "--data", str(out), "--target", "price", "--folds", "2"]
    options = ["--exclude", "transaction_id", "--bootstrap", "0", "--scheduler", dask_scheduler]
    result = runner.invoke(app, [*args, *options])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert "ci95" not in line  # --bootstrap 0: the figures alone
    # rows without a price (a planted defect) are dropped, the rest scored out-of-fold
    assert 390 <= line["n"] <= 400 and 0 < line["median_ape"] < 1


def test_evaluate_repeated_on_other_partitions(env: Path) -> None:
    out = env / "v.csv"
    runner.invoke(app, ["data", "generate", "vehicle", "--rows", "400", "--out", str(out)])
    args = ["evaluate", "vehicle", "--data", str(out), "--target", "price", "--folds", "2"]
    options = ["--exclude", "transaction_id", "--bootstrap", "0", "--seed", "4"]
    result = runner.invoke(app, [*args, *options, "--repeats", "3"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    repeated = line["repeated"]
    assert repeated["partitions"] == 3 and repeated["seeds"] == [4, 5, 6]
    first, *others = repeated["per_partition"]
    assert first["median_ape"] == float(f"{line['median_ape']:.6g}")  # the line's own: seed 4
    assert all(other["median_ape"] != first["median_ape"] for other in others)
    assert repeated["min"]["rmsle"] <= repeated["mean"]["rmsle"] <= repeated["max"]["rmsle"]
    alone = runner.invoke(app, [*args, *options])
    assert json.loads(alone.stdout.strip().splitlines()[-1]) == {
        k: v for k, v in line.items() if k != "repeated"
    }


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("cluster-7", "'cluster-7' is not a Dask scheduler address"),
        ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
    ],
)
def test_evaluate_names_a_scheduler_it_cannot_use(
    env: Path, monkeypatch: pytest.MonkeyPatch, address: str, message: str
) -> None:
    monkeypatch.setenv("COURTVAL_DASK_TIMEOUT_S", "1")
    get_settings.cache_clear()
    out = env / "v.csv"
    runner.invoke(app, ["data", "generate", "vehicle", "--rows", "300", "--out", str(out)])
    args = ["evaluate", "vehicle", "--data", str(out), "--target", "price", "--folds", "2"]
    result = runner.invoke(app, [*args, "--scheduler", address])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_generate_debtors_and_evaluate_capacity_on_the_file(env: Path) -> None:
    result = runner.invoke(app, ["data", "generate", "debtors", "--rows", "1000"])
    assert result.exit_code == 0, result.output
    path = env / "data" / "debtors.parquet"
    assert len(pd.read_parquet(path)) == 1000  # planted duplicate cases included
    truth = "outcome,recovered_share,recovered_amount,true_capacity,hidden_assets,income_12m"
    excluded = f"case_id,filed_at,{truth},hidden_capacity,resistance,archetype"
    args = ["evaluate", "capacity", "--data", str(path), "--target", "paid_full_6m"]
    result = runner.invoke(app, [*args, "--exclude", excluded, "--folds", "2"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["n"] == 1000 and 0.7 < line["auc"] < 1 and line["ece"] < 0.1
    low, high = line["ci95"]["auc"]
    assert low < line["auc"] < high and "ece" not in line["ci95"]


def test_evaluate_capacity_names_a_target_that_is_not_binary(env: Path) -> None:
    runner.invoke(app, ["data", "generate", "debtors", "--rows", "300"])
    path = env / "data" / "debtors.parquet"
    args = ["evaluate", "capacity", "--data", str(path), "--target", "amount_due"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "amount_due" in result.output


def test_evaluate_rejects_another_kinds_dataset(env: Path) -> None:
    result = runner.invoke(app, ["evaluate", "vehicle", "--dataset", "ames"])
    assert result.exit_code == 2
    assert "car_prices" in result.output


def test_evaluate_on_a_file_prints_one_json_line(env: Path) -> None:
    out = env / "p.csv"
    runner.invoke(app, ["data", "generate", "property", "--rows", "600", "--out", str(out)])
    assert len(pd.read_csv(out)) == 600
    result = runner.invoke(
        app,
        [
            "evaluate",
            "property",
            "--data",
            str(out),
            "--target",
            "price",
            "--exclude",
            "transaction_id",
            "--folds",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"median_ape", "ppe10", "ppe20", "rmsle", "interval_coverage", "n"} <= set(line)
    assert line["bootstrap"] == 1000  # each figure's 95% interval from resampled rows
    for name in ("median_ape", "ppe10", "rmsle", "interval_coverage"):
        low, high = line["ci95"][name]
        assert low < high and low <= line[name] * 1.001 and line[name] * 0.999 <= high, name


def test_evaluate_names_a_missing_target_column(env: Path) -> None:
    out = env / "p.parquet"
    runner.invoke(app, ["data", "generate", "property", "--rows", "300", "--out", str(out)])
    result = runner.invoke(app, ["evaluate", "property", "--data", str(out), "--target", "价格"])
    assert result.exit_code == 2
    assert "价格" in result.output


def test_train_without_data_says_how_to_get_it(env: Path) -> None:
    result = runner.invoke(app, ["train", "property", "--data", str(env / "none.parquet")])
    assert result.exit_code == 2
    assert "courtval data generate property" in result.output
    result = runner.invoke(app, ["train", "capacity", "--data", str(env / "none.parquet")])
    assert result.exit_code == 2
    assert "courtval data generate debtors" in result.output


def test_train_on_a_csv_file_and_name_its_bad_cell(env: Path) -> None:
    out = env / "sales.csv"  # its dates are text once written: they were a traceback before
    runner.invoke(app, ["data", "generate", "property", "--rows", "1500", "--out", str(out)])
    result = runner.invoke(app, ["train", "property", "--data", str(out)])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    table = pd.read_csv(out, dtype="str")
    table.loc[4, "floor"] = "三楼"
    table.to_csv(out, index=False)
    result = runner.invoke(app, ["train", "property", "--data", str(out)])
    assert result.exit_code == 2
    assert "data row 5, column floor: '三楼' not a number" in " ".join(result.output.split())


def test_train_fits_its_inner_folds_on_a_dask_cluster(env: Path, dask_scheduler: str) -> None:
    """`train --scheduler`: the estimator's inner folds run on the cluster and the model is
    registered as usual (``tests/training/test_folds.py``: the same model as here)."""
    out = env / "sales.parquet"
    runner.invoke(app, ["data", "generate", "property", "--rows", "1500", "--out", str(out)])
    args = ["train", "property", "--data", str(out), "--scheduler", dask_scheduler]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output


def test_train_says_which_kind_has_nothing_for_a_cluster(env: Path) -> None:
    args = ["train", "difficulty", "--scheduler", "tcp://127.0.0.1:9"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "`courtval train difficulty` has no independent steps for a cluster" in result.output


def test_a_debtor_file_with_a_bad_date_is_named_not_a_traceback(env: Path) -> None:
    out = env / "debtors.csv"
    runner.invoke(app, ["data", "generate", "debtors", "--rows", "300", "--out", str(out)])
    table = pd.read_csv(out, dtype="str")
    table.loc[6, "filed_at"] = "去年"
    table.to_csv(out, index=False)
    result = runner.invoke(app, ["train", "capacity", "--data", str(out)])
    assert result.exit_code == 2, result.output
    assert "data row 7, column filed_at: '去年' not a date" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("kind", "dataset", "column"),
    [
        ("property", "property", "area_m2"),
        ("capacity", "debtors", "amount_due"),
        ("difficulty", "cases", "amount_due"),
    ],
)
def test_a_file_that_cleaning_empties_is_named_not_a_traceback(
    env: Path, kind: str, dataset: str, column: str
) -> None:
    """Every row lacks a required field: an error line naming the rule, not a traceback."""
    out = env / f"{dataset}.csv"
    runner.invoke(app, ["data", "generate", dataset, "--rows", "300", "--out", str(out)])
    pd.read_csv(out, dtype="str").assign(**{column: ""}).to_csv(out, index=False)
    result = runner.invoke(app, ["train", kind, "--data", str(out)])
    assert result.exit_code == 2, result.output
    assert "cleaning kept none of the 300 rows" in " ".join(result.output.split())


def test_calendar_checks_a_holiday_file(env: Path) -> None:
    """The operator checks the court's copy of the notice before the server reads it."""
    from models.court import covered_years, supplement_calendar

    supplement_calendar({})
    first, year = covered_years()[0], covered_years()[-1] + 1
    good, bad = env / "holidays.json", env / "bad.json"
    notice = {"holidays": [f"{year}-01-01", f"{year}-02-05/{year}-02-11"], "workdays": []}
    good.write_text(json.dumps({str(year): notice}), encoding="utf-8")
    bad.write_text(json.dumps({str(year): {"holidays": [f"{year + 1}-01-01"]}}), encoding="utf-8")
    try:
        result = runner.invoke(app, ["calendar", "--file", str(good)])
        output = " ".join(result.output.split())
        assert f"{year}: 8 days off, 0 weekend days worked" in output
        assert f"working days known for {first}–{year}" in output
        assert result.exit_code in (0, 1)  # 1 only once the year after is needed too
        result = runner.invoke(app, ["calendar", "--file", str(bad)])
        assert result.exit_code == 2
        assert f"'{year + 1}-01-01' is not in {year}" in " ".join(result.output.split())
    finally:
        supplement_calendar({})


def test_serve_without_a_champion_says_how_to_train(env: Path) -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "courtval train property" in result.output


def test_serve_in_a_fresh_process_loads_the_champions(
    trained: TrainResult,
    trained_vehicle: TrainResult,
    trained_capacity: CapacityTrainResult,
    trained_difficulty: DifficultyTrainResult,
    session_settings: Settings,
    tmp_path: Path,
) -> None:
    """`courtval serve` resolves the champions through its own store, not MLflow's defaults."""
    key = issue_key(session_settings, Role.DATA_SCIENTIST)
    settings = {
        "COURTVAL_HOME": str(session_settings.home),
        "COURTVAL_DATA_DIR": str(session_settings.data_dir),
    }
    with serve_process(settings, tmp_path / "server.log", cwd=tmp_path) as url:
        models = httpx.get(url + "/v1/models", headers=auth(key), timeout=10).json()
    runs = {m["kind"]: m["model"]["run_id"] for m in models}
    assert runs == {
        "capacity": trained_capacity.run_id,
        "difficulty": trained_difficulty.run_id,
        "property": trained.run_id,
        "vehicle": trained_vehicle.run_id,
    }


def test_generate_cases_writes_the_case_table(env: Path) -> None:
    result = runner.invoke(app, ["data", "generate", "cases", "--rows", "2000"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(env / "data" / "cases.parquet")) == 2000


def test_data_queue_writes_the_open_cases_of_a_day(env: Path) -> None:
    from models.triage.records import case_frame

    generated = runner.invoke(app, ["data", "generate", "cases", "--rows", "3000"])
    assert generated.exit_code == 0, generated.output
    args = ["data", "queue", "--as-of", "2026-03-31", "--cases", "200"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    queue = pd.read_parquet(env / "data" / "queues" / "queue-2026-03-31.parquet")
    assert len(queue) == 200
    assert (queue["filed_at"] <= "2026-03-31").all() and queue["filed_at"].is_monotonic_increasing
    assert len(case_frame(queue)) == 200  # a queue the triage board can rank


def test_data_queue_reads_a_csv_of_court_records(env: Path) -> None:
    records = env / "cases.csv"  # text dates, no latent truth: a TypeError traceback before
    runner.invoke(app, ["data", "generate", "cases", "--rows", "1000", "--out", str(records)])
    table = pd.read_csv(records).drop(columns=["archetype", "true_capacity", "resistance"])
    table.to_csv(records, index=False)
    out = env / "queue.parquet"
    result = runner.invoke(app, ["data", "queue", "--data", str(records), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out)) > 0
    table.drop(columns=["observed_until"]).to_csv(records, index=False)
    result = runner.invoke(app, ["data", "queue", "--data", str(records)])
    assert result.exit_code == 2
    assert "missing columns ['observed_until']" in " ".join(result.output.split())


def test_evaluate_difficulty_prints_model_and_baseline(env: Path) -> None:
    command = ["evaluate", "difficulty", "--rows", "6000", "--seed", "1", "--bootstrap", "50"]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(line) == {"model", "baseline", "gain", "n", "ci95", "bootstrap"}
    figures = {"auc_paid_in_period", "ndcg_100", "ndcg_1000", "spearman_speed", "c_index"}
    assert set(line["model"]) == set(line["baseline"]) == set(line["gain"]) == figures
    assert line["model"]["auc_paid_in_period"] > line["baseline"]["auc_paid_in_period"]
    for name, gain in line["gain"].items():
        assert gain == pytest.approx(line["model"][name] - line["baseline"][name])
    # Paired intervals: each group's figure inside its own interval, 50 resamples.
    assert line["bootstrap"] == 50
    assert set(line["ci95"]) == {f"{g}.{f}" for g in ("model", "baseline", "gain") for f in figures}
    for name, (low, high) in line["ci95"].items():
        group, figure = name.split(".")
        assert low <= line[group][figure] <= high, name
    # The MLflow run of the evaluation keeps the gains and the intervals too.
    from models.settings import get_settings
    from training.tracking import start_tracking

    settings = get_settings()
    client = start_tracking(settings)
    experiment = client.get_experiment_by_name(settings.experiment)
    assert experiment is not None
    (run,) = client.search_runs(
        [experiment.experiment_id], "attributes.run_name = 'evaluate-difficulty'"
    )
    logged = run.data.metrics
    assert logged["gain_c_index"] == pytest.approx(line["gain"]["c_index"])
    assert [logged["gain_c_index_ci95_low"], logged["gain_c_index_ci95_high"]] == pytest.approx(
        line["ci95"]["gain.c_index"]
    )


@pytest.fixture
def champion_env(
    trained_difficulty: object, session_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The CLI pointed at the session store, which holds a difficulty champion."""
    monkeypatch.setenv("COURTVAL_HOME", str(session_settings.home))
    from models.settings import get_settings

    get_settings.cache_clear()
    yield session_settings
    get_settings.cache_clear()


def test_score_cases_ranks_a_file_and_writes_groups_beside_it(
    champion_env: Settings, case_data: pd.DataFrame, tmp_path: Path
) -> None:
    source, out = tmp_path / "queue.parquet", tmp_path / "ranked.csv"
    case_data.tail(800).to_parquet(source)
    args = ["score", "cases", "--input", str(source), "--output", str(out)]
    result = runner.invoke(app, [*args, "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    ranked = pd.read_csv(out)
    assert len(ranked) == 800 and list(ranked["rank"]) == list(range(1, 801))
    assert {"lane", "cash_ratio", "reason_1", "alerts", "bundles"} <= set(ranked.columns)
    for side in ("bundles", "bankruptcy", "alerts"):
        assert (tmp_path / f"ranked.{side}.csv").exists()


def test_score_cases_names_the_row_and_column_of_a_bad_record(
    champion_env: Settings, case_data: pd.DataFrame, tmp_path: Path
) -> None:
    queue = case_data.tail(20).reset_index(drop=True)
    queue.loc[7, "amount_due"] = -1.0
    source = tmp_path / "queue.csv"
    queue.to_csv(source, index=False)
    args = ["score", "cases", "--input", str(source), "--output", str(tmp_path / "r.parquet")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "data row 8, column amount_due" in result.output and "Traceback" not in result.output


def test_keys_and_ledger_commands(env: Path) -> None:
    created = runner.invoke(app, ["keys", "create", "--owner", "王法官", "--role", "judge"])
    assert created.exit_code == 0, created.output
    secret = next(w for w in created.output.split() if w.startswith("cv_"))
    listing = runner.invoke(app, ["keys", "list"])
    assert "王法官" in listing.output and secret not in listing.output
    assert runner.invoke(app, ["keys", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list"]).output
    bad_role = runner.invoke(app, ["keys", "create", "--owner", "x", "--role", "king"])
    assert bad_role.exit_code == 2 and "role" in bad_role.output
    unknown = runner.invoke(app, ["keys", "revoke", "9"])
    assert unknown.exit_code == 2 and "9" in unknown.output
    verified = runner.invoke(app, ["ledger", "verify"])
    assert verified.exit_code == 0 and "ledger OK: 2 entries" in verified.output
    url = get_settings().resolved_database_url
    engine = make_engine(url)
    with session_factory(engine)() as session:  # the key's creation and revocation, by whom
        events = query(session).items
    assert [(e.key_id, e.endpoint, e.purpose) for e in events] == [
        (1, "courtval keys create", "签发 API 密钥"),
        (1, "courtval keys revoke", "吊销 API 密钥"),
    ]
    assert events[0].user_name == operator() and events[0].inputs["owner"] == "王法官"
    assert events[1].outputs["revoked_at"] is not None
    assert secret not in json.dumps([e.model_dump(mode="json") for e in events])
    entry = {"user_name": "王法官", "role": Role.JUDGE, "endpoint": "/v1/x", "latency_ms": 1.0}
    append(engine, LedgerEntryCreate(key_id=1, inputs={}, outputs={}, **entry))
    engine.dispose()
    verified = runner.invoke(app, ["ledger", "verify"])
    head = re.search(r"head (\d+:[0-9a-f]{64})", verified.output)
    assert head is not None  # printed to be published
    anchored = runner.invoke(app, ["ledger", "verify", "--anchor", head.group(1)])
    assert anchored.exit_code == 0 and "1 published heads match" in anchored.output
    other = head.group(1)[:-1] + ("0" if head.group(1)[-1] != "0" else "1")
    broken = runner.invoke(app, ["ledger", "verify", "--anchor", other])
    assert broken.exit_code == 1 and "(anchor_mismatch)" in broken.output
    bad = runner.invoke(app, ["ledger", "verify", "--anchor", "1:abc"])
    assert bad.exit_code == 2 and "is not ID:HASH" in bad.output


def test_ledger_backup_command(env: Path, tmp_path: Path) -> None:
    assert (
        runner.invoke(app, ["keys", "create", "--owner", "王法官", "--role", "judge"]).exit_code
        == 0
    )
    copy = tmp_path / "backups" / "court-2026-12-04.db"
    made = runner.invoke(app, ["ledger", "backup", str(copy)])
    assert made.exit_code == 0, made.output
    assert f"backup {copy}" in made.output and "ledger OK: 1 entries" in made.output
    again = runner.invoke(app, ["ledger", "backup", str(copy)])
    assert again.exit_code == 2 and "never overwrites" in again.output
    assert "Traceback" not in again.output


def test_data_sales_writes_the_recorded_sales(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "sales.csv"
    written = runner.invoke(app, ["data", "sales", "property", "--output", str(out)])
    assert written.exit_code == 0, written.output
    assert "wrote 0 recorded property sales" in written.output
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:2] == ["district", "community"] and header[-3:] == [
        "price",
        "sale_round",
        "inquiry_id",
    ]
    boat = runner.invoke(app, ["data", "sales", "boat", "--output", str(out)])
    assert boat.exit_code == 2 and "kind" in boat.output


@pytest.mark.parametrize(
    ("hours", "ok"), [("8-18", True), ("18-8", False), ("8", False), ("8-25", False)]
)
def test_a_key_may_be_limited_to_hours(env: Path, hours: str, ok: bool) -> None:
    args = ["keys", "create", "--owner", "王法官", "--role", "judge", "--hours", hours]
    result = runner.invoke(app, args)
    assert result.exit_code == (0 if ok else 2), result.output
    if ok:
        assert "8-18" in runner.invoke(app, ["keys", "list"]).output
    else:
        assert "hours" in result.output and "Traceback" not in result.output


def test_store_errors_are_one_line_without_the_password(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.settings import get_settings

    monkeypatch.setenv("COURTVAL_DATABASE_URL", "postgresql+psycopg://u:s3cret@127.0.0.1:1/x")
    get_settings.cache_clear()
    result = runner.invoke(app, ["keys", "list"])
    assert result.exit_code == 2
    assert "court store" in result.output and "s3cret" not in result.output
    assert "Traceback" not in result.output


def test_bench_serve_prints_every_figure(env: Path) -> None:
    """The serving benchmark end to end, small: it trains, serves, times and stops its server."""
    result = runner.invoke(
        app,
        ["bench", "serve", "--kind", "property", "--property-rows", "2000", "--requests", "20"],
    )
    assert result.exit_code == 0, result.output
    line = [text for text in result.output.splitlines() if text.startswith("{")][-1]
    figures = json.loads(line)
    assert set(figures) == {"property", "server_rss_mb"}
    timed = figures["property"]
    assert set(timed) == {
        "booster_us",
        "estimate_us",
        "predict_us",
        "n_training_rows",
        "http_p50_ms",
        "http_p99_ms",
        "batch_rows_per_s",
    }
    assert all(value > 0 for value in timed.values())
    assert timed["http_p50_ms"] <= timed["http_p99_ms"]
    assert 0 < figures["server_rss_mb"] < 4000


def test_bench_folds_times_both_ways_and_compares_the_figures(env: Path) -> None:
    args = ["bench", "folds", "--rows", "1000", "--folds", "2", "--workers", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    line = [text for text in result.output.splitlines() if text.startswith("{")][-1]
    figures = json.loads(line)
    assert figures["here_s"] > 0 and figures["cluster_s"] > 0
    assert figures["speedup"] == pytest.approx(figures["here_s"] / figures["cluster_s"], rel=0.01)
    assert figures["max_log_difference"] < 1e-9
    assert figures["max_metric_relative_difference"] < 1e-9
    assert figures["fit_here_s"] > 0 and figures["fit_cluster_s"] > 0
    assert figures["fit_max_log_difference"] < 1e-9
    assert 0 < figures["median_ape"] < 0.3


def test_a_bad_setting_is_named_not_a_traceback(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURTVAL_DASK_SCHEDULER", "scheduler-1")
    get_settings.cache_clear()
    result = runner.invoke(app, ["evaluate", "vehicle", "--dataset", "car_prices"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "bad setting: " in text and "COURTVAL_DASK_SCHEDULER: String should match" in text
    assert "scheduler-1" not in text  # a value may be a secret: never echoed
    assert "Traceback" not in text
