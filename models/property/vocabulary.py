"""The categorical vocabulary of property data, shared by the generator, the model and the API.

Values are the Chinese terms that appear in court records and transaction data; member names
are English so code reads in English.
"""

from enum import StrEnum


class PropertyType(StrEnum):
    """物业类型."""

    RESIDENTIAL = "住宅"
    SHOP = "商铺"
    OFFICE = "办公"
    INDUSTRIAL = "厂房"


class Orientation(StrEnum):
    """朝向."""

    NORTH_SOUTH = "南北通透"
    SOUTH = "南"
    SOUTH_EAST = "东南"
    SOUTH_WEST = "西南"
    EAST = "东"
    WEST = "西"
    NORTH_EAST = "东北"
    NORTH_WEST = "西北"
    NORTH = "北"


class Decoration(StrEnum):
    """装修."""

    BARE = "毛坯"
    SIMPLE = "简装"
    FINE = "精装"
    LUXURY = "豪装"
