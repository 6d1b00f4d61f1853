"""`courtval bench serve`: serving latency and throughput, measured in one run.

Self-contained: generates data and trains into a temporary store, starts a real server on a
free loopback port, measures, stops it. Ratios between the figures are what to compare across
runs; absolute times drift on a shared machine.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from models.property.features import feature_row
from models.property.schemas import PropertyRequest
from models.property.valuer import AnswerOptions, PropertyValuer
from models.registry import load_registered
from models.settings import Settings
from training.config import TrainConfig
from training.generate.property import generate_property_transactions
from training.pipeline import REQUEST_DATE, request_frame, train
from training.property_task import property_task

_BATCH = 10_000
_READY_TIMEOUT_S = 120.0


def _median_us(func: Callable[[], object], calls: int) -> float:
    for _ in range(min(50, calls)):
        func()
    times = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter_ns()
        func()
        times[i] = time.perf_counter_ns() - start
    return float(np.median(times) / 1000.0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _requests(raw: pd.DataFrame) -> list[PropertyRequest]:
    located = raw["latitude"].notna() & raw["longitude"].notna()
    raw = raw.assign(
        **{REQUEST_DATE: raw[REQUEST_DATE].dt.date},
        latitude=raw["latitude"].astype(object).where(located, None),
        longitude=raw["longitude"].astype(object).where(located, None),
    )
    return [PropertyRequest.model_validate(r) for r in raw.to_dict(orient="records")]


def _in_process(
    valuer: PropertyValuer, info: Any, requests: list[PropertyRequest]
) -> dict[str, float]:
    request = requests[0]
    row, _ = valuer.regressor.row_plan_.encode(feature_row(request))
    booster = valuer.regressor.tree_.booster
    options = AnswerOptions()
    return {
        "booster_us": _median_us(lambda: booster.predict(row), 2000),
        "estimate_us": _median_us(lambda: valuer.estimate(request), 2000),
        "predict_us": _median_us(lambda: valuer.value(request, info, options), 1000),
    }


def _start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env = {**inherited, "COURTVAL_HOME": str(home), "COURTVAL_LOG_LEVEL": "WARNING"}
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


def _http(port: int, payloads: list[dict[str, Any]], batch: dict[str, Any]) -> dict[str, float]:
    url = f"http://127.0.0.1:{port}/v1/valuations/property"
    with httpx.Client(timeout=60) as client:
        for body in payloads[:50]:
            client.post(url, json=body).raise_for_status()
        times = []
        for body in payloads:
            start = time.perf_counter()
            client.post(url, json=body).raise_for_status()
            times.append(time.perf_counter() - start)
        batch_body = json.dumps(batch).encode()
        headers = {"content-type": "application/json"}
        batch_times = []
        for _ in range(3):
            start = time.perf_counter()
            client.post(url + "/batch", content=batch_body, headers=headers).raise_for_status()
            batch_times.append(time.perf_counter() - start)
    ms = np.array(times) * 1000.0
    return {
        "http_p50_ms": float(np.percentile(ms, 50)),
        "http_p99_ms": float(np.percentile(ms, 99)),
        "batch_rows_per_s": _BATCH / float(np.median(batch_times)),
    }


def run_serving_benchmark(rows: int, requests: int, seed: int) -> dict[str, float]:
    """Train in a temporary store, then time in-process and over HTTP."""
    with tempfile.TemporaryDirectory(prefix="courtval-bench-") as tmp:
        home = Path(tmp)
        settings = Settings(home=home)
        task = property_task(settings)
        data = generate_property_transactions(n_rows=rows, seed=seed).frame
        train(task, data, TrainConfig(seed=seed), settings)
        loaded = load_registered(
            settings.resolved_tracking_uri,
            task.model_name,
            settings.champion_alias,
            settings.resolved_model_cache_dir,
            "property",
        )
        sample = request_frame(
            task,
            task.clean(data).frame.sample(n=max(requests, _BATCH), replace=True, random_state=seed),
        )
        reqs = _requests(sample)
        figures = _in_process(loaded.model, loaded.info, reqs)
        payloads = [r.model_dump(mode="json") for r in reqs]
        port = _free_port()
        server = _start_server(home, port)
        try:
            figures |= _http(port, payloads[:requests], {"items": payloads[:_BATCH]})
            figures["server_rss_mb"] = _rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures["n_training_rows"] = float(rows)
    return {k: round(v, 2) for k, v in figures.items()}
