"""Earlier inquiries read from a real ledger: a failed read leaves an answer without them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from serving.court.repeats import read_earlier_inquiries
from tests.court.test_objections import CASE


def test_a_ledger_that_cannot_be_read_leaves_the_answer_without_earlier_inquiries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'court.db'}")
    asked = [(5, {"certificate_number": "浙（2021）温岭市不动产权第0000001号"})]
    with caplog.at_level(logging.WARNING):
        assert read_earlier_inquiries(sessionmaker(engine), "property", CASE, asked) == [[]]
    assert f"earlier inquiries of case {CASE} not read" in caplog.text
