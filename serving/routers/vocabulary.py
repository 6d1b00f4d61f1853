"""The known values of a valuation's free-text inputs (小区, 街道, 品牌, 车系, 城市), for the
page's suggestions as a judge types. Not an inquiry: nothing is valued or recorded, and it does
not count against the judge's quota (the page asks it on every load)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from models.schemas import Vocabulary
from serving.access.auth import JudgeUnmeteredDep
from serving.deps import StoreDep, model_of

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
