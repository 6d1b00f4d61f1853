"""Help with a valuation's free-text inputs: their known values (小区, 街道, 品牌, 车系, 城市),
for the page's suggestions as a judge types, and a property's 坐落 read into its 街道/镇, 小区
and floor. Not inquiries: nothing is valued or recorded, and they do not count against the
judge's quota (the page asks on every load, and on every address typed)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from models.property.address import AddressQuery, AddressReading
from models.schemas import Vocabulary
from serving.access.auth import JudgeUnmeteredDep
from serving.deps import PropertyModelDep, StoreDep, model_of

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])


@router.get("/{kind}/vocabulary", response_model=Vocabulary)
async def vocabulary(
    kind: Literal["property", "vehicle"], _: JudgeUnmeteredDep, store: StoreDep
) -> Vocabulary:
    """The values the served model's training sales had for each free-text input. A value
    outside them is still valued; for the 小区 (车系) the answer then carries
    ``unseen_input``, a caution and a wider interval."""
    loaded = await model_of(kind)(store)
    return Vocabulary(fields=loaded.model.vocabulary(), model=loaded.info)


@router.post("/property/address", response_model=AddressReading)
async def read_address(
    query: AddressQuery, _: JudgeUnmeteredDep, loaded: PropertyModelDep
) -> AddressReading:
    """The 街道/镇, 小区 and floor a 坐落 states, read against the served model's sales, with
    a Chinese ``notice`` of what was read and what is left to fill or check. A suggestion for
    the form: the valuation itself takes the fields the judge confirms."""
    reading: AddressReading = loaded.model.address_reader.read(query.address)
    return reading
