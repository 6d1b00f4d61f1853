"""`courtval bench serve`: serving latency and throughput, measured in one run.

Self-contained: generates data and trains into a temporary store, starts a real server on a
free loopback port, measures, stops it. Ratios between the figures are what to compare across
runs; absolute times drift on a shared machine.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
from pydantic import BaseModel

from models.registry import LoadedModel, load_registered
from models.settings import Settings
from models.valuer import AnswerOptions, TabularValuer
from serving.court import ApiKeyCreate, QuotaOverride, Role
from serving.court.admin import keys_create
from training.config import TrainConfig
from training.pipeline import request_frame, train
from training.tasks import kind_spec, valuation_task

#: The case every benchmark valuation is asked for (a valuation needs its 案号 and purpose).
BENCH_CASE = {"case_number": "（2026）浙1081执1号", "purpose": "性能基准测试"}
_BATCH = 10_000
_BATCH_RUNS = 5
_READY_TIMEOUT_S = 120.0

Headers = dict[str, str]


def _median_us(
    funcs: Mapping[str, Callable[[], object]], calls: int, block: int = 20
) -> dict[str, float]:
    """Median microseconds of a call of each function, timed in alternating blocks.

    Each function is called ``block`` times in turn, round after round, so that a change in
    the shared machine's load falls on all of them alike and their ratios hold (timed one
    after the other, ``estimate_us / booster_us`` ranged 1.59–2.67 over five runs on
    2026-12-03; in blocks, 2.26–2.46).
    """
    for _ in range(min(50, calls)):
        for func in funcs.values():
            func()
    times = np.empty((len(funcs), calls // block * block))
    for start in range(0, times.shape[1], block):
        for j, func in enumerate(funcs.values()):
            for i in range(start, start + block):
                began = time.perf_counter_ns()
                func()
                times[j, i] = time.perf_counter_ns() - began
    medians = np.median(times, axis=1) / 1000.0
    return {name: float(m) for name, m in zip(funcs, medians, strict=True)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _requests(schema: type[BaseModel], raw: pd.DataFrame) -> list[Any]:
    """Validated requests from a raw table (dates as dates, missing as None)."""
    raw = raw.copy()
    for column in raw.columns:
        if pd.api.types.is_datetime64_any_dtype(raw[column]):
            raw[column] = raw[column].dt.date
        elif raw[column].isna().any():
            raw[column] = raw[column].astype(object).where(raw[column].notna(), None)
    return [schema.model_validate(r) for r in raw.to_dict(orient="records")]


def _in_process(valuer: TabularValuer, info: Any, requests: list[Any]) -> dict[str, float]:
    request = requests[0]
    row, _ = valuer.regressor.row_plan_.encode(valuer.feature_row(request))
    booster = valuer.regressor.tree_.booster
    options = AnswerOptions()
    return _median_us(
        {
            "booster_us": lambda: booster.predict(row),
            "estimate_us": lambda: valuer.estimate(request),
            "predict_us": lambda: valuer.value(request, info, options),
        },
        2000,
    )


def bench_key(settings: Settings, role: Role) -> Headers:
    """The header of a new key of ``role`` in the benchmark's store, with limits it never meets."""
    settings.home.mkdir(parents=True, exist_ok=True)
    spec = ApiKeyCreate(
        owner="benchmark",
        role=role,
        quota=QuotaOverride(requests_per_day=1_000_000, requests_per_minute=100_000),
    )
    created = keys_create(settings.resolved_database_url, spec)
    return {"Authorization": f"Bearer {created.secret.get_secret_value()}"}


