"""The built site in a real browser: Debian's Chromium, driven by Selenium, offline.

The site is served on 127.0.0.1 and every other host name resolves to nothing
(``--host-resolver-rules``), so a page that needs the network shows it here. For every
page of the table of contents: math is typeset by MathJax, every image loads, no
traceback/error/unresolved glue, chapters show a scorecard and a working .ipynb
download, and next/previous navigation follows the table of contents. The search page
finds a chapter. A full-page screenshot of each page is saved under
``book/_build/screenshots/``.

Needs ``chromium`` and ``chromium-driver`` (Debian packages; ``.ci/run`` installs them):
``CHROMIUM`` and ``CHROMEDRIVER`` override their paths (the ``browser`` fixture is in
``conftest.py``, shared with the JupyterLab test).
"""

from __future__ import annotations

import itertools
import json

import pytest
import yaml
from conftest import BOOK, WAIT, chapter_pages, full_page_screenshot, toc_pages
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def _open(driver, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _typeset(driver) -> int:
    """Wait for MathJax to finish; return the number of typeset formulas."""
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const count = () => document.querySelectorAll('mjx-container').length;
        if (!document.querySelector('.math')) { done(0); return; }
        const wait = (n) => {
          if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            MathJax.startup.promise.then(() => done(count()), () => done(-1));
          } else if (n > 0) { setTimeout(() => wait(n - 1), 100); } else { done(-2); }
        };
        wait(100);
        """
    )


@pytest.mark.parametrize("page", toc_pages())
def test_page_renders_offline(browser, server, page):
    _open(browser, f"{server}/{page}.html")
    math_nodes = browser.execute_script("return document.querySelectorAll('.math').length")
    typeset = _typeset(browser)
    assert typeset >= 0, f"{page}: MathJax did not load (code {typeset}); is it served locally?"
    if math_nodes:
        assert typeset >= math_nodes, f"{page}: {typeset} of {math_nodes} formulas typeset"
    text = browser.execute_script("return document.body.innerText")
    for raw in ["\\(", "\\[", "$$", "{glue", "Traceback"]:
        assert raw not in text, f"{page}: {raw!r} left in the rendered text"
    assert not browser.find_elements(By.CSS_SELECTOR, ".output.error, .output.traceback")
    WebDriverWait(browser, WAIT).until(
        lambda d: d.execute_script("return [...document.images].every(i => i.complete)")
    )
    broken = browser.execute_script(
        "return [...document.images].filter(i => i.naturalWidth === 0).map(i => i.src)"
    )
    assert not broken, f"{page}: images that did not load: {broken}"
    outside = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith(location.origin) && !n.startsWith('data:'))"
    )
    assert not outside, f"{page}: requests left the local server: {outside}"
    if page in chapter_pages() or page in {"scorecard", "intro"}:
        assert browser.find_elements(By.CSS_SELECTOR, "table.scorecard"), f"{page}: no scorecard"
    assert full_page_screenshot(browser, page).stat().st_size > 10_000


def _arrives(driver, page: str) -> None:
    WebDriverWait(driver, WAIT).until(lambda d: d.current_url.endswith(f"/{page}.html"))


def test_next_and_previous_follow_the_table_of_contents(browser, server):
    pages = toc_pages()
    for here, after in itertools.pairwise(pages):
        _open(browser, f"{server}/{here}.html")
        browser.find_element(By.CSS_SELECTOR, "a.right-next").click()
        _arrives(browser, after)
        browser.find_element(By.CSS_SELECTOR, "a.left-prev").click()
        _arrives(browser, here)


def test_search_finds_a_chapter(browser, server):
    _open(browser, f"{server}/search.html?q=Chinchilla")
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li")
    )
    links = [
        a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "#search-results li a")
    ]
    assert any("01_primer" in (href or "") for href in links), links


@pytest.mark.parametrize("page", chapter_pages())
def test_download_ipynb_button_gives_the_notebook(browser, server, page):
    _open(browser, f"{server}/{page}.html")
    links = browser.find_elements(By.CSS_SELECTOR, 'a[href*="_sources/"][href$=".ipynb"]')
    assert links, f"{page}: no .ipynb download link"
    result = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(r => r.text().then(t => done([r.status, t])))
          .catch(e => done([0, String(e)]));
        """,
        links[0].get_attribute("href"),
    )
    status, body = result
    assert status == 200, f"{page}: download returned {status}"
    nb = json.loads(body)
    assert nb["nbformat"] == 4 and len(nb["cells"]) > 10
    outputs = sum(len(c.get("outputs", [])) for c in nb["cells"] if c["cell_type"] == "code")
    assert outputs > 0, f"{page}: the download is not the executed notebook"


def test_launch_buttons_come_from_the_repository_url(browser, server):
    url = yaml.safe_load((BOOK / "_config.yml").read_text())["repository"]["url"]
    repo = url.rstrip("/").removeprefix("https://github.com/")
    _open(browser, f"{server}/{chapter_pages()[0]}.html")
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.CSS_SELECTOR, "a")]
    binder = [h for h in hrefs if "mybinder.org" in h]
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    assert binder and all(repo in h for h in binder), binder
    assert colab and all(repo in h for h in colab), colab
