"""The judges' web page: sign-in, the property and vehicle inquiries, the judge's own
inquiries, the enforcement bureau's triage board and its 履行能力 assessment of one debtor,
rendered on the server in Chinese.

The pages hold no case data: their scripts call the same JSON API as every other client, with
the session cookie (and its anti-forgery token) in place of the key. Every asset is served
from ``/static``; nothing is fetched from elsewhere (the Content-Security-Policy says so).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from models.adjustment import MIN_COMPARABLES
from models.capacity.schemas import DebtorRequest
from models.court.objections import AppraisalProgress, AppraisalStatus, ObjectionRequest
from models.court.sales import SaleCorrection, SaleReport
from models.labels import DEBTOR_LABELS
from models.property.schemas import PropertyInquiry
from models.settings import Settings
from models.vehicle.schemas import VehicleInquiry
from serving.access.auth import court_store, web_session
from serving.access.session import COOKIE_NAME, csrf_ok, csrf_token, issue_cookie
from serving.court.schemas import ApiKeyPublic
from serving.court.tables import Role
from serving.reports.sections import OUTSIDE_INTERVAL_ADVICE
from serving.web.forms import form_fields, today_iso

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).parent / "static"

ROLE_LABELS = {
    Role.JUDGE: "法官",
    Role.TRIAGE: "案件分流",
    Role.DATA_SCIENTIST: "数据科学家",
    Role.AUDITOR: "审计",
}

#: Content-Security-Policy of every page: our own scripts, styles and images only.
CSP = (
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Page:
    """A page of the site: where it is, its title, who may open it."""

    path: str
    title: str
    template: str
    roles: frozenset[Role]


PAGES = (
    Page("/property", "不动产询价", "property.html.j2", frozenset({Role.JUDGE})),
    Page("/vehicle", "车辆询价", "vehicle.html.j2", frozenset({Role.JUDGE})),
    Page("/inquiries", "我的询价", "inquiries.html.j2", frozenset({Role.JUDGE})),
    Page("/triage", "案件分流", "triage.html.j2", frozenset({Role.TRIAGE})),
    Page("/capacity", "履行能力评估", "capacity.html.j2", frozenset({Role.TRIAGE})),
    Page("/supervision", "评估督办", "supervision.html.j2", frozenset({Role.AUDITOR})),
    Page(
        "/account",
        "账户",
        "account.html.j2",
        frozenset({Role.DATA_SCIENTIST, Role.AUDITOR, Role.JUDGE, Role.TRIAGE}),
    ),
)
_HOME = {
    Role.JUDGE: "/property",
    Role.TRIAGE: "/triage",
    Role.DATA_SCIENTIST: "/account",
    Role.AUDITOR: "/supervision",
}
_INQUIRY_FIRST = ("case_number", "purpose")
#: What most inquiries are for (法释〔2018〕15号): the form starts with it.
DEFAULT_PURPOSE = "确定财产处置参考价"
#: Roles with pages of their own; the others get the account page.
_WORKING = frozenset({Role.JUDGE, Role.TRIAGE, Role.AUDITOR})


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("serving.web", "templates"),
        autoescape=select_autoescape(["j2", "html"]),
        undefined=StrictUndefined,  # a name a page was not given fails loudly, never renders ""
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _templates(request: Request) -> Environment:
    environment: Environment | None = getattr(request.app.state, "templates", None)
    if environment is None:
        environment = request.app.state.templates = _environment()
    return environment


#: Names the base template reads that only some pages have (signed out: no user, no token).
_OPTIONAL: dict[str, Any] = {"csrf": None, "user": None, "error": None}


def _html(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    body = _templates(request).get_template(template).render(**(_OPTIONAL | context))
    return HTMLResponse(body, status_code=status_code, headers={"Content-Security-Policy": CSP})


def _nav(key: ApiKeyPublic, current: str) -> list[dict[str, Any]]:
    return [
        {"href": page.path, "label": page.title, "current": page.path == current}
        for page in PAGES
        if key.role in page.roles and (page.path != "/account" or key.role not in _WORKING)
    ]


def _fields(page: str, timezone: str) -> dict[str, Any]:
    day = today_iso(timezone)
    today = {"valuation_date": day, "purpose": DEFAULT_PURPOSE}
    dates = {"received_report_on": day, "submitted_on": day}
    objection = {"objection_fields": form_fields(ObjectionRequest, defaults=dates)}
    if page == "/property":
        fields = form_fields(PropertyInquiry, first=_INQUIRY_FIRST, defaults=today)
        return {"fields": fields, **objection}
    if page == "/vehicle":
        fields = form_fields(VehicleInquiry, first=_INQUIRY_FIRST, defaults=today)
        return {"fields": fields, **objection}
    if page == "/inquiries":
        return {
            "progress_fields": form_fields(AppraisalProgress, defaults={"on": day}),
            "sale_fields": form_fields(SaleReport, defaults={"sold_on": day}),
            "correct_fields": form_fields(SaleCorrection),
            **objection,
        }
    if page == "/triage":
        return {"today": day}
    if page == "/capacity":
        return {"fields": form_fields(DebtorRequest, labels=DEBTOR_LABELS)}
    if page == "/supervision":
        return {"statuses": [s.value for s in AppraisalStatus]}
    return {}


def _page_context(request: Request, key: ApiKeyPublic, cookie: str, page: Page) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return {
        "title": page.title,
        "user": key,
        "role_label": ROLE_LABELS[key.role],
        "nav": _nav(key, page.path),
        "csrf": csrf_token(court_store(request).session_key, cookie),
        "batch_limit": settings.batch_limit,
        "inquiry_batch_limit": settings.inquiry_batch_limit,
        "reports_per_zip": settings.reports_per_zip,
        "upload_limit_mb": settings.upload_limit_mb,
        "min_comparables": MIN_COMPARABLES,
        "outside_advice": OUTSIDE_INTERVAL_ADVICE,
        **_fields(page.path, settings.court_timezone),
    }


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """The sign-in page, or the signed-in user's first page."""
    signed = await web_session(request)
    if signed is not None:
        return RedirectResponse(_HOME[signed[0].role], status.HTTP_303_SEE_OTHER)
    return _html(request, "signin.html.j2", title="登录")


