"""The two price-curve routes of each valuation kind (property, vehicle), declared once.

``POST /v1/valuations/<kind>/price-curve`` answers the curve of the asset in the body as data,
``…/price-curve.svg`` as a chart; each is a request of its own, counted and recorded
(:mod:`serving.curves`). What differs between the kinds is the request schema, the curve's
schema and which months may be asked for (a car's curve has a projection).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, NamedTuple

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from models.court.inquiry import InquiryContext
from models.curve_chart import render_svg
from models.registry import LoadedModel
from serving.access.auth import JudgeDep
from serving.curves import (
    CURVE_KINDS,
    SVG_RESPONSE,
    HistoryMonths,
    ProjectionMonths,
    recorded_curve,
)
from serving.deps import SettingsDep, model_of

#: A dependency reading the months a request asks for from its query, in the order the kind's
#: drawing takes them (history, then a car's projection); ``None`` for the settings' default.
MonthsDependency = Callable[..., Coroutine[Any, Any, list[int | None]]]


async def history_only(history_months: HistoryMonths = None) -> list[int | None]:
    """The months of a curve without a projection (a property's)."""
    return [history_months]


async def history_and_projection(
    history_months: HistoryMonths = None, projection_months: ProjectionMonths = None
) -> list[int | None]:
    """The months of a curve with a projection (a car's)."""
    return [history_months, projection_months]


class _Drawn(NamedTuple):
    """A curve answered for the asset in a request, with the request and the ledger's headers."""

    inquiry: InquiryContext
    curve: BaseModel
    headers: dict[str, str]


def add_curve_routes(
    router: APIRouter,
    kind: str,
    inquiry_type: type[InquiryContext],
    months: MonthsDependency,
    description: str,
) -> None:
    """Add ``/<kind>/price-curve`` and ``/<kind>/price-curve.svg`` to ``router``.

    Args:
        router: The kind's router (prefix ``/v1/valuations``).
        kind: ``property`` or ``vehicle``: the path, the model served and the curve drawn.
        inquiry_type: The request schema (the asset's facts with the case and purpose).
        months: The query's months (:data:`MonthsDependency`); recorded as asked.
        description: What the curve holds, for the documentation.
    """
    served = Depends(model_of(kind))  # the kind's champion, or 503
    asked = Depends(months)
    spec = CURVE_KINDS[kind]

    async def drawn(
        caller: JudgeDep,
        inquiry: InquiryContext,
        settings: SettingsDep,
        request: Request,
        loaded: LoadedModel = served,
        months_asked: list[int | None] = asked,
    ) -> _Drawn:
        """The curve of the asset in the body, drawn and recorded (the body is read here)."""
        inputs = {"inquiry": inquiry.model_dump(mode="json"), "months": months_asked}
        curve, headers = await recorded_curve(
            lambda: spec.draw(loaded, inquiry, settings, *months_asked),
            request,
            caller,
            loaded,
            inputs,
            inquiry.case_number,
            inquiry.purpose,
        )
        return _Drawn(inquiry, curve, headers)

    drawn.__annotations__["inquiry"] = inquiry_type  # FastAPI reads the body's schema here
    answered = Depends(drawn)

    async def curve_data(response: Response, answer: _Drawn = answered) -> BaseModel:
        response.headers.update(answer.headers)
        return answer.curve

    async def curve_chart(answer: _Drawn = answered) -> Response:
        svg = render_svg(spec.chart(answer.inquiry, answer.curve))
        return Response(svg, media_type="image/svg+xml", headers=answer.headers)

    router.add_api_route(
        f"/{kind}/price-curve",
        curve_data,
        methods=["POST"],
        response_model=spec.curve,
        name=f"{kind}_price_curve",
        summary=f"{kind.capitalize()} price curve",
        description=description,
    )
    router.add_api_route(
        f"/{kind}/price-curve.svg",
        curve_chart,
        methods=["POST"],
        response_class=Response,
        responses=SVG_RESPONSE,
        name=f"{kind}_price_curve_svg",
        summary=f"{kind.capitalize()} price curve (SVG)",
        description="The price curve as an SVG chart a report or a web page can embed.",
    )
