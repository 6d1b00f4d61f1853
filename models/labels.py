"""Chinese labels of the request fields a judge fills in: the web page's form labels, the
column headers of batch files, and the field names in Chinese error messages.

The API keeps its English field names; these labels are what people read.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The case an inquiry serves.
INQUIRY_LABELS: dict[str, str] = {
    "case_number": "案号",
    "purpose": "询价用途",
}

PROPERTY_LABELS: dict[str, str] = {
    "address": "坐落",
    "certificate_number": "不动产权证号",
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
    "plate_number": "号牌号码",
    "vin": "车辆识别代号（VIN）",
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

#: A debtor's "5+X+Y" search results and records (the 履行能力 page, debtor files' headers).
DEBTOR_LABELS: dict[str, str] = {
    "debtor_type": "被执行人类型",
    "amount_due": "执行标的（元）",
    "region": "地区",
    "months_since_judgment": "判决生效至今（月）",
    "bank_deposits_found": "查得存款（元）",
    "securities_found": "查得股票、基金（元）",
    "real_estate_count": "查得不动产（套）",
    "real_estate_value": "不动产估值（元）",
    "vehicle_count": "查得车辆（辆）",
    "vehicle_value": "车辆估值（元）",
    "equity_value": "查得股权（元）",
    "creditor_leads": "申请人提供财产线索（条）",
    "creditor_leads_verified": "其中查证属实（条）",
    "social_insurance_active": "正在缴纳社保",
    "employer_found": "查明工作单位",
    "household_registration_found": "查明户籍或住所",
    "flights_12m": "近12个月乘坐飞机（次）",
    "rail_trips_12m": "近12个月乘坐高铁（次）",
    "hotel_nights_12m": "近12个月住宿酒店（晚）",
    "luxury_spend_12m": "近12个月高档消费（元）",
    "private_school_fees_12m": "近12个月私立学校学费（元）",
    "online_shopping_12m": "近12个月网络购物（元）",
    "dishonest_listed": "已列入失信被执行人名单",
    "dishonest_history": "曾被列入失信名单（次）",
    "other_open_cases": "其他在执案件（件）",
    "registered_capital": "注册资本（元，法人）",
    "operating_status": "经营状态（法人）",
    "insured_employees": "参保职工人数（法人）",
    "tax_credit_grade": "纳税信用等级（法人）",
    "creditor_type": "申请执行人类型",
    "case_cause": "案由",
    "creditor_hardship": "申请执行人生活困难",
    "debtor_id_number": "身份证号或统一社会信用代码",
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
    **DEBTOR_LABELS,  # first: ``region`` keeps the vehicle's label (the 履行能力 form has its own)
    **INQUIRY_LABELS,
    **PROPERTY_LABELS,
    **VEHICLE_LABELS,
    **OBJECTION_LABELS,
    **PROGRESS_LABELS,
    **SALE_LABELS,
    "items": "批量条目",
    "results": "询价结果",
}


def label_of(field: str, first: Mapping[str, str] | None = None) -> str:
    """The Chinese label of a field: from ``first`` (a form's own labels, as
    :data:`DEBTOR_LABELS` where ``region`` is not the vehicle's 交易城市), else
    :data:`FIELD_LABELS`, else the field name."""
    return (first or {}).get(field) or FIELD_LABELS.get(field, field)
