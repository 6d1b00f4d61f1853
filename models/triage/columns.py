"""The enforcement case record: one row per case, as the generator writes it and the triage
system sends it (the nightly batch file and the rank request carry these columns).

A case embeds its debtor's search results and signals under the capacity model's column names
(see ``models.capacity.features``), so the same debtor reads the same way in both models.
Dates are calendar days (``datetime64[ns]``, midnight); ``NaT`` means "has not happened (yet)".

The "5+X+Y" searches are read from the debtor fields, never from a separate flag:
a "5" search is done when its found value is known (``NaN``: not searched), X when every lead
the creditor supplied was verified, Y when the check's field is known (``NA``: not checked).
"""

from __future__ import annotations

from models.capacity.features import INPUT_COLUMNS as DEBTOR_COLUMNS

#: Identity and links: who owes whom, and which seized asset (shared asset -> 轮候查封).
IDENTITY_DTYPES: dict[str, str] = {
    "case_id": "str",  # C0000001…
    "case_number": "str",  # 案号, e.g. （2024）京0108执1234号
    "debtor_id": "str",  # one debtor may have many cases
    "creditor_id": "str",  # one creditor (a bank, say) may have many cases
    "seized_asset_id": "str",  # the main seized asset (None: none seized yet)
}
#: The case itself (amount_due, the claim, is among the debtor columns).
CASE_DTYPES: dict[str, str] = {
    "filed_at": "datetime64[ns]",  # 立案日期
    "creditor_type": "str",  # models.capacity.vocabulary.CreditorType
    "case_cause": "str",  # models.capacity.vocabulary.CaseCause
    "neighbourhood_checked": "boolean",  # Y: 居（村）委会走访 done (NA: not done)
}
#: The timeline: the date each stage was reached (NaT: not reached).
STAGE_DTYPES: dict[str, str] = {
    "searches_at": "datetime64[ns]",  # the network searches (总对总) came back
    "assets_found_at": "datetime64[ns]",  # first asset found (NaT: none found)
    "seized_at": "datetime64[ns]",  # first seizure or freezing measure (查封/冻结/扣押)
    "seizure_expires_at": "datetime64[ns]",  # that measure's expiry (冻结1年, 查封3年)
    "disposed_at": "datetime64[ns]",  # asset disposed: deducted, auctioned or sold (处置)
    "money_received_at": "datetime64[ns]",  # enforcement money reached the court (执行款到账)
    "paid_out_at": "datetime64[ns]",  # money paid out to the creditor (发放)
    "second_search_at": "datetime64[ns]",  # second asset investigation done
    "termination_proposed_at": "datetime64[ns]",  # closing for lack of assets proposed (拟终本)
    "closed_at": "datetime64[ns]",  # 结案
    "archived_at": "datetime64[ns]",  # 归档
}
#: The outcome as seen at ``observed_until`` (truth for training; never a feature).
OUTCOME_DTYPES: dict[str, str] = {
    "outcome": "str",  # models.triage.vocabulary.CaseOutcome
    "recovered_amount": "float64",  # paid to the creditor by observed_until (CNY)
    "observed_until": "datetime64[ns]",  # the day the record was taken (censoring date)
}
#: What a case record carries in a rank request or a batch file.
INPUT_DTYPES: dict[str, str] = {
    **IDENTITY_DTYPES,
    **CASE_DTYPES,
    **STAGE_DTYPES,
}
STAGE_COLUMNS: tuple[str, ...] = tuple(STAGE_DTYPES)
#: The debtor's columns a case embeds (the capacity model's inputs).
CASE_DEBTOR_COLUMNS: tuple[str, ...] = DEBTOR_COLUMNS
