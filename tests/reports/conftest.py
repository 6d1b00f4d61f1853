"""Fixtures of the report tests: the hand-built sample of :mod:`tests.reports.sample`."""

from __future__ import annotations

import pytest

from models.property.schemas import PropertyRequest, PropertyValuation
from serving.reports import InquiryReport
from tests.reports.sample import sample_report, sample_request, sample_valuation


@pytest.fixture
def property_request() -> PropertyRequest:
    return sample_request()


@pytest.fixture
def valuation() -> PropertyValuation:
    return sample_valuation()


@pytest.fixture
def report() -> InquiryReport:
    return sample_report()
