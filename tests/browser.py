"""Headless Chromium for the HTML report's tests, driven by Playwright's Python package.

Playwright (``playwright`` from PyPI, in the test extra) drives the system's chromium
(``apt-get install chromium``) by its path; it never downloads a browser. Without chromium
the browser tests fail and say what to install; ``AUDITOR_SKIP_BROWSER=1`` skips them on
purpose.

A report is opened as the page at `PAGE_URL`, which no server holds: every request the page
makes is routed here, the page itself is answered from memory and anything else is recorded
and refused, so a test sees every request that would have left the page. Content Security
Policy violations are recorded as the page reports them (``securitypolicyviolation``) and
as the browser logs them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PAGE_URL = "http://report.invalid/report.html"
INSTALL = (
    "install Debian's chromium (apt-get install chromium) and the test extra (pip install -e '.[test]', "
    "which brings Playwright's Python package; it uses the system browser and downloads none), "
    "or set AUDITOR_SKIP_BROWSER=1 to skip the browser checks"
)
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def find_browser() -> str:
    if os.environ.get("AUDITOR_SKIP_BROWSER") == "1":
        pytest.skip("AUDITOR_SKIP_BROWSER=1: the HTML report is not checked in a browser")
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"the HTML report is checked in a real browser and none was found: {INSTALL}", pytrace=False)


@contextmanager
def launched() -> Iterator[Any]:
    """The system's chromium, headless, driven by Playwright."""
    path = find_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright's Python package is missing: {INSTALL}", pytrace=False)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=path, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    page: Any
    requests: list[str] = field(default_factory=list)
    """Every request but the page's own: none may leave the page."""
    logged: list[str] = field(default_factory=list)
    """Console errors and warnings."""

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__violations || []"))

    def check(self) -> None:
        """The script ran, nothing left the page, and the policy was never violated."""
        assert self.page.evaluate("document.documentElement.dataset.ready") == "true", (
            "the script did not run"
        )
        assert "pwned" not in self.page.evaluate("Object.keys(document.body.dataset)"), "data ran as script"
        assert self.requests == [], f"requests left the page: {self.requests}"
        assert self.violations() == [], "Content Security Policy violations"
        assert self.logged == [], f"the console says: {self.logged}"


@contextmanager
def opened(
    browser: Any, text: str, *, width: int = 1400, suffix: str = "", check: bool = True
) -> Iterator[Opened]:
    """``text`` opened as a page ``width`` pixels wide, at `PAGE_URL` + ``suffix``; checked when closed."""
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    try:
        page = context.new_page()
        result = Opened(page)

        def route(route: Any) -> None:
            url = urlsplit(route.request.url)
            if route.request.is_navigation_request() and f"{url.scheme}://{url.netloc}{url.path}" == PAGE_URL:
                route.fulfill(
                    status=200, body=text.encode(), headers={"content-type": "text/html; charset=utf-8"}
                )
            else:
                result.requests.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page.on(
            "console",
            lambda message: (
                result.logged.append(message.text) if message.type in ("error", "warning") else None
            ),
        )
        page.add_init_script(WATCH_CSP)
        page.goto(PAGE_URL + suffix)
        page.wait_for_function("document.readyState === 'complete'")
        yield result
        if check:
            result.check()
    finally:
        context.close()


OVERFLOW = """
() => {
  const width = window.innerWidth;
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) { continue; }
    if (box.right > width + 0.5 || box.left < -0.5) {
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "");
      wide.push(name + " " + Math.round(box.left) + ".." + Math.round(box.right));
    }
  }
  return {scroll: document.scrollingElement.scrollWidth, width: width, wide: wide.slice(0, 20)};
}
"""
"""Every element wider than the viewport, or past its edge, and the page's scrolling width."""


def assert_fits(page: Any) -> None:
    """No horizontal scroll: the page is no wider than the viewport and no element passes its edge."""
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["width"], found
    assert found["wide"] == [], found
