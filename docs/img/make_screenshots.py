"""Take the README's screenshots of the web page: docs/img/web_check.png and web_analys.png.

Starts ``kompred serve`` on a free port of 127.0.0.1, drives Debian's headless chromium
(/usr/bin/chromium) with Playwright, fills the check form with the README's example draft and
uploads the bundled (synthetic) dataset on the analysis page. Run from the repository root::

    python docs/img/make_screenshots.py
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from kompred.datasets import stockholm_path

HERE = Path(__file__).resolve().parent
DRAFT = ("Vi vill bjuda in en föreläsare en eftermiddag om palliativ vård för personalen på vårt "
         "äldreboende. Kontaktperson Kim, 811218-9876. Kostnad 40 000 kr, ca 60 deltagare.")


def main() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kompred.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="sv-SE")
            page.goto(url + "/")
            page.get_by_label("Rubrik").fill("Föreläsning om palliativ vård")
            page.get_by_label("Hela utkastet").fill(DRAFT)
            page.get_by_role("button", name="Kontrollera utkastet").click()
            page.wait_for_selector("#resultat")
            # the result, from its heading down: the part the README talks about
            top = page.evaluate("document.querySelector('#resultat').getBoundingClientRect().top"
                                " + window.scrollY") - 10
            page.screenshot(path=str(HERE / "web_check.png"), full_page=True,
                            clip={"x": 0, "y": top, "width": 1100, "height": 1500})

            page.goto(url + "/analys")
            page.get_by_label("Fil med ansökningar och beslut").set_input_files(str(stockholm_path()))
            page.get_by_role("button", name="Analysera tabellen").click()
            page.wait_for_selector("#antal", timeout=300_000)
            page.screenshot(path=str(HERE / "web_analys.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1100, "height": 1500})
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for name in ("web_check.png", "web_analys.png"):
        print(f"{HERE / name}: {(HERE / name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
