"""The hash-chain rules and identifier scrubbing, without a database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import random
import struct
from typing import Any

import pytest

from models.identity import keyed_hash
from serving.court import GENESIS_HASH, canonical_json, entry_hash, scrub_identifiers
from serving.court.chain import (
    HASHED_FIELDS,
    CanonicalJson,
    _fast_canonical,
    format_time,
    store_json,
)

KEY = b"k"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"b": 1, "a": [1.0, "é"]}, '{"a":[1.0,"é"],"b":1}'),
        ({"x": 0.1 + 0.2, "y": 1e-7, "z": 1e16}, '{"x":0.30000000000000004,"y":1e-07,"z":1e+16}'),
        ({"案号": None, "n": -0.0}, '{"n":-0.0,"案号":null}'),
        ("\ud800 \u2028\x7f\n", '"\ud800 \u2028\x7f\\n"'),  # a lone surrogate kept
        (True, "true"),
        (2**70, "1180591620717411303424"),
        (1e-05, "1e-05"),
    ],
)
def test_canonical_json(value: object, text: str) -> None:
    assert canonical_json(value) == text


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_canonical_json_refuses_non_finite_numbers(bad: float) -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        canonical_json({"x": bad})


def _rule(value: Any) -> str:
    """The documented rule itself."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


class _RandomJson:
    """Seeded JSON-like values that reach the corners of the rule: floats of every magnitude
    (every bit pattern), integers beyond 64 bits, control and astral characters, nesting."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def number(self) -> float | int:
        rng = self.rng
        kind = rng.randrange(5)
        if kind == 0:
            bits = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
            return bits if math.isfinite(bits) else 0.5
        if kind == 1:
            return rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30)
        if kind == 2:
            return round(rng.uniform(-1e7, 1e7), rng.randint(0, 8))
        return rng.randint(-(2**70), 2**70) if kind == 3 else rng.randint(-999, 999)

    def text(self) -> str:
        rng = self.rng
        ranges = [(0, 0x80), (0x80, 0xD800), (0xE000, 0x110000)]
        return "".join(chr(rng.randrange(*rng.choice(ranges))) for _ in range(rng.randrange(6)))

    def value(self, depth: int = 0) -> Any:
        kind = self.rng.randrange(7 if depth < 3 else 4)
        if kind == 0:
            return self.number()
        if kind == 1:
            return self.text()
        if kind == 2:
            return self.rng.choice([None, True, False])
        if kind == 3:
            return self.number()
        if kind in (4, 5):
            return {self.text(): self.value(depth + 1) for _ in range(self.rng.randrange(5))}
        return [self.value(depth + 1) for _ in range(self.rng.randrange(5))]


def test_the_fast_encoder_writes_the_rule_s_bytes() -> None:
    """``orjson`` writes the text unless it might differ; either way the bytes are the rule's."""
    values = _RandomJson(seed=7)
    fast = 0
    for _ in range(20_000):
        value = values.value()
        fast += _fast_canonical(value) is not None
        assert canonical_json(value) == _rule(value), value
    assert fast > 10_000  # most values take the fast path


def test_a_batch_answer_takes_the_fast_path() -> None:
    """What the speed is for: a large answer of plain floats, short texts and missing values
    (a batch item's ``unseen_input_field`` is null unless its 小区 is new)."""
    values = _RandomJson(seed=3)
    items = [
        {
            "value": abs(values.rng.gauss(8e5, 2e5)),
            "lower": 7.1e5 + i,
            "rule": "锦园|住宅",
            "unseen_input_field": "community" if i % 100 == 0 else None,
        }
        for i in range(2_000)
    ]
    answer = {"items": items, "model": {"name": "courtval-property", "version": "7"}}
    assert _fast_canonical(answer) == _rule(answer)


