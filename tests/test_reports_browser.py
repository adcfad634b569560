"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright.

The report is served by an HTTP server on loopback; every request the page makes is recorded
and must be for the report's own origin (the page is self-contained: it fetches nothing).
The hostile excerpt in a finding must show as text and never run (no dialog opens), and a
screenshot must be a real picture of the page. Playwright never downloads a browser here:
it drives /usr/bin/chromium, which .ci/run installs with apt. Where it is missing the tests
are skipped, saying so, unless TENDLC_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from _support.reports import PAYLOAD, sample_run
from tendlc.reports import write_reports

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
FAIL_RED = (0xB4, 0x23, 0x18)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the signature is http.server's
        pass


@contextlib.contextmanager
def _serving(directory: Path) -> Iterator[str]:
    """``directory`` served on 127.0.0.1 at a free port: its base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The report written to a directory and served on 127.0.0.1 at a free port."""
    directory = tmp_path_factory.mktemp("report")
    (html,) = write_reports(sample_run(), html=directory / "report.html")
    with _serving(directory) as base:
        yield base, f"{base}/{html.name}"


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing: the HTML report's browser test needs Debian's chromium "
            "(apt-get install -y --no-install-recommends chromium; .ci/run does this)"
        )
        if os.environ.get("TENDLC_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport=VIEWPORT,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def opened(browser_context, served):
    """The report opened in a new page, with every request and dialog recorded."""
    origin, url = served
    requested: list[str] = []
    dialogs: list[str] = []
    console_errors: list[str] = []

    def route(route):
        requested.append(route.request.url)
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            route.abort()

    page = browser_context.new_page()
    page.route("**/*", route)
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok
    page.wait_for_timeout(300)  # let anything that would run, run
    try:
        yield page, origin, requested, dialogs, console_errors
    finally:
        page.close()


def test_the_page_shows_the_verdict_operations_and_errors(opened):
    page, _, _, _, console_errors = opened
    assert page.title() == "tendlc Conformance run: FAIL"
    verdict = page.locator("#verdict")
    assert verdict.is_visible() and verdict.inner_text() == "FAIL"
    row = page.locator("#operations-table tr[data-operation='vonage.brands.create']")
    assert row.is_visible()
    assert row.locator("td").nth(0).inner_text() == "vonage.brands.create"
    assert "FAIL" in row.locator("td").nth(6).inner_text()
    section = page.locator("section[data-operation='vonage.brands.create']")
    path = section.get_by_text("/universal_ein", exact=True)
    path.scroll_into_view_if_needed()
    assert path.is_visible()
    excerpt = section.get_by_text(PAYLOAD.replace("'", "\\'"), exact=False)
    assert excerpt.is_visible()
    drift = page.locator("#drift")
    assert "/loyalty_tier" in drift.inner_text()
    # the Content-Security-Policy let the page's own script run, and blocked nothing else
    assert page.locator("#filter").is_visible()
    assert console_errors == []


def test_the_page_fetches_nothing_but_itself_and_runs_no_excerpt(opened):
    page, origin, requested, dialogs, _ = opened
    assert requested, "the page load itself was not seen"
    assert all(url.startswith(origin + "/") for url in requested), requested
    assert dialogs == []
    # the excerpt is text in the DOM, not an element
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("document.body.innerText.includes('<script>alert(1)</script>')")


def test_the_filter_narrows_the_operations(opened):
    page, *_ = opened
    rows = page.locator("#operations-table tbody tr")

    def shown():
        return [
            rows.nth(i).get_attribute("data-operation")
            for i in range(rows.count())
            if rows.nth(i).is_visible()
        ]

    assert len(shown()) == 6
    page.fill("#filter-text", "brands.get")
    assert shown() == ["vonage.brands.get"]
    page.fill("#filter-text", "")
    page.check("#filter-failing")
    assert shown() == ["vonage.brands.create", "unmatched", "not-run"]


def test_a_screenshot_is_a_real_picture_of_the_report(opened, tmp_path):
    page, *_ = opened
    page.evaluate("window.scrollTo(0, 0)")
    target = tmp_path / "report.png"
    data = page.screenshot(path=str(target))
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and target.read_bytes() == data
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.size == (VIEWPORT["width"], VIEWPORT["height"])
    pixels = {colour: n for n, colour in image.convert("RGB").getcolors(maxcolors=1 << 24)}
    assert len(pixels) > 50, f"a nearly blank screenshot: {len(pixels)} colours"
    background, share = max(pixels.items(), key=lambda item: item[1])
    assert background == (255, 255, 255) and share < 0.97 * sum(pixels.values())
    # the FAIL badge and the failing rows are drawn in the report's red
    red = sum(n for colour, n in pixels.items() if _near(colour, FAIL_RED))
    assert red > 500, f"only {red} pixels of the FAIL red"


def _near(colour, wanted, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, wanted, strict=True))


