"""The web page in a real headless browser: Debian's chromium driven by Playwright.

A real ``kompred serve`` (uvicorn) runs on 127.0.0.1 on a free port. The browser is the system's
/usr/bin/chromium (``apt-get install chromium``; .ci/run installs it); Playwright never downloads
one. Without it these tests skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kompred.datasets import stockholm_path

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists() and os.environ.get("CI"):
    # CI installs the browser (.ci/run); a silent skip there would hide a broken install
    pytest.fail(f"{CHROMIUM} not found in CI: .ci/run should have installed it", pytrace=False)
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: install Debian's browser with 'apt-get install -y chromium' "
                "(.ci/run does)", allow_module_level=True)
pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="Playwright is not installed (it is in the dev extra)")


DRAFT = ("Vi vill bjuda in en föreläsare en eftermiddag om palliativ vård för personalen på vårt "
         "äldreboende. Kostnad 40 000 kr, ca 60 deltagare.")
INJECTED = "<script>window.__injected = 1; alert('x')</script>"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kompred.cli", "serve", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # loading and warming the models takes ~15 s here
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kompred serve did not start:\n{log.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, locale="sv-SE")
    pg = ctx.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    ctx.close()


def test_check_form_in_the_browser(server, page, tmp_path):
    page.goto(server + "/")
    # keyboard first: the first Tab reaches the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
    page.get_by_label("Rubrik").fill("Föreläsning om palliativ vård " + INJECTED)
    page.get_by_label("Hela utkastet").fill(DRAFT + " " + INJECTED)
    page.get_by_role("button", name="Kontrollera utkastet").click()
    page.wait_for_selector("#resultat")
    assert page.locator("#amne").inner_text().startswith("äldre")
    assert "osäkerhetsintervall" in page.locator("#sannolikhet").inner_text()
    lecture = page.locator('li[data-code="one_off_lecture"]')
    assert lecture.count() == 1 and "föreläsning" in lecture.inner_text().lower()
    assert page.locator("table.checklista tbody tr").count() >= 5
    # the injected script is text in the form, never run
    assert INJECTED in page.get_by_label("Hela utkastet").input_value()
    assert page.evaluate("window.__injected") is None and page.dialogs == []
    page.screenshot(path=str(tmp_path / "check.png"), full_page=True)
    assert (tmp_path / "check.png").stat().st_size > 10_000


def test_empty_form_shows_the_message(server, page):
    page.goto(server + "/")
    page.get_by_role("button", name="Kontrollera utkastet").click()
    alert = page.get_by_role("alert")
    assert "behöver en text" in alert.inner_text()


def test_upload_a_table_and_read_the_report(server, page):
    page.goto(server + "/analys")
    page.get_by_label("Fil med ansökningar och beslut").set_input_files(str(stockholm_path()))
    page.get_by_role("button", name="Analysera tabellen").click()
    # the job page refreshes itself until the report is there
    page.wait_for_selector("#antal", timeout=240_000)
    assert page.locator("#antal").inner_text() == "73"
    assert "syntetiska" in page.locator("#ursprung").inner_text()
    assert page.locator("img[alt='Beslut per år']").evaluate("img => img.naturalWidth") > 100
    assert page.get_by_role("link", name="Ladda ned rapportmappen (zip)").count() == 1
