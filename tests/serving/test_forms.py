"""The page's forms ask what the API checks: built from the request schemas."""

from __future__ import annotations

from models.court.objections import ObjectionRequest
from models.property.schemas import PropertyInquiry
from models.vehicle.schemas import VehicleInquiry
from serving.web.forms import form_fields


def test_property_form_asks_the_case_first_then_every_fact() -> None:
    fields = form_fields(PropertyInquiry, first=("case_number", "purpose"))
    assert [f.name for f in fields[:2]] == ["case_number", "purpose"]
    assert {f.name for f in fields} == set(PropertyInquiry.model_fields)
    by_name = {f.name: f for f in fields}
    area = by_name["area_m2"]
    assert (area.kind, area.label, area.minimum, area.exclusive_minimum) == (
        "number", "建筑面积（㎡）", 1, False,
    )  # fmt: skip
    assert by_name["total_floors"].kind == "integer" and by_name["total_floors"].step == "1"
    assert by_name["elevator"].kind == "boolean" and by_name["elevator"].required
    assert "南北通透" in by_name["orientation"].options
    assert by_name["latitude"].required is False
    assert by_name["valuation_date"].kind == "date"


def test_defaults_and_optional_choices() -> None:
    fields = {
        f.name: f for f in form_fields(VehicleInquiry, defaults={"valuation_date": "2026-01-02"})
    }
    assert fields["valuation_date"].default == "2026-01-02"
    assert fields["damage"].default == "无" and not fields["damage"].required
    assert fields["color"].kind == "select" and fields["color"].default is None
    power = fields["power_kw"]  # a bound that excludes its value
    assert (power.minimum, power.exclusive_minimum) == (0, True)


def test_objection_grounds_are_a_text_box() -> None:
    fields = {f.name: f for f in form_fields(ObjectionRequest)}
    assert fields["grounds"].kind == "textarea" and fields["grounds"].max_length == 5000
    assert fields["party"].options == ("申请执行人", "被执行人", "利害关系人")