def start_server(home: Path, port: int, kinds: Sequence[str]) -> subprocess.Popen[bytes]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env = {
        **inherited,
        "COURTVAL_HOME": str(home),
        "COURTVAL_LOG_LEVEL": "WARNING",
        "COURTVAL_SERVE_KINDS": json.dumps(list(kinds)),
    }
    cmd = [sys.executable, "-m", "courtval", "serve", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + _READY_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the benchmark server did not become ready")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def post(conn: http.client.HTTPConnection, path: str, body: bytes, headers: Headers) -> None:
    """POST ``body`` on ``conn`` and read the whole answer; anything but 200 raises."""
    conn.request("POST", path, body, headers)
    response = conn.getresponse()
    content = response.read()
    if response.status != 200:
        raise RuntimeError(f"POST {path}: HTTP {response.status}: {content[:300]!r}")


def _http(port: int, kind: str, payloads: list[dict[str, Any]], auth: Headers) -> dict[str, float]:
    """Single full requests (each checked, metered and written to the ledger) and batches.

    The client is the standard library's keep-alive HTTP/1.1 connection, and every body is
    encoded before the clock starts, as a load generator would: the figures are the server's
    and the loopback's. (A general client library adds its own time: httpx, with its request
    log, about 1.3 ms per request on this machine.)
    """
    path = f"/v1/valuations/{kind}"
    headers = {**auth, "Content-Type": "application/json"}
    bodies = [json.dumps({**BENCH_CASE, **body}).encode() for body in payloads]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        for body in bodies[:50]:
            post(conn, path, body, headers)
        times = []
        for body in bodies[:-_BATCH] or bodies:
            start = time.perf_counter()
            post(conn, path, body, headers)
            times.append(time.perf_counter() - start)
        batch_body = json.dumps({**BENCH_CASE, "items": payloads[-_BATCH:]}).encode()
        batch_times = []
        for _ in range(1 + _BATCH_RUNS):  # the first one warms up, untimed
            start = time.perf_counter()
            post(conn, path + "/batch", batch_body, headers)
            batch_times.append(time.perf_counter() - start)
    finally:
        conn.close()
    ms = np.array(times) * 1000.0
    return {
        "http_p50_ms": float(np.percentile(ms, 50)),
        "http_p99_ms": float(np.percentile(ms, 99)),
        "batch_rows_per_s": _BATCH / float(np.median(batch_times[1:])),
    }


def _train_and_sample(
    kind: str, settings: Settings, rows: int, requests: int, seed: int
) -> tuple[LoadedModel, list[Any]]:
    spec = kind_spec(kind)
    task = valuation_task(kind, settings)
    data = spec.generate(rows, seed).frame
    train(task, data, TrainConfig(seed=seed), settings)
    loaded = load_registered(
        settings.resolved_tracking_uri,
        task.model_name,
        settings.champion_alias,
        settings.resolved_model_cache_dir,
        kind,
    )
    clean = task.clean(data).frame
    sample = clean.sample(n=requests + _BATCH, replace=True, random_state=seed)
    return loaded, _requests(spec.request_schema, request_frame(task, sample))


def run_serving_benchmark(
    kinds: Sequence[str], rows: Mapping[str, int], requests: int, seed: int
) -> dict[str, Any]:
    """Train each kind in a temporary store, then time in-process and over HTTP.

    Returns:
        Per kind: booster_us, estimate_us, predict_us, http_p50_ms, http_p99_ms,
        batch_rows_per_s and n_training_rows; and the server's resident memory with every
        kind loaded.
    """
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="courtval-bench-") as tmp:
        home = Path(tmp)
        settings = Settings(home=home)
        auth = bench_key(settings, Role.JUDGE)
        samples: dict[str, list[dict[str, Any]]] = {}
        for kind in kinds:
            loaded, reqs = _train_and_sample(kind, settings, rows[kind], requests, seed)
            figures[kind] = _in_process(loaded.model, loaded.info, reqs)
            figures[kind]["n_training_rows"] = float(rows[kind])
            samples[kind] = [r.model_dump(mode="json") for r in reqs]
        port = free_port()
        server = start_server(home, port, kinds)
        try:
            for kind in kinds:
                figures[kind] |= _http(port, kind, samples[kind], auth)
            figures["server_rss_mb"] = round(_rss_mb(server.pid), 1)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for kind in kinds:
        figures[kind] = {k: round(v, 2) for k, v in figures[kind].items()}
    return figures
