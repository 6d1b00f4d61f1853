"""Case triage (繁简分流) for the court's triage system: rank a queue, or score one case."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, NotRequired

import orjson
import pandas as pd
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter
from typing_extensions import TypedDict

from models.clock import china_today
from models.errors import InvalidInputError
from models.registry import LoadedModel
from models.schemas import ValuationDate
from models.settings import Settings
from models.triage.ranking import TriageOptions, rank_cases
from models.triage.records import case_frame
from models.triage.schemas import CaseRanking, CaseRankRequest, CaseRequest, CaseScore
from serving.access.auth import TriageDep
from serving.access.record import record, stamp
from serving.batch import openapi_body, paused_gc
from serving.case_answers import case_items, ranking_answer
from serving.deps import SettingsDep, model_of
from serving.lean import lean_schema, parse_lean
from serving.ndjson import MEDIA_TYPE as NDJSON
from serving.ndjson import read_ndjson

router = APIRouter(prefix="/v1/cases", tags=["cases"])

DifficultyModelDep = Annotated[LoadedModel, Depends(model_of("difficulty"))]


async def _options(request: Request) -> TriageOptions:
    options: TriageOptions | None = getattr(request.app.state, "triage_options", None)
    if options is None:
        options = TriageOptions.from_settings(request.app.state.settings)
        request.app.state.triage_options = options
    return options


TriageOptionsDep = Annotated[TriageOptions, Depends(_options)]


class _LeanRank(TypedDict):
    cases: list[lean_schema(CaseRequest)]  # type: ignore[valid-type]
    as_of: NotRequired[ValuationDate | None]


_RANK_BODY = TypeAdapter(_LeanRank)


def _as_of(value: dt.date | None) -> pd.Timestamp:
    return pd.Timestamp(value or china_today())


def _records(body: bytes, media_type: str) -> tuple[pd.DataFrame, dt.date | None]:
    """The cases of a rank body (a JSON document, or JSON Lines) and the document's ``as_of``."""
    if media_type == NDJSON:
        return read_ndjson(body, CaseRequest, "cases"), None
    parsed = parse_lean(_RANK_BODY, body)
    if not parsed["cases"]:
        raise InvalidInputError("cases", "at least one case is needed")
    return pd.DataFrame(parsed["cases"]), parsed.get("as_of")


def _rank(
    body: bytes,
    media_type: str,
    as_of: dt.date | None,
    loaded: LoadedModel,
    options: TriageOptions,
    settings: Settings,
) -> tuple[bytes, int]:
    with paused_gc():
        records, body_as_of = _records(body, media_type)
        if len(records) > settings.rank_limit:
            raise InvalidInputError(
                "cases", f"{len(records)} cases; at most {settings.rank_limit} per request"
            )
        day = _as_of(as_of or body_as_of)
        ranking = rank_cases(loaded.model, case_frame(records), day, options)
        return orjson.dumps(ranking_answer(ranking, day, loaded.info)), len(records)


def _rank_body_docs() -> dict[str, Any]:
    docs = openapi_body(CaseRankRequest)
    docs["requestBody"]["content"][NDJSON] = {
        "schema": {"type": "string", "description": "One CaseRequest JSON object per line."}
    }
    return docs


@router.post("/rank", response_model=CaseRanking, openapi_extra=_rank_body_docs())
async def rank_queue(
    caller: TriageDep,
    request: Request,
    loaded: DifficultyModelDep,
    options: TriageOptionsDep,
    settings: SettingsDep,
    as_of: Annotated[
        ValuationDate | None,
        Query(description="Day of scoring (default: the body's as_of, else today)."),
    ] = None,
) -> Response:
    """Rank up to ``COURTVAL_RANK_LIMIT`` cases: easiest first, with lanes, reasons, alerts,
    the alert summary, bundles (捆绑执行) and 执转破 candidates. The body is a
    ``CaseRankRequest`` JSON document, or — faster for a large queue — JSON Lines
    (``Content-Type: application/x-ndjson``), one case per line."""
    body = await request.body()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    payload, count = await run_in_threadpool(
        _rank, body, media_type, as_of, loaded, options, settings
    )
    entry = await record(
        request, caller, inputs=body, outputs=payload, model=loaded.info, items=count
    )
    response = Response(payload, media_type="application/json")
    stamp(response, entry)
    return response


def _score(
    case: CaseRequest, as_of: dt.date | None, loaded: LoadedModel, options: TriageOptions
) -> dict[str, Any]:
    frame = case_frame(pd.DataFrame([case.model_dump(mode="python")]))
    ranking = rank_cases(loaded.model, frame, _as_of(as_of), options)
    return case_items(ranking)[0]


@router.post("/score")
async def score_case(
    caller: TriageDep,
    case: CaseRequest,
    loaded: DifficultyModelDep,
    options: TriageOptionsDep,
    request: Request,
    response: Response,
    as_of: Annotated[
        ValuationDate | None, Query(description="Day of scoring; default today.")
    ] = None,
) -> CaseScore:
    """One case: difficulty, probability, expected days, lane, cash ratio, reasons, alerts."""
    item = await run_in_threadpool(_score, case, as_of, loaded, options)
    score = CaseScore.model_validate(item)
    entry = await record(
        request,
        caller,
        inputs={"case": case.model_dump(mode="json"), "as_of": as_of and as_of.isoformat()},
        outputs=score,
        model=loaded.info,
        case_number=case.case_number,
    )
    stamp(response, entry)
    return score
