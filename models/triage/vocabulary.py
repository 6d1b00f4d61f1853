"""The categorical vocabulary of enforcement cases: generator, model, rules and API share it.

Values are the Chinese terms of court records; member names are English so code reads in English.
"""

from enum import StrEnum


class CaseOutcome(StrEnum):
    """How a case stands at the time of looking (结案方式, or still open)."""

    FULL = "执行完毕"
    SETTLEMENT = "和解"
    TERMINATED = "终本"
    OPEN = "未结"


class Lane(StrEnum):
    """繁简分流 lane a ranked case is put in."""

    FAST = "简案"
    NORMAL = "普通"
    COMPLEX = "繁案"


class AlertKind(StrEnum):
    """The alerts the triage rules raise; values are the codes the API returns."""

    # the five overdue kinds (五超)
    ASSETS_NOT_SEIZED = "ASSETS_NOT_SEIZED"
    MEASURE_EXPIRING = "MEASURE_EXPIRING"
    PAYOUT_OVERDUE = "PAYOUT_OVERDUE"
    OPEN_TOO_LONG = "OPEN_TOO_LONG"
    ARCHIVE_OVERDUE = "ARCHIVE_OVERDUE"
    # Haidian: open longer than 2.5 months -> second asset investigation
    SECOND_INVESTIGATION = "SECOND_INVESTIGATION"
    # Changning "5+X+Y": closing for lack of assets with searches still missing
    MISSING_SEARCHES = "MISSING_SEARCHES"


#: Chinese title of each alert kind (for the judges' page and the messages).
ALERT_TITLES: dict[AlertKind, str] = {
    AlertKind.ASSETS_NOT_SEIZED: "查到财产未及时控制",
    AlertKind.MEASURE_EXPIRING: "查封冻结到期未处置",
    AlertKind.PAYOUT_OVERDUE: "执行款发放超期",
    AlertKind.OPEN_TOO_LONG: "超法定审限",
    AlertKind.ARCHIVE_OVERDUE: "结案未及时归档",
    AlertKind.SECOND_INVESTIGATION: "需二次财产调查",
    AlertKind.MISSING_SEARCHES: "终本前“5+X+Y”查询未完成",
}


class Search(StrEnum):
    """The Changning "5+X+Y" checklist before a case may be closed for lack of assets."""

    # 5: the network searches
    DEPOSITS = "存款"
    SECURITIES = "股票基金"
    REAL_ESTATE = "不动产"
    VEHICLES = "车辆"
    BUSINESS_REGISTRATION = "工商登记"
    # X: the creditor's leads
    CREDITOR_LEADS = "申请人提供的线索"
    # Y: the optional checks
    SOCIAL_INSURANCE = "社保"
    HOUSEHOLD_REGISTRATION = "户籍"
    NEIGHBOURHOOD_COMMITTEE = "居（村）委会走访"
