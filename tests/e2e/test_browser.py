"""The HTML report in a real browser: headless Chromium driven over the DevTools protocol.

Loads a realistic report that carries hostile content (script tags, event handlers,
``javascript:`` URLs) and checks what a user would get: no console errors, no network
request beyond the file itself, no dialog, nothing executed, the timeline and the diffs
in the DOM. Needs ``/usr/bin/chromium`` (Debian package ``chromium``); skipped without it.

``python tests/e2e/test_browser.py`` rewrites ``docs/report.png`` from the sample report.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT = 30.0

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs chromium (apt-get install chromium)"
    ),
]


def _fixtures() -> ModuleType:
    """tests/unit/report_fixtures.py, loaded by path: tests/ folders are not packages."""
    path = ROOT / "tests" / "unit" / "report_fixtures.py"
    spec = importlib.util.spec_from_file_location("report_fixtures", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("report_fixtures", module)
    spec.loader.exec_module(module)
    return module


class DevTools:
    """A minimal DevTools-protocol client: commands by id, everything else kept as events."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.last_id = 0
        self.events: list[dict[str, Any]] = []

    def _receive(self, deadline: float) -> dict[str, Any]:
        message = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        if "id" not in message:
            self.events.append(message)
        return dict(message)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.last_id += 1
        request: dict[str, Any] = {"id": self.last_id, "method": method, "params": params}
        if session:
            request["sessionId"] = session
        self.ws.send(json.dumps(request))
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._receive(deadline)
            if message.get("id") == self.last_id:
                assert "error" not in message, message
                return dict(message.get("result", {}))

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while not any(e["method"] == method for e in self.events):
            self._receive(deadline)
        return next(e for e in self.events if e["method"] == method)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    client = pytest.importorskip("websockets.sync.client")
    profile = tmp_path / "profile"
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0"],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "chromium.log").open("w"),
    )
    try:
        # Chromium writes the port it picked and the browser's path to this file.
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not (active.exists() and len(active.read_text().splitlines()) >= 2):
            assert process.poll() is None, (tmp_path / "chromium.log").read_text()
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.05)
        port, path = active.read_text().splitlines()[:2]
        with client.connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as ws:
            yield DevTools(ws)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def open_page(browser: DevTools, url: str) -> str:
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable", session)
    browser.events.clear()
    browser.send("Page.navigate", session, url=url)
    browser.wait_for("Page.loadEventFired")
    # Let anything deferred (timers, late errors) happen before looking.
    browser.send(
        "Runtime.evaluate",
        session,
        expression="new Promise(done => setTimeout(done, 300))",
        awaitPromise=True,
    )
    return str(session)


DOM_CHECKS = """JSON.stringify({
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  scripts: document.scripts.length,
  marks: document.querySelectorAll('svg.timeline a.mark').length,
  glyphs: [...new Set([...document.querySelectorAll('svg.timeline g.glyph')]
    .map(g => g.classList[1]))].sort(),
  timelineWidth: document.querySelector('svg.timeline').getBoundingClientRect().width,
  dels: [...document.querySelectorAll('ul.diff del')].map(e => e.textContent),
  ins: [...document.querySelectorAll('ul.diff ins')].map(e => e.textContent),
  jsLinks: [...document.querySelectorAll('a[href]')]
    .filter(a => !/^(https?:|#)/.test(a.getAttribute('href'))).length,
  handlers: [...document.querySelectorAll('*')]
    .filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  images: document.images.length,
  text: document.body.innerText,
})"""


def check_dom(browser: DevTools, session: str) -> dict[str, Any]:
    result = browser.send("Runtime.evaluate", session, expression=DOM_CHECKS, returnByValue=True)
    assert "exceptionDetails" not in result, result
    return dict(json.loads(result["result"]["value"]))


def problems(browser: DevTools, page_url: str) -> list[str]:
    found = []
    for event in browser.events:
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent" and params["request"]["url"] != page_url:
            found.append(f"request: {params['request']['url']}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning"):
            found.append(f"console: {params['args']}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails']}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            found.append(f"log: {params['entry']['text']}")
        elif method == "Page.javascriptDialogOpening":
            found.append(f"dialog: {params['message']}")
    return found


def test_hostile_report_loads_clean_and_stays_inert(browser: DevTools, tmp_path: Path) -> None:
    from reports import render_report

    fixtures = _fixtures()
    report = fixtures.hostile_report()
    page = tmp_path / "report.html"
    page.write_text(render_report(report, "html"), encoding="utf-8")
    url = page.as_uri()

    session = open_page(browser, url)
    dom = check_dom(browser, session)

    assert problems(browser, url) == []
    assert dom["pwned"] is None
    assert dom["scripts"] == 0 and dom["images"] == 0 and dom["handlers"] == 0
    assert dom["jsLinks"] == 0
    assert dom["marks"] == len(report.changes)
    assert dom["glyphs"] == ["glyph-cosmetic", "glyph-discussed", "glyph-flagged"]
    assert dom["timelineWidth"] > 500
    assert "2s" in dom["dels"] and "500ms" in dom["ins"]
    # The attacks are on the page as text, exactly as written.
    assert fixtures.HOSTILE_TITLE in dom["text"]
    assert fixtures.HOSTILE_COMMENT in dom["text"]


def demo_report_html(workdir: Path) -> Path:
    """The HTML report of sprint 42 of the demo workspace, made by the CLI as a user would."""
    import contextlib
    import io

    from tracker.cli import run

    page = workdir / "sprint-42.html"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert run(["demo", "--dir", str(workdir / "demo")]) == 0
        config = str(workdir / "demo" / "tracker.toml")
        assert (
            run(
                [
                    "--config",
                    config,
                    "report",
                    "--sprint",
                    "42",
                    "--format",
                    "html",
                    "-o",
                    str(page),
                ]
            )
            == 0
        )
    return page


def test_demo_workspace_report_in_the_browser(browser: DevTools, tmp_path: Path) -> None:
    page = demo_report_html(tmp_path)
    url = page.as_uri()
    session = open_page(browser, url)
    dom = check_dom(browser, session)
    assert problems(browser, url) == []
    assert dom["scripts"] == 0 and dom["handlers"] == 0 and dom["jsLinks"] == 0
    assert dom["marks"] == 27  # every change of sprint 42 is placed on the timeline
    assert dom["glyphs"] == ["glyph-cosmetic", "glyph-discussed", "glyph-flagged"]
    assert dom["ins"] and dom["dels"]  # word-level highlights in the diffs
    assert "Payments Sprint 42" in dom["text"] and "PAY-101" in dom["text"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def screenshot(html: str, out: Path, workdir: Path) -> None:
    """A PNG of the page as a 1280-pixel-wide laptop window shows it."""
    page = workdir / "report.html"
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={workdir / 'shot-profile'}",
            "--hide-scrollbars",
            f"--screenshot={out}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_screenshot_of_the_sample_report(tmp_path: Path) -> None:
    from reports import render_report

    out = tmp_path / "report.png"
    screenshot(render_report(_fixtures().sample_report(), "html"), out, tmp_path)
    assert png_size(out) == (1280, 2000)


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as work:
        target = ROOT / "docs" / "report.png"
        target.parent.mkdir(exist_ok=True)
        html = demo_report_html(Path(work)).read_text(encoding="utf-8")
        screenshot(html, target, Path(work))
        print(f"wrote {target}")
