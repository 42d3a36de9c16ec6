"""Fixtures for tests of the *built* site (run after ``scripts/build-book``).

``SCALING_BOOK_SITE`` points at the instructor site (default ``book/_build/html``) and
``SCALING_BOOK_STUDENT_SITE`` at the student edition (default
``book/_student/_build/html``, built by ``scripts/build-book --student``).
"""

from __future__ import annotations

import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def _site(env: str, default: Path) -> Path:
    return Path(os.environ.get(env, default)).resolve()


SITE = _site("SCALING_BOOK_SITE", BOOK / "_build" / "html")
STUDENT_SITE = _site("SCALING_BOOK_STUDENT_SITE", BOOK / "_student" / "_build" / "html")


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
