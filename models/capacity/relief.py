"""The relief hint for 执行不能 cases (Shangnan, Jiayuguan: judicial relief and insurance).

When the debtor truly cannot pay, the court closes the round (终本); a creditor who is a person
in hardship owed damages for injury, wages or support may get judicial relief (司法救助) or,
where the court has it, execution-relief insurance (执行救助保险). The criteria come from the
settings; the creditor's fields are never model features.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.capacity.options import CapacityOptions
from models.capacity.schemas import ReliefHint
from models.capacity.vocabulary import Tier
from models.text import flag


def relief_hint(tier: Tier, row: Mapping[str, Any], options: CapacityOptions) -> ReliefHint | None:
    """The hint for an 执行不能 debtor; None for every other tier."""
    if tier != Tier.UNABLE:
        return None
    creditor, cause = row.get("creditor_type"), row.get("case_cause")
    unmet = []
    if creditor not in options.relief_creditor_types:
        unmet.append(f"申请执行人类型为{creditor or '未填写'}")
    if cause not in options.relief_causes:
        unmet.append(f"案由为{cause or '未填写'}")
    if not flag(row.get("creditor_hardship")):
        unmet.append("未登记申请执行人生活困难")
    if unmet:
        return ReliefHint(
            applies=False,
            text="被执行人无财产可供执行，可依法终结本次执行程序；"
            f"申请执行人不符合救助条件（{'，'.join(unmet)}）。",
        )
    return ReliefHint(
        applies=True,
        text=f"被执行人无财产可供执行，可依法终结本次执行程序。申请执行人为{creditor}，"
        f"案由为{cause}，生活困难，符合司法救助条件：可告知其申请司法救助；"
        "已投保执行救助保险的，可申请保险理赔。",
    )
