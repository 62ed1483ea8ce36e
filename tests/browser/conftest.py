"""Browser tests of the integration console (F8): Debian's Chromium driven by Selenium against the
whole local stack (moto server, the Xero emulator showing its real consent page, every resource of
template.yaml, the runner serving /v1, /oauth/callback and /console).

No fixed sleeps: every wait is a WebDriverWait on an element or a condition; exports are awaited
with the runner's ``drain``. Each test saves a screenshot (``local-out/screenshots/``; with
``CONSOLE_SCREENSHOTS_DIR=docs/console`` the documentation's) and runs axe-core on every page it
visits: no serious or critical violation is allowed. Results: ``local-out/axe/``.

Needs ``chromium``, ``chromedriver`` and axe-core (``./scripts/browser-deps`` installs them). Without
them the tests are skipped with one line saying how to install them — except where
``BROWSER_TESTS_REQUIRED=1`` (CI sets it), where that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.e2e.conftest import Host as E2EHost

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / ".cache" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "local-out" / "screenshots"
AXE_RESULTS = REPO / "local-out" / "axe"
INSTALL_HINT = (
    "browser tests skipped: Chromium, chromedriver or axe-core missing; install them with ./scripts/browser-deps"
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
)
TIME_SCALE = 20
BLOCKING = ("serious", "critical")


def _missing() -> list[str]:
    missing = [tool for tool in ("chromium", "chromedriver") if shutil.which(tool) is None]
    if not AXE.exists():
        missing.append(f"axe-core ({AXE.relative_to(REPO)})")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (requirements-dev.txt)")
    return missing


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = _missing()
    if not missing:
        return
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath).replace(os.sep, "/")]
    if os.environ.get("BROWSER_TESTS_REQUIRED") == "1":
        for item in browser_items:
            item.add_marker(pytest.mark.usefixtures("_browser_tools_required"))
        return
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=f"{INSTALL_HINT} (missing: {', '.join(missing)})"))


@pytest.fixture(scope="session")
def _browser_tools_required() -> None:
    missing = _missing()
    if missing:
        pytest.fail(f"BROWSER_TESTS_REQUIRED=1 but {', '.join(missing)} missing: run ./scripts/browser-deps")


# --- the local stack ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    """Module-scoped: the runner sets this process's environment for the functions, which must
    not outlive the browser tests (later tests read their own settings)."""
    from local.stack import LocalStack

    with LocalStack.start(
        retry_delay_seconds=1,
        max_batching_window_seconds=0.2,
        # The emulator shows Xero's consent page (no auto-consent), with two organisations.
        emulator_options={"time_scale": TIME_SCALE, "auto_consent": False, "tenants": 2},
        extra_environment={
            "XERO_MINUTE_LIMIT": str(60 * TIME_SCALE),
            "DIGEST_WINDOW_SECONDS": "0",
            "EXPORT_BACKOFF_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "true",
        },
        stack_name="browser",
    ) as running:
        yield running


@dataclass
class Host(E2EHost):
    """The end-to-end tests' host product (one org, an API key scoped to it), asking for console
    links too."""

    emulator_url: str = ""

    def console_url(self, page: str | None = None, **body: Any) -> str:
        """A single-use console link, as the host would ask for it."""
        return self.call("POST", "/console-sessions", {"page": page, **body} if page else body, expect=201)["url"]

    def connect_without_browser(self, tenant_index: int = 0) -> None:
        """Connect through the consent page's form (no browser), for tests about other pages."""
        started = self.call("POST", "/connect", {"return_url": f"{self.base}/host/xero"})
        consent = requests.get(started["authorize_url"], timeout=30)
        request_id = re.search(r'name="request_id" value="([^"]+)"', consent.text)[1]
        tenant_ids = re.findall(r'name="tenant_id" value="([^"]+)"', consent.text)
        answer = requests.post(
            f"{self.emulator_url}/identity/connect/authorize/consent",
            data={"request_id": request_id, "action": "allow", "tenant_id": tenant_ids[tenant_index]},
            allow_redirects=False,
            timeout=30,
        )
        callback = requests.get(answer.headers["Location"], allow_redirects=False, timeout=120)
        outcome = parse_qs(urlsplit(callback.headers["Location"]).query)["xero_status"][0]
        assert outcome == "connected", outcome


@pytest.fixture
def host(stack: Any) -> Host:
    org_id = f"browser-{uuid.uuid4().hex[:8]}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.create_api_key(name='browser', org_ids=[org_id]).api_key}"
    return Host(stack.api_url, org_id, session, emulator_url=stack.emulator.base_url.rstrip("/"))


# --- the browser ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "chromedriver"))
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    browser.delete_all_cookies()
    yield Page(browser)


class Page:
    """The browser, with explicit waits, screenshots and the accessibility check."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def open(self, url: str) -> None:
        self.driver.get(url)

    def wait(self, css: str, timeout: float = 60) -> Any:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as expected
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(expected.presence_of_element_located((By.CSS_SELECTOR, css)))

    def wait_for_text(self, css: str, text: str, timeout: float = 60) -> Any:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as expected
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, timeout).until(expected.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
        return self.find(css)

    def until(self, condition: Any, timeout: float = 60) -> Any:
        """Polls ``condition``; while a navigation is under way the driver may answer with an
        error about the old document, which only means "not yet"."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, ignored_exceptions=(WebDriverException,)).until(condition)

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click_and_wait(self, css: str, then: str) -> Any:
        """Click, then wait until the page that follows shows ``then`` (and the old one is gone)."""
        from selenium.webdriver.support import expected_conditions as expected

        old = self.find("html")
        self.find(css).click()
        self.until(expected.staleness_of(old))
        return self.wait(then)

    def select(self, css: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.find(css)).select_by_value(value)

    def options(self, css: str) -> list[str]:
        return [option.get_attribute("value") for option in self.find_all(f"{css} option")]

    def type(self, css: str, text: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(text)

    def screenshot(self, name: str) -> Path:
        """Saves the page (whole height) as ``<name>.png``; also into the docs when asked."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(1000, min(int(height) + 40, 4000)))
        path = SCREENSHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        docs = os.environ.get("CONSOLE_SCREENSHOTS_DIR")
        if docs:
            target = (REPO / docs).resolve()
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / path.name)
        self.driver.set_window_size(1280, 1000)
        return path

    def accessible(self, name: str) -> list[dict[str, Any]]:
        """axe-core on the current page: fails on any serious or critical violation."""
        self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(r => done({violations: r.violations, passes: r.passes.length}))"
            ".catch(e => done({error: String(e)}));"
        )
        assert "error" not in result, result
        violations = result["violations"]
        AXE_RESULTS.mkdir(parents=True, exist_ok=True)
        summary = {
            "page": name,
            "url": self.driver.current_url.split("?")[0],
            "passes": result["passes"],
            "violations": [
                {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "help": v["help"]} for v in violations
            ],
        }
        (AXE_RESULTS / f"{name}.json").write_text(json.dumps(summary, indent=2))
        blocking = [v for v in summary["violations"] if v["impact"] in BLOCKING]
        assert blocking == [], f"{name}: {blocking}"
        return summary["violations"]

    def check(self, name: str) -> None:
        """Each page the tests visit: accessible, and saved as a screenshot."""
        self.accessible(name)
        self.screenshot(name)
