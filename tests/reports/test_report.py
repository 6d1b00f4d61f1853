"""The inquiry report: contents the rule requires, in HTML and in a PDF with Chinese text."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import cast

import pypdf
import pytest
from PIL import Image
from pydantic import ValidationError
from pypdf.generic import DictionaryObject

from models.court import AppraisalStatus, AppraisalTask, ObjectionGround, Party
from models.property.schemas import PropertyRequest, PropertyValuation
from serving.reports import (
    InquiryReport,
    PropertyReport,
    ReportFontNotFoundError,
    find_cjk_font,
    fonts,
    render_html,
    render_pdf,
)
from serving.reports.content import HEADINGS
from tests.reports.sample import CASE_NUMBER, LEDGER_HASH, sample_report


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    """Rendered once for the module's PDF tests."""
    return render_pdf(sample_report())


@pytest.fixture
def html(report: InquiryReport) -> str:
    return render_html(report)


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_report_derives_validity_and_auction(report: InquiryReport) -> None:
    assert report.valid_until.isoformat() == "2025-07-01"
    assert report.ledger_entry_id == "1042"
    assert (report.auction.first_start, report.auction.second_start) == (191_500, 153_200)


def test_court_reference_price_overrides_estimate(report: InquiryReport) -> None:
    fixed = report.model_copy(update={"reference_price": 300_000.0})
    assert (fixed.auction.first_start, fixed.auction.second_start) == (210_000, 168_000)


@pytest.mark.parametrize("case_number", ["2024浙1081执1234号", "（2024）浙1081执号", ""])
def test_bad_case_number_refused(
    case_number: str, property_request: PropertyRequest, valuation: PropertyValuation
) -> None:
    with pytest.raises(ValidationError, match="case_number"):
        PropertyReport(
            case_number=case_number,
            judge_name="王法官",
            inquiry_date=dt.date(2024, 7, 1),
            request=property_request,
            valuation=valuation,
            ledger_entry_id="1",
            ledger_hash=LEDGER_HASH,
        )


@pytest.mark.parametrize("heading", HEADINGS)
def test_html_has_every_section(html: str, heading: str) -> None:
    assert f"<h2>{heading}</h2>" in html


@pytest.mark.parametrize(
    "expected",
    [
        CASE_NUMBER,
        "王法官",
        "27.3万元（273,456元）",  # the result, in 万元 and exact
        "24.1万元 至 31.0万元",  # the 80% interval
        "2024年7月1日起至2025年7月1日止",  # validity
        "19.1万元（191,500元）",  # first start: ⌈70%⌉ to 100 yuan
        "15.3万元（153,200元）",  # second start: ⌈80% of the first⌉
        "不得低于参考价的70%",
        "6,500元/㎡ × 1.020 × 1.010 × 40.00㎡ × 0.990",  # the base-price formula
        "courtval-property",
        "9c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e",  # run id
        LEDGER_HASH,
        "五日内以书面形式",
        "三个工作日内启动委托评估",
        "修正后价格",  # the comparables adjusted to the flat, and their median
        "比准价格 27.6万元（276,400元），询价结果与之相差 -1.1%；比准价格在价格区间之内。",
    ],
)
def test_html_states_the_figures(html: str, expected: str) -> None:
    assert expected in html


def _task(status: AppraisalStatus, **days: dt.date | bool) -> AppraisalTask:
    return AppraisalTask(
        party=Party.DEBTOR,
        ground=ObjectionGround.VALUATION,
        objection_deadline=dt.date(2024, 7, 8),
        registered_on=dt.date(2024, 7, 5),
        due_on=dt.date(2024, 7, 10),
        status=status,
        **days,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (None, None),
        (_task(AppraisalStatus.OPEN), "委托评估应于 2024年7月10日 前启动；评估结果作出前"),
        (
            _task(AppraisalStatus.OPEN, dates_provisional=True),
            "前启动（节假日安排公布前的暂定日期，须人工核对）",
        ),
        (
            _task(AppraisalStatus.STARTED, started_on=dt.date(2024, 7, 9)),
            "委托评估已于 2024年7月9日 启动；评估结果作出前",
        ),
        (
            _task(
                AppraisalStatus.DONE, started_on=dt.date(2024, 7, 9), closed_on=dt.date(2024, 8, 2)
            ),
            "委托评估已于 2024年8月2日 完成，以评估结果为准",
        ),
        (
            _task(AppraisalStatus.DONE, closed_on=dt.date(2024, 8, 2), appraised_value=300_000),
            "完成，评估价 30.0万元（300,000元），以评估结果为准",
        ),
        (
            _task(AppraisalStatus.WITHDRAWN, closed_on=dt.date(2024, 7, 12)),
            "该异议已于 2024年7月12日 撤回，本询价结果继续有效",
        ),
    ],
)
def test_section_8_says_where_an_objection_stands(
    report: InquiryReport, task: AppraisalTask | None, expected: str | None
) -> None:
    html = render_html(report.model_copy(update={"objection": task}))
    filed = (
        "本询价结果已被提出异议：被执行人的异议于 2024年7月5日 登记，"
        "事由为“参照标准、计算方法或者结果有误”。"
    )
    if expected is None:
        assert "本询价结果已被提出异议" not in html
    else:
        assert filed in html and expected in html
    assert "五日内以书面形式" in html  # how to object is always there


