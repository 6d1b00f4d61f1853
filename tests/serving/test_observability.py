"""Operations: metrics per route template, request ids in headers and logs, graceful shutdown.

A tiny app of its own (not the full API) is served for real by uvicorn, in a thread or, for
the shutdown, in a subprocess.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI, Request
from prometheus_client.parser import text_string_to_metric_families
from starlette.responses import Response

from models.settings import Settings
from serving.logs import REQUEST_ID, JsonFormatter, StderrHandler, TextFormatter, logging_config
from serving.observability import (
    count_ledger_write,
    count_quota_rejection,
    install_observability,
    metrics_response,
    set_model_info,
)
from serving.state import ModelSource, ModelStore
from tests.conftest import free_port, make_settings, running_server

ROOT = Path(__file__).resolve().parents[2]
ROUTE = "/items/{item_id}"
ACCESS_LOGGER = "serving.observability.access"
T = TypeVar("T")

logger = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("observability"))


def tiny_app(settings: Settings) -> FastAPI:
    """An app with one templated route that logs, and the metrics."""
    app = FastAPI()
    install_observability(app, settings)

    @app.get(ROUTE)
    async def item(item_id: int) -> dict[str, int]:
        logger.info("looked up item", extra={"item_id": item_id})
        return {"item_id": item_id}

    @app.get("/metrics")
    async def metrics(request: Request) -> Response:
        return metrics_response(request.app)

    return app


@pytest.fixture(scope="module")
def base_url(settings: Settings) -> Iterator[str]:
    with running_server(tiny_app(settings)) as url:
        yield url


def sample(text: str, metric: str, /, **labels: str) -> float | None:
    """The value of one sample in a Prometheus exposition, or None when absent."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == metric and found.labels == labels:
                return float(found.value)
    return None


def scrape(base_url: str) -> str:
    return httpx.get(f"{base_url}/metrics").text


def eventually(probe: Callable[[], T | None], seconds: float = 2.0) -> T:
    """The first non-None answer of ``probe``: the server logs just after it answers."""
    deadline = time.monotonic() + seconds
    while (answer := probe()) is None:
        if time.monotonic() > deadline:
            raise AssertionError("nothing came")
        time.sleep(0.01)
    return answer


