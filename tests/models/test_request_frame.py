"""Validated requests as a raw table: the types every batch step reads."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import numpy as np
import pandas as pd
from pydantic import BaseModel

from models.request_frame import requests_to_frame


class Colour(StrEnum):
    RED = "红"
    BLUE = "蓝"


class Item(BaseModel):
    name: str
    colour: Colour
    maybe_colour: Colour | None = None
    count: int
    size: float
    flag: bool
    maybe_size: float | None = None
    code: int | str
    day: dt.date


def _items() -> list[Item]:
    return [
        Item(
            name="甲",
            colour=Colour.RED,
            count=1,
            size=1.5,
            flag=True,
            code=7,
            day=dt.date(2024, 1, 2),
        ),
        Item(
            name="乙",
            colour=Colour.BLUE,
            maybe_colour=Colour.RED,
            count=2,
            size=2.0,
            flag=False,
            maybe_size=3.0,
            code="A7",
            day=dt.date(2024, 2, 3),
        ),
    ]


def test_texts_and_enum_members_become_plain_strings_in_object_columns() -> None:
    frame = requests_to_frame(_items(), Item)
    assert list(frame.columns) == list(Item.model_fields)
    for column in ("name", "colour"):
        assert frame[column].dtype == object
        assert all(type(v) is str for v in frame[column])
    assert frame["colour"].tolist() == ["红", "蓝"]
    assert frame["maybe_colour"].tolist() == [None, "红"]


def test_numbers_keep_numeric_dtypes_and_missing_values_are_missing() -> None:
    frame = requests_to_frame(_items(), Item)
    assert frame["count"].dtype == np.int64
    assert frame["size"].dtype == np.float64
    assert frame["flag"].dtype == bool
    assert frame["maybe_size"].dtype == np.float64
    assert np.isnan(frame["maybe_size"].iloc[0])
    assert frame["day"].tolist() == [dt.date(2024, 1, 2), dt.date(2024, 2, 3)]


def test_a_union_of_number_and_text_keeps_each_value_as_it_is() -> None:
    frame = requests_to_frame(_items(), Item)
    assert frame["code"].tolist() == [7, "A7"]  # numpy would have made "7" of the 7


def test_the_values_are_those_of_the_plain_table() -> None:
    items = _items()
    plain = pd.DataFrame([i.__dict__ for i in items], columns=list(Item.model_fields))
    frame = requests_to_frame(items, Item)
    for column in frame.columns:
        got = frame[column].astype(object).where(frame[column].notna(), None).tolist()
        want = plain[column].astype(object).where(plain[column].notna(), None).tolist()
        assert got == want, column