def test_a_done_appraisal_s_value_is_the_reference_for_the_auction(report: InquiryReport) -> None:
    """The appraisal replaces the inquiry: the suggested starting prices come from its value
    (⌈70% × 300,000⌉ = 210,000; ⌈80% of it⌉ = 168,000), unless the court fixed another."""
    done = _task(AppraisalStatus.DONE, closed_on=dt.date(2024, 8, 2), appraised_value=300_000)
    appraised = report.model_copy(update={"objection": done})
    assert (appraised.auction.first_start, appraised.auction.second_start) == (210_000, 168_000)
    html = render_html(appraised)
    assert "取委托评估的评估价" in html and "21.0万元（210,000元）" in html
    fixed = appraised.model_copy(update={"reference_price": 280_000.0})
    assert fixed.reference == 280_000.0 and "取人民法院确定的参考价" in render_html(fixed)
    started = report.model_copy(update={"objection": _task(AppraisalStatus.STARTED)})
    assert started.reference == report.valuation.value  # not done: the inquiry still counts


def test_comparables_far_from_the_estimate_are_flagged(report: InquiryReport) -> None:
    """A 比准价格 outside the 80% interval (241,200–309,800 yuan) asks for the two methods to
    be reconciled; too few comparables are named as the reason for none."""
    assert isinstance(report.valuation, PropertyValuation)
    far = report.valuation.model_copy(update={"comparables_value": 320_000.0})
    html = render_html(report.model_copy(update={"valuation": far}))
    assert (
        "比准价格 32.0万元（320,000元），询价结果与之相差 -14.5%；比准价格落在价格区间之外" in html
    )
    assert "宜结合可比案例分析差异原因" in html
    # Two comparables with adjusted prices are too few for a 比准价格: the report says so.
    two = report.valuation.comparables[:2]
    few = report.valuation.model_copy(update={"comparables_value": None, "comparables": two})
    html = render_html(report.model_copy(update={"valuation": few}))
    assert "有修正后价格的可比案例仅 2 宗，少于比较法要求的 3 宗，未计算比准价格" in html
    # None adjusted (a model trained before adjusted prices): the check is left out.
    unadjusted = [c.model_copy(update={"adjusted_price": None}) for c in two]
    none = few.model_copy(update={"comparables": unadjusted})
    assert "比较法校核" not in render_html(report.model_copy(update={"valuation": none}))


def test_html_escapes_user_text(html: str) -> None:
    assert "<b>万昌</b>" not in html
    assert "&lt;b&gt;万昌&lt;/b&gt;公寓" in html


def test_the_facts_name_the_flat_by_its_address_and_certificate(report: InquiryReport) -> None:
    assert "<th>坐落</th><td>太平街道 锦园小区</td>" in _flat(render_html(report))  # none given
    assert isinstance(report, PropertyReport)
    identified = report.request.model_copy(
        update={
            "address": "温岭市太平街道锦园小区3幢601室",
            "certificate_number": "浙（2020）温岭市不动产权第0012345号",
        }
    )
    html = _flat(render_html(report.model_copy(update={"request": identified})))
    assert "<th>坐落</th><td>温岭市太平街道锦园小区3幢601室</td>" in html
    assert "<th>街道/镇、小区</th><td>太平街道 锦园小区</td>" in html  # what the model read
    assert "<th>不动产权证号</th><td>浙（2020）温岭市不动产权第0012345号</td>" in html


def _flat(html: str) -> str:
    return html.replace("\n", "").replace("  ", "")


def test_pdf_has_every_section_and_the_case_number(pdf_bytes: bytes) -> None:
    text = _pdf_text(pdf_bytes)
    missing = [h for h in (*HEADINGS, CASE_NUMBER, "191,500元", "2025年7月1日") if h not in text]
    assert missing == []


def test_pdf_keeps_the_ledger_hash_on_one_line() -> None:
    """A hash broken over two lines cannot be compared with the ledger by eye or by search.

    All digits: the widest 64-character hash the font can set.
    """
    widest = "9" * 64
    pdf = render_pdf(sample_report().model_copy(update={"ledger_hash": widest}))
    assert widest in _pdf_text(pdf)


def test_pdf_embeds_a_font_subset(pdf_bytes: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    resources = cast(DictionaryObject, reader.pages[0]["/Resources"].get_object())
    fonts_used = cast(DictionaryObject, resources["/Font"].get_object())
    fonts_on_page = [cast(DictionaryObject, ref.get_object()) for ref in fonts_used.values()]
    cjk = [f for f in fonts_on_page if "+" in str(f["/BaseFont"])]  # AAAAAA+WenQuanYiZenHei
    assert cjk, "no embedded subset font on page 1"
    for font in cjk:
        descriptor = cast(DictionaryObject, font["/FontDescriptor"].get_object())
        assert "/FontFile2" in descriptor  # the TrueType program is in the file


def test_pdf_first_page_renders_as_an_image(pdf_bytes: bytes, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: install poppler-utils (make system)"
    (tmp_path / "report.pdf").write_bytes(pdf_bytes)
    subprocess.run(
        [pdftoppm, "-r", "80", "-png", "-f", "1", "-l", "1", "report.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    png = next(tmp_path.glob("page*.png"))
    with Image.open(png) as image:
        gray = image.convert("L")
        dark = sum(gray.histogram()[:128])
        assert gray.size[0] > 600 and gray.size[1] > 900  # A4 portrait at 80 dpi
        assert dark / (gray.size[0] * gray.size[1]) > 0.01  # text, not a blank page


def test_missing_font_override_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportFontNotFoundError, match="no such file"):
        find_cjk_font(tmp_path / "absent.ttf")


def test_non_font_override_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.ttf"
    fake.write_text("not a font", encoding="utf-8")
    with pytest.raises(ReportFontNotFoundError, match="not embeddable"):
        find_cjk_font(fake)


def test_no_font_anywhere_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "KNOWN_FONTS", ())
    monkeypatch.setattr(fonts.shutil, "which", lambda _: None)
    with pytest.raises(ReportFontNotFoundError, match="fonts-wqy-zenhei"):
        find_cjk_font()
