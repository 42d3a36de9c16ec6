"""Static checks of the built site: pages, errors, glue, scorecard.json, student edition."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import BOOK, chapter_pages, toc_pages

BAD = {
    "a traceback": re.compile(r"Traceback \(most recent call last\)"),
    "error output": re.compile(r'class="[^"]*\b(output error|traceback)\b'),
    "unresolved glue": re.compile(r"\{glue(:\w+)?\}|[Pp]ending glue"),
    "an unevaluated {eval} role": re.compile(r"\{eval\}"),
}
DATA_RX = re.compile(r'<script type="application/json" class="scorecard-data">(.*?)</script>', re.S)


def _html(site: Path, page: str) -> str:
    path = site / f"{page}.html"
    assert path.is_file(), f"{path} is missing"
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("page", toc_pages())
def test_page_exists_and_is_clean(site, page):
    text = _html(site, page)
    problems = [what for what, rx in BAD.items() if rx.search(text)]
    assert not problems, f"{page}.html has {problems}"


@pytest.mark.parametrize("page", chapter_pages())
def test_chapter_has_scorecard_and_captioned_figures(site, page):
    text = _html(site, page)
    assert 'class="scorecard"' in text, f"{page}.html shows no scorecard"
    content = r'<img[^>]*src="_images/'  # figures made by the chapter (not theme icons)
    images = re.findall(content, text)
    figures = re.findall(r"<figure[^>]*>.*?</figure>", text, re.S)
    captioned = sum(len(re.findall(content, f)) for f in figures if "<figcaption" in f)
    assert images, f"{page}.html has no figure"
    assert len(images) == captioned, (
        f"{page}.html: {len(images) - captioned} image(s) lack a caption"
    )


def test_offline_mathjax_is_in_the_site(site):
    assert (site / "mathjax" / "tex-mml-chtml.js").is_file()
    index = _html(site, "intro")
    assert "mathjax/tex-mml-chtml.js" in index and "cdn.jsdelivr" not in index


def _page_claims(site: Path) -> list[dict]:
    claims = []
    for page in chapter_pages():
        for block in DATA_RX.findall(_html(site, page)):
            claims += [{**c, "docname": page} for c in json.loads(block)]
    return claims


def test_scorecard_json_matches_the_chapter_pages(site):
    published = json.loads((site / "scorecard.json").read_text())
    shown = _page_claims(site)
    assert shown, "no chapter shows a scorecard"
    keys = ["docname", "chapter", "kind", "claim", "paper_value", "reproduced", "estimate"]
    keys += ["interval", "status", "tolerance"]
    assert [{k: c.get(k) for k in keys} for c in published] == [
        {k: c.get(k) for k in keys} for c in shown
    ]
    for claim in published:
        assert claim["status"] in {"reproduced", "differs", "inconclusive", "not reproducible here"}


def test_scorecard_page_renders_every_claim_of_the_json(site):
    published = json.loads((site / "scorecard.json").read_text())
    table = re.search(
        r'<table class="scorecard all-claims">(.*?)</table>', _html(site, "scorecard"), re.S
    )
    assert table, "the scorecard page has no table of all claims"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)[1:]  # skip the header
    assert len(rows) == len(published)
    for row, claim in zip(rows, published, strict=True):
        text = html.unescape(re.sub(r"<[^>]+>", " ", row))
        assert claim["claim"] in text and claim["status"] in text


def test_findings_table_lists_the_headline_claims(site):
    published = json.loads((site / "scorecard.json").read_text())
    headline = [c["claim"] for c in published if c["headline"]]
    assert headline, "no chapter marks a headline claim"
    table = re.search(
        r'<table class="scorecard findings">(.*?)</table>', _html(site, "intro"), re.S
    )
    assert table, "the landing page has no findings table"
    text = html.unescape(table.group(1))
    assert all(claim in text for claim in headline)
    assert all(f'#{c["anchor"]}"' in table.group(1) for c in published if c["headline"])


# --- student edition -----------------------------------------------------------------

SOLUTION_RX = re.compile(r"^:::\{solution\}[^\n]*\n(.*?)^:::[ \t]*$", re.S | re.M)


def solution_phrases() -> list[str]:
    """Runs of six plain words from every solution in the chapter sources."""
    phrases = []
    for nb_path in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(nb_path.read_text())
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        for body in SOLUTION_RX.findall(text):
            for line in body.splitlines():
                words = line.split()
                plain = [w for w in words if re.fullmatch(r"[A-Za-z][a-z]+[,.;]?", w)]
                if len(plain) == len(words) and len(words) >= 6:
                    phrases.append(" ".join(words[:6]))
                    break
    return phrases


def _site_text(site: Path) -> str:
    chunks = []
    for path in site.rglob("*"):
        if (
            path.suffix in {".html", ".ipynb", ".md", ".txt", ".js", ".json"}
            and "mathjax" not in path.parts
        ):
            chunks.append(html.unescape(path.read_text(encoding="utf-8", errors="replace")))
    return re.sub(r"\s+", " ", "\n".join(chunks).replace("\\n", " "))


def test_there_are_solutions_to_probe():
    assert len(solution_phrases()) >= len(list(BOOK.glob("[0-9][0-9]_*.ipynb")))


def test_instructor_edition_has_the_solutions(site):
    text = _site_text(site)
    missing = [p for p in solution_phrases() if p not in text]
    assert not missing, f"solutions missing from the instructor edition: {missing}"


def test_student_edition_has_no_solution_text(student_site):
    text = _site_text(student_site)
    leaked = [p for p in solution_phrases() if p in text]
    assert not leaked, f"solution text in the student edition: {leaked}"
    assert "student edition" in _html(student_site, "intro")
    exercises = _html(student_site, chapter_pages()[0])
    assert "Exercise" in exercises, "the student edition must keep the exercises"
