"""A live server in a thread and Debian's chromium driven by Playwright."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# A test that stands in for the server with a route (page.route, context.route) set once the page
# is open opens its pages with the service worker blocked: a page the worker controls sends some of
# its requests past such a route (measured: 5–8 of 40 autosaves reached the server through an
# "abort" route, even with the route set a second before; 0 of 40 with the worker blocked, or with
# the route set on the context before the page was opened). Offline emulation (set_offline) reaches
# them: 40 of 40 refused. Tests of pages kept for offline use need the worker, and do not route.
ROUTED = "block"
TABLET_SIZES = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 820, "height": 1180}}
# Chromium's connections to the outside world are refused here; do not even try.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (make system-deps)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


#: Pages a test opened in a context of its own (``watch_csp``), checked when the test ends.
WATCHED: list = []


def watch_csp(page):
    """Record on ``page.csp_violations`` every part of a page the Content-Security-Policy refused
    (an inline script or style would be refused, and the feature lost); the test fails at its end."""
    page.csp_violations = []
    page.on("console", lambda message: page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    WATCHED.append(page)
    return page


@pytest.fixture(autouse=True)
def _no_csp_refusals():
    WATCHED.clear()
    yield
    refused = [text for page in WATCHED for text in page.csp_violations]
    WATCHED.clear()
    assert refused == [], "the Content-Security-Policy refused part of a page"


@pytest.fixture(params=list(TABLET_SIZES))
def page(request, browser):
    """A tablet-sized page, watched for Content-Security-Policy refusals like every page a
    browser test opens."""
    context = browser.new_context(viewport=TABLET_SIZES[request.param], locale="en-GB")
    page = watch_csp(context.new_page())
    page.size_name = request.param
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{page.size_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


SMALL_TARGETS_JS = """
() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    // A control inside a <label> is tapped through the whole label.
    const target = el.closest('label') || el;
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.width < 44 || box.height < 44) {
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}
"""


def small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS_JS)