@router.post("/signin", response_class=HTMLResponse)
async def sign_in(request: Request, api_key: Annotated[str, Form()] = "") -> Response:
    """Check the key and start a session (a signed cookie; the key itself is not kept)."""
    court = court_store(request)
    key = await run_in_threadpool(court.authenticate, api_key.strip()) if api_key.strip() else None
    if key is None:
        logger.info("web sign-in refused")
        return _html(
            request,
            "signin.html.j2",
            status_code=status.HTTP_401_UNAUTHORIZED,
            title="登录",
            error="密钥无效或已被吊销，请核对后重新输入。",
        )
    settings: Settings = request.app.state.settings
    cookie = issue_cookie(court.session_key, key.id, settings.session_hours)
    logger.info("web sign-in: key %d (%s)", key.id, key.role.value)
    response = RedirectResponse(_HOME[key.role], status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE_NAME,
        cookie,
        max_age=round(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/signout")
async def sign_out(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """End the browser's session."""
    cookie = request.cookies.get(COOKIE_NAME)
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    if cookie and csrf_ok(court_store(request).session_key, cookie, csrf):
        response.delete_cookie(COOKIE_NAME, path="/")
    return response


def _page_route(page: Page) -> None:
    async def show(request: Request) -> Response:
        signed = await web_session(request)
        if signed is None:
            return RedirectResponse("/", status.HTTP_303_SEE_OTHER)
        key, cookie = signed
        if key.role not in page.roles:
            context = _page_context(request, key, cookie, page)
            return _html(
                request, "forbidden.html.j2", status_code=status.HTTP_403_FORBIDDEN, **context
            )
        return _html(request, page.template, **_page_context(request, key, cookie, page))

    show.__name__ = f"page_{page.path.strip('/')}"
    router.add_api_route(page.path, show, methods=["GET"], response_class=HTMLResponse)


for _page in PAGES:
    _page_route(_page)
