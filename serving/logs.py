"""Structured logs: one JSON object per line (or plain text), each with the request id.

Only entry points configure logging; they pass :func:`logging_config` to
:func:`logging.config.dictConfig` or to uvicorn.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.settings import Settings

#: The id of the request being served (set by the observability middleware); None outside one.
REQUEST_ID: ContextVar[str | None] = ContextVar("courtval_request_id", default=None)


#: LogRecord attributes that are not ``extra`` fields (plus uvicorn's coloured duplicate).
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
    "request_id",
}


def _log_request_id(record: logging.LogRecord) -> str | None:
    return getattr(record, "request_id", None) or REQUEST_ID.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, exception, extras.

    ``extra`` values that JSON cannot hold are written as their ``str()``.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as one line of JSON."""
        created = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        entry: dict[str, Any] = {
            key: value
            for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_")
        }
        entry |= {
            "time": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _log_request_id(record)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class TextFormatter(logging.Formatter):
    """Plain lines with the request id (``-`` outside a request)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` with ``%(request_id)s`` filled in."""
        # A copy: another handler may format the same record as JSON.
        record = logging.makeLogRecord(
            {**vars(record), "request_id": _log_request_id(record) or "-"}
        )
        return super().format(record)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted.

    A handler bound to the stream of the moment would keep writing to it after it is replaced
    and closed (an embedding program's or a test runner's captured stderr).
    """

    def __init__(self, level: int = logging.NOTSET) -> None:
        logging.Handler.__init__(self, level)

    @property
    def stream(self) -> Any:
        """The current standard error."""
        return sys.stderr


def logging_config(settings: Settings) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` dict for our loggers and uvicorn's.

    Everything goes to stderr in ``settings.log_format``; uvicorn's own access log is silenced
    because the middleware logs each request with its route template and request id.
    """
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"()": TextFormatter, "fmt": TEXT_FORMAT},
        },
        "handlers": {
            "stderr": {"class": f"{__name__}.StderrHandler", "formatter": settings.log_format}
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            "mlflow": {"level": "WARNING"},
            "alembic": {"level": "WARNING"},
        },
    }
