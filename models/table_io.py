"""Reading and writing the tables people hand over: CSV, Excel, Parquet, JSON Lines.

Shared by training (``courtval train --data``, ``courtval score cases``) and serving (the web
page's batch uploads and downloads), so that a file the CLI reads is one the page reads too.
CSV files from Chinese offices come as UTF-8, UTF-8 with a byte-order mark, or GBK.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pandas as pd

from models.errors import DataError

logger = logging.getLogger(__name__)

ENCODINGS = ("utf-8", "utf-8-sig", "gbk")
#: Suffixes :func:`read_table` understands.
READABLE = (".csv", ".parquet", ".pq", ".xlsx", ".xlsm", ".jsonl", ".ndjson")
#: Suffixes :func:`write_table` produces.
WRITABLE = (".csv", ".xlsx", ".parquet")
#: What a downloaded table is served as.
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".parquet": "application/vnd.apache.parquet",
}


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in READABLE:
        raise DataError(
            f"{name}: unsupported file type {suffix or '(none)'!r}; use {', '.join(READABLE)}"
        )
    return suffix


def _read_csv(source: Path | io.BytesIO, name: str) -> pd.DataFrame:
    for encoding in ENCODINGS:
        if isinstance(source, io.BytesIO):
            source.seek(0)
        try:
            return pd.read_csv(source, encoding=encoding)
        except UnicodeDecodeError:
            logger.debug("%s is not %s", name, encoding)
    raise DataError(f"{name}: cannot decode as any of {', '.join(ENCODINGS)}")


def read_table(source: Path | bytes, name: str | None = None) -> pd.DataFrame:
    """Read a table from a file, or from a file's bytes (an upload) named ``name``.

    Args:
        source: A path, or the bytes of a file.
        name: The file name (its suffix decides the format); default: the path's name.

    Returns:
        The table as read (no type coercion beyond the reader's own).

    Raises:
        DataError: A missing file, an unknown suffix, a CSV in none of the encodings, or a
            file the reader cannot parse; the message names the file.
    """
    if isinstance(source, Path) and not source.is_file():
        raise DataError(f"{source} does not exist")
    label = name or (source.name if isinstance(source, Path) else "upload")
    suffix = _suffix(label)
    data: Path | io.BytesIO = source if isinstance(source, Path) else io.BytesIO(source)
    try:
        if suffix == ".csv":
            frame = _read_csv(data, label)
        elif suffix in {".parquet", ".pq"}:
            frame = pd.read_parquet(data)
        elif suffix in {".jsonl", ".ndjson"}:
            frame = pd.read_json(data, lines=True, dtype=False)
        else:
            frame = pd.read_excel(data)
    except DataError:
        raise
    except (ValueError, OSError, ImportError) as exc:  # the readers' "not this format"
        raise DataError(f"{label}: not a readable {suffix} file ({exc})") from exc
    logger.info("read %d rows × %d columns from %s", len(frame), frame.shape[1], label)
    return frame


def write_table(frame: pd.DataFrame, suffix: str) -> bytes:
    """The bytes of ``frame`` as a ``.csv`` (UTF-8 with BOM, so Excel shows Chinese), ``.xlsx``
    or ``.parquet`` file."""
    buffer = io.BytesIO()
    if suffix == ".csv":
        buffer.write(frame.to_csv(index=False).encode("utf-8-sig"))
    elif suffix == ".xlsx":
        frame.to_excel(buffer, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(buffer, index=False)
    else:
        raise DataError(f"cannot write {suffix!r}; use {', '.join(WRITABLE)}")
    return buffer.getvalue()
