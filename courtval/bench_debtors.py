"""`courtval bench debtors`: `courtval score debtors` here and on a local Dask cluster, in one run.

Self-contained: trains a capacity model on generated debtors in a temporary store, writes a
generated queue file (its planted defects included, so the run uses ``--skip-invalid``), then
runs the command twice in fresh processes, as an operator would: here, and with its chunks on
a local cluster of worker processes (one thread each; the cluster's start-up not counted). It
prints the wall times, the debtors scored per second, their ratio, and how far the two result
files are apart: the numbers by floating-point rounding at most (Dask's workers run their
linear algebra on one thread), every other cell (tiers, bases, leads) identical. A run here
scores on one core (the boosters predict on one thread, about half of a chunk's time; checking
the rows and building the answers is the other half, in Python), so even one machine's second
core gains; a court's cluster gains its number of cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from distributed import LocalCluster

from models.settings import Settings
from models.table_io import write_parquet
from training.capacity_task import CapacityTrainConfig, train_capacity
from training.generate.debtors import generate_debtors

#: The answer columns that are numbers: equal here and there up to the last bits of floating
#: point, as Dask's workers run their linear algebra on one thread (``OMP_NUM_THREADS=1``).
_NUMBERS = (
    "probability_full_6m",
    "expected_recovered_share",
    "expected_recovered_amount",
    "hidden_capacity_probability",
)


def _cli(home: Path, input: Path, output: Path, *options: str) -> float:
    env = {**os.environ, "COURTVAL_HOME": str(home), "COURTVAL_LOG_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "courtval", "score", "debtors", "--skip-invalid"]
    cmd += ["--input", str(input), "--output", str(output), *options]
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run_debtors_benchmark(
    *, rows: int, train_rows: int, workers: int, chunk_rows: int, seed: int
) -> dict[str, Any]:
    """Score ``rows`` generated debtors here and on ``workers`` local Dask worker processes."""
    with tempfile.TemporaryDirectory(prefix="courtval-bench-debtors-") as tmp:
        home = Path(tmp)
        train_capacity(
            generate_debtors(train_rows, seed).frame,
            CapacityTrainConfig(seed=seed, workers=2),
            Settings(home=home),
        )
        queue = home / "debtors.parquet"
        write_parquet(generate_debtors(rows, seed + 1).frame, queue)
        chunks = ("--chunk-rows", str(chunk_rows))
        here_s = _cli(home, queue, home / "here.parquet", *chunks)
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster:
            there = ("--scheduler", cluster.scheduler_address)
            cluster_s = _cli(home, queue, home / "there.parquet", *chunks, *there)
        here = pd.read_parquet(home / "here.parquet")
        there = pd.read_parquet(home / "there.parquet")
    numbers = [c for c in _NUMBERS if c in here.columns]
    gap = float((here[numbers] - there[numbers]).abs().max().max())
    words = [c for c in here.columns if c not in _NUMBERS]
    return {
        "rows": rows,
        "scored": len(here),
        "workers": workers,
        "chunk_rows": chunk_rows,
        "here_s": round(here_s, 2),
        "cluster_s": round(cluster_s, 2),
        "here_rows_per_s": round(rows / here_s),
        "cluster_rows_per_s": round(rows / cluster_s),
        "speedup": round(here_s / cluster_s, 3),
        "identical": here.equals(there),
        "max_probability_difference": gap,
        "other_columns_identical": here[words].equals(there[words]),
        "train_rows": train_rows,
    }
