"""The categorical vocabulary of enforcement debtors: generator, model and API share it.

Values are the Chinese terms of court records; member names are English so code reads in English.
"""

from enum import StrEnum


class DebtorType(StrEnum):
    """被执行人类型: a natural person or a legal person."""

    INDIVIDUAL = "自然人"
    COMPANY = "法人"


class Region(StrEnum):
    """The court's region (a city or county seat); sets income levels and asset prices."""

    BEIJING = "北京"
    SHANGHAI = "上海"
    SHENZHEN = "深圳"
    GUANGZHOU = "广州"
    HANGZHOU = "杭州"
    WUXI = "无锡"
    TIANJIN = "天津"
    WENLING = "温岭"
    CHENGDU = "成都"
    XIAN = "西安"
    YINCHUAN = "银川"
    SHANGNAN = "商南"


class OperatingStatus(StrEnum):
    """企业经营状态 (company debtors only)."""

    OPERATING = "存续"
    SUSPENDED = "停业"
    REVOKED = "吊销"
    DEREGISTERED = "注销"


class TaxCreditGrade(StrEnum):
    """纳税信用等级 (A best, D worst; M for new or small companies)."""

    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"


class CreditorType(StrEnum):
    """申请执行人类型 (the relief hint only; never a model feature)."""

    INDIVIDUAL = "自然人"
    COMPANY = "法人"
    STATE = "国家机关"


class CaseCause(StrEnum):
    """案由 of the judgment being enforced (the relief hint only; never a model feature)."""

    PERSONAL_INJURY = "人身损害赔偿"
    WAGES = "追索劳动报酬"
    SUPPORT = "赡养抚养扶养"
    CONTRACT = "合同纠纷"
    LOAN = "民间借贷"
    OTHER = "其他"


class Outcome(StrEnum):
    """How the 6 statutory months ended for the creditor."""

    FULL = "全部履行"
    PARTIAL = "部分履行"
    NOTHING = "未履行"


class Tier(StrEnum):
    """履行能力 tier the model assigns (see ``models.capacity.tiers``)."""

    ABLE = "能够履行"
    PARTIAL = "部分履行"
    HARD = "执行难"
    UNABLE = "执行不能"
