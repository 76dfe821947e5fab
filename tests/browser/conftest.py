"""Browser tests: Debian's Chromium driven by Playwright against a real `opencoc serve` process.

One server per test session and one browser per test module (they are the slow parts); each test gets a fresh
browser context (its own cookies) and a page that records console errors: a test fails if the
browser logged any. `shoot(page, name)` saves screenshots at 1280 px and 375 px wide into
$OPENCOC_ARTEFACTS (default /tmp/opencoc-artefacts), outside the source tree.

The tests skip only when Chromium is missing and OPENCOC_TEST_BROWSER is not "required" (CI sets it).
"""

import itertools
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.server import LiveServer
from tests.conftest import cli_tenant
from tests.support.signing import TenantKey

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-test-password"
WIDTHS = (1280, 375)
_names = itertools.count(1)

if not os.path.exists(CHROMIUM):
    if os.environ.get("OPENCOC_TEST_BROWSER") == "required":
        raise RuntimeError(f"OPENCOC_TEST_BROWSER=required but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is missing (set OPENCOC_TEST_BROWSER=required to insist)", allow_module_level=True)

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright  # noqa: E402


def artefacts() -> Path:
    path = Path(os.environ.get("OPENCOC_ARTEFACTS", "/tmp/opencoc-artefacts")) / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real server on its own SQLite file, for every browser test."""
    server = LiveServer(tmp_path_factory.mktemp("console"), None).start()
    yield server
    server.stop()


# Package scope, not session: Playwright's sync API keeps an event loop running in the main thread
# while it is open, and the tests collected after tests/browser call asyncio.run() there.
@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass(frozen=True)
class ConsoleTenant:
    """A tenant whose `admin` has a console password (and an access key for API calls)."""

    key: TenantKey
    password: str = PASSWORD

    @property
    def name(self) -> str:
        return self.key.name


@pytest.fixture
def console_tenant(console_server: LiveServer) -> ConsoleTenant:
    key = cli_tenant(console_server.data_dir, None, f"web{next(_names)}")
    console_server.cli("admin", "set-password", "--tenant", key.name, "--user", "admin", "--password", PASSWORD)
    return ConsoleTenant(key)


@pytest.fixture
def page(chromium: Browser, console_server: LiveServer) -> Iterator[Page]:
    """A fresh context's page on the console's server; the test fails if the browser logged an error."""
    context = chromium.new_context(base_url=console_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    yield page
    context.close()
    assert errors == [], "the browser logged errors"


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Callable[[Page, str], None]:
    """Save the page as <test>-<name>-<width>.png at each width (full page), then restore 1280 px."""
    test = re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page: Page, name: str) -> None:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(artefacts() / f"{test}-{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    return take


def sign_in(page: Page, tenant: ConsoleTenant, user: str = "admin") -> None:
    """Sign in through the form, as a person would."""
    page.goto("/console/")
    page.get_by_label("Tenant").fill(tenant.name)
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(tenant.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/overview")  # the landing page
