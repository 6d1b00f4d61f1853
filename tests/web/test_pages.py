"""The judges' web page in a real browser: sign in, inquire, read the answer, download the
report, record an objection, value a batch file, see the triage board. Each page is
photographed into the test artifacts."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import Locator, Page, expect

from courtval.bench_triage import request_table
from models.clock import china_today
from models.labels import PROPERTY_LABELS
from models.property.guide_prices import GuidePriceTable
from models.property.schemas import PropertyRequest
from models.property.vocabulary import Decoration
from models.settings import Settings
from models.vehicle.schemas import VehicleRequest
from serving.court import Role
from tests.behaviour.test_capacity_behaviour import HIGH_SPENDING, NOTHING
from tests.conftest import CASE, batch_body, debtor, keyed_client, request_from_row
from tests.web.conftest import sign_in

pytestmark = pytest.mark.usefixtures("live_server")


def fill(page: Page, values: dict[str, Any], prefix: str = "f") -> None:
    """Type ``values`` into a form the way a clerk would (radios clicked, options picked)."""
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            page.locator(f'input[type=radio][name="{name}"][value="{str(value).lower()}"]').check()
            continue
        field = page.locator(f"#{prefix}-{name}")
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def inquiry(request: PropertyRequest | VehicleRequest) -> dict[str, Any]:
    return {**CASE, **request.model_dump(mode="json")}


def inquire(page: Page, request: PropertyRequest | VehicleRequest) -> Locator:
    """Fill the open inquiry form with ``request`` and ask: the answer, once it shows."""
    fill(page, inquiry(request))
    page.get_by_role("button", name="询价", exact=True).click()
    result = page.locator("#result")
    expect(result).to_be_visible()
    return result


def test_sign_in_refuses_a_wrong_key_in_chinese(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "cv_not-a-key")
    expect(page.locator("#signin-error")).to_contain_text("密钥无效")


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(el => el.type === 'radio' ? !el.closest('label') : el.labels.length === 0)
    .map(el => el.name || el.id)"""


def test_every_input_has_a_label(judge_page: Page) -> None:
    assert judge_page.evaluate(UNLABELLED) == []


