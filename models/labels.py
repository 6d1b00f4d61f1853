"""Chinese labels of the request fields a judge fills in: the web page's form labels, the
column headers of batch files, and the field names in Chinese error messages.

The API keeps its English field names; these labels are what people read.
"""

from __future__ import annotations

#: The case an inquiry serves.
INQUIRY_LABELS: dict[str, str] = {
    "case_number": "案号",
    "purpose": "询价用途",
}

PROPERTY_LABELS: dict[str, str] = {
    "district": "街道/镇",
    "community": "小区",
    "latitude": "纬度",
    "longitude": "经度",
    "property_type": "物业类型",
    "area_m2": "建筑面积（㎡）",
    "total_floors": "总楼层",
    "floor": "所在楼层",
    "orientation": "朝向",
    "rooms": "房间数",
    "elevator": "电梯",
    "decoration": "装修",
    "valuation_date": "估价时点",
    "build_year": "建成年份",
}

VEHICLE_LABELS: dict[str, str] = {
    "brand": "品牌",
    "series": "车系",
    "origin": "品牌类别",
    "body_type": "车身类型",
    "fuel": "燃料类型",
    "gearbox": "变速箱",
    "power_kw": "功率（kW）",
    "new_price": "新车指导价（元）",
    "region": "交易城市",
    "valuation_date": "估价时点",
    "registration_date": "初次登记日期",
    "mileage_km": "表显里程（公里）",
    "transfers": "过户次数",
    "damage": "车况",
    "emission_standard": "排放标准",
    "seller_type": "卖方类型",
    "color": "车身颜色",
}

OBJECTION_LABELS: dict[str, str] = {
    "party": "异议人",
    "ground": "异议事由",
    "grounds": "书面异议理由",
    "received_report_on": "收到报告日期",
    "submitted_on": "异议提交日期",
}

#: A step of the appraisal an objection opened (已启动, 已完成, 已撤回).
PROGRESS_LABELS: dict[str, str] = {
    "status": "评估进展",
    "on": "发生日期",
    "note": "说明",
    "appraised_value": "评估价（元，已完成时填写）",
}

#: The sale of an inquired asset (一拍, 二拍, 变卖).
SALE_LABELS: dict[str, str] = {
    "price": "成交价（元）",
    "sold_on": "成交日期",
    "round": "成交方式",
    "note": "说明",
    "reason": "更正原因",
}

#: Every label by field name (a name used by several forms has one label).
FIELD_LABELS: dict[str, str] = {
    **INQUIRY_LABELS,
    **PROPERTY_LABELS,
    **VEHICLE_LABELS,
    **OBJECTION_LABELS,
    **PROGRESS_LABELS,
    **SALE_LABELS,
    "items": "批量条目",
    "results": "询价结果",
}


def label_of(field: str) -> str:
    """The Chinese label of a field, or the field name when it has none."""
    return FIELD_LABELS.get(field, field)
