"""The vehicle inquiry report: the same eight sections as the property's, the vehicle's own
facts, comparables and residual-rate method, in HTML and in a PDF with Chinese text."""

from __future__ import annotations

import io

import pypdf
import pytest
from pydantic import ValidationError
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from serving.reports import InquiryReport, VehicleReport, render_html, render_pdf
from serving.reports.content import HEADINGS, report_content
from serving.reports.pdf import _CELL_PADDING, _col_widths
from tests.reports.sample import CASE_NUMBER, LEDGER_HASH, sample_request
from tests.reports.vehicle_sample import COMPARABLE_MODELS, sample_vehicle_report


@pytest.fixture(scope="module")
def vehicle_pdf_text() -> str:
    """The text of the sample's PDF, rendered once for the module."""
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(sample_vehicle_report())))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def vehicle_html() -> str:
    return render_html(sample_vehicle_report())


def test_vehicle_report_derives_validity_and_auction() -> None:
    report = sample_vehicle_report()
    assert report.kind == "vehicle"
    assert report.valid_until.isoformat() == "2025-07-01"
    assert (report.auction.first_start, report.auction.second_start) == (47_500, 38_000)


def test_vehicle_report_refuses_property_facts() -> None:
    with pytest.raises(ValidationError, match="request"):
        VehicleReport.model_validate(
            {**sample_vehicle_report().model_dump(), "request": sample_request().model_dump()}
        )


def test_a_bare_base_report_has_no_layout() -> None:
    vehicle = sample_vehicle_report()
    bare = InquiryReport.model_validate(vehicle.model_dump())
    with pytest.raises(TypeError, match="VehicleReport"):
        report_content(bare)


@pytest.mark.parametrize("heading", HEADINGS)
def test_vehicle_html_has_every_section(vehicle_html: str, heading: str) -> None:
    assert f"<h2>{heading}</h2>" in vehicle_html


@pytest.mark.parametrize(
    "expected",
    [
        "<h1>机动车网络询价报告</h1>",
        CASE_NUMBER,
        "<th>号牌号码</th><td>宁A12345</td>",
        "<th>车辆识别代号</th><td>LSVAU2183L2183294</td>",
        "<th>品牌</th><td>大众</td>",
        "<th>表显里程</th><td>6.23万公里</td>",
        "<th>车龄</th><td>3.8年</td>",
        *COMPARABLE_MODELS,
        "新车指导价 × 残值率 × 里程系数 × 车况系数",
        "119,900元 × 0.5612 × 0.972 × 1.000 = 6.5万元（65,405元）",  # the residual-rate figure
        "该车辆于2024年6月28日的市场价值为6.8万元（67,800元）",
        "6.0万元 至 7.6万元",  # the 80% interval
        "2024年7月1日起至2025年7月1日止",
        "4.8万元（47,500元）",  # first start: ⌈70%⌉ to 100 yuan
        "courtval-vehicle",
        LEDGER_HASH,
        "五日内以书面形式",
    ],
)
def test_vehicle_html_states_the_facts_and_figures(vehicle_html: str, expected: str) -> None:
    assert expected in vehicle_html.replace("\n", "").replace("  ", "")


def test_vehicle_pdf_has_every_section_the_case_number_and_the_comparables(
    vehicle_pdf_text: str,
) -> None:
    comparables = [
        COMPARABLE_MODELS[0],
        COMPARABLE_MODELS[2],
        *(f"2024-05-{day}" for day in ("06", "13", "27")),
        *("6.95万元", "6.48万元", "6.10万元"),
    ]
    expected = (*HEADINGS, "机动车网络询价报告", CASE_NUMBER, "47,500元", *comparables)
    assert [e for e in expected if e not in vehicle_pdf_text] == []


def test_grid_columns_fit_their_text_and_the_page() -> None:
    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=8.5)
    rows = [("No", "Date", "Model"), ("1", "2024-05-06", "a very long model name " * 8)]
    widths = _col_widths(rows, 300.0, style)
    assert sum(widths) == pytest.approx(300.0)
    for column in (0, 1):  # the short columns stay on one line; the long one wraps
        need = max(stringWidth(row[column], "Helvetica", 8.5) for row in rows) + _CELL_PADDING
        assert widths[column] >= need
