"""The UI in a real browser: `mwo ui` on a loopback port, driven by Debian's headless Chromium through
Playwright (`executable_path`: no browser is downloaded).

A person types a Korean request, answers the clarifying question, saves, runs the workflow, approves
its APPROVAL step in the Inbox, sees the run succeed on the Runs page and the Statistics change.
The Create page is captured with the conversation and its result (create-chat-desktop.png); then
every page is captured at 1280x800 and 390x844 into tests/ui/artifacts/, each screenshot as tall as
the page's content. Any Streamlit exception box or "Traceback" text on any page fails the test.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
PAGES = ("workflows", "create", "workflow", "runs", "inbox", "statistics", "knowledge", "settings")
REQUEST = "'오늘의 할 일' 알림을 승인 받은 뒤 받은 편지함으로 보내줘"
ANSWERS = {"언제": "필요할 때 수동으로", "무엇을": "오늘의 할 일을 확인하세요"}
WAIT_MS = 240_000  # authoring opens its models on first use; two shared cores


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def ui_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`mwo ui` on a free loopback port over a fresh home, the scripted fake model, no server."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    root = tmp_path_factory.mktemp("browser")
    script = root / "replies.json"
    script.write_text("[]", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWO_")}
    env.update(
        MWO_HOME=str(root / "home"),
        MWO_LLM_PROVIDER="fake",
        MWO_LLM_FAKE_SCRIPT=str(script),
        MWO_SERVE_PORT=str(_free_port()),  # nothing listens: the UI must say `mwo serve` is off
        MWO_LANGUAGE="en",
    )
    port = _free_port()
    log = (root / "ui.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mwo", "ui", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "mwo ui exited"
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("mwo ui did not answer within 120 s")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


def _settle(page: Page) -> None:
    """Wait until the app is idle: its script (and any fragment) is not running."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)
    page.wait_for_timeout(500)


def _assert_clean(page: Page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.inner_text("body")


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("h1", timeout=WAIT_MS)
    _settle(page)
    _assert_clean(page)


def test_request_to_approved_run_then_every_page(ui_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(WAIT_MS)
    try:
        _flow(page, ui_url)
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
        raise
    page.close()
    _every_page(browser, ui_url)


def _flow(page: Page, ui_url: str) -> None:
    """Request, question, answer, save, run, approve, succeeded, statistics."""

    _open(page, f"{ui_url}/statistics")
    page.get_by_text("No runs in this range.").wait_for()
    body = page.inner_text("body")
    assert "schedules and webhooks do not fire" in body, body  # the banner: no `mwo serve`

    # a Korean request; the app asks what it needs, one question a turn; the answers make it a workflow
    _open(page, f"{ui_url}/create")
    _chat(page, REQUEST)
    page.locator("[data-testid='stChatMessage']").nth(1).wait_for()  # the app's answer
    save = page.get_by_role("button", name="Save workflow")
    for _ in range(4):  # one question a turn, answered as a person would
        if save.count():
            break
        question = page.locator("[data-testid='stChatMessage']").last.inner_text()
        _chat(page, next((a for key, a in ANSWERS.items() if key in question), "좋아요"))
    save.wait_for()
    assert page.locator("[data-testid='stChatMessage']").count() >= 4, "a question was asked and answered"
    _assert_clean(page)
    page.get_by_role("button", name="Save workflow").click()
    page.get_by_text(re.compile(r"Saved .+ as version 1\.")).first.wait_for()
    page.get_by_role("button", name="Test-run now").click()
    page.get_by_text(re.compile(r"Run \w{8} started\.")).wait_for()
    _settle(page)
    _assert_clean(page)
    ARTIFACTS.mkdir(exist_ok=True)  # the conversation and its result, for docs/ui.md
    _whole_page(page, *VIEWPORTS["desktop"])
    page.screenshot(path=str(ARTIFACTS / "create-chat-desktop.png"), full_page=True)
    page.set_viewport_size({"width": VIEWPORTS["desktop"][0], "height": VIEWPORTS["desktop"][1]})

    # the run waits for its approval; approve it in the Inbox
    _open(page, f"{ui_url}/inbox")
    page.get_by_text("Approvals waiting (1)").wait_for()
    page.get_by_label("Comment").first.fill("좋습니다")
    page.get_by_role("button", name="Approve").first.click()
    page.get_by_text(re.compile(r"Approved: run \w{8} continues\.")).wait_for()
    _settle(page)
    _assert_clean(page)

    # the run succeeded, and the statistics count it
    _open(page, f"{ui_url}/runs")
    page.locator("h3", has_text="succeeded").first.wait_for()
    _open(page, f"{ui_url}/statistics")
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert values[:2] == ["1", "100%"], values

    _open(page, f"{ui_url}/inbox")
    page.get_by_text("MWO 알림").first.wait_for()  # what the NOTIFICATION step delivered


def _chat(page: Page, text: str) -> None:
    box = page.locator("[data-testid='stChatInputTextArea']")
    box.fill(text)
    box.press("Enter")
    page.wait_for_timeout(500)
    _settle(page)
    _assert_clean(page)


def _every_page(browser: Browser, url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    heights: dict[str, int] = {}
    for label, (width, height) in VIEWPORTS.items():
        page = browser.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(WAIT_MS)
        for name in PAGES:
            page.set_viewport_size({"width": width, "height": height})  # the size the page is tested at
            _open(page, f"{url}/{name}")
            heights[f"{name}-{label}"] = _whole_page(page, width, height)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        page.close()
    # Settings is longer than one window: its screenshot must show all of it, not the first screen.
    assert heights["settings-desktop"] > VIEWPORTS["desktop"][1], heights
    assert heights["settings-phone"] > VIEWPORTS["phone"][1], heights


# Streamlit scrolls inside its own containers, not the document, so Playwright's full_page sees one
# window's height. The tallest scrolling part (the main area, or the sidebar) says how tall the page is.
_CONTENT_HEIGHT = """() => Math.max(document.documentElement.scrollHeight, ...Array.from(
    document.querySelectorAll(
        "[data-testid='stMain'], [data-testid='stAppViewContainer'], [data-testid='stSidebarContent']"
    ), (element) => element.scrollHeight))"""
MAX_SHOT_HEIGHT = 12_000


def _whole_page(page: Page, width: int, height: int) -> int:
    """Grow the window to the content's height, so the screenshot holds the whole page; the height."""
    for _ in range(4):  # a taller window can reflow the page (columns, charts): measure again
        needed = min(int(page.evaluate(_CONTENT_HEIGHT)), MAX_SHOT_HEIGHT)
        if needed <= height:
            return height
        height = needed
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
    raise AssertionError(f"the page kept growing with the window ({height} px)")
