"""`courtval bench triage`: the triage targets, measured in one self-contained run.

Trains a difficulty model into a temporary store, then

* ``cli_1m_s``, ``cli_1m_peak_mib`` — ``courtval score cases`` on a file of a million cases, in
  a fresh process (wall time including start-up; peak resident memory from ``getrusage`` of
  the reaped child);
* ``http_100k_s`` (a JSON document) and ``http_100k_ndjson_s`` (the same cases as JSON Lines) —
  one ``POST /v1/cases/rank`` of 100,000 cases to a real server on loopback
  (median of three, after one warm-up; the client's time from sending the body to holding the
  whole answer; ``http.client``, which adds less than ``httpx`` to a 60 MB answer).
"""

from __future__ import annotations

import http.client
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from courtval.bench import bench_key, free_port, post, start_server
from models.settings import Settings
from models.table_io import write_parquet
from models.triage.schemas import CaseRequest
from serving.court import Role
from training.difficulty_task import DifficultyTrainConfig, train_difficulty
from training.generate.cases import generate_cases

_AS_OF = "2026-06-30"
_HTTP_RUNS = 3


def request_table(cases: pd.DataFrame) -> pd.DataFrame:
    """The request's columns of a case table (what the triage system sends)."""
    return cases[[c for c in CaseRequest.model_fields if c in cases]]


def _dated_text(cases: pd.DataFrame) -> pd.DataFrame:
    table = request_table(cases).copy()
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    return table


def rank_body(cases: pd.DataFrame, as_of: str) -> bytes:
    """A ``/v1/cases/rank`` JSON document: dates as ``YYYY-MM-DD``, missing values null."""
    records = _dated_text(cases).to_json(orient="records", force_ascii=False)
    return f'{{"as_of": "{as_of}", "cases": {records}}}'.encode()


def rank_lines(cases: pd.DataFrame) -> bytes:
    """The same cases as JSON Lines (``application/x-ndjson``)."""
    return _dated_text(cases).to_json(orient="records", lines=True, force_ascii=False).encode()


def _cli(home: Path, input: Path, output: Path) -> tuple[float, float]:
    env = {**os.environ, "COURTVAL_HOME": str(home), "COURTVAL_LOG_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "courtval", "score", "cases"]
    cmd += ["--input", str(input), "--output", str(output), "--as-of", _AS_OF]
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kib / 1024.0


def _http(port: int, body: bytes, media_type: str, auth: dict[str, str]) -> float:
    """Median seconds of a rank request (standard-library client: it adds the least time)."""
    path = f"/v1/cases/rank?as_of={_AS_OF}"
    times = []
    for _ in range(1 + _HTTP_RUNS):
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            post(connection, path, body, {"content-type": media_type, **auth})
        finally:
            connection.close()
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:]))


def run_triage_benchmark(
    *, http_cases: int, cli_cases: int, train_cases: int, seed: int
) -> dict[str, Any]:
    """The three figures (and what they were measured on) as a dict."""
    with tempfile.TemporaryDirectory(prefix="courtval-bench-triage-") as tmp:
        home = Path(tmp)
        settings = Settings(home=home)
        auth = bench_key(settings, Role.TRIAGE)
        train_difficulty(
            generate_cases(train_cases, seed).frame, DifficultyTrainConfig(seed=seed), settings
        )
        batch = home / "cases.parquet"
        write_parquet(request_table(generate_cases(cli_cases, seed + 1).frame), batch)
        cli_s, peak_mib = _cli(home, batch, home / "ranked.parquet")
        queue = generate_cases(http_cases, seed + 2).frame
        body, lines = rank_body(queue, _AS_OF), rank_lines(queue)
        port = free_port()
        server = start_server(home, port, ["difficulty"])
        try:
            http_s = _http(port, body, "application/json", auth)
            ndjson_s = _http(port, lines, "application/x-ndjson", auth)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "http_100k_s": round(http_s, 2),
        "http_100k_ndjson_s": round(ndjson_s, 2),
        "cli_1m_s": round(cli_s, 2),
        "cli_1m_peak_mib": round(peak_mib, 1),
        "http_cases": http_cases,
        "cli_cases": cli_cases,
        "train_cases": train_cases,
        "body_mb": round(len(body) / 1e6, 1),
    }
