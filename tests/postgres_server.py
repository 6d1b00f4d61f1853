"""A real PostgreSQL server for the tests (the court store, the MLflow store probe).

The server is a throw-away cluster: ``initdb`` in a temporary directory, ``pg_ctl start`` on a
free loopback port with its unix socket in that directory, ``fsync`` off, trust authentication.
PostgreSQL refuses to run as root, so under root the cluster belongs to the ``postgres`` system
user and the commands run through ``runuser``. The binaries are looked up on ``PATH`` and in
Debian's ``/usr/lib/postgresql/<version>/bin``.

When they are missing (or the server does not start) the PostgreSQL tests are skipped, or fail
when ``CI`` or ``COURTVAL_REQUIRE_POSTGRES=1`` is set, so CI cannot pass without them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _require_postgres() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("COURTVAL_REQUIRE_POSTGRES") == "1"


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL tests cannot run: {reason}"
    if _require_postgres():
        pytest.fail(message + " (required because CI or COURTVAL_REQUIRE_POSTGRES=1 is set)")
    pytest.skip(message)


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_owner(command: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if user else command


def _run(command: list[str], user: str | None) -> None:
    result = subprocess.run(
        _as_owner(command, user), capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        _unavailable(f"{' '.join(command[:2])} failed: {result.stderr.strip()[-500:]}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of the ``postgres`` database on a throw-away server, for the whole session."""
    bindir = _pg_bin()
    if bindir is None:
        _unavailable("pg_ctl not found on PATH nor under /usr/lib/postgresql/*/bin")
    assert bindir is not None
    user = None
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres").pw_name
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to own the cluster")
    root = Path(tempfile.mkdtemp(prefix="courtval-pg-"))
    if user:
        account = pwd.getpwnam(user)
        os.chown(root, account.pw_uid, account.pw_gid)
    data, port = root / "data", _free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    options += " -c synchronous_commit=off -c full_page_writes=off"
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
              "-E", "UTF8", "--locale=C", "--no-sync"], user)  # fmt: skip
        _run([str(bindir / "pg_ctl"), "start", "-D", str(data), "-w", "-t", "30",
              "-l", str(root / "server.log"), "-o", options], user)  # fmt: skip
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate"], user),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)
