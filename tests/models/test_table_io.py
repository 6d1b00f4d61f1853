"""Tables as people hand them over: CSV in three encodings, Excel, Parquet, JSON Lines."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from models.errors import DataError
from models.table_io import read_table, write_table

FRAME = pd.DataFrame({"小区": ["锦园小区", "东辉花园"], "建筑面积（㎡）": [40.0, 89.5]})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_bytes_in_each_encoding(encoding: str) -> None:
    content = FRAME.to_csv(index=False).encode(encoding)
    pd.testing.assert_frame_equal(read_table(content, "a.csv"), FRAME)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_written_tables_read_back(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"t{suffix}"
    path.write_bytes(write_table(FRAME, suffix))
    pd.testing.assert_frame_equal(read_table(path), FRAME)


def test_json_lines() -> None:
    content = FRAME.to_json(orient="records", lines=True, force_ascii=False).encode()
    assert list(read_table(content, "q.jsonl")["小区"]) == ["锦园小区", "东辉花园"]


@pytest.mark.parametrize(
    ("content", "name", "match"),
    [
        (b"x", "a.doc", "unsupported file type"),
        (b"not a workbook", "a.xlsx", "not a readable .xlsx"),
        (b"PAR1garbage", "a.parquet", "not a readable .parquet"),
        (b'{"a": 1}\n[1, 2]\n', "q.jsonl", "not a readable .jsonl"),  # was a TypeError
        ("小区,面积,面积\n锦园,40,90\n".encode(), "a.csv", "column '面积' appears more than once"),
    ],
)
def test_unreadable_files_are_named(content: bytes, name: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        read_table(content, name)


def _zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def _workbook_with(part: str, content: bytes) -> bytes:
    """A real workbook of FRAME with one of its zip parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(write_table(FRAME, ".xlsx")))
    return _zip_of({name: source.read(name) for name in source.namelist()} | {part: content})


DAMAGED_WORKBOOKS = {
    "not a zip": b"PK\x03\x04garbage",
    "a zip of something else": _zip_of({"a.txt": b"hi"}),
    "malformed sheet XML": _workbook_with("xl/worksheets/sheet1.xml", b"<x>\x00\xff</y>"),
}


@pytest.mark.parametrize("content", DAMAGED_WORKBOOKS.values(), ids=DAMAGED_WORKBOOKS.keys())
def test_a_damaged_workbook_is_named(content: bytes) -> None:
    """A broken zip, a zip without a workbook, malformed XML: each was a traceback (a 500 on
    the web page's upload) before."""
    with pytest.raises(DataError, match=r"a\.xlsx: not a readable \.xlsx"):
        read_table(content, "a.xlsx")


def test_every_corruption_of_a_workbook_is_read_or_named() -> None:
    """Bytes flipped or cut at random (seeded): the reader answers a table or a DataError,
    never another exception (a bad CRC, a damaged deflate stream, an "encrypted" part …)."""
    good, rng, refused = write_table(FRAME, ".xlsx"), random.Random(7), 0
    for attempt in range(300):
        damaged = bytearray(good)
        for _ in range(rng.choice([1, 5, 50])):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if attempt % 10 == 0:
            damaged = damaged[: rng.randrange(len(damaged))]
        try:
            read_table(bytes(damaged), "a.xlsx")
        except DataError:
            refused += 1
    assert refused > 250  # most corruptions are caught, not read as some other table


def _flipped_reads(good: bytes, attempts: int = 200) -> tuple[int, int]:
    """Seeded single-bit flips of a Parquet file: how many read, and how many of those read
    other values than the file held (a flip in the footer can still rename a column: the
    footer has no checksum, and a renamed column is then missing to the column checks)."""
    rng, read, changed = random.Random(11), 0, 0
    original = read_table(good, "a.parquet")
    for _ in range(attempts):
        damaged = bytearray(good)
        damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        try:
            frame = read_table(bytes(damaged), "a.parquet")
        except DataError:
            continue
        read += 1
        changed += (
            frame.shape != original.shape or not (frame.to_numpy() == original.to_numpy()).all()
        )
    return read, changed


def test_a_damaged_parquet_file_we_wrote_is_refused_not_misread() -> None:
    """Every page carries a CRC-32 that the reader checks: a flipped bit in the data is a
    DataError, never other values. Written without checksums (pandas' default), the same
    flips read silently."""
    frame = pd.DataFrame(
        {
            "area": [float(i) for i in range(1, 2001)],
            "community": [f"小区{i % 40}" for i in range(2000)],
        }
    )
    read, changed = _flipped_reads(write_table(frame, ".parquet"))
    assert changed == 0 and read < 20
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    assert _flipped_reads(buffer.getvalue())[1] > 20  # why the checksums are written
    assert read_table(buffer.getvalue(), "a.parquet").equals(frame)  # such files still read


@pytest.mark.parametrize("as_path", [False, True], ids=["upload", "path"])
def test_a_workbook_with_a_password_is_named(as_path: bool, tmp_path: Path) -> None:
    """Excel saves a workbook with a password as an OLE2 compound file, as was the old .xls:
    pandas blamed a package it lacks; the message says what to do instead."""
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)
    path = tmp_path / "a.xlsx"
    path.write_bytes(content)
    with pytest.raises(DataError, match=r"a\.xlsx: a workbook with a password.*without a password"):
        read_table(path) if as_path else read_table(content, "a.xlsx")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_table(tmp_path / "none.csv")


FORMULAS = pd.DataFrame(
    {
        "小区": ['=HYPERLINK("http://x","点击")', "+1+1", "-2+3", "@SUM(1)", "\t=1", "锦园"],
        "建筑面积（㎡）": [40.0, -1.0, 3.0, 4.0, 5.0, 6.0],
        "=cmd": ["a", "b", "c", "d", "e", "f"],
        "备注": ["-", "--", "-12.5", "+3%", "-1,200.50", "-A1"],
    }
)


def test_written_spreadsheets_hold_no_formula() -> None:
    """Text a spreadsheet would run as a formula is written after a ``'``; numbers, negative
    ones included, stay numbers, and text that cannot be a formula stays as it is."""
    sheet = openpyxl.load_workbook(io.BytesIO(write_table(FORMULAS, ".xlsx"))).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert sheet_values(sheet["A"]) == ["'" + v for v in FORMULAS["小区"][:5]] + ["锦园"]
    assert sheet_values(sheet["B"]) == list(FORMULAS["建筑面积（㎡）"])
    assert sheet["C1"].value == "'=cmd"
    # A dash for "none" and a signed number written as text cannot be formulas: left as they are.
    assert sheet_values(sheet["D"]) == ["-", "--", "-12.5", "+3%", "-1,200.50", "'-A1"]
    csv = read_table(write_table(FORMULAS, ".csv"), "a.csv")
    assert list(csv.columns) == ["小区", "建筑面积（㎡）", "'=cmd", "备注"]
    assert csv["小区"].tolist() == sheet_values(sheet["A"])
    assert csv["建筑面积（㎡）"].tolist() == list(FORMULAS["建筑面积（㎡）"])


def sheet_values(column: tuple[Any, ...]) -> list[Any]:
    return [cell.value for cell in column][1:]


def test_writing_an_unknown_format_is_refused() -> None:
    with pytest.raises(DataError, match=r"\.doc"):
        write_table(FRAME, ".doc")
