"""Case groups: bundles (捆绑执行) by shared debtor, creditor or asset; 执转破 candidates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from models.errors import InvalidInputError
from models.settings import Settings
from models.triage.groups import (
    BANKRUPTCY_COLUMNS,
    BUNDLE_COLUMNS,
    find_bankruptcy_candidates,
    find_bundles,
)
from tests.triage_cases import AS_OF, ago, case, frame, numbered

SETTINGS = Settings()


def lone(case_id: str, **changes: Any) -> dict[str, Any]:
    """A case linked to nothing else: its own debtor and creditor, no seized asset."""
    links = {"debtor_id": f"D-{case_id}", "creditor_id": f"K-{case_id}"}
    return case(case_id=case_id, **{**links, **changes})


def bundles(*records: dict[str, Any], ease: list[float] | None = None, **kw: Any) -> pd.DataFrame:
    scores = np.full(len(records), 0.5) if ease is None else np.array(ease)
    min_cases = kw.get("min_cases", SETTINGS.bundle_min_cases)
    return find_bundles(frame(*records), scores, min_cases)


@pytest.mark.parametrize(
    ("link", "kind"),
    [("debtor_id", "debtor"), ("creditor_id", "creditor"), ("seized_asset_id", "asset")],
)
def test_cases_sharing_a_link_are_bundled(link: str, kind: str) -> None:
    shared = [lone("C1", **{link: "X"}), lone("C2", **{link: "X"}), lone("C3")]
    table = bundles(*shared)
    assert list(table.columns) == list(BUNDLE_COLUMNS)
    assert table[["group_id", "kind", "key", "n_cases"]].values.tolist() == [
        [f"{kind}:X", kind, "X", 2]
    ]
    assert sorted(table.loc[0, "case_ids"]) == ["C1", "C2"]


def test_singletons_missing_keys_and_closed_cases_are_not_bundled() -> None:
    table = bundles(
        lone("C1"),
        lone("C2", seized_asset_id=None),
        lone("C3", seized_asset_id=""),
        lone("C4", debtor_id="D"),
        lone("C5", debtor_id="D", closed_at=ago(3), outcome="执行完毕"),
    )
    assert table.empty
    assert list(table.columns) == list(BUNDLE_COLUMNS)


def test_members_are_listed_easiest_first() -> None:
    table = bundles(*numbered(3, debtor_id="D", creditor_id=None), ease=[0.2, 0.9, 0.5])
    assert table.loc[0, "case_ids"] == ["C2", "C3", "C1"]


def test_a_case_can_sit_in_several_groups_but_no_giant_component() -> None:
    # C1-C2 share a debtor, C2-C3 a creditor, C3-C4 an asset: three groups, not one chain.
    records = [
        lone("C1", debtor_id="D"),
        lone("C2", debtor_id="D", creditor_id="K"),
        lone("C3", creditor_id="K", seized_asset_id="A"),
        lone("C4", seized_asset_id="A"),
    ]
    table = bundles(*records)
    groups = {row.group_id: sorted(row.case_ids) for row in table.itertuples()}
    assert groups == {"debtor:D": ["C1", "C2"], "creditor:K": ["C2", "C3"], "asset:A": ["C3", "C4"]}


def test_the_same_cases_under_two_links_are_one_group_under_the_debtor() -> None:
    table = bundles(*numbered(2, debtor_id="D", creditor_id="K"))
    assert table["group_id"].tolist() == ["debtor:D"]


def test_groups_are_ranked_by_amount_weighted_ease() -> None:
    records = [
        lone("C1", debtor_id="A", amount_due=300_000.0),
        lone("C2", debtor_id="A", amount_due=100_000.0),
        lone("C3", debtor_id="B", amount_due=100_000.0),
        lone("C4", debtor_id="B", amount_due=100_000.0),
    ]
    table = bundles(*records, ease=[0.8, 0.0, 0.5, 0.5])
    assert table["group_id"].tolist() == ["debtor:A", "debtor:B"]  # 0.6 vs 0.5
    assert table["ease"].tolist() == pytest.approx([0.6, 0.5])
    assert table["total_amount"].tolist() == [400_000.0, 200_000.0]
    assert table["rank"].tolist() == [1, 2]


def test_min_cases_comes_from_the_caller() -> None:
    two = numbered(2, debtor_id="D", creditor_id=None)
    three = [lone(f"E{i}", debtor_id="E") for i in range(3)]
    assert bundles(*two, *three, min_cases=3)["group_id"].tolist() == ["debtor:E"]


@pytest.mark.parametrize("ease", [[0.5], [0.5, 1.5], [0.5, float("nan")]])
def test_ease_must_be_one_score_in_0_1_per_case(ease: list[float]) -> None:
    with pytest.raises(InvalidInputError, match="ease"):
        bundles(lone("C1"), lone("C2"), ease=ease)


def company_cases(n: int, unpaid: int, **changes: Any) -> list[dict[str, Any]]:
    """``n`` cases of company ``D``: ``unpaid`` open with no money, the rest paid in full."""
    paid = {"closed_at": ago(10), "money_received_at": ago(20), "outcome": "执行完毕"}
    records = numbered(n, debtor_id="D", debtor_type="法人", amount_due=200_000.0, **changes)
    return [r if i < unpaid else {**r, **paid} for i, r in enumerate(records)]


def candidates(records: list[dict[str, Any]], outcome: bool = True) -> pd.DataFrame:
    return find_bankruptcy_candidates(
        frame(*records, outcome=outcome),
        SETTINGS.bankruptcy_min_cases,
        SETTINGS.bankruptcy_unpaid_share,
    )


@pytest.mark.parametrize(("n", "flagged"), [(4, False), (5, True)])
def test_bankruptcy_needs_five_cases(n: int, flagged: bool) -> None:
    assert len(candidates(company_cases(n, unpaid=n))) == int(flagged)


@pytest.mark.parametrize(("n", "unpaid", "flagged"), [(5, 2, False), (5, 3, True), (6, 3, False)])
def test_bankruptcy_needs_more_than_half_unpaid(n: int, unpaid: int, flagged: bool) -> None:
    assert len(candidates(company_cases(n, unpaid))) == int(flagged)


def test_individual_debtors_are_not_bankruptcy_candidates() -> None:
    records = company_cases(6, unpaid=6)
    assert candidates([{**r, "debtor_type": "自然人"} for r in records]).empty


def test_the_candidate_row_and_its_message() -> None:
    records = company_cases(5, unpaid=3)
    records[0] |= {"closed_at": ago(5), "termination_proposed_at": ago(9), "outcome": "终本"}
    records[1] |= {"amount_due": 34_000.0}
    table = candidates([*records, lone("X1")])
    assert list(table.columns) == list(BANKRUPTCY_COLUMNS)
    row = table.iloc[0]
    assert (row["debtor_id"], row["n_cases"], row["n_unpaid"]) == ("D", 5, 3)
    assert row["case_ids"] == ["C1", "C2", "C3", "C4", "C5"]
    assert row["total_amount"] == 834_000.0
    assert row["message"] == (
        "该企业共有5件执行案件，3件终本或未履行，执行标的合计83.4万元，建议移送破产审查（执转破）"
    )


@pytest.mark.parametrize("outcome", [True, False])
def test_terminated_cases_count_as_unpaid_with_or_without_outcome(outcome: bool) -> None:
    terminated = {"closed_at": ago(5), "termination_proposed_at": ago(9), "outcome": "终本"}
    records = company_cases(5, unpaid=0)
    records = [{**r, **terminated} if i < 3 else r for i, r in enumerate(records)]
    assert candidates(records, outcome=outcome)["n_unpaid"].tolist() == [3]


def test_with_as_of_a_later_closing_has_not_happened_yet() -> None:
    records = [lone("C1", debtor_id="D"), lone("C2", debtor_id="D", closed_at=ago(-5))]
    cases = frame(*records)
    assert find_bundles(cases, np.full(2, 0.5), 2).empty
    assert find_bundles(cases, np.full(2, 0.5), 2, as_of=AS_OF)["group_id"].tolist() == ["debtor:D"]


def test_with_as_of_later_payments_and_later_cases_do_not_count() -> None:
    records = company_cases(5, unpaid=2)
    later = {"closed_at": ago(-3), "money_received_at": ago(-5)}
    records[2] |= later
    filed_later = {**records[0], "case_id": "C9", "filed_at": ago(-1)}
    cases = frame(*records, filed_later)
    assert find_bankruptcy_candidates(cases, 5, 0.5).empty
    table = find_bankruptcy_candidates(cases, 5, 0.5, as_of=AS_OF)
    assert table[["n_cases", "n_unpaid"]].values.tolist() == [[5, 3]]