class JsonLines(logging.Handler):
    """Formats each record as it is emitted (in the server's thread, inside its request)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def parsed(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def captured() -> Iterator[JsonLines]:
    handler = JsonLines()
    loggers = [logging.getLogger(ACCESS_LOGGER), logger]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.addHandler(handler)
        each.setLevel(logging.INFO)
    yield handler
    for each, level in zip(loggers, levels, strict=True):
        each.removeHandler(handler)
        each.setLevel(level)


def test_requests_are_counted_by_route_template(base_url: str) -> None:
    labels = {"route": ROUTE, "method": "GET", "status": "200"}
    before = scrape(base_url)
    for item_id in (42, 43):
        assert httpx.get(f"{base_url}/items/{item_id}").status_code == 200
    assert httpx.get(f"{base_url}/no/such-path").status_code == 404
    after = scrape(base_url)

    def grown(name: str, **labels: str) -> float:
        return (sample(after, name, **labels) or 0) - (sample(before, name, **labels) or 0)

    assert grown("courtval_requests_total", **labels) == 2
    assert grown("courtval_request_duration_seconds_count", **labels) == 2
    assert grown("courtval_requests_total", route="unmatched", method="GET", status="404") == 1
    # Buckets fine enough for a fast route: the 1 ms one exists (whether these two requests
    # fell in it depends on the machine's load, so its count is not asserted).
    assert (
        sample(after, "courtval_request_duration_seconds_bucket", **labels, le="0.001") is not None
    )
    assert sample(after, "courtval_request_duration_seconds_bucket", **labels, le="30.0") == (
        sample(after, "courtval_request_duration_seconds_count", **labels)
    )
    assert "/items/42" not in after
    assert "such-path" not in after


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("req-42.a_B", True),
        ("x" * 64, True),
        (None, False),
        ("has space", False),
        ("x" * 65, False),
        ("a/b", False),
    ],
)
def test_request_id_is_echoed_when_sane_else_made(
    base_url: str, sent: str | None, echoed: bool
) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}
    answer = httpx.get(f"{base_url}/items/1", headers=headers)
    request_id = answer.headers["X-Request-ID"]
    if echoed:
        assert request_id == sent
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)


def test_log_lines_are_json_with_the_request_id(base_url: str, captured: JsonLines) -> None:
    httpx.get(f"{base_url}/items/7", headers={"X-Request-ID": "trace-7"})
    lines = eventually(lambda: captured.parsed() if len(captured.lines) >= 2 else None)
    by_logger = {line["logger"]: line for line in lines}
    inside, access = by_logger[__name__], by_logger[ACCESS_LOGGER]
    assert inside["message"] == "looked up item"
    assert inside["item_id"] == 7
    assert inside["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", inside["time"])
    assert access["route"] == ROUTE
    assert access["method"] == "GET"
    assert access["status"] == 200
    assert access["duration_ms"] >= 0
    assert {line["request_id"] for line in lines} == {"trace-7"}


def record(message: str, **extra: object) -> logging.LogRecord:
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        exc_info = sys.exc_info()
    made = logging.LogRecord("courtval.test", logging.ERROR, __file__, 1, message, (), exc_info)
    made.__dict__.update(extra)
    return made


def test_json_formatter_outside_a_request() -> None:
    line = JsonFormatter().format(record("询价失败", kind="property", path=Path("a")))
    entry = json.loads(line)
    assert "询价失败" in line  # readable, not \u-escaped
    assert "request_id" not in entry
    assert "ZeroDivisionError" in entry["exception"]
    assert entry["kind"] == "property"
    assert entry["path"] == "a"  # not JSON: its str()


def test_text_formatter_shows_the_request_id() -> None:
    formatter = TextFormatter("%(request_id)s %(message)s")
    token = REQUEST_ID.set("abc")
    try:
        assert formatter.format(record("m")).startswith("abc m")
    finally:
        REQUEST_ID.reset(token)
    assert formatter.format(record("m")).startswith("- m")


def test_the_log_handler_follows_a_replaced_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """`courtval serve` run in-process (a test runner, an embedding program) must not leave a
    handler writing to a stream that is later closed."""
    handler = StderrHandler()
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    handler.handle(record("一"))
    first.close()
    monkeypatch.setattr(sys, "stderr", second)
    handler.handle(record("二"))
    assert "二" in second.getvalue()


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_logging_config_silences_uvicorn_access_log(tmp_path: Path, log_format: str) -> None:
    config = logging_config(make_settings(tmp_path, log_format=log_format, log_level="debug"))
    assert config["handlers"]["stderr"]["formatter"] == log_format
    assert config["root"]["level"] == "DEBUG"
    assert config["loggers"]["uvicorn.access"]["propagate"] is False
    assert config["loggers"]["uvicorn.error"]["propagate"] is True


def store(version: int, source: ModelSource | None) -> ModelStore:
    """A store holding property model ``version``, loaded from ``source``."""
    info = SimpleNamespace(name="courtval-property", version=version)
    loaded: Any = SimpleNamespace(model=None, info=info)
    return ModelStore({"property": loaded}, {"property": source} if source else {})


def test_model_info_shows_the_models_served(settings: Settings) -> None:
    app = tiny_app(settings)
    set_model_info(app, store(3, "registry"))
    set_model_info(app.state.metrics, store(4, "bundle"))  # a reload replaces version 3
    text = bytes(metrics_response(app).body).decode()
    labels = {"kind": "property", "name": "courtval-property"}
    assert sample(text, "courtval_model_info", **labels, version="4", source="bundle") == 1
    assert sample(text, "courtval_model_info", **labels, version="3", source="registry") is None


def test_model_info_source_defaults_to_unknown(settings: Settings) -> None:
    app = tiny_app(settings)
    set_model_info(app, store(1, None))
    text = bytes(metrics_response(app).body).decode()
    labels = {"kind": "property", "name": "courtval-property", "version": "1"}
    assert sample(text, "courtval_model_info", **labels, source="unknown") == 1


def test_quota_rejections_and_ledger_writes_are_counted(settings: Settings) -> None:
    app = tiny_app(settings)
    request = Request({"type": "http", "app": app, "headers": []})
    count_quota_rejection(app, "judge", "per_minute")
    count_quota_rejection(request, "judge", "per_minute")
    count_quota_rejection(request, "triage", "hours")
    count_ledger_write(app, ok=False)
    response = metrics_response(app)
    text = bytes(response.body).decode()
    assert response.media_type is not None and response.media_type.startswith("text/plain")
    rejections = "courtval_quota_rejections_total"
    assert sample(text, rejections, role="judge", limit="per_minute") == 2
    assert sample(text, rejections, role="triage", limit="hours") == 1
    assert sample(text, "courtval_ledger_writes_total", outcome="failed") == 1
    assert sample(text, "courtval_ledger_writes_total", outcome="ok") is None
    other = bytes(metrics_response(tiny_app(settings)).body).decode()
    assert sample(other, rejections, role="judge", limit="per_minute") is None


def test_an_unknown_quota_limit_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="per_minute"):
        count_quota_rejection(tiny_app(settings), "judge", "per_week")


def test_an_app_without_observability_says_what_to_call() -> None:
    with pytest.raises(RuntimeError, match="install_observability"):
        count_ledger_write(FastAPI(), ok=True)


class StderrLines:
    """Collects a process's stderr lines in a thread; waits for one containing a text."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(process,), daemon=True)
        self._thread.start()

    def _pump(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            with self._changed:
                self.lines.append(raw.decode().rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, text: str, seconds: float) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: any(text in x for x in self.lines), seconds):
                raise AssertionError(f"{text!r} not logged:\n" + "\n".join(self.lines))

    def close(self) -> list[str]:
        self._thread.join(timeout=5)
        return self.lines


def test_sigterm_lets_the_request_in_flight_finish_and_exits_0() -> None:
    port, grace = free_port(), 5.0
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURTVAL_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.serving.graceful_app", str(port), str(grace)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = StderrLines(server)
    answers: list[httpx.Response] = []
    try:
        stderr.wait_for("Uvicorn running", seconds=30)
        slow = threading.Thread(
            target=lambda: answers.append(
                httpx.get(f"http://127.0.0.1:{port}/slow", headers={"X-Request-ID": "slow-1"})
            )
        )
        slow.start()
        stderr.wait_for("slow request started", seconds=5)
        server.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        assert server.wait(timeout=grace + 5) == 0
        assert time.monotonic() - signalled < grace
        slow.join(timeout=5)
    finally:
        if server.poll() is None:
            server.kill()
    assert [answer.status_code for answer in answers] == [200]
    logged = [json.loads(line) for line in stderr.close()]  # every line is JSON
    access = [line for line in logged if line.get("route") == "/slow"]
    assert [(line["status"], line["request_id"]) for line in access] == [(200, "slow-1")]
