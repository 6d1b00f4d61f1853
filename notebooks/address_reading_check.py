# %% [markdown]
# # Does the 坐落 reader find the 街道/镇, 小区 and floor in the forms seizure records use?
#
# A self-consistency check, not a field accuracy: 10,000 generated sales (seed 0, rows with a
# 街道/镇 and a 小区) are written as addresses in four common forms, with random road numbers,
# buildings, units and rooms whose first digits are the sale's floor, and read back by
# `models.property.address.AddressReader` against the sales' own names. A court's real
# seizure records will hold forms this does not; each one found belongs in
# `tests/models/test_address.py`.
#
# Then the same flats, each written in five forms a clerk might type, are compared the way an
# inquiry's earlier inquiries are found (`models.property.address.address_key`): every form of
# one flat should give one key, and two different flats never the same one.
#
# Run: `.venv/bin/python notebooks/address_reading_check.py` (a few seconds).

# %%
from __future__ import annotations

import time

import numpy as np

from models.property.address import AddressReader, address_key
from training.generate import generate_property_transactions

FORMS = (
    "浙江省温岭市{d}万昌中路{n}号{c}{b}幢{u}单元{f}0{r}室",
    "温岭市{d}{c}{b}-{u}-{f}0{r}",
    "{c}{b}号楼{f}0{r}室",
    "温岭市{d}{c}{b}栋{f}层",
)

# %%
sales = generate_property_transactions(n_rows=10_400, seed=0).frame
sales = sales[sales["community"].notna() & sales["district"].notna()].head(10_000)
places: dict[str, set[str]] = {}
for district, community in zip(sales["district"], sales["community"], strict=True):
    places.setdefault(community, set()).add(district)
reader = AddressReader(set(sales["district"]), places)
rng = np.random.default_rng(0)
addresses, truth = [], []
for i, row in enumerate(sales.itertuples()):
    floor = max(1, int(row.floor))
    numbers = {k: int(rng.integers(1, top)) for k, top in (("b", 30), ("u", 4), ("r", 4), ("n", 300))}
    form = FORMS[i % len(FORMS)]
    addresses.append(form.format(d=row.district, c=row.community, f=floor, **numbers))
    truth.append((row.district, row.community, floor))

# %%
start = time.perf_counter()
readings = [reader.read(address) for address in addresses]
took = time.perf_counter() - start
right = [(r.district, r.community, r.floor) == t for r, t in zip(readings, truth, strict=True)]
print(
    f"{len(addresses)} addresses in {took:.3f} s ({1e6 * took / len(addresses):.0f} µs each); "
    f"all three read right: {np.mean(right):.4f}"
)
for i, form in enumerate(FORMS):
    print(f"  {np.mean(right[i :: len(FORMS)]):.4f}  {form}")

# %% [markdown]
# ## One flat, typed five ways: one key?

# %%
_CHINESE = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """1–99 in Chinese numerals, as buildings are written (三, 十二, 二十五)."""
    tens, ones = divmod(n, 10)
    return (f"{_CHINESE[tens] if tens > 1 else ''}十" if tens else "") + (
        _CHINESE[ones] if ones or not tens else ""
    )


SAME_FLAT = (
    "浙江省温岭市{d}万昌中路{n}号{c}{b}幢{u}单元{room}室",
    "温岭市{d}{c}{b}-{u}-{room}",
    "{c}{bc}号楼{u}单元{room}",
    "{d}{c}第{b}幢{u}单元{room}号",
    "{c}{b}#{u}单元{room_cn}室",
)
flats, keys = [], []
for row in sales.itertuples():
    floor = max(1, int(row.floor))
    b, u, r = (int(rng.integers(1, top)) for top in (30, 4, 4))
    room = f"{floor}0{r}"
    values = {"d": row.district, "c": row.community, "b": b, "u": u, "room": room}
    values |= {"n": int(rng.integers(1, 300)), "bc": chinese(b)}
    values["room_cn"] = "".join("〇" if ch == "0" else _CHINESE[int(ch)] for ch in room)
    flats.append((row.district, row.community, b, u, room))
    keys.append({address_key(form.format(**values), row.district) for form in SAME_FLAT})
one_key = np.mean([len(k) == 1 for k in keys])
owner: dict[str, set[tuple[object, ...]]] = {}
for flat, k in zip(flats, keys, strict=True):
    for key in k:
        owner.setdefault(key, set()).add(flat)
shared = sum(len(f) > 1 for f in owner.values())
print(
    f"{len(flats)} flats in {len(SAME_FLAT)} forms each: all forms one key {one_key:.4f}; "
    f"keys shared by two different flats: {shared}"
)
