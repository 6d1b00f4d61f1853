"""The input example logged with a registered model (it fixes the MLflow signature)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def input_example(frame: pd.DataFrame, columns: Sequence[str], rows: int = 5) -> pd.DataFrame:
    """A few rows of model inputs, with a missing value in every column that can be missing
    (so the logged signature marks it optional); counts and booleans as floats, which is how
    the model reads them and lets any of them be missing."""
    inputs = frame[list(columns)]
    picks = list(inputs.index[:rows])
    for column in inputs.columns:
        missing = inputs.index[inputs[column].isna()]
        if len(missing) and not inputs.loc[picks, column].isna().any():
            picks.append(missing[0])
    example = inputs.loc[picks].reset_index(drop=True)
    for column in example.columns:
        if pd.api.types.is_integer_dtype(example[column]) or pd.api.types.is_bool_dtype(
            example[column]
        ):
            example[column] = example[column].astype("float64")
    return example