def test_property_inquiry_answer_report_and_objection(
    judge_page: Page, flat: PropertyRequest, artifacts: Path
) -> None:
    page = judge_page
    expect(page.get_by_role("heading", name="不动产询价", exact=True)).to_be_visible()
    result = inquire(page, flat)
    expect(result.locator('[data-slot="value"]')).to_contain_text("万元")
    expect(result.locator('[data-slot="first-start"]')).to_contain_text("元")
    assert result.locator("table.comparables tbody tr").count() >= 1
    expect(result.locator("table.comparables thead")).to_contain_text("修正后价格")
    expect(result.locator('[data-slot="comparables-value"]')).to_contain_text("比准价格")
    assert result.locator(".reasons li").count() >= 1
    curve = result.locator('img[data-slot="curve"]')  # the flat's value and its 小区's sales
    expect(curve).to_have_attribute("src", re.compile("^blob:"))
    page.wait_for_function("() => document.querySelector('img[data-slot=curve]').naturalWidth > 0")
    page.screenshot(path=artifacts / "property-result.png", full_page=True)

    with page.expect_download() as downloaded:
        result.get_by_role("link", name="下载询价报告（PDF）").click()
    pdf = Path(downloaded.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    result.get_by_role("button", name="记录当事人异议").click()
    dialog = page.locator("#objection-dialog")
    expect(dialog).to_be_visible()
    fill(page, {"party": "被执行人", "ground": "参照标准、计算方法或者结果有误"}, "o")
    fill(page, {"grounds": "被执行人认为该房屋已重新装修，估价明显偏低，请求委托评估。"}, "o")
    page.screenshot(path=artifacts / "property-objection.png")
    dialog.get_by_role("button", name="登记异议").click()
    expect(result.locator('[data-slot="disputed"]')).to_contain_text("委托评估应于")


def _by_comparables_check(
    live_server: str, secret: str, requests: list[PropertyRequest]
) -> dict[str, list[PropertyRequest]]:
    """``requests`` by their market comparison check (batch API): a 比准价格 ``outside`` or
    ``inside`` the interval, or ``few`` comparables (1 or 2) for one."""
    items = [r.model_dump(mode="json") for r in requests]
    with keyed_client(live_server, secret) as client:
        answer = client.post(
            "/v1/valuations/property/batch", json=batch_body(items, include_comparables=True)
        )
    assert answer.status_code == 200, answer.text
    groups: dict[str, list[PropertyRequest]] = {"outside": [], "inside": [], "few": []}
    for request, item in zip(requests, answer.json()["items"], strict=True):
        check = item["comparables_value"]
        if check is not None:
            within = item["lower"] <= check <= item["upper"]
            groups["inside" if within else "outside"].append(request)
        elif any(c["adjusted_price"] is not None for c in item["comparables"]):
            groups["few"].append(request)
    return groups


def test_the_market_comparison_check_is_shown_as_it_stands(
    judge_page: Page,
    live_server: str,
    keys: dict[Role, str],
    clean_property_data: pd.DataFrame,
    artifacts: Path,
) -> None:
    """The page sets a 比准价格 outside the interval apart (in words and in the notice style),
    shows one inside it plainly, and says why there is none with fewer than 3 comparables."""
    day = pd.Timestamp("2026-10-15").date()
    requests = [request_from_row(row, day) for _, row in clean_property_data.iterrows()]
    groups = _by_comparables_check(live_server, keys[Role.JUDGE], requests)
    assert all(groups.values()), {name: len(found) for name, found in groups.items()}
    page = judge_page
    line = inquire(page, groups["outside"][0]).locator('[data-slot="comparables-value"]')
    expect(line).to_contain_text("比准价格落在价格区间之外")
    expect(line).to_contain_text("宜结合可比案例分析差异原因")
    expect(line).to_have_class(re.compile(r"\bwarning\b"))
    assert line.evaluate("el => getComputedStyle(el).borderLeftWidth") == "4px"
    page.screenshot(path=artifacts / "property-comparables-warning.png", full_page=True)

    line = inquire(page, groups["few"][0]).locator('[data-slot="comparables-value"]')
    expect(line).to_contain_text(re.compile(r"可比案例仅 [12] 宗，少于比较法要求的 3 宗"))
    expect(line).not_to_have_class(re.compile(r"\bwarning\b"))
    page.screenshot(path=artifacts / "property-comparables-few.png", full_page=True)

    line = inquire(page, groups["inside"][0]).locator('[data-slot="comparables-value"]')
    expect(line).to_contain_text("可比案例比准价格")
    expect(line).not_to_contain_text("宜结合")
    expect(line).not_to_have_class(re.compile(r"\bwarning\b"))
    assert line.evaluate("el => getComputedStyle(el).borderLeftWidth") == "0px"


def test_an_unseen_community_is_cautioned_and_the_known_ones_offered(
    judge_page: Page, flat: PropertyRequest, artifacts: Path
) -> None:
    """The 小区 input offers the model's known names; a name outside them is valued with the
    server's caution, and a close known name fills the input at a click (without asking)."""
    page = judge_page
    known = page.locator("#known-community option")
    expect(known.first).to_be_attached()
    names = known.evaluate_all("options => options.map(o => o.value)")
    assert flat.community in names and len(names) == len(set(names)) > 10
    assert page.locator("#f-community").get_attribute("list") == "known-community"
    later_phase = flat.model_copy(update={"community": flat.community + "二期"})
    result = inquire(page, later_phase)
    caution = result.locator('[data-slot="unseen"]')
    expect(caution).to_be_visible()
    expect(caution).to_contain_text(f"小区「{flat.community}二期」不在模型的成交数据中")
    expect(caution).to_contain_text("区间已按未见小区的误差放宽")
    expect(result.locator('[data-slot="rule"]')).to_contain_text("（按所在街道/镇基准价）")
    page.screenshot(path=artifacts / "property-unseen-community.png", full_page=True)
    asked = result.locator('[data-slot="inquiry-id"]').text_content()
    caution.get_by_role("button", name=flat.community, exact=True).click()
    expect(page.locator("#f-community")).to_have_value(flat.community)
    expect(page.locator("#f-community")).to_be_focused()
    assert result.locator('[data-slot="inquiry-id"]').text_content() == asked  # not asked again
    inquire(page, flat)
    expect(caution).to_be_hidden()


def test_the_government_figure_is_shown_beside_the_rule_based_one(
    judge_page: Page, flat: PropertyRequest, guide_prices: GuidePriceTable
) -> None:
    district, community = next(iter(guide_prices.prices))
    priced = flat.model_copy(update={"district": district, "community": community})
    box = inquire(judge_page, priced).locator('[data-slot="guide-box"]')
    expect(box).to_be_visible()
    expect(box).to_contain_text("政府基准价法参照值")
    expect(box.locator('[data-slot="guide"]')).to_contain_text("元")
    expect(box.locator('[data-slot="guide"]')).to_have_attribute("title", re.compile("计税基准价"))
    inquire(judge_page, priced.model_copy(update={"property_type": "商铺"}))
    expect(box).to_be_hidden()


def test_field_checks_are_shown_inline_in_chinese(
    judge_page: Page, flat: PropertyRequest, artifacts: Path
) -> None:
    page = judge_page
    bad = {**inquiry(flat), "area_m2": -5, "floor": 30, "total_floors": 18}
    bad["case_number"] = "2024浙执1号"
    fill(page, bad)
    page.get_by_role("button", name="询价", exact=True).click()
    expect(page.locator("#f-area_m2-err")).to_contain_text("须不小于 1")
    expect(page.locator("#f-floor-err")).to_contain_text("高于总楼层")
    expect(page.locator("#f-case_number-err")).not_to_be_empty()
    expect(page.locator("#f-area_m2")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#result")).to_be_hidden()
    page.screenshot(path=artifacts / "property-errors.png", full_page=True)


def _batch_file(clean_property_data: pd.DataFrame, path: Path, rows: int) -> None:
    sample = clean_property_data.sample(n=rows, random_state=0)
    requests = [
        request_from_row(row, pd.Timestamp("2026-10-15").date()).model_dump()
        for _, row in sample.iterrows()
    ]
    table = pd.DataFrame(requests).rename(columns=PROPERTY_LABELS)
    table.insert(0, "序号", range(1, rows + 1))
    table["电梯"] = table["电梯"].map({True: "有", False: "无"})
    table.to_excel(path, index=False)


def _upload(page: Page, upload: Path, case_number: str, *, separate: bool = False) -> Locator:
    """Send ``upload`` from the page's batch form (each row an inquiry when ``separate``)."""
    batch = page.locator("#batch-form")
    batch.locator("#b-case_number").fill(case_number)
    batch.locator("#b-file").set_input_files(upload)
    if separate:
        batch.get_by_label("每行单独询价").check()
    batch.get_by_role("button", name="上传并询价").click()
    return batch


def test_batch_file_is_valued_with_progress_and_downloaded(
    judge_page: Page, clean_property_data: pd.DataFrame, tmp_path: Path, artifacts: Path
) -> None:
    page = judge_page
    upload = tmp_path / "批量询价.xlsx"
    _batch_file(clean_property_data, upload, 1_200)
    batch = _upload(page, upload, CASE["case_number"])
    link = batch.locator('[data-slot="batch-download"]')
    expect(link).to_be_visible()
    expect(batch.locator('[data-slot="batch-status"]')).to_contain_text("完成：1,200 条")
    page.screenshot(path=artifacts / "property-batch.png", full_page=True)
    with page.expect_download() as downloaded:
        link.click()
    results = pd.read_excel(io.BytesIO(Path(downloaded.value.path()).read_bytes()))
    assert len(results) == 1_200
    assert list(results["序号"]) == list(range(1, 1_201))
    assert (results["询价结果（元）"] > 0).all()
    assert (results["区间下限（元）"] <= results["询价结果（元）"]).all()


def test_each_row_of_a_batch_file_may_be_an_inquiry_with_its_report(
    judge_page: Page, clean_property_data: pd.DataFrame, tmp_path: Path, artifacts: Path
) -> None:
    page = judge_page
    upload = tmp_path / "逐项询价.xlsx"
    _batch_file(clean_property_data, upload, 3)
    batch = _upload(page, upload, "（2025）浙1081执654号", separate=True)
    status = batch.locator('[data-slot="batch-status"]')
    expect(status).to_contain_text("完成：3 条，每行单独记为询价")
    page.screenshot(path=artifacts / "property-batch-separate.png", full_page=True)
    with page.expect_download() as downloaded:
        batch.get_by_role("link", name=re.compile(r"^编号 \d+–\d+（ZIP）$")).click()
    with zipfile.ZipFile(Path(downloaded.value.path())) as archive:
        names = archive.namelist()
    assert len(names) == 3 and all(n.startswith("inquiry-") and n.endswith(".pdf") for n in names)
    page.get_by_role("link", name="我的询价").click()
    filter_form = page.locator("#case-filter")
    filter_form.get_by_label("案号").fill("(2025)浙1081执654号")  # half-width, as typed
    filter_form.get_by_role("button", name="筛选").click()
    rows = page.locator("#inquiries tbody tr")
    expect(rows).to_have_count(3)
    for n in range(3):
        expect(rows.nth(n)).to_contain_text("（2025）浙1081执654号")
        expect(rows.nth(n)).to_contain_text("不动产")
        expect(rows.nth(n).get_by_role("link", name="报告")).to_be_visible()
    page.screenshot(path=artifacts / "my-inquiries-of-a-case.png", full_page=True)
    with page.expect_download() as case_zip:
        filter_form.get_by_role("link", name="下载本案 3 份询价报告（ZIP）").click()
    with zipfile.ZipFile(Path(case_zip.value.path())) as archive:
        assert sorted(archive.namelist()) == sorted(names)


def test_a_bad_cell_in_a_batch_file_is_named_by_row_and_column(
    judge_page: Page, clean_property_data: pd.DataFrame, tmp_path: Path
) -> None:
    upload = tmp_path / "bad.xlsx"
    _batch_file(clean_property_data, upload, 20)
    table = pd.read_excel(upload)
    table.loc[6, "建筑面积（㎡）"] = -3
    table.to_excel(upload, index=False)
    batch = _upload(judge_page, upload, CASE["case_number"])
    expect(batch.locator("#b-file-err")).to_contain_text("数据第 7 行（表格第 8 行）")
    expect(batch.locator("#b-file-err")).to_contain_text("建筑面积（㎡）：须不小于 1")


def test_vehicle_inquiry_shows_the_price_curve(
    judge_page: Page, car: VehicleRequest, live_server: str, artifacts: Path
) -> None:
    page = judge_page
    page.goto(live_server + "/vehicle")
    for name, value in (("brand", car.brand), ("series", car.series), ("region", car.region)):
        known = page.locator(f"#known-{name} option")  # the model's names, as one types
        expect(known.first).to_be_attached()
        assert value in known.evaluate_all("options => options.map(o => o.value)")
    fill(page, inquiry(car))
    page.get_by_role("button", name="询价", exact=True).click()
    result = page.locator("#result")
    expect(result.locator('[data-slot="value"]')).to_contain_text("元")
    expect(result.locator('[data-slot="unseen"]')).to_be_hidden()
    curve = result.locator('img[data-slot="curve"]')
    expect(curve).to_have_attribute("src", re.compile("^blob:"))
    page.wait_for_function("() => document.querySelector('img[data-slot=curve]').naturalWidth > 0")
    page.screenshot(path=artifacts / "vehicle-result.png", full_page=True)
    with page.expect_download() as downloaded:
        result.get_by_role("link", name="下载询价报告（PDF）").click()
    assert Path(downloaded.value.path()).read_bytes().startswith(b"%PDF")


def test_the_address_fills_the_facts_and_names_the_flat_in_my_inquiries(
    judge_page: Page, flat: PropertyRequest, artifacts: Path
) -> None:
    """The 坐落 typed first fills the 街道/镇, 小区 and floor for the judge to check; what the
    judge typed into one of them stays; the list of inquiries names the flat by its address."""
    page = judge_page
    assert flat.floor >= 1
    address = f"温岭市{flat.district}{flat.community}3幢{flat.floor}02室"
    page.locator("#f-address").fill(address)
    page.locator("#f-address").press("Tab")  # the change, as a judge leaves the input
    expect(page.locator("#f-district")).to_have_value(flat.district)
    expect(page.locator("#f-community")).to_have_value(flat.community)
    expect(page.locator("#f-floor")).to_have_value(str(flat.floor))
    hint = page.locator('[data-slot="address-reading"]')
    expect(hint).to_contain_text(f"已从坐落识别：街道/镇「{flat.district}」")
    expect(hint).to_contain_text(f"由室号 {flat.floor}02 推定")
    page.screenshot(path=artifacts / "property-address-read.png", full_page=True)
    page.locator("#f-community").fill("手填小区")
    page.locator("#f-address").fill(f"温岭市{flat.district}{flat.community}5幢{flat.floor + 1}02室")
    page.locator("#f-address").press("Tab")
    expect(page.locator("#f-floor")).to_have_value(str(flat.floor + 1))  # read again
    expect(page.locator("#f-community")).to_have_value("手填小区")  # the judge's, kept
    inquire(page, flat.model_copy(update={"address": address}))
    page.get_by_role("link", name="我的询价").click()
    newest = page.locator("#inquiries tbody tr").first
    expect(newest).to_contain_text(f"{address}，{flat.area_m2:g}㎡")


def test_asking_again_about_the_same_flat_shows_the_earlier_inquiry(
    judge_page: Page, flat: PropertyRequest, artifacts: Path
) -> None:
    named = flat.model_copy(update={"certificate_number": "浙（2021）温岭市不动产权第0080001号"})
    result = inquire(judge_page, named)
    box = result.locator('[data-slot="repeat"]')
    expect(box).to_be_hidden()
    asked = result.locator('[data-slot="inquiry-id"]').text_content()
    other = next(d for d in Decoration if d is not flat.decoration)
    inquire(judge_page, named.model_copy(update={"decoration": other}))
    expect(box).to_be_visible()
    expect(box).to_contain_text(f"询价编号 {asked}")
    expect(box).to_contain_text(f"装修 {flat.decoration.value} → {other.value}")
    link = box.get_by_role("link", name="原询价报告")
    expect(link).to_have_attribute("href", f"/v1/inquiries/{asked}/report.pdf")
    judge_page.screenshot(path=artifacts / "property-asked-again.png", full_page=True)


def test_my_inquiries_lists_them_with_the_dispute(
    judge_page: Page, flat: PropertyRequest, live_server: str, artifacts: Path
) -> None:
    page = judge_page
    inquire(page, flat)
    page.get_by_role("link", name="我的询价").click()
    rows = page.locator("#inquiries tbody tr")
    expect(rows.first).to_contain_text(CASE["case_number"])
    expect(rows.first).to_contain_text("不动产")
    page.screenshot(path=artifacts / "my-inquiries.png", full_page=True)


def _object(page: Page, party: str, ground: str, grounds: str) -> None:
    """Fill the open objection dialog and register the objection."""
    fill(page, {"party": party, "ground": ground}, "o")
    fill(page, {"grounds": grounds}, "o")
    page.locator("#objection-dialog").get_by_role("button", name="登记异议").click()


def _newest_of_my_inquiries(page: Page, flat: PropertyRequest) -> Locator:
    """Value ``flat``, open 我的询价 and return its row (the newest)."""
    inquire(page, flat)
    page.get_by_role("link", name="我的询价").click()
    return page.locator("#inquiries tbody tr").first


def test_the_appraisal_progress_is_recorded_from_my_inquiries(
    judge_page: Page, flat: PropertyRequest, artifacts: Path
) -> None:
    page = judge_page
    row = _newest_of_my_inquiries(page, flat)
    row.get_by_role("button", name="异议").click()
    _object(
        page, "申请执行人", "财产基本信息错误", "申请执行人认为该房屋面积登记有误，请求委托评估。"
    )
    expect(row).to_contain_text("委托评估应于")

    row.get_by_role("button", name="评估进展").click()
    dialog = page.locator("#progress-dialog")
    expect(dialog).to_be_visible()
    offered = page.locator("#p-status option:not([hidden])").all_inner_texts()
    assert offered == ["已启动", "已撤回"]
    fill(page, {"on": "2099-01-01"}, "p")  # a future day: the server's check, shown inline
    dialog.get_by_role("button", name="保存进展").click()
    expect(dialog.locator('[data-error-for="on"]')).to_contain_text("晚于今天")
    page.locator("#p-on").fill(page.locator("#p-on").get_attribute("value") or "")
    fill(page, {"note": "已委托某某房地产估价有限公司"}, "p")
    page.screenshot(path=artifacts / "appraisal-progress.png")
    dialog.get_by_role("button", name="保存进展").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("评估已启动")

    row.get_by_role("button", name="评估进展").click()
    assert page.locator("#p-status option:not([hidden])").all_inner_texts() == ["已完成", "已撤回"]
    fill(page, {"status": "已完成", "appraised_value": "300000"}, "p")
    dialog.get_by_role("button", name="保存进展").click()
    expect(row).to_contain_text("评估已完成")
    expect(row.get_by_role("button", name="评估进展")).to_have_count(0)  # a closed task is final


def test_the_sale_is_recorded_from_my_inquiries_and_corrected(
    judge_page: Page,
    flat: PropertyRequest,
    live_server: str,
    keys: dict[Role, str],
    artifacts: Path,
) -> None:
    page = judge_page
    row = _newest_of_my_inquiries(page, flat)
    inquiry, case_number = (row.locator("td").nth(i).inner_text() for i in (0, 1))
    day = china_today().isoformat()
    theirs = {"platform": "某询价平台", "value": "912345.60", "inquiry_date": day}
    reference = page.request.post(  # the reference price cites the inquiry: Art. 31 applies
        f"{live_server}/v1/reference-price",
        headers={"Authorization": f"Bearer {keys[Role.JUDGE]}"},
        data={"case_number": case_number, "results": [{"inquiry_id": int(inquiry)}, theirs]},
    )
    assert reference.status == 200, reference.text()
    row.get_by_role("button", name="登记成交").click()
    dialog = page.locator("#sale-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator('[data-slot="sale-value"]')).to_contain_text("元")
    assert page.locator("#s-round option").all_inner_texts()[-3:] == ["一拍", "二拍", "变卖"]
    fill(page, {"price": "0", "round": "二拍"}, "s")  # the server's check, shown inline
    dialog.get_by_role("button", name="登记成交").click()
    expect(dialog.locator('[data-error-for="price"]')).to_be_visible()
    fill(page, {"price": "912345.60", "note": "京东拍卖，竞价 12 次"}, "s")
    page.screenshot(path=artifacts / "record-sale.png")
    dialog.get_by_role("button", name="登记成交").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("二拍成交，91.2万元（912,346元）")
    expect(row).to_contain_text("询价费归属：某询价平台")  # its result was the price itself
    expect(row.get_by_role("button", name="登记成交")).to_have_count(0)  # once per inquiry

    row.get_by_role("button", name="更正成交").click()
    fixing = page.locator("#correct-dialog")
    expect(fixing).to_be_visible()
    expect(page.locator("#c-price")).to_have_value("912345.60")  # the sale as recorded
    expect(page.locator("#c-note")).to_have_value("京东拍卖，竞价 12 次")
    fill(page, {"price": "91234.56"}, "c")
    fixing.get_by_role("button", name="更正成交").click()  # no reason: refused inline
    expect(fixing.locator('[data-error-for="reason"]')).to_be_visible()
    fill(page, {"reason": "成交价多录一位"}, "c")
    page.screenshot(path=artifacts / "correct-sale.png")
    fixing.get_by_role("button", name="更正成交").click()
    expect(fixing).to_be_hidden()
    expect(row).to_contain_text("二拍成交，9.1万元（91,235元）")
    expect(row).to_contain_text("询价费归属：本平台")  # ours is now the closer of the two


def test_the_auditor_supervises_appraisals_and_verifies_the_ledger(
    judge_page: Page,
    flat: PropertyRequest,
    live_server: str,
    keys: dict[Role, str],
    artifacts: Path,
) -> None:
    page = judge_page
    result = inquire(page, flat)
    result.get_by_role("button", name="记录当事人异议").click()
    _object(page, "被执行人", "询价或评估程序违法", "被执行人认为询价前未通知其到场，程序违法。")
    expect(result.locator('[data-slot="disputed"]')).to_contain_text("委托评估应于")
    address = "温岭市督办街道督办小区8幢808室"  # one flat asked about twice, the rooms changed
    inquire(page, flat.model_copy(update={"address": address}))
    inquire(page, flat.model_copy(update={"address": address, "rooms": flat.rooms + 1}))

    page.get_by_role("button", name="退出").click()
    sign_in(page, live_server, keys[Role.AUDITOR])
    expect(page.get_by_role("heading", name="评估督办")).to_be_visible()  # the auditor's home
    rows = page.locator("#tasks tbody tr")
    expect(rows.filter(has_text="询价或评估程序违法")).to_have_count(1)
    assert int(page.locator('[data-slot="total"]').inner_text()) >= 1
    expect(page.locator('[data-slot="overdue"]')).to_have_text("0")  # registered today
    page.locator("#t-overdue").check()
    page.get_by_role("button", name="查询", exact=True).click()
    expect(rows.first).to_contain_text("没有符合条件的评估任务")
    repeated = page.locator("#repeats tbody tr").filter(has_text=address)
    expect(repeated).to_have_count(1)
    expect(repeated).to_contain_text("房间数")
    expect(repeated.locator("td").nth(2)).to_have_text("2")
    accuracy = page.locator("#accuracy tbody tr")  # the ratio study of the recorded sales
    expect(accuracy).to_have_count(2)
    expect(accuracy.first).to_contain_text("不动产")
    expect(accuracy.nth(1)).to_contain_text("车辆")
    page.get_by_role("button", name="核验台账").click()
    expect(page.locator('[data-slot="verify"]')).to_contain_text("台账完整")
    head = page.locator('[data-slot="head"]')
    expect(head).to_contain_text("当前链头（请留存）")
    published = head.inner_text().split("：", 1)[1]
    page.screenshot(path=artifacts / "supervision.png", full_page=True)
    page.locator("#v-anchor").fill(published)  # the head kept: it still matches
    page.get_by_role("button", name="核验台账").click()
    expect(page.locator('[data-slot="verify"]')).to_contain_text("与已留存的链头一致")
    entry_id = published.split(":")[0]
    page.locator("#v-anchor").fill(f"{entry_id}:{'0' * 64}")  # a head the ledger never had
    page.get_by_role("button", name="核验台账").click()
    expect(page.locator('[data-slot="verify"]')).to_contain_text(f"第 {entry_id} 条记录的哈希")
    page.locator("#v-anchor").fill("12:xyz")
    page.get_by_role("button", name="核验台账").click()
    expect(page.locator("#v-anchor-err")).not_to_be_empty()


def test_a_judge_cannot_open_the_triage_board(judge_page: Page, live_server: str) -> None:
    judge_page.goto(live_server + "/triage")
    expect(judge_page.get_by_role("heading", name="无权访问")).to_be_visible()


def test_triage_board_ranks_an_uploaded_queue(
    triage_page: Page,
    case_data: pd.DataFrame,
    session_settings: Settings,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    page = triage_page
    expect(page.get_by_role("heading", name="案件分流看板")).to_be_visible()
    queue = tmp_path / "queue.parquet"
    request_table(case_data.tail(1_500)).to_parquet(queue, index=False)
    page.locator("#q-file").set_input_files(queue)
    page.locator("#q-as_of").fill("2026-06-30")
    page.get_by_role("button", name="排序分流").click()
    board = page.locator("#board")
    expect(board).to_be_visible()
    expect(board.locator('[data-slot="total"]')).to_have_text("1,500")
    assert board.locator("#alert-summary tbody tr").count() >= 1
    expect(board.locator("#ranked tbody tr").first).to_be_visible()
    page.screenshot(path=artifacts / "triage-board.png", full_page=True)

    first_kind = board.locator('select[name="alert"] option').nth(2).get_attribute("value")
    board.locator('select[name="alert"]').select_option(first_kind or "*")
    shown = board.locator("#ranked tbody tr")
    expect(shown.first).to_be_visible()
    assert shown.count() <= 200
    expect(shown.first.locator(".badge.alert").first).to_be_visible()
    page.screenshot(path=artifacts / "triage-board-filtered.png", full_page=True)


def test_triage_board_ranks_a_queue_on_the_server(
    triage_page: Page, case_data: pd.DataFrame, session_settings: Settings, live_server: str
) -> None:
    directory = session_settings.resolved_queue_dir
    directory.mkdir(parents=True, exist_ok=True)
    request_table(case_data.tail(300)).to_csv(directory / "今日队列.csv", index=False)
    triage_page.goto(live_server + "/triage")
    picker = triage_page.locator("#q-queue")
    expect(picker.locator("option", has_text="今日队列.csv")).to_have_count(1)
    picker.select_option("今日队列.csv")
    triage_page.get_by_role("button", name="排序分流").click()
    expect(triage_page.locator('[data-slot="total"]')).to_have_text("300")


def test_the_capacity_page_reads_hidden_means_and_nothing_anywhere(
    triage_page: Page, live_server: str, artifacts: Path
) -> None:
    """A debtor who flies and stays in hotels with nothing found is 执行难, with the spending as
    the reason and the payment accounts among the leads; one with nothing anywhere, owed by an
    injured individual in hardship, is 执行不能 with the relief hint. Searches left 未查明
    stay out of the request."""
    page = triage_page
    page.goto(live_server + "/capacity")
    expect(page.get_by_role("heading", name="履行能力评估")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    spender = debtor(**HIGH_SPENDING[0]).model_dump(mode="json", exclude_none=True)
    fill(page, spender, prefix="d")
    page.get_by_role("button", name="评估", exact=True).click()
    result = page.locator("#result")
    expect(result.locator('[data-slot="tier"]')).to_have_text("执行难")
    expect(result.locator('[data-slot="reasons"]')).to_contain_text(
        "但未查到存款（提高隐匿财产可能）"
    )
    expect(result.locator('[data-slot="leads"]')).to_contain_text("第三方支付")
    expect(result.locator('[data-slot="inquiry-id"]')).to_have_text(re.compile(r"^\d+$"))
    page.screenshot(path=artifacts / "capacity-hidden-means.png", full_page=True)

    nothing = {**NOTHING[0], "creditor_type": "自然人", "case_cause": "人身损害赔偿"}
    page.goto(live_server + "/capacity")
    fill(page, debtor(**nothing, creditor_hardship=True).model_dump(mode="json"), prefix="d")
    page.locator('input[name="social_insurance_active"][value=""]').check()  # 未查明
    page.locator("#d-securities_found").fill("")  # the search is not back
    with page.expect_request("**/v1/debtors/capacity") as sent:
        page.get_by_role("button", name="评估", exact=True).click()
    body = sent.value.post_data_json
    assert "social_insurance_active" not in body and "securities_found" not in body
    assert body["creditor_hardship"] is True and body["bank_deposits_found"] == 0
    expect(result.locator('[data-slot="tier"]')).to_have_text("执行不能")
    expect(result.locator('[data-slot="relief"]')).to_be_visible()
    expect(result.locator('[data-slot="relief"]')).to_contain_text("司法救助")
    expect(result.locator('[data-slot="leads"]')).to_contain_text("“5+X+Y”中的“5”")
    page.screenshot(path=artifacts / "capacity-unable.png", full_page=True)


def test_the_capacity_page_names_a_bad_field_in_chinese(
    triage_page: Page, live_server: str
) -> None:
    page = triage_page
    page.goto(live_server + "/capacity")
    fill(page, {**debtor().model_dump(mode="json"), "amount_due": "-5"}, prefix="d")
    page.get_by_role("button", name="评估", exact=True).click()
    error = page.locator('[data-error-for="amount_due"]')
    expect(error).to_contain_text("执行标的（元）：须大于 0")
    expect(page.locator("#result")).to_be_hidden()


def test_sign_out_ends_the_session(judge_page: Page, live_server: str) -> None:
    judge_page.get_by_role("button", name="退出").click()
    expect(judge_page.get_by_label("API 密钥")).to_be_visible()
    judge_page.goto(live_server + "/property")
    expect(judge_page.get_by_label("API 密钥")).to_be_visible()


#: The page's first contentful paint (ms), waiting for the entry: paint timing is reported
#: asynchronously, possibly after the load event.
FIRST_PAINT = """() => new Promise((resolve) => {
  const seen = performance.getEntriesByName("first-contentful-paint")[0];
  if (seen) return resolve(seen.startTime);
  new PerformanceObserver((list) => {
    const entry = list.getEntriesByName("first-contentful-paint")[0];
    if (entry) resolve(entry.startTime);
  }).observe({ type: "paint", buffered: true });
  setTimeout(() => resolve(null), 5000);
})"""


def test_page_timings_are_recorded(judge_page: Page, live_server: str, artifacts: Path) -> None:
    """First contentful paint of each judge page on loopback, written to the artifacts (a
    figure to read, not a timed assertion: the machine is shared)."""
    timings = {}
    for path in ("/property", "/vehicle", "/inquiries"):
        judge_page.goto(live_server + path)
        judge_page.wait_for_load_state("load")
        paint = judge_page.evaluate(FIRST_PAINT)
        assert paint is not None and paint > 0
        timings[path] = round(paint, 1)
    (artifacts / "first-paint-ms.json").write_text(json.dumps(timings))
    print(f"first contentful paint (ms): {timings}")


def test_the_inquiry_works_from_the_keyboard(judge_page: Page, flat: PropertyRequest) -> None:
    page = judge_page
    page.locator("#f-case_number").focus()
    page.keyboard.type(CASE["case_number"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-purpose"
    fill(page, {k: v for k, v in inquiry(flat).items() if k != "case_number"})
    page.locator("#f-build_year").press("Enter")
    result = page.locator("#result")
    expect(result).to_be_visible()
    expect(result).to_be_focused()  # the answer takes the focus: a screen reader reads it
    result.get_by_role("button", name="记录当事人异议").press("Enter")
    expect(page.locator("#objection-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#objection-dialog")).to_be_hidden()
