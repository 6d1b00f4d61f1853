"""What the ledger keeps of a request or an answer: in full, or its digest; identifiers hashed."""

from __future__ import annotations

import hashlib
import json

import pytest

from serving.access import record
from serving.access.record import _recorded

ID_NUMBER = "11010519491231002X"  # a valid resident identity number (GB 11643 example)
KEY = b"test-identity-key"


def test_a_small_body_naming_a_debtor_is_kept_with_the_number_hashed() -> None:
    body = json.dumps({"debtor_id": ID_NUMBER, "amount": 1}).encode()
    kept = _recorded(body, 1_000, None, KEY)
    assert kept["amount"] == 1 and kept["debtor_id"].startswith("hmac-sha256:")
    assert ID_NUMBER not in json.dumps(kept)


def test_a_large_body_is_kept_as_its_digest_without_looking_for_identifiers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def searched(text: bytes) -> bool:
        raise AssertionError("a body kept as its digest was searched for identifiers")

    monkeypatch.setattr(record, "may_hold_identifiers", searched)
    body = json.dumps({"items": [{"debtor_id": ID_NUMBER, "n": i} for i in range(100)]}).encode()
    kept = _recorded(body, 1_000, 100, KEY)
    assert kept == {"sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body), "items": 100}


def test_a_body_without_an_identifier_s_name_is_kept_as_it_is() -> None:
    body = b'{"run_id": "abc", "valuation_date": "2025-01-01", "unseen_input_field": null}'
    assert _recorded(body, 1_000, None, KEY) == json.loads(body)
