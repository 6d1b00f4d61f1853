"""Tables as people hand them over: CSV in three encodings, Excel, Parquet, JSON Lines."""

from __future__ import annotations

from pathlib import Path

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
    ],
)
def test_unreadable_files_are_named(content: bytes, name: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        read_table(content, name)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_table(tmp_path / "none.csv")


def test_writing_an_unknown_format_is_refused() -> None:
    with pytest.raises(DataError, match=r"\.doc"):
        write_table(FRAME, ".doc")
