"""Headless Chromium (Debian's ``chromium`` driven by playwright) for map tests.

Every page load records console errors, page errors, dialogs and every request; a test fails
on any console error or any request other than the page's own file.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

import pytest

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions"]


def chromium_path() -> str | None:
    return os.environ.get("LOC_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def launch():
    path = chromium_path()
    if path is None:
        msg = "no chromium on PATH (Debian: apt-get install chromium; or set LOC_CHROMIUM)"
        if os.environ.get("LOC_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + "; CI requires it")
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=path, args=ARGS)
    return pw, browser


def open_map(browser, html_path, viewport=(1200, 800)):
    """Open a map file; returns (page, log) after the map has been built."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error"
            else None)
    page.on("pageerror", lambda e: log.console_errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))

    def on_dialog(d):
        log.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    url = html_path.resolve().as_uri()
    page.goto(url)
    page.wait_for_function("window.locMap !== undefined", timeout=20_000)
    page.wait_for_timeout(300)
    assert log.requests == [url], f"network requests leaving the page: {log.requests[1:]}"
    return page, log
