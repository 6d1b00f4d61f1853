"""Recorded sales of inquired assets and the ratio study on them (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib
import threading
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.court.reference_price import PlatformResult
from models.court.sales import FEE_BASIS, SaleCorrection, SalePublic, SaleReport, SaleRound
from models.errors import InvalidInputError
from models.metrics import valuation_metrics
from serving.court import ApiKeyPublic
from serving.court.errors import AlreadySoldError, InquiryNotFoundError, SaleNotFoundError
from serving.court.objections import VEHICLE_VALUATION_ENDPOINT
from serving.court.reference import (
    REFERENCE_PRICE_ENDPOINT,
    InquiryResult,
    ReferencePriceRequest,
    reference_from_inputs,
)
from serving.court.sales import correct_sale, ratio_study, record_sale, sales_table
from serving.court.tables import SaleRow
from tests.court.test_objections import CASE, D, append_as, at, record_inquiry
from training.cleaning import clean_property
from training.generate import generate_property_transactions

TODAY = D("2025-12-01")


def sold(
    sessions: sessionmaker[Session],
    entry_id: int,
    price: str,
    day: str,
    judge: ApiKeyPublic,
    how: SaleRound = SaleRound.FIRST,
    case_number: str | None = None,
) -> SalePublic:
    """Record a sale and commit, as the API does with its ledger entry."""
    report = SaleReport(price=Decimal(price), sold_on=D(day), round=how, case_number=case_number)
    with sessions() as session:
        recorded = record_sale(session, entry_id, report, key=judge, today=TODAY)
        session.commit()
    return recorded


def test_a_sale_stands_beside_its_inquiry_once(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"), value=270_000.0)
    recorded = sold(sessions, entry_id, "300000.00", "2025-11-20", judge)
    assert recorded.kind == "property" and recorded.inquired_on == D("2025-09-22")
    assert (recorded.estimate, recorded.lower, recorded.upper) == (270_000.0, 243_000.0, 297_000.0)
    assert recorded.ratio == pytest.approx(0.9) and recorded.within_interval is False
    with pytest.raises(AlreadySoldError, match=f"询价记录 {entry_id} 已登记成交"):
        sold(sessions, entry_id, "290000.00", "2025-11-21", judge)
    with pytest.raises(InquiryNotFoundError):
        sold(sessions, entry_id + 99, "1.00", "2025-11-21", judge)


def test_a_recorded_sale_is_corrected_with_a_reason(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"), value=270_000.0)
    correction = SaleCorrection(
        price=Decimal("280000.00"),
        sold_on=D("2025-11-21"),
        round=SaleRound.SECOND,
        reason="成交价录入错误",
    )
    with sessions() as session, pytest.raises(SaleNotFoundError, match="尚未登记成交"):
        correct_sale(session, entry_id, correction, today=TODAY)
    sold(sessions, entry_id, "2800000.00", "2025-11-20", judge)  # one zero too many
    with sessions() as session:
        corrected = correct_sale(session, entry_id, correction, today=TODAY)
        session.commit()
    assert (corrected.price, corrected.sold_on, corrected.round) == (
        Decimal("280000.00"),
        D("2025-11-21"),
        SaleRound.SECOND,
    )
    assert corrected.ratio == pytest.approx(270_000 / 280_000)
    with sessions() as session:
        study = ratio_study(session)
        assert study.n == 1 and study.metrics is not None
        assert study.metrics.median_ape == pytest.approx(abs(270_000 / 280_000 - 1))
        late = correction.model_copy(update={"sold_on": D("2025-12-02")})
        with pytest.raises(InvalidInputError, match="晚于今天"):
            correct_sale(session, entry_id, late, today=TODAY)


def test_concurrent_records_of_one_sale_keep_one(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"))
    start = threading.Barrier(4)
    outcomes: list[object] = []

    def recorder(price: str) -> None:
        start.wait()
        try:
            outcomes.append(sold(sessions, entry_id, price, "2025-11-20", judge))
        except AlreadySoldError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=recorder, args=(f"30000{n}.00",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    kept = [o for o in outcomes if isinstance(o, SalePublic)]
    assert len(kept) == 1 and len(outcomes) == 4
    refused = [str(o) for o in outcomes if isinstance(o, AlreadySoldError)]
    assert all(f"{kept[0].price} 元" in text for text in refused)  # the winner's price


@pytest.mark.parametrize(
    ("day", "reason"), [("2025-09-21", "早于询价之日"), ("2025-12-02", "晚于今天")]
)
def test_a_sale_day_outside_the_inquiry_and_today_names_sold_on(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine, day: str, reason: str
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"))
    with pytest.raises(InvalidInputError, match=reason) as caught:
        sold(sessions, entry_id, "300000.00", day, judge)
    assert caught.value.field == "sold_on"
    with sessions() as session:
        assert ratio_study(session).n == 0  # nothing kept


def test_the_ratio_study_is_the_valuation_metrics_of_the_sales(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    assert ratio_study(session).model_dump() == {
        "kind": None,
        "sold_from": None,
        "sold_until": None,
        "n": 0,
        "median_ratio": None,
        "median_ratio_ci95": None,
        "metrics": None,
        "rounds": [],
        "fee": {"with_reference": 0, "ours_closest": 0, "ours_closest_share": None},
    }
    sales = [  # (value, price, sold on, kind, how)
        (270_000.0, "300000.00", "2025-10-10", "property", SaleRound.FIRST),
        (500_000.0, "480000.50", "2025-10-20", "property", SaleRound.SECOND),
        (120_000.0, "100000.00", "2025-11-05", "property", SaleRound.FIRST),
        (80_000.0, "88000.00", "2025-11-06", "vehicle", SaleRound.FIRST),
    ]
    for value, price, day, kind, how in sales:
        endpoint = {"vehicle": VEHICLE_VALUATION_ENDPOINT}.get(kind)
        extra = {"endpoint": endpoint} if endpoint else {}
        entry_id = record_inquiry(engine, judge, on=at("2025-09-22"), value=value, **extra)
        sold(sessions, entry_id, price, day, judge, how)

    def expected(rows: list[tuple[float, str, str, str, SaleRound]]) -> object:
        values = [v for v, *_ in rows]
        return valuation_metrics(
            [float(p) for _, p, *_ in rows],
            values,
            lower=[v * 0.9 for v in values],
            upper=[v * 1.1 for v in values],
        )

    with sessions() as session:
        everything = ratio_study(session)
        assert everything.n == 4 and everything.metrics == expected(sales)
        ratios = [v / float(p) for v, p, *_ in sales]
        assert everything.median_ratio == pytest.approx(float(np.median(ratios)))
        assert everything.median_ratio_ci95 is None  # 4 sales: no 95% interval of the median
        assert [(r.round, r.n) for r in everything.rounds] == [("一拍", 3), ("二拍", 1)]
        first = sorted([270_000 / 300_000, 120_000 / 100_000, 80_000 / 88_000])[1]
        assert everything.rounds[0].median_ratio == pytest.approx(first)
        assert everything.rounds[1].median_ratio == pytest.approx(500_000 / 480_000.5)
        homes = ratio_study(session, kind="property")
        assert homes.metrics == expected(sales[:3])
        october = ratio_study(session, sold_from=D("2025-10-01"), sold_until=D("2025-10-31"))
        assert october.n == 2 and october.metrics == expected(sales[:2])
    assert everything.metrics is not None and everything.metrics.interval_coverage == 0.5


def test_the_median_ratio_has_its_interval_from_six_sales(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    values = [95_000.0, 102_000.0, 99_000.0, 110_000.0, 90_000.0, 101_000.0]
    for n, value in enumerate(values):
        entry_id = record_inquiry(engine, judge, on=at("2025-09-22"), value=value)
        sold(sessions, entry_id, "100000.00", f"2025-10-{n + 10}", judge)
        with sessions() as session:
            study = ratio_study(session)
        # 6 sales: the full range is the smallest 95% interval (1 - 2/64 = 96.9%)
        expected = None if n < 5 else (0.9, 1.1)
        assert study.median_ratio_ci95 == (pytest.approx(expected) if expected else None)
    assert study.median_ratio == pytest.approx(1.0)  # (0.99 + 1.01) / 2


def test_recorded_sales_are_a_training_table(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    """The sales export in the generated data's columns, and training's cleaning keeps them."""
    first = record_inquiry(engine, judge, on=at("2025-09-22"), value=270_000.0)
    second = record_inquiry(engine, judge, on=at("2025-09-23"), value=300_000.0)
    sold(sessions, second, "310000.00", "2025-10-01", judge)
    sold(sessions, first, "265000.00", "2025-11-02", judge)
    with sessions() as session:
        table = sales_table(session, "property")
        assert sales_table(session, "vehicle").empty
    assert list(table["inquiry_id"]) == [second, first]  # oldest sale first
    assert list(table["price"]) == [310_000.0, 265_000.0]
    assert list(table["transaction_date"]) == [
        pd.Timestamp("2025-10-01"),
        pd.Timestamp("2025-11-02"),
    ]
    generated = generate_property_transactions(n_rows=10, seed=0).frame
    assert set(generated.columns) <= set(table.columns)
    # What identifies the flat stays in the ledger and its report, not in a training table.
    assert not {"address", "certificate_number"} & set(table.columns)
    assert (table["community"] == "锦园小区").all() and (table["area_m2"] == 89.5).all()
    cleaned = clean_property(table[list(generated.columns)])
    # Both inquiries were of the same flat: the cleaning keeps its latest sale, as it does a
    # re-listed unit in any transaction table.
    assert list(cleaned.frame["transaction_id"]) == [f"S{first:08d}"], cleaned.report


def test_migration_and_table_agree_with_the_sale_rules() -> None:
    migration = importlib.import_module("serving.court.migrations.versions.r0005_auction_sales")
    assert tuple(r.value for r in SaleRound) == migration.ROUNDS
    assert SaleRow.__table__.c.note.type.length == migration.NOTE_MAX_CHARS


def record_reference(
    sessions: sessionmaker[Session],
    engine: Engine,
    judge: ApiKeyPublic,
    day: str,
    results: list[InquiryResult | PlatformResult],
) -> int:
    """Compute a reference price decided on ``day`` and append it as the API records it."""
    request = ReferencePriceRequest(case_number=CASE, results=results)
    with sessions() as session:
        price = reference_from_inputs(
            session, request.results, decision_date=D(day), case_number=CASE
        )
    return append_as(
        engine,
        judge,
        on=at(day),
        endpoint=REFERENCE_PRICE_ENDPOINT,
        inputs=request.model_dump(mode="json"),
        outputs=price.model_dump(mode="json"),
    )


def platform(name: str, value: str, day: str = "2025-09-20") -> PlatformResult:
    return PlatformResult(platform=name, value=Decimal(value), inquiry_date=D(day))


def test_the_fee_goes_by_the_latest_reference_price_before_the_sale(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    """Art. 31: the results of the reference price that cited the inquiry, latest by the sale
    day, against the sale price; the study counts how often ours came closest."""
    ours = record_inquiry(engine, judge, on=at("2025-09-22"), value=270_000.0)
    unreferenced = record_inquiry(engine, judge, on=at("2025-09-23"), value=300_000.0)
    cited = InquiryResult(inquiry_id=ours)
    record_reference(sessions, engine, judge, "2025-09-25", [cited, platform("甲", "300000")])
    october = record_reference(
        sessions,
        engine,
        judge,
        "2025-10-10",
        [platform("甲", "290000"), cited, platform("丙", "268000")],
    )
    november = record_reference(
        sessions, engine, judge, "2025-11-25", [cited, platform("丁", "265000")]
    )
    recorded = sold(sessions, ours, "275000.00", "2025-11-20", judge)
    assert recorded.fee is not None and recorded.fee.reference_id == october
    assert recorded.fee.decided_on == D("2025-10-10") and recorded.fee.basis == FEE_BASIS
    assert [(d.platform, d.difference) for d in recorded.fee.platforms] == [
        ("courtval", Decimal("-5000")),
        ("丙", Decimal("-7000")),
        ("甲", Decimal("15000")),
    ]
    assert recorded.fee.platforms[2].deviation == pytest.approx(290_000 / 275_000 - 1)
    assert recorded.fee.closest == ["courtval"] and recorded.fee.ours_closest
    assert sold(sessions, unreferenced, "300000.00", "2025-11-20", judge).fee is None
    with sessions() as session:
        study = ratio_study(session).fee
        assert (study.with_reference, study.ours_closest, study.ours_closest_share) == (1, 1, 1.0)

    # Corrected to a later day, the sale falls after November's reference price: 丁 was exact.
    correction = SaleCorrection(
        price=Decimal("265000.00"), sold_on=D("2025-11-26"), round=SaleRound.SECOND, reason="改日"
    )
    with sessions() as session:
        corrected = correct_sale(session, ours, correction, today=TODAY)
        session.commit()
        study = ratio_study(session).fee
    assert corrected.fee is not None and corrected.fee.reference_id == november
    assert corrected.fee.closest == ["丁"] and not corrected.fee.ours_closest
    assert (study.with_reference, study.ours_closest, study.ours_closest_share) == (1, 0, 0.0)


def test_a_sale_names_the_case_its_inquiry_was_made_without(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    """An inquiry without 案号 may be cited by a case's reference price; the sale's 案号 finds
    that reference price for Art. 31. A sale of an inquiry with 案号 may not name another."""
    loose = record_inquiry(engine, judge, on=at("2025-09-22"), value=270_000.0, case_number=None)
    unnamed = record_inquiry(engine, judge, on=at("2025-09-22"), value=280_000.0, case_number=None)
    for cited in (loose, unnamed):
        record_reference(
            sessions,
            engine,
            judge,
            "2025-10-10",
            [InquiryResult(inquiry_id=cited), platform("甲", "1")],
        )
    recorded = sold(sessions, loose, "275000.00", "2025-11-20", judge, case_number=CASE)
    assert recorded.case_number == CASE
    assert recorded.fee is not None and recorded.fee.closest == ["courtval"]
    assert sold(sessions, unnamed, "275000.00", "2025-11-20", judge).fee is None  # no 案号

    named = record_inquiry(engine, judge, on=at("2025-09-22"))  # under CASE
    other = "（2025）浙1081执999号"
    with pytest.raises(InvalidInputError, match="与询价时的案号") as caught:
        sold(sessions, named, "300000.00", "2025-11-20", judge, case_number=other)
    assert caught.value.field == "case_number"
    spaced = CASE.replace("（", "(").replace("）", ")")  # the same case, half-width brackets
    assert (
        sold(sessions, named, "300000.00", "2025-11-20", judge, case_number=spaced).case_number
        == CASE
    )

    # A correction may give the 案号 the first record left out, and the fee follows it.
    correction = SaleCorrection(
        price=Decimal("275000.00"),
        sold_on=D("2025-11-20"),
        round=SaleRound.FIRST,
        reason="补填案号",
        case_number=CASE,
    )
    with sessions() as session:
        corrected = correct_sale(session, unnamed, correction, today=TODAY)
        session.commit()
    assert corrected.case_number == CASE and corrected.fee is not None
