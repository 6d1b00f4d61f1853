# %% [markdown]
# # How good a check is the 比准价格? (synthetic holdout)
#
# The README's figures on the market comparison check: 50,000 generated sales (seed 0),
# cleaned, the property model fitted on all but the last 3 months, each of the 2,016 sales of
# those months valued on its sale day. The comparables are drawn from all training sales, then
# from 10% and 3% of them (a thin market). For each inquiry: the model's estimate and 80%
# interval, the number of comparables with adjusted prices, and their median (computed here
# without the 3-comparable rule, to see what one or two would say).
#
# Run: `.venv/bin/python notebooks/comparison_check_holdout.py` (about a minute).

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

from models.property import features as property_features
from models.property.comparables import ComparablesIndex
from models.property.features import INPUT_COLUMNS
from models.property.schemas import PropertyRequest
from models.property.valuer import PropertyValuer
from models.valuer import AnswerOptions
from training.cleaning import clean_property
from training.generate import generate_property_transactions
from training.property_task import PROPERTY_ESTIMATOR
from training.split import split_by_time


def request_of(row: pd.Series) -> PropertyRequest:
    """The inquiry about a sold property, valued on its sale day."""
    fields = {k: (None if pd.isna(row[k]) else row[k]) for k in INPUT_COLUMNS}
    if fields["latitude"] is None or fields["longitude"] is None:
        fields["latitude"] = fields["longitude"] = None
    date = pd.Timestamp(row["transaction_date"]).date()
    return PropertyRequest.model_validate({**fields, "valuation_date": date})


clean = clean_property(generate_property_transactions(50_000, seed=0).frame).frame
train, test = split_by_time(clean, "transaction_date", 3)
valuer = PropertyValuer.fit(train, params=PROPERTY_ESTIMATOR, seed=0)
requests = [request_of(row) for _, row in test.iterrows()]
estimates = valuer.predict_frame(valuer.requests_frame(requests))

# %%
tables = {}
for share in (1.0, 0.1, 0.03):
    evidence = train.sample(frac=share, random_state=0)
    sold_at = valuer.regressor.predict_log(property_features.feature_frame(evidence))
    valuer.comparables = ComparablesIndex().fit(evidence, sold_at)
    rows = []
    for request, (_, sale), (_, estimate) in zip(
        requests, test.iterrows(), estimates.iterrows(), strict=True
    ):
        found = valuer.comparables_for(request, AnswerOptions(), float(estimate["value"]))
        adjusted = [c.adjusted_price for c in found if c.adjusted_price is not None]
        rows.append(
            {
                "type": sale["property_type"],
                "price": sale["price"],
                "value": estimate["value"],
                "lower": estimate["lower"],
                "upper": estimate["upper"],
                "n": len(adjusted),
                "check": float(np.median(adjusted)) if adjusted else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    table["ape"] = (table["value"] / table["price"] - 1).abs()
    table["outside"] = table["check"].notna() & (
        (table["check"] < table["lower"]) | (table["check"] > table["upper"])
    )
    tables[share] = table

# %% [markdown]
# With one or two comparables the flag fires often, and on estimates no worse than the rest.

# %%
for share, table in tables.items():
    for label, part in (("1-2", table[table["n"].between(1, 2)]), ("3-5", table[table["n"] >= 3])):
        if part.empty:
            continue
        flagged, rest = part[part["outside"]], part[~part["outside"]]
        print(
            f"evidence {share}: {label} comparables, {len(part)} inquiries, "
            f"outside {part['outside'].mean():.3f}, median APE flagged "
            f"{100 * flagged['ape'].median():.2f}% vs {100 * rest['ape'].median():.2f}%"
        )

# %% [markdown]
# Within a property type, a 比准价格 outside the interval does not pick out the estimates that
# are off by more than 10% (3 comparables or more).

# %%
for share, table in tables.items():
    part = table[table["n"] >= 3]
    for kind, group in part.groupby("type"):
        off = group["ape"] > 0.1
        flag = group["outside"]
        print(
            f"evidence {share}: {kind} n={len(group)} outside {flag.mean():.3f}: "
            f"off by >10% {off[flag].mean():.2f} flagged vs {off[~flag].mean():.2f} not"
        )
