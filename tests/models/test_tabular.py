"""Column typing and value normalisation: frames and single values agree."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from models.tabular import (
    FrameEncoder,
    canonical_category,
    date_to_number,
    normalize_scalar,
    text_to_number,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "price_text": ["1,234", " 56 ", "7.5", None, "1，000"],
            "area": [50.0, np.nan, 70.5, 80.0, 90.0],
            "rooms": [1, 2, 3, 2, 1],
            "community": ["阳光小区", " 阳光小区 ", "花园里", None, ""],
            "elevator": [True, False, True, True, False],
            "maybe_flag": [True, None, False, True, None],
            "sold": pd.to_datetime(["2021-01-01", "2021-06-30", None, "2022-01-01", "2020-02-29"]),
            "sold_text": ["2021-01-01", "2021-06-30", None, "2022-01-01", "2020-02-29"],
            "mixed": ["a", 3, 3.0, None, "b"],
        }
    )


def test_kinds_are_inferred(frame: pd.DataFrame) -> None:
    kinds = FrameEncoder().fit(frame).kinds()
    assert kinds == {
        "price_text": "numeric",
        "area": "numeric",
        "rooms": "numeric",
        "community": "categorical",
        "elevator": "boolean",
        "maybe_flag": "boolean",
        "sold": "datetime",
        "sold_text": "datetime",
        "mixed": "categorical",
    }


def test_text_numbers_are_coerced(frame: pd.DataFrame) -> None:
    values = FrameEncoder().fit(frame).normalize(frame)
    np.testing.assert_array_equal(values[0], [1234.0, 56.0, 7.5, np.nan, 1000.0])


def test_categories_are_stripped_and_blank_is_missing(frame: pd.DataFrame) -> None:
    values = FrameEncoder().fit(frame).normalize(frame)
    assert list(values[3]) == ["阳光小区", "阳光小区", "花园里", None, None]
    assert list(values[8]) == ["a", "3", "3", None, "b"]


def test_mostly_text_column_stays_categorical() -> None:
    frame = pd.DataFrame({"floor": ["3", "5", "高层", "低层", "中层"]})
    assert FrameEncoder().fit(frame).kinds() == {"floor": "categorical"}


def test_dates_become_days_since_epoch(frame: pd.DataFrame) -> None:
    values = FrameEncoder().fit(frame).normalize(frame)
    expected = (pd.Timestamp("2021-01-01") - pd.Timestamp("1970-01-01")).days
    assert values[6][0] == expected
    assert values[7][0] == expected
    assert math.isnan(values[6][2])
    assert date_to_number(dt.date(2021, 1, 1)) == expected


def test_a_boolean_column_read_as_text_takes_every_spelling_of_the_tables() -> None:
    # Fitted on booleans; asked with the words a court's file or a batch upload may hold.
    encoder = FrameEncoder().fit(pd.DataFrame({"elevator": [True, False, True]}))
    asked = pd.DataFrame({"elevator": ["是", "否", " Yes ", "无", "1", "有", "maybe", None]})
    expected = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, np.nan, np.nan]
    np.testing.assert_array_equal(encoder.normalize(asked)[0], expected)
    scalars = [normalize_scalar("boolean", v) for v in asked["elevator"]]
    np.testing.assert_array_equal(scalars, expected)


def test_scalar_path_matches_frame_path(frame: pd.DataFrame) -> None:
    encoder = FrameEncoder().fit(frame)
    columns = encoder.normalize(frame)
    for spec, column in zip(encoder.specs_, columns, strict=True):
        for i, raw in enumerate(frame[spec.name].tolist()):
            scalar = normalize_scalar(spec.kind, None if raw is pd.NaT else raw)
            expected = column[i]
            if isinstance(expected, float) and math.isnan(expected):
                assert isinstance(scalar, float) and math.isnan(scalar), (spec.name, i)
            else:
                assert scalar == expected, (spec.name, i)


def test_missing_columns_read_as_missing(frame: pd.DataFrame) -> None:
    encoder = FrameEncoder().fit(frame)
    values = encoder.normalize(frame[["area"]])
    assert np.isnan(values[0]).all()
    assert all(v is None for v in values[3])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,234", 1234.0), (" 56 ", 56.0), ("x", math.nan), (None, math.nan), (True, 1.0), (7, 7.0)],
)
def test_text_to_number(raw: Any, expected: float) -> None:
    assert text_to_number(raw) == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 花园 ", "花园"),
        ("", None),
        (3, "3"),
        (3.0, "3"),
        (2.5, "2.5"),
        (None, None),
        (True, "True"),
    ],
)
def test_canonical_category(raw: Any, expected: str | None) -> None:
    assert canonical_category(raw) == expected
