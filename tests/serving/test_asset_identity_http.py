"""What identifies a seized asset, over real HTTP: a 坐落 read into the form's facts, the
address, certificate, plate and VIN in the report and in the judge's list, and a mistyped VIN
refused by name."""

from __future__ import annotations

import httpx
import pytest

from models.clock import china_today
from models.property.schemas import PropertyRequest
from models.registry import LoadedModel
from models.settings import Settings
from models.vehicle.schemas import VehicleRequest
from serving.court import QuotaOverride, Role
from tests.conftest import CASE, chinese_vin, issue_key, keyed_client

ADDRESS_URL = "/v1/valuations/property/address"


@pytest.fixture(scope="module")
def judge(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.JUDGE])


def test_an_address_is_read_into_the_served_models_names(
    judge: httpx.Client, champion: LoadedModel, flat: PropertyRequest
) -> None:
    address = f"浙江省温岭市{flat.district}{flat.community}3幢1102室"
    answer = judge.post(ADDRESS_URL, json={"address": address})
    assert answer.status_code == 200, answer.text
    reading = answer.json()
    assert (reading["district"], reading["community"], reading["floor"]) == (
        flat.district,
        flat.community,
        11,
    )
    assert reading["community_known"] and reading["floor_from_room"]
    assert reading["notice"].startswith(f"已从坐落识别：街道/镇「{flat.district}」")
    # A later phase is kept as written: the valuation then cautions that it is unseen.
    phase = judge.post(ADDRESS_URL, json={"address": f"{flat.community}二期5幢301室"}).json()
    assert (phase["community"], phase["community_known"]) == (f"{flat.community}二期", False)


@pytest.mark.parametrize(
    ("body", "where"),
    [({"address": ""}, "address"), ({}, "address"), ({"address": "x" * 201}, "address")],
)
def test_a_bad_address_is_a_422_naming_it(
    judge: httpx.Client, body: dict[str, str], where: str
) -> None:
    answer = judge.post(ADDRESS_URL, json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", where]


def test_reading_addresses_is_for_judges_and_spends_no_quota(
    live_server: str, keys: dict[Role, str], session_settings: Settings, flat: PropertyRequest
) -> None:
    one_a_day = QuotaOverride(requests_per_day=1, requests_per_minute=100)
    judge = keyed_client(live_server, issue_key(session_settings, Role.JUDGE, one_a_day))
    for _ in range(3):
        assert judge.post(ADDRESS_URL, json={"address": flat.community}).status_code == 200
    body = {**CASE, **flat.model_dump(mode="json")}
    assert judge.post("/v1/valuations/property", json=body).status_code == 200
    triage = keyed_client(live_server, keys[Role.TRIAGE])
    assert triage.post(ADDRESS_URL, json={"address": flat.community}).status_code == 403
    assert httpx.post(live_server + ADDRESS_URL, json={"address": "x"}).status_code == 401


def _listed(judge: httpx.Client, inquiry_id: int) -> dict[str, object]:
    page = judge.get("/v1/inquiries", params={"limit": 50}).json()
    return next(item for item in page["items"] if item["id"] == inquiry_id)


def test_the_flat_is_named_by_its_address_in_the_report_and_the_list(
    judge: httpx.Client, flat: PropertyRequest
) -> None:
    address = f"温岭市{flat.district}{flat.community}7幢302室"
    facts = {
        **CASE,
        **flat.model_dump(mode="json"),
        "address": address,
        "certificate_number": "浙(2021)温岭市不动产权第0054321号",
    }
    answer = judge.post("/v1/valuations/property", json=facts)
    assert answer.status_code == 200, answer.text
    inquiry = answer.json()["inquiry"]["id"]
    report = judge.get(f"/v1/inquiries/{inquiry}/report.html").text.replace("\n", "")
    assert address in report
    assert "浙（2021）温岭市不动产权第0054321号" in report  # stored with full-width brackets
    assert _listed(judge, inquiry)["asset"] == f"{address}，{flat.area_m2:g}㎡"
    # Without an address the list still tells the flat by its 街道/镇, 小区 and area.
    plain = judge.post("/v1/valuations/property", json={**CASE, **flat.model_dump(mode="json")})
    listed = _listed(judge, plain.json()["inquiry"]["id"])
    assert listed["asset"] == f"{flat.district} {flat.community}，{flat.area_m2:g}㎡"


def test_the_car_is_named_by_its_plate_and_vin_and_a_mistyped_vin_is_refused(
    judge: httpx.Client, car: VehicleRequest
) -> None:
    facts = {**CASE, **car.model_dump(mode="json"), "plate_number": "浙j·12345"}
    vin = chinese_vin(car.registration_date.year)
    typo = vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]
    wrong = judge.post("/v1/valuations/vehicle", json={**facts, "vin": typo})
    assert wrong.status_code == 422
    error = wrong.json()["detail"][0]
    assert error["loc"] == ["body", "vin"]
    assert f"第 9 位校验位应为 {vin[8]}" in error["msg_zh"]
    # A VIN of a model year five years before the first registration: one of them is wrong.
    old = chinese_vin(car.registration_date.year - 5)
    stale = judge.post("/v1/valuations/vehicle", json={**facts, "vin": old})
    assert stale.status_code == 422
    error = stale.json()["detail"][0]
    assert error["loc"] == ["body", "registration_date"]
    assert f"第 10 位表示 {car.registration_date.year - 5} 年款" in error["msg_zh"]
    answer = judge.post("/v1/valuations/vehicle", json={**facts, "vin": vin})
    assert answer.status_code == 200, answer.text
    inquiry = answer.json()["inquiry"]["id"]
    report = judge.get(f"/v1/inquiries/{inquiry}/report.html").text.replace("\n", "")
    assert "浙J12345" in report and vin in report
    assert _listed(judge, inquiry)["asset"] == f"浙J12345 {car.brand} {car.series}"


