"""Background jobs of the web page (batch files): progress while they run, results after.

A job runs on the app's single worker thread (one batch at a time keeps the answers of
single inquiries fast) and lives in memory for ``COURTVAL_JOB_TTL_MINUTES`` after it ends;
only the key that started it may read it. A restart forgets unfinished jobs, whose uploads
the judge simply sends again — their answers were never given, so nothing is lost.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from models.errors import CourtvalError, bilingual

logger = logging.getLogger(__name__)

JobStatus = Literal["running", "done", "failed"]


class JobPublic(BaseModel):
    """What the page polls: how far a job is, and where its results are when it is done."""

    id: str
    kind: str
    status: JobStatus
    done: int = Field(ge=0, description="Rows finished.")
    total: int = Field(ge=0, description="Rows in the file.")
    inquiry_id: int | None = Field(
        default=None,
        description="The ledger entry of the batch (the first row's when each row is an "
        "inquiry of its own).",
    )
    error: str | None = None


@dataclass
class Job:
    """One running or finished job."""

    id: str
    kind: str
    key_id: int
    total: int
    done: int = 0
    status: JobStatus = "running"
    inquiry_id: int | None = None
    error: str | None = None
    result: Any = None
    ended_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def public(self) -> JobPublic:
        """The job as the API shows it."""
        with self.lock:
            return JobPublic(
                id=self.id,
                kind=self.kind,
                status=self.status,
                done=self.done,
                total=self.total,
                inquiry_id=self.inquiry_id,
                error=self.error,
            )

    def advance(self, done: int) -> None:
        """Record progress (rows finished so far)."""
        with self.lock:
            self.done = done


class JobNotFoundError(CourtvalError, LookupError):
    """No job with that id for this key (unknown, another key's, or expired); the API: 404."""

    def __init__(self, job_id: str) -> None:
        super().__init__(
            bilingual(
                f"没有编号为 {job_id} 的批量任务（或已过期）", f"no job {job_id} (or expired)"
            )
        )


Work = Callable[[Job], tuple[Any, int | None]]
#: status, result, ledger entry id, error
_Outcome = tuple[JobStatus, Any, int | None, str | None]


class JobBook:
    """The app's jobs and its worker thread."""

    def __init__(self, ttl_seconds: float) -> None:
        self._ttl = ttl_seconds
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="courtval-job")

    def start(self, kind: str, key_id: int, total: int, work: Work) -> Job:
        """Queue ``work(job)``, which returns the result and the ledger entry id."""
        self._expire()
        job = Job(id=secrets.token_hex(8), kind=kind, key_id=key_id, total=total)
        with self._lock:
            self._jobs[job.id] = job
        self._executor.submit(self._run, job, work)
        return job

    def get(self, job_id: str, key_id: int) -> Job:
        """The caller's job; :class:`JobNotFoundError` otherwise."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.key_id != key_id:
            raise JobNotFoundError(job_id)
        return job

    def close(self) -> None:
        """Stop taking jobs; wait for the running one."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, job: Job, work: Work) -> None:
        try:
            result, inquiry_id = work(job)
        except CourtvalError as exc:  # a refused file or an unwritable ledger: said to the page
            logger.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
            outcome: _Outcome = ("failed", None, None, str(exc))
        # The worker must survive any failure of one job and report it; logged in full.
        except Exception:
            logger.exception("job %s (%s) failed", job.id, job.kind)
            outcome = ("failed", None, None, "内部错误，请联系管理员 / internal error")
        else:
            outcome = ("done", result, inquiry_id, None)
        with job.lock:
            job.status, job.result, job.inquiry_id, job.error = outcome
            if job.status == "done":
                job.done = job.total
            job.ended_at = time.monotonic()

    def _expire(self) -> None:
        cutoff = time.monotonic() - self._ttl
        with self._lock:
            for job_id in [
                j.id for j in self._jobs.values() if j.ended_at is not None and j.ended_at < cutoff
            ]:
                del self._jobs[job_id]
