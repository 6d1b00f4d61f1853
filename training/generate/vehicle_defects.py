"""Defects of real used-car listings, planted into generated vehicle transactions.

Each kind corrupts distinct clean records (or appends copies of them) and is recorded, so a
test can compare what cleaning caught with what was planted. Messy spellings of names (stray
spaces, full-width letters, another case) are planted too but not recorded: cleaning repairs
them and keeps the row.
"""

from collections.abc import Callable
from enum import StrEnum

import numpy as np
import pandas as pd

from training.generate.vehicle_market import CATALOGUE, VehicleMarketConfig

Corruption = Callable[[pd.DataFrame, np.ndarray, np.random.Generator], None]
_FULL_WIDTH_OFFSET = 0xFEE0  # '!'..'~' -> '！'..'～'
_IDEOGRAPHIC_SPACE = "\u3000"


class VehicleDefectKind(StrEnum):
    """Kinds of planted defects, as recorded in ``GeneratedVehicle.planted``."""

    EXACT_DUPLICATE = "exact_duplicate"
    RELISTING = "relisting"
    ZERO_MILEAGE = "zero_mileage"
    PRICE_UNIT_ERROR = "price_unit_error"
    REGISTRATION_AFTER_TRANSACTION = "registration_after_transaction"
    MILEAGE_TYPO = "mileage_typo"
    MISSING_REQUIRED = "missing_required"
    SERIES_TYPO = "series_typo"