REPEAT_CASE = {"case_number": "（2026）浙1081执9001号", "purpose": "确定财产处置参考价"}


def test_asking_again_about_the_same_flat_names_the_earlier_inquiry_and_the_changes(
    judge: httpx.Client, flat: PropertyRequest
) -> None:
    certificate = "浙（2021）温岭市不动产权第0070001号"
    first_facts = {**REPEAT_CASE, **flat.model_dump(mode="json"), "certificate_number": certificate}
    first = judge.post("/v1/valuations/property", json=first_facts).json()
    assert first["inquiry"]["earlier"] == [] and first["inquiry"]["earlier_notice"] == []
    bigger = {
        **first_facts,
        "certificate_number": certificate.replace("（", "(").replace("）", ")"),
        "area_m2": flat.area_m2 + 20,
    }
    again = judge.post("/v1/valuations/property", json=bigger).json()["inquiry"]
    (earlier,) = again["earlier"]
    assert earlier["id"] == first["inquiry"]["id"]
    assert earlier["value"] == pytest.approx(first["value"])
    assert earlier["matched_on"] == ["不动产权证号"] and not earlier["disputed"]
    assert [(c["field"], c["before"], c["after"]) for c in earlier["changes"]] == [
        ("area_m2", flat.area_m2, flat.area_m2 + 20)
    ]
    (notice,) = again["earlier_notice"]
    assert f"询价编号 {first['inquiry']['id']}" in notice and "本次填写的财产情况与之不同" in notice
    report = judge.get(f"/v1/inquiries/{again['id']}/report.html").text.replace("\n", "")
    assert notice in report  # the case file shows both inquiries side by side
    # Once a party objects to the first, a third inquiry says so; newest first.
    today = china_today().isoformat()
    objection = {
        "party": "被执行人",
        "ground": "财产基本信息错误",
        "grounds": "询价时填写的建筑面积少了二十平方米。",
        "received_report_on": today,
        "submitted_on": today,
    }
    filed = judge.post(f"/v1/inquiries/{first['inquiry']['id']}/objections", json=objection)
    assert filed.status_code == 201, filed.text
    third = judge.post("/v1/valuations/property", json=bigger).json()["inquiry"]
    assert [e["id"] for e in third["earlier"]] == [again["id"], first["inquiry"]["id"]]
    assert third["earlier"][0]["changes"] == [] and third["earlier"][1]["disputed"]
    # Once the flat is sold, asking again says so.
    sale = {"price": "800000.00", "sold_on": today, "round": "一拍"}
    sold = judge.post(f"/v1/inquiries/{again['id']}/sale", json=sale)
    assert sold.status_code == 201, sold.text
    fourth = judge.post("/v1/valuations/property", json=bigger).json()["inquiry"]
    (after_sale,) = [e for e in fourth["earlier"] if e["id"] == again["id"]]
    assert (after_sale["sold_on"], after_sale["sale_price"], after_sale["sale_round"]) == (
        today,
        800_000.0,
        "一拍",
    )
    assert any(f"该财产已于 {today} 一拍成交" in line for line in fourth["earlier_notice"])
    # Another case, or a flat without an identifier, is not matched.
    elsewhere = judge.post("/v1/valuations/property", json={**bigger, **CASE}).json()
    assert elsewhere["inquiry"]["earlier"] == []
    unnamed = {**bigger, "certificate_number": None}
    assert judge.post("/v1/valuations/property", json=unnamed).json()["inquiry"]["earlier"] == []


