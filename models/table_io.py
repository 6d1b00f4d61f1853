"""Reading and writing the tables people hand over: CSV, Excel, Parquet, JSON Lines.

Shared by training (``courtval train --data``, ``courtval score cases``) and serving (the web
page's batch uploads and downloads), so that a file the CLI reads is one the page reads too.
CSV files from Chinese offices come as UTF-8, UTF-8 with a byte-order mark, or GBK.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

import pandas as pd

from models.errors import DataError

logger = logging.getLogger(__name__)

ENCODINGS = ("utf-8", "utf-8-sig", "gbk")
#: What the readers raise for a file that is not what its suffix says, or is damaged: pandas'
#: and pyarrow's ``ValueError`` and ``OSError``; a ``TypeError`` for a JSON line that is not an
#: object among objects (``[1, 2]``); for an ``.xlsx`` (a zip of XML files) also a broken zip,
#: a damaged deflate stream, a zip feature it lacks (``NotImplementedError``), an encrypted
#: part (``RuntimeError``), a missing part (``KeyError``) or malformed XML.
_NOT_READABLE = (
    ValueError,
    TypeError,
    OSError,
    ImportError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    KeyError,
    zipfile.BadZipFile,
    zlib.error,
    ParseError,
)
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


#: The first bytes of an OLE2 compound file: an old ``.xls`` workbook, or an ``.xlsx`` saved
#: with a password (Excel encrypts it into one).
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_workbook(data: Path | io.BytesIO, label: str) -> None:
    """A clear error for a workbook pandas cannot open and would blame on a missing package."""
    if isinstance(data, io.BytesIO):
        head = data.getvalue()[:8]
    else:
        with data.open("rb") as file:
            head = file.read(8)
    if head == _OLE2_MAGIC:
        raise DataError(
            f"{label}: a workbook with a password, or in the old .xls format; "
            "save it in Excel as .xlsx without a password"
        )


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
            frame = pd.read_parquet(data, page_checksum_verification=True)
        elif suffix in {".jsonl", ".ndjson"}:
            frame = pd.read_json(data, lines=True, dtype=False)
        else:
            _check_workbook(data, label)
            frame = pd.read_excel(data)
    except DataError:
        raise
    except _NOT_READABLE as exc:  # the readers' "not this format", or a damaged file
        raise DataError(f"{label}: not a readable {suffix} file ({exc})") from exc
    _refuse_repeated_columns(frame, label)
    logger.info("read %d rows × %d columns from %s", len(frame), frame.shape[1], label)
    return frame


def _refuse_repeated_columns(frame: pd.DataFrame, label: str) -> None:
    """A column named twice is ambiguous: which area is the flat's? pandas keeps both, the
    second as ``name.1``, and the first was used without a word."""
    names = [str(name) for name in frame.columns]
    present = set(names)
    for name in names:
        base, dot, number = name.rpartition(".")
        if dot and number.isdigit() and base in present:
            raise DataError(f"{label}: the column {base!r} appears more than once")


#: What makes a spreadsheet read a text cell as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Text that starts like a formula but cannot be one: a dash or two for "none" (常见于台账),
#: a signed number. Left as it is, not shown as ``'-``.
_NOT_A_FORMULA = re.compile(r"[-+]{1,3}|[-+]?\d+(?:[.,]\d+)*%?")


def _inert(value: object) -> object:
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _NOT_A_FORMULA.fullmatch(value)
    ):
        return "'" + value
    return value


def _may_hold_text(dtype: object) -> bool:
    types = pd.api.types
    return bool(
        types.is_object_dtype(dtype)
        or types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def inert_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and column name that a spreadsheet would run as a
    formula prefixed by ``'``, so that it shows as text (numbers are left alone).

    A result file repeats what an uploaded file said, its own columns included: a 小区 written
    ``=HYPERLINK(…)`` came back as a live formula in the ``.xlsx`` (and in Excel's reading of
    the ``.csv``).
    """
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]  # names may repeat
    if not columns:
        return frame
    inert = pd.concat([c.map(_inert) if _may_hold_text(c.dtype) else c for c in columns], axis=1)
    inert.columns = pd.Index([_inert(name) for name in frame.columns])
    return inert


def write_parquet(frame: pd.DataFrame, target: Path | io.BytesIO) -> None:
    """Write ``frame`` as Parquet with a CRC-32 checksum on every page.

    :func:`read_table` verifies the checksums, so a damaged copy of a file we wrote (generated
    training data, a result, a queue) is refused instead of read with wrong values: of 500
    random bit flips in a 2,000-row file, 242 read without an error before (229 of them with
    changed values), 6 with checksums (all 6 unchanged: the flips hit unused bytes). The
    footer (column names, types) has no checksum: a flip there can rename a column, which the
    column checks then refuse. A file written elsewhere without checksums reads as before.
    """
    frame.to_parquet(target, index=False, write_page_checksum=True)


def write_table(frame: pd.DataFrame, suffix: str) -> bytes:
    """The bytes of ``frame`` as a ``.csv`` (UTF-8 with BOM, so Excel shows Chinese), ``.xlsx``
    or ``.parquet`` file; in the spreadsheet formats no text cell is a formula
    (:func:`inert_text`)."""
    buffer = io.BytesIO()
    _write(frame, buffer, suffix)
    return buffer.getvalue()


def save_table(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` in the format its suffix names, as :func:`write_table` (a
    result file of the batch commands: ``courtval score``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(frame, path, path.suffix.lower())


def _write(frame: pd.DataFrame, target: Path | io.BytesIO, suffix: str) -> None:
    if suffix == ".csv":
        inert_text(frame).to_csv(target, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        inert_text(frame).to_excel(target, index=False)
    elif suffix == ".parquet":
        write_parquet(frame, target)
    else:
        raise DataError(f"cannot write {suffix!r}; use {', '.join(WRITABLE)}")