def plant_defects(
    frame: pd.DataFrame,
    counts: dict[VehicleDefectKind, int],
    config: VehicleMarketConfig,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Corrupt distinct clean rows in place, mess up some names, append duplicates and
    re-listings. Returns the combined frame and each row's defect ('' for none)."""
    defects = np.full(len(frame), "", dtype=object)
    free = np.ones(len(frame), dtype=bool)
    order = rng.permutation(len(frame))
    age_years = (frame["transaction_date"] - frame["registration_date"]).dt.days / 365.25
    eligible = {VehicleDefectKind.ZERO_MILEAGE: (age_years > 2.0).to_numpy()}
    taken: dict[VehicleDefectKind, np.ndarray] = {}
    for kind, count in counts.items():
        ok = free[order] & eligible.get(kind, np.ones(len(frame), dtype=bool))[order]
        taken[kind] = order[ok][:count]
        free[taken[kind]] = False
    messy = order[free[order]][: round(len(frame) * config.messy_text_share)]
    frame.loc[messy, "series"] = messy_names(frame["series"].to_numpy()[messy], rng)
    for kind, corrupt in _CORRUPTIONS.items():
        corrupt(frame, taken[kind], rng)
        defects[taken[kind]] = kind.value
    duplicates = frame.iloc[taken[VehicleDefectKind.EXACT_DUPLICATE]]
    source = frame.iloc[taken[VehicleDefectKind.RELISTING]]
    relistings, source_is_earlier = _relist(source, config, rng)
    defects[taken[VehicleDefectKind.RELISTING][source_is_earlier]] = VehicleDefectKind.RELISTING
    appended = np.concatenate(
        [
            np.full(len(duplicates), VehicleDefectKind.EXACT_DUPLICATE.value, dtype=object),
            np.where(source_is_earlier, "", VehicleDefectKind.RELISTING.value).astype(object),
        ]
    )
    combined = pd.concat([frame, duplicates, relistings], ignore_index=True)
    return combined, np.concatenate([defects, appended]).astype(str).astype(object)


def _relist(
    source: pd.DataFrame, config: VehicleMarketConfig, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """List the same cars again 1..window days later, a little cheaper and driven a little
    further; if that would fall after the data's end, the copy is the earlier listing.
    Returns the copies and whether each source is the earlier record."""
    n = len(source)
    days = rng.integers(1, config.relisting_window_days + 1, n)
    delta = pd.to_timedelta(days, unit="D")
    end = pd.Timestamp(config.start_month) + pd.DateOffset(months=config.n_months)
    later = source["transaction_date"] + delta
    source_is_earlier = (later < end).to_numpy()
    relisted = source.copy()
    relisted["transaction_date"] = later.where(
        source_is_earlier, source["transaction_date"] - delta
    )
    change = rng.uniform(-config.relisting_max_price_cut, 0.01, n)
    relisted["price"] = np.round(source["price"].to_numpy() * (1 + change), -2)
    extra = 100.0 * rng.integers(0, config.relisting_max_extra_km // 100 + 1, n)
    sign = np.where(source_is_earlier, 1.0, -1.0)
    relisted["mileage_km"] = np.maximum(source["mileage_km"].to_numpy() + sign * extra, 100.0)
    return relisted, source_is_earlier


def _zero_mileage(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    tiny = np.where(rng.random(idx.size) < 0.7, 0.0, rng.integers(1, 100, idx.size))
    frame.loc[idx, "mileage_km"] = tiny


def _price_unit_error(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    price = frame["price"].to_numpy()[idx]
    variant = rng.integers(0, 3, idx.size)  # 万元 for 元, one digit too many, one too few
    wrong = np.choose(variant, [np.round(price / 10_000, 2), price * 10, np.round(price / 10, -1)])
    frame.loc[idx, "price"] = wrong


def _registration_after(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    days = pd.to_timedelta(rng.integers(1, 721, idx.size), unit="D")
    frame.loc[idx, "registration_date"] = frame["transaction_date"].to_numpy()[idx] + days


def _mileage_typo(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    factor = np.where(rng.random(idx.size) < 0.7, 10.0, 100.0)  # one or two extra digits
    frame.loc[idx, "mileage_km"] = frame["mileage_km"].to_numpy()[idx] * factor


def _missing_required(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    column = rng.integers(0, 4, idx.size)
    for i, name in enumerate(("series", "price", "registration_date", "mileage_km")):
        frame.loc[idx[column == i], name] = pd.NaT if name.endswith("date") else np.nan


def _series_typo(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    frame.loc[idx, "series"] = [misspell(name, rng) for name in frame["series"].to_numpy()[idx]]


_CORRUPTIONS: dict[VehicleDefectKind, Corruption] = {
    VehicleDefectKind.ZERO_MILEAGE: _zero_mileage,
    VehicleDefectKind.PRICE_UNIT_ERROR: _price_unit_error,
    VehicleDefectKind.REGISTRATION_AFTER_TRANSACTION: _registration_after,
    VehicleDefectKind.MILEAGE_TYPO: _mileage_typo,
    VehicleDefectKind.MISSING_REQUIRED: _missing_required,
    VehicleDefectKind.SERIES_TYPO: _series_typo,
}


def misspell(name: str, rng: np.random.Generator) -> str:
    """A typo that is not another series' name: swap two neighbours or double a character."""
    known = {s.name for s in CATALOGUE}
    letters = [k for k, c in enumerate(name) if not c.isspace()]
    i = letters[int(rng.integers(0, len(letters)))]
    if len(name) > 1 and rng.random() < 0.5:
        j = min(i, len(name) - 2)
        swapped = name[:j] + name[j + 1] + name[j] + name[j + 2 :]
        if swapped != name and swapped not in known:
            return swapped
    return name[: i + 1] + name[i:]


def _full_width(text: str) -> str:
    return "".join(
        _IDEOGRAPHIC_SPACE
        if c == " "
        else chr(ord(c) + _FULL_WIDTH_OFFSET)
        if "!" <= c <= "~"
        else c
        for c in text
    )


def messy_names(names: np.ndarray, rng: np.random.Generator) -> list[str]:
    """The same names as a careless typist enters them: stray spaces, full-width or lower-case
    letters. Unicode NFKC, stripping and a case-insensitive match undo every variant."""
    variants: list[Callable[[str], str]] = [
        lambda s: " " + s,
        lambda s: s + "  ",
        lambda s: _full_width(s) if s.isascii() or any(c.isascii() for c in s) else s + "\t",
        lambda s: s.lower() if s.lower() != s else " " + s + " ",
    ]
    choice = rng.integers(0, len(variants), len(names))
    return [variants[c](str(name)) for c, name in zip(choice, names, strict=True)]
