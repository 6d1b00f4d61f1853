"""The categorical vocabulary of used-vehicle data, shared by the generator, the model and the API.

Values are the Chinese terms that appear on listing platforms and in court records; member names
are English so code reads in English.
"""

from enum import StrEnum


class Origin(StrEnum):
    """品牌属性: domestic brand, joint venture, or imported / foreign-owned."""

    DOMESTIC = "自主"
    JOINT_VENTURE = "合资"
    IMPORT = "进口"


class BodyType(StrEnum):
    """车身类型."""

    SEDAN = "轿车"
    SUV = "SUV"
    MPV = "MPV"
    PICKUP = "皮卡"


class Fuel(StrEnum):
    """燃料类型; 混动 covers plug-in, full and range-extender hybrids."""

    PETROL = "汽油"
    DIESEL = "柴油"
    HYBRID = "混动"
    ELECTRIC = "纯电"


class Gearbox(StrEnum):
    """变速箱; single-speed electric drives count as 自动."""

    MANUAL = "手动"
    AUTOMATIC = "自动"


class Damage(StrEnum):
    """车况: no major damage, accident damage (事故车), or flood damage (泡水车)."""

    NONE = "无"
    ACCIDENT = "事故"
    FLOOD = "泡水"


class EmissionStandard(StrEnum):
    """排放标准 (China 4/5/6)."""

    CN4 = "国四"
    CN5 = "国五"
    CN6 = "国六"


class SellerType(StrEnum):
    """卖家类型."""

    DEALER = "车商"
    PRIVATE = "个人"


class Color(StrEnum):
    """车身颜色."""

    WHITE = "白色"
    BLACK = "黑色"
    GREY = "灰色"
    SILVER = "银色"
    BLUE = "蓝色"
    RED = "红色"
    OTHER = "其他"
