"""A real Chromium (Debian's, driven by Playwright) against a live server of every champion.

Screenshots of each page go to ``COURTVAL_TEST_ARTIFACTS`` (default ``test-artifacts/web``).
A missing Chromium fails the tests unless ``COURTVAL_ALLOW_NO_BROWSER=1`` (a developer's
machine without it); CI installs it (``make system``) and runs them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from serving.court import Role

CHROMIUM = os.environ.get("COURTVAL_CHROMIUM", "/usr/bin/chromium")
#: As the machine's probe starts it: no sandbox (root), no GPU, no network chatter.
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: The intranet screen the page is laid out for.
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(os.environ.get("COURTVAL_TEST_ARTIFACTS", "test-artifacts")) / "web"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        if os.environ.get("COURTVAL_ALLOW_NO_BROWSER") == "1":
            pytest.skip("no Chromium (COURTVAL_ALLOW_NO_BROWSER=1)")
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make system` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=SCREEN, locale="zh-CN", accept_downloads=True)
    made.set_default_timeout(30_000)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, base_url: str, secret: str) -> None:
    """Open the site and sign in with ``secret``."""
    page.goto(base_url + "/")
    page.get_by_label("API 密钥").fill(secret)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def judge_page(page: Page, live_server: str, keys: dict[Role, str]) -> Page:
    sign_in(page, live_server, keys[Role.JUDGE])
    return page


@pytest.fixture
def triage_page(page: Page, live_server: str, keys: dict[Role, str]) -> Page:
    sign_in(page, live_server, keys[Role.TRIAGE])
    return page
