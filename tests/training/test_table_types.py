"""A training file read from CSV trains like the generator's own table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from models.errors import DataError
from models.table_io import read_table
from training.table_types import typed_table
from training.tasks import kind_spec

KINDS = ["property", "vehicle", "capacity", "difficulty"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_csv_round_trip_gives_back_the_generated_table(kind: str, tmp_path: Path) -> None:
    spec = kind_spec(kind)
    assert spec.dtypes is not None
    generated = spec.generate(400, 0).frame
    path = tmp_path / "table.csv"
    generated.to_csv(path, index=False)
    as_read = read_table(path)
    assert as_read.dtypes.to_dict() != generated.dtypes.to_dict()  # dates came back as text
    # The columns training reads (the debtors' latent truth is not among them).
    columns = list(spec.dtypes)
    pd.testing.assert_frame_equal(typed_table(as_read, spec.dtypes)[columns], generated[columns])


@pytest.mark.parametrize("kind", KINDS)
def test_a_typed_table_is_left_as_it_is(kind: str) -> None:
    spec = kind_spec(kind)
    assert spec.dtypes is not None
    generated = spec.generate(300, 0).frame
    pd.testing.assert_frame_equal(typed_table(generated, spec.dtypes), generated, check_exact=True)


#: What the generators add that a court's own records do not hold.
LATENT = {
    "capacity": ["outcome", "recovered_amount", "true_capacity", "hidden_assets", "income_12m",
                 "resistance", "archetype", "case_id", "creditor_type", "case_cause",
                 "creditor_hardship"],
    "difficulty": ["days_to_close", "claims_ahead", "archetype", "true_capacity",
                   "hidden_assets", "resistance", "hidden_capacity"],
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(LATENT))
def test_a_court_table_needs_no_latent_truth(kind: str) -> None:
    # `train difficulty` refused such a table ("missing columns ... archetype, true_capacity").
    spec = kind_spec(kind)
    assert spec.dtypes is not None
    court = spec.generate(300, 0).frame.drop(columns=LATENT[kind])
    typed = typed_table(court, spec.dtypes)
    assert list(typed.columns) == list(court.columns)


DTYPES = {
    "n": "float64",
    "k": "int64",
    "day": "datetime64[ns]",
    "flag": "bool",
    "maybe": "boolean",
    "name": "str",
}


def _table(**changes: str) -> pd.DataFrame:
    row = {"n": "1,200.5", "k": "3", "day": "2024-05-01", "flag": "是", "maybe": "", "name": "甲"}
    rows = [row, {**row, **changes}]
    return pd.DataFrame(rows, dtype="str")


def test_text_cells_are_read_as_their_types() -> None:
    typed = typed_table(_table(n="", day="2024-05-02 10:00", flag="false", maybe="1"), DTYPES)
    assert typed.dtypes.astype(str).to_dict() == DTYPES
    assert typed["n"].tolist()[0] == 1200.5 and pd.isna(typed["n"].iloc[1])
    assert typed["day"].iloc[1] == pd.Timestamp("2024-05-02 10:00")
    assert typed["flag"].tolist() == [True, False]
    assert pd.isna(typed["maybe"].iloc[0]) and bool(typed["maybe"].iloc[1])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n": "abc"}, "data row 2, column n: 'abc' not a number"),
        ({"n": "inf"}, "data row 2, column n: 'inf' not a finite number"),
        ({"k": "2.5"}, "data row 2, column k: '2.5' not a whole number"),
        ({"k": ""}, "data row 2, column k: empty"),
        ({"day": "2024-13-01"}, "data row 2, column day: '2024-13-01' not a date"),
        ({"day": "9999-12-31"}, "not between 1900-01-01 and 2100-12-31"),
        ({"flag": "maybe"}, "data row 2, column flag: 'maybe' not true or false"),
    ],
)
def test_a_cell_that_cannot_be_read_is_named(change: dict[str, str], message: str) -> None:
    with pytest.raises(DataError, match=message):
        typed_table(_table(**change), DTYPES)


def test_a_column_already_of_its_type_is_not_read_again() -> None:
    typed = typed_table(_table(), DTYPES)
    typed.loc[1, "n"] = 0.1 + 0.2  # its text would read back as the same float anyway
    again = typed_table(typed, DTYPES)
    pd.testing.assert_frame_equal(again, typed, check_exact=True)
    assert again["n"].iloc[1] == 0.1 + 0.2


def test_an_infinity_already_read_as_a_float_is_named() -> None:
    """pandas reads a CSV's ``inf`` as a float column: it was taken as typed, and trained on."""
    typed = typed_table(_table(), DTYPES)
    typed.loc[1, "n"] = float("inf")
    with pytest.raises(DataError, match="data row 2, column n: 'inf' not a finite number"):
        typed_table(typed, DTYPES)


def test_a_missing_column_is_named() -> None:
    with pytest.raises(DataError, match=r"missing columns \['name'\]"):
        typed_table(_table().drop(columns=["name"]), DTYPES)
