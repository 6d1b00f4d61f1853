"""What the capacity model must get right whatever its training data: hidden capacity read from
spending when no assets are found, and nothing anywhere read as 执行不能."""

from __future__ import annotations

import pytest

from models.capacity.model import CapacityModel
from models.capacity.options import CapacityOptions
from models.capacity.schemas import CapacityAssessment, CapacityBatchRequest
from models.capacity.vocabulary import Tier
from models.registry import LoadedModel
from tests.conftest import debtor

OPTIONS = CapacityOptions()

#: Spending a debtor without means could not keep up: flights, hotels, luxury, private school.
HIGH_SPENDING = [
    {"flights_12m": 18, "hotel_nights_12m": 30, "luxury_spend_12m": 80_000},
    {"flights_12m": 12, "private_school_fees_12m": 150_000, "online_shopping_12m": 60_000},
    {"flights_12m": 24, "hotel_nights_12m": 45, "private_school_fees_12m": 90_000},
    {"hotel_nights_12m": 40, "luxury_spend_12m": 150_000, "online_shopping_12m": 90_000},
]
#: Nothing found, nothing spent, no work, other creditors queueing.
NOTHING = [
    {"other_open_cases": 3, "household_registration_found": False},
    {"other_open_cases": 6, "dishonest_listed": True, "dishonest_history": 2},
    {"amount_due": 80_000, "other_open_cases": 2},
]


def _assess(loaded: LoadedModel, cases: list[dict[str, object]]) -> list[CapacityAssessment]:
    model: CapacityModel = loaded.model
    batch = CapacityBatchRequest(
        items=[debtor(**case) for case in cases], include_contributions=True
    )
    return model.assess_batch(batch, loaded.info, OPTIONS).items


def test_spenders_with_nothing_found_are_hard_with_a_reason_saying_so(
    capacity_champion: LoadedModel,
) -> None:
    for answer in _assess(capacity_champion, HIGH_SPENDING):
        assert answer.tier == Tier.HARD, answer.tier_basis
        spending = [r for r in answer.reasons if r.code.endswith("_WITHOUT_DEPOSITS")]
        assert spending, [r.text for r in answer.reasons]
        assert spending[0].text.endswith("但未查到存款") and spending[0].effect > 0
        assert {lead.code for lead in answer.leads} & {
            "PAYMENT_ACCOUNTS",
            "SCHOOL_FEES",
            "LUXURY_SPENDING",
            "E_COMMERCE",
        }


def test_debtors_with_nothing_anywhere_are_unable(capacity_champion: LoadedModel) -> None:
    for answer in _assess(capacity_champion, NOTHING):
        assert answer.tier == Tier.UNABLE, answer.tier_basis
        assert answer.probability_full_6m < 0.2
        assert answer.relief is not None


def test_found_cash_covering_the_debt_is_able(capacity_champion: LoadedModel) -> None:
    rich = {"bank_deposits_found": 400_000, "social_insurance_active": True, "employer_found": True}
    (answer,) = _assess(capacity_champion, [rich])
    assert answer.tier == Tier.ABLE, answer.tier_basis
    assert answer.reasons[0].code == "DEPOSITS_FOUND" and answer.reasons[0].effect > 0


@pytest.mark.parametrize("field", ["bank_deposits_found", "securities_found"])
def test_more_money_found_never_lowers_the_probability(
    capacity_champion: LoadedModel, field: str
) -> None:
    cases = [{field: amount} for amount in (0, 10_000, 50_000, 100_000, 200_000, 500_000)]
    probabilities = [a.probability_full_6m for a in _assess(capacity_champion, cases)]
    assert probabilities == sorted(probabilities)