def test_an_inquiry_batch_names_an_asset_listed_twice(
    judge: httpx.Client, car: VehicleRequest
) -> None:
    facts = {
        **car.model_dump(mode="json"),
        "vin": chinese_vin(car.registration_date.year, "4000123"),
    }
    body = {
        **REPEAT_CASE,
        "items": [facts, {**facts, "plate_number": "浙J54321", "mileage_km": car.mileage_km + 1}],
    }
    answer = judge.post("/v1/valuations/vehicle/batch-inquiries", json=body)
    assert answer.status_code == 200, answer.text
    first, second = (item["inquiry"] for item in answer.json()["items"])
    assert first["earlier"] == []
    (earlier,) = second["earlier"]
    assert (earlier["id"], earlier["matched_on"]) == (first["id"], ["车辆识别代号"])
    assert [c["field"] for c in earlier["changes"]] == ["mileage_km"]


def test_the_auditor_sees_the_assets_asked_about_more_than_once(
    live_server: str, keys: dict[Role, str], judge: httpx.Client, flat: PropertyRequest
) -> None:
    case = {**REPEAT_CASE, "case_number": "（2026）浙1081执9002号"}
    facts = {**case, **flat.model_dump(mode="json")}
    address = {**facts, "address": "温岭市某街道某小区9幢901室"}
    first = judge.post("/v1/valuations/property", json=address).json()["inquiry"]["id"]
    # The address again, now with the certificate: the two identifiers join one asset.
    both = {**address, "certificate_number": "浙（2021）温岭市不动产权第0090002号"}
    second = judge.post("/v1/valuations/property", json=both).json()["inquiry"]["id"]
    bigger = {**facts, "certificate_number": both["certificate_number"], "area_m2": 200}
    third = judge.post("/v1/valuations/property", json=bigger).json()
    auditor = keyed_client(live_server, keys[Role.AUDITOR])
    answer = auditor.get("/v1/ledger/repeats", params={"days": 30})
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Inquiry-Id"]  # the read is recorded
    (group,) = [a for a in answer.json()["items"] if a["case_number"] == case["case_number"]]
    assert [i["id"] for i in group["inquiries"]] == [first, second, third["inquiry"]["id"]]
    assert group["kind"] == "property" and group["changed"] == ["建筑面积（㎡）"]
    assert group["asset"].endswith("，200㎡")  # as the latest inquiry names it
    values = [i["value"] for i in group["inquiries"]]
    assert group["value_spread"] == pytest.approx(max(values) / min(values) - 1)
    assert group["inquiries"][0]["judge"] == "测试judge"
    changed = auditor.get("/v1/ledger/repeats", params={"days": 30, "changed_only": "true"})
    assert case["case_number"] in [a["case_number"] for a in changed.json()["items"]]
    # A flat asked about twice alike does not show when only changes are asked for.
    same = {**REPEAT_CASE, "case_number": "（2026）浙1081执9003号", **flat.model_dump(mode="json")}
    for typed in ("温岭市某街道某小区9幢902室", "某小区9号楼902"):  # one flat, typed two ways
        answer = judge.post("/v1/valuations/property", json={**same, "address": typed})
        assert answer.is_success, answer.text
    (notice,) = answer.json()["inquiry"]["earlier_notice"]
    assert "（坐落相同，原坐落写作“温岭市某街道某小区9幢902室”）" in notice
    listed = auditor.get("/v1/ledger/repeats", params={"days": 30}).json()["items"]
    alike = auditor.get("/v1/ledger/repeats", params={"days": 30, "changed_only": "true"})
    assert "（2026）浙1081执9003号" in [a["case_number"] for a in listed]
    assert "（2026）浙1081执9003号" not in [a["case_number"] for a in alike.json()["items"]]
    assert judge.get("/v1/ledger/repeats").status_code == 403