@pytest.mark.parametrize(
    "value",
    [
        {"x": 1e-5},
        {"x": -2.5e-9},
        {"s": "e-mail 0.00001"},
        {"i": 2**64},
        {"n": None, "s": "null"},  # two nulls in the text, one None
        [None, {"n": [None, "annulled"]}],
    ],
)
def test_values_the_fast_encoder_may_write_otherwise_go_to_the_rule(value: Any) -> None:
    assert _fast_canonical(value) is None
    assert canonical_json(value) == _rule(value)


@pytest.mark.parametrize(
    "value", [{"n": None}, [None, {"n": [None, (None, 1.5)]}, {}], {"a": {"b": None, "c": []}}]
)
def test_missing_values_alone_keep_the_fast_path(value: Any) -> None:
    assert _fast_canonical(value) == _rule(value)


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_nan_or_infinity_beside_missing_values_is_refused(number: float) -> None:
    """``orjson`` writes them ``null`` too; the count of ``None`` tells them apart."""
    value = {"items": [{"value": 1.0, "field": None}, {"value": number, "field": None}]}
    assert _fast_canonical(value) is None
    with pytest.raises(ValueError):
        canonical_json(value)


def test_entry_hash_follows_the_documented_rule() -> None:
    fields: dict[str, object] = dict.fromkeys(HASHED_FIELDS)
    moment = dt.datetime(2024, 5, 1, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    fields.update(id=1, created_at=moment, inputs={"面积": 40.5}, outputs={}, latency_ms=2.0)
    expected_body = (
        '{"case_number":null,"created_at":"2024-05-01T08:30:00.000000Z","endpoint":null,'
        '"id":1,"inputs":{"面积":40.5},"key_id":null,"latency_ms":2.0,"model_name":null,'
        '"model_version":null,"outputs":{},"purpose":null,"role":null,"run_id":null,'
        '"user_name":null}'
    )
    expected = hashlib.sha256(expected_body.encode() + GENESIS_HASH.encode()).hexdigest()
    assert format_time(moment) == "2024-05-01T08:30:00.000000Z"
    assert entry_hash(fields, GENESIS_HASH) == expected
    assert entry_hash(fields, "1" * 64) != expected


def test_pre_encoded_values_hash_and_store_as_the_plain_ones() -> None:
    """The write path encodes inputs and outputs once (CanonicalJson); the hash and the stored
    text must be those of the plain values, which is what verification recomputes."""
    inputs = {"面积": 40.5, "items": [{"b": 1e16, "a": None}]}
    outputs = {"value": 0.1 + 0.2, "text": "锦园"}
    fields: dict[str, object] = dict.fromkeys(HASHED_FIELDS)
    fields.update(id=7, created_at="2024-05-01T08:30:00.000000Z", inputs=inputs, outputs=outputs)
    encoded = {**fields, "inputs": CanonicalJson.of(inputs), "outputs": CanonicalJson.of(outputs)}
    assert entry_hash(encoded, GENESIS_HASH) == entry_hash(fields, GENESIS_HASH)
    assert json.loads(store_json(encoded["inputs"])) == inputs
    assert store_json(encoded["outputs"]) == canonical_json(outputs)
    with pytest.raises(ValueError, match="JSON compliant"):
        CanonicalJson.of({"x": float("nan")})


def test_scrub_replaces_identifiers_at_any_depth() -> None:
    number = "11010519491231002x"
    scrubbed = scrub_identifiers(
        {"debtor_id_number": number, "items": [{"debtor_id_number": None, "area": 1}]}, KEY
    )
    assert scrubbed == {
        "debtor_id_number": "hmac-sha256:" + keyed_hash(number, KEY),
        "items": [{"debtor_id_number": None, "area": 1}],
    }
    assert keyed_hash(number, KEY) == keyed_hash(number.upper(), KEY)


def test_scrub_hashes_even_malformed_identifiers() -> None:
    scrubbed = scrub_identifiers({"id": "身份证１２３"}, KEY, fields={"id"})
    expected = hmac.new(KEY, "身份证123".encode(), hashlib.sha256).hexdigest()
    assert scrubbed == {"id": "hmac-sha256:" + expected}
