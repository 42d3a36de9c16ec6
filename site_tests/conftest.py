"""Fixtures for tests of the *built* site (run after ``scripts/build-book``).

``SCALING_BOOK_SITE`` points at the instructor site (default ``book/_build/html``) and
``SCALING_BOOK_STUDENT_SITE`` at the student edition (default
``book/_student/_build/html``, built by ``scripts/build-book --student``).
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not fetch drivers

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def _site(env: str, default: Path) -> Path:
    return Path(os.environ.get(env, default)).resolve()


SITE = _site("SCALING_BOOK_SITE", BOOK / "_build" / "html")
STUDENT_SITE = _site("SCALING_BOOK_STUDENT_SITE", BOOK / "_student" / "_build" / "html")
SHOTS = SITE.parent / "screenshots"
WAIT = 30


def toc_pages() -> list[str]:
    """Every page named in ``_toc.yml`` (root first), without suffix, in reading order."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                pages.append(str(Path(entry["file"]).with_suffix("")))
            for key in ("chapters", "sections"):
                walk(entry.get(key, []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return pages


def chapter_pages() -> list[str]:
    """Pages whose source is a notebook (the chapters)."""
    return [p for p in toc_pages() if (BOOK / f"{p}.ipynb").is_file()]


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}: run scripts/build-book first")
    return SITE


@pytest.fixture(scope="session")
def student_site() -> Path:
    if not (STUDENT_SITE / "index.html").is_file():
        pytest.fail(f"no student edition at {STUDENT_SITE}: run scripts/build-book --student")
    return STUDENT_SITE


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output readable
        pass


@pytest.fixture(scope="session")
def server(site: Path):
    """Serve the site on 127.0.0.1 (an ephemeral port) for the session."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get(
    "CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver"
)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium that reaches 127.0.0.1 only (every other host: not found)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).is_file()]
    if missing:
        pytest.fail(
            f"no browser: {missing} not found. Install Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver) or set CHROMIUM/CHROMEDRIVER."
        )
    profile = tempfile.mkdtemp(prefix="site-test-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
        # no network: every host but the local server resolves to nothing
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def full_page_screenshot(driver, page: str) -> Path:
    """Save a screenshot of the whole page (not just the window) as SHOTS/<page>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    width, height = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollHeight]"
    )
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path = SHOTS / f"{page.replace('/', '_')}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path
