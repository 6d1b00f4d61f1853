"""The rule parts of the capacity answer: tiers, reason sentences, leads and the relief hint."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from models.capacity.features import capacity_features, searches_missing
from models.capacity.leads import asset_leads
from models.capacity.options import CapacityOptions
from models.capacity.reasons import TOPIC_OF, top_reasons
from models.capacity.relief import relief_hint
from models.capacity.schemas import DebtorRequest
from models.capacity.tiers import decide_tiers, tier_basis
from models.capacity.vocabulary import Tier
from models.request_frame import requests_to_frame
from tests.conftest import debtor

OPTIONS = CapacityOptions()


def row_of(request: DebtorRequest) -> dict[str, Any]:
    raw = requests_to_frame([request], DebtorRequest)
    return raw.assign(searches_missing=searches_missing(raw)).to_dict("records")[0]


@pytest.mark.parametrize(
    ("p_full", "share", "p_hidden", "tier"),
    [
        (0.6, 0.6, 0.9, Tier.ABLE),  # at the able threshold
        (0.5999, 0.6, 0.5, Tier.HARD),  # just below it, at the hidden threshold
        (0.5999, 0.3, 0.4999, Tier.PARTIAL),  # just below both, at the partial share
        (0.1, 0.2999, 0.4999, Tier.UNABLE),
    ],
)
def test_tier_thresholds_at_their_boundaries(
    p_full: float, share: float, p_hidden: float, tier: Tier
) -> None:
    decided = decide_tiers(np.array([p_full]), np.array([share]), np.array([p_hidden]), OPTIONS)
    assert decided[0] == tier
    assert tier_basis(tier, p_full, share, p_hidden, OPTIONS)


def test_thresholds_come_from_the_options() -> None:
    strict = CapacityOptions(able_probability=0.9, hidden_probability=0.95)
    decided = decide_tiers(
        np.array([0.8, 0.8]), np.array([0.8, 0.8]), np.array([0.9, 0.96]), strict
    )
    assert list(decided) == [Tier.PARTIAL, Tier.HARD]


def test_spending_without_deposits_reads_as_such() -> None:
    row = row_of(debtor(flights_12m=18))
    reasons = top_reasons({"flights_12m": 1.2, "amount_due": -0.1}, row, 4, "隐匿财产可能")
    assert reasons[0].code == "FLIGHTS_WITHOUT_DEPOSITS"
    assert reasons[0].text == "近12个月乘坐飞机 18 次，但未查到存款"
    assert reasons[0].direction == "提高隐匿财产可能"
    assert reasons[1].direction == "降低隐匿财产可能"


def test_total_spending_is_told_apart_from_its_one_part() -> None:
    """Luxury alone: the luxury reason and the total-spending one must not read the same."""
    row = row_of(debtor(luxury_spend_12m=80_000))
    effects = {"luxury_spend_12m": 0.9, "spend_ratio": 0.5}
    luxury, total = top_reasons(effects, row, 4, "隐匿财产可能")
    assert luxury.text == "近12个月高消费8.0万元，但未查到存款"
    assert total.text == "近12个月高消费、学费、网购合计8.0万元，为执行标的的40%，但未查到存款"


def test_derived_features_speak_through_their_inputs() -> None:
    row = row_of(debtor(bank_deposits_found=50_000))
    reasons = top_reasons({"cash_ratio": 0.5, "bank_deposits_found": 0.3}, row, 4, "履行可能")
    assert len(reasons) == 1 and reasons[0].effect == pytest.approx(0.8)
    assert reasons[0].text == "查到银行存款5.0万元，为执行标的的25%"


def test_every_model_feature_has_a_topic_or_is_context() -> None:
    features = capacity_features(requests_to_frame([debtor()], DebtorRequest))
    context = {"debtor_type", "region"}
    assert set(features.columns) - set(TOPIC_OF) == context


def test_at_most_n_reasons() -> None:
    row = row_of(debtor())
    effects = {name: 0.1 * i for i, name in enumerate(TOPIC_OF)}
    assert len(top_reasons(effects, row, 4, "履行可能")) == 4


def test_school_fees_and_travel_become_leads() -> None:
    leads = asset_leads(
        row_of(debtor(private_school_fees_12m=120_000, flights_12m=10, hotel_nights_12m=20)),
        OPTIONS,
    )
    codes = [lead.code for lead in leads]
    assert codes[:2] == ["SCHOOL_FEES", "PAYMENT_ACCOUNTS"]
    assert "12.0万元" in leads[0].why


def test_missing_searches_become_a_lead() -> None:
    request = debtor(bank_deposits_found=None, vehicle_count=None)
    leads = asset_leads(row_of(request), OPTIONS)
    assert leads[-1].code == "SEARCHES_MISSING"
    assert "银行存款、车辆" in leads[-1].action


def test_no_spending_no_spending_leads() -> None:
    codes = {lead.code for lead in asset_leads(row_of(debtor()), OPTIONS)}
    assert not codes & {"SCHOOL_FEES", "PAYMENT_ACCOUNTS", "LUXURY_SPENDING", "E_COMMERCE"}


def test_relief_only_for_unable_and_only_when_the_criteria_hold() -> None:
    eligible = row_of(
        debtor(creditor_type="自然人", case_cause="追索劳动报酬", creditor_hardship=True)
    )
    hint = relief_hint(Tier.UNABLE, eligible, OPTIONS)
    assert hint is not None and hint.applies and "司法救助" in hint.text
    assert relief_hint(Tier.HARD, eligible, OPTIONS) is None
    contract = row_of(debtor(creditor_type="自然人", case_cause="合同纠纷", creditor_hardship=True))
    refused = relief_hint(Tier.UNABLE, contract, OPTIONS)
    assert refused is not None and not refused.applies and "合同纠纷" in refused.text


def test_request_checks_name_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        debtor(registered_capital=1_000_000)
    assert error.value.errors()[0]["loc"] == ("registered_capital",)
    with pytest.raises(ValidationError) as error:
        debtor(creditor_leads=1, creditor_leads_verified=2)
    assert error.value.errors()[0]["loc"] == ("creditor_leads_verified",)
    with pytest.raises(ValidationError) as error:
        debtor(debtor_id_number="123")
    assert error.value.errors()[0]["loc"] == ("debtor_id_number",)


def test_nothing_found_says_whether_every_search_is_back() -> None:
    """ "各项查询均未查到财产" only when all five searches are back; with one not back, the reason
    speaks of those that are."""
    for changes, text in (
        ({}, "各项查询均未查到财产"),
        ({"securities_found": None}, "已反馈的财产查询均未查到财产"),
    ):
        row = row_of(debtor(**changes))
        (reason,) = top_reasons({"asset_ratio": -1.0}, row, 4, "履行可能")
        assert (reason.code, reason.text) == ("ASSETS_NONE", text)