# -- a failing conformance run's report: what failed first ------------------------------------

#: where the screenshot of the failing report is kept for a person to look at
SCREENSHOT = Path(__file__).resolve().parents[1] / "build" / "reports" / "failing-report.png"
FAILING_MISBEHAVIOUR = (
    "wrong-status:vonage.enum.get",
    "drop-required-field:vonage.throughputs.get",
    "slow:vonage.account.get=1.5",
)


@pytest.fixture(scope="module")
def failing_report(tmp_path_factory):
    """The HTML report of a real conformance run against a misbehaving sandbox on loopback,
    served on 127.0.0.1."""
    from tendlc.conform import ConformOptions, run_conformance
    from tendlc.sandbox import SandboxConfig, create_app, serve_in_thread

    environment = {"VONAGE_API_KEY": "browserkey7", "VONAGE_API_SECRET": "browser-secret-2c"}
    sandbox = serve_in_thread(
        create_app(SandboxConfig(time_scale=60, misbehave=FAILING_MISBEHAVIOUR))
    )
    try:
        options = ConformOptions("vonage", base_url=sandbox, time_scale=60, max_response_time=1.0)
        run = run_conformance(options, environment)
    finally:
        sandbox.stop()
    directory = tmp_path_factory.mktemp("failing")
    (html,) = write_reports(run, html=directory / "failing.html")
    with _serving(directory) as base:
        yield f"{base}/{html.name}", html.read_text(), environment


def test_a_failing_report_shows_failures_first_with_a_command_to_reproduce_them(
    browser_context, failing_report, tally
):
    url, text, environment = failing_report
    for value in environment.values():
        assert value not in text
    page = browser_context.new_page()
    try:
        assert page.goto(url, wait_until="load").ok
        assert page.locator("#verdict").inner_text() == "FAIL"
        # failing operations come first, passing ones after them, collapsed
        failing = page.locator("#failing > section[data-operation]")
        passing = page.locator("#passing > details[data-operation]")
        ids = [failing.nth(i).get_attribute("data-operation") for i in range(failing.count())]
        assert sorted(ids) == ["vonage.account.get", "vonage.enum.get", "vonage.throughputs.get"]
        assert ids == sorted(ids)  # in id order among themselves
        assert passing.count() > 10
        assert (
            page.locator("#failing").bounding_box()["y"]
            < (page.locator("#passing").bounding_box()["y"])
        )
        assert not passing.first.evaluate("node => node.open")
        assert not passing.first.locator(".entry").first.is_visible()
        # each failing finding: its timing, what was sent and got back, a command to send it
        slow = page.locator("#failing section[data-operation='vonage.account.get']")
        assert "response-time" in slow.locator("table.findings").inner_text()
        timing = float(slow.locator(".entry-head .timing").first.inner_text().split()[0])
        assert timing >= 1.5
        curl = slow.locator("pre.curl")
        curl.scroll_into_view_if_needed()
        assert curl.is_visible()
        command = curl.inner_text()
        assert command.startswith("curl -sS -X GET")
        assert '"$VONAGE_API_KEY:$VONAGE_API_SECRET"' in command
        wrong = page.locator("#failing section[data-operation='vonage.enum.get']")
        assert wrong.locator(".response pre").inner_text().startswith("HTTP ")
        # the dropped field's rule: a link to the contract's text, in the page
        dropped = page.locator("#failing section[data-operation='vonage.throughputs.get']")
        link = dropped.locator("a.contract-link").first
        link.click()
        target = page.locator(f"[id='{link.get_attribute('href')[1:]}']")
        assert target.is_visible() and "required" in target.inner_text()
        # the filter: errors only hides what passed; the text narrows to what it names
        page.evaluate("window.scrollTo(0, 0)")
        page.check("#filter-errors")
        assert not page.locator("#passing").is_visible()
        assert slow.is_visible()
        page.uncheck("#filter-errors")
        assert page.locator("#passing").is_visible()
        page.fill("#filter-text", "enum.get")
        rows = page.locator("#operations-table tbody tr")
        shown = [
            rows.nth(i).get_attribute("data-operation")
            for i in range(rows.count())
            if rows.nth(i).is_visible()
        ]
        assert shown == ["vonage.enum.get"]
        assert not slow.is_visible()
        page.fill("#filter-text", "")
        page.locator("#failing").scroll_into_view_if_needed()
        page.evaluate("document.getElementById('failing').scrollIntoView()")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        data = page.screenshot(path=str(SCREENSHOT), full_page=False)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        image = Image.open(io.BytesIO(data))
        red = sum(
            n for n, colour in image.convert("RGB").getcolors(1 << 24) if _near(colour, FAIL_RED)
        )
        assert red > 500
        tally.kept["screenshot of a failing report"] = str(SCREENSHOT)
    finally:
        page.close()
