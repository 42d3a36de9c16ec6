"""Gather every chapter's scorecard, publish ``scorecard.json``, render summary tables.

Each chapter's scorecard table (``helpers.scorecard.Scorecard.to_html``) embeds its
claims as JSON in a ``<script class="scorecard-data">`` block. After all documents are
read (and executed), this extension collects those blocks from the doctrees, writes
them to ``scorecard.json`` at the root of the site, and renders from that file:

``{scorecard-table}``
    every claim of every chapter (the Scorecard page);
``{findings-table}``
    the claims a chapter marked ``headline=True`` (the landing page), each linked to
    the section that computes it.

``{build-info}`` lists the versions of ``helpers`` and the key libraries used by the
build (the Execution status page).

Downloads: the page's ".ipynb" download serves ``_sources/<page>.ipynb``; at the end of
the build it is replaced by the *executed* notebook (from ``jupyter_execute/``), so a
reader gets the outputs of this build as well as the code, with the markdown cells as
written in the source (which JupyterLab renders with jupyterlab-myst).

Student edition: with ``SCALING_BOOK_EDITION=student`` in the environment, solution
nodes are dropped from every page as it is written (``render``), and the downloadable notebooks in
``_sources/`` are stripped of ``{solution}`` blocks and of cells tagged ``solution``.
"""

from __future__ import annotations

import html
import json
import os
import platform
import re
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx_exercise.nodes import solution_node

from helpers import scorecard as sc

logger = logging.getLogger(__name__)
DATA_RX = re.compile(r'<script type="application/json" class="scorecard-data">(.*?)</script>', re.S)
JSON_NAME = "scorecard.json"
EDITION_ENV = "SCALING_BOOK_EDITION"
EDITION_MARK = "@@EDITION@@"
SOLUTION_RX = re.compile(r"^:::\{solution\}.*?^:::[ \t]*$\n?", re.S | re.M)
VERSIONED = [
    "scaling-laws-reproduced",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "seaborn",
    "joblib",
    "pooch",
    "jupyter-book",
    "myst-nb",
    "sphinx",
    "sphinx-book-theme",
    "sphinx-exercise",
    "ipykernel",
]


def student_edition() -> bool:
    """Whether this build is the student edition (solutions removed)."""
    return os.environ.get(EDITION_ENV, "").strip().lower() == "student"


class results_placeholder(nodes.General, nodes.Element):
    """Replaced by a table once every chapter has been read."""


class ScorecardTable(SphinxDirective):
    """Every claim of every chapter, as one table."""

    headline = False

    def run(self) -> list[nodes.Node]:
        node = results_placeholder()
        node["headline"] = self.headline
        return [node]


class FindingsTable(ScorecardTable):
    """The chapters' headline claims, as one table."""

    headline = True


class BuildInfo(SphinxDirective):
    """Versions of helpers, Python and the key libraries used by this build."""

    def run(self) -> list[nodes.Node]:
        rows = [("Python", platform.python_version()), ("platform", platform.platform())]
        for dist in VERSIONED:
            try:
                rows.append((dist, version(dist)))
            except PackageNotFoundError:
                rows.append((dist, "not installed"))
        rows.append(("CPU cores", str(os.cpu_count())))
        built = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        rows.append(("built", built))
        rows.append(("edition", EDITION_MARK))  # filled in when written (see render)
        body = "".join(
            f"<tr><td>{html.escape(k)}</td><td><code>{html.escape(v)}</code></td></tr>"
            for k, v in rows
        )
        table = (
            '<table class="build-info"><thead><tr><th>component</th><th>version</th>'
            f"</tr></thead><tbody>{body}</tbody></table>"
        )
        return [nodes.raw("", table, format="html")]


def _claims_in(doctree: nodes.document) -> list[dict[str, Any]]:
    found = []
    for raw in doctree.findall(nodes.raw):
        for match in DATA_RX.finditer(raw.astext()):
            found += json.loads(match.group(1))
    return found


def reading_order(env: BuildEnvironment) -> list[str]:
    """Every document in the order a reader meets it: the table of contents, depth
    first from the root, then any document outside it (by name)."""
    order: list[str] = []

    def walk(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(env.config.root_doc)
    return order + sorted(set(env.found_docs) - set(order))


def collect(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """After reading: gather claims in reading order, write scorecard.json, list pages
    to rewrite."""
    claims: list[dict[str, Any]] = []
    with_tables: list[str] = []
    for docname in reading_order(env):
        if docname not in env.all_docs:
            continue
        doctree = env.get_doctree(docname)
        title = env.titles[docname].astext() if docname in env.titles else docname
        for claim in _claims_in(doctree):
            claims.append({**claim, "docname": docname, "chapter_title": title})
        if any(True for _ in doctree.findall(results_placeholder)):
            with_tables.append(docname)
    out = Path(app.outdir)
    out.mkdir(parents=True, exist_ok=True)
    (out / JSON_NAME).write_text(json.dumps(claims, indent=2, ensure_ascii=False) + "\n")
    return with_tables


def _table(app: Sphinx, fromdoc: str, claims: list[dict[str, Any]], headline: bool) -> str:
    head = ["Chapter", "Claim", "Source", "Paper", "This build", "Tolerance or test", "Status"]
    if not headline:
        head.append("Note")
    rows = []
    for record in claims:
        c = sc.claim_from_dict(record)
        uri = app.builder.get_relative_uri(fromdoc, record["docname"])
        link = f"{uri}#{c.anchor}" if c.anchor else uri
        cells = sc.claim_cells(c)
        cells["claim"] = f'<a href="{html.escape(link)}">{cells["claim"]}</a>'
        if headline:
            del cells["note"]
        chapter = (
            f'<a href="{html.escape(uri)}" title="{html.escape(record["chapter_title"])}">'
            f"{html.escape(c.chapter.replace('_', ' ').capitalize())}</a>"
        )
        row = [chapter, *cells.values()]
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in row) + "</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(head)}">No claims in this build.</td></tr>')
    css = "scorecard findings" if headline else "scorecard all-claims"
    return (
        f'<div class="scorecard-wrap"><table class="{css}"><thead><tr>'
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


def render(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace placeholders by tables read back from scorecard.json; name the edition.

    The student edition drops the solutions here, when each page is written, rather than
    when it is read (sphinx-exercise's ``hide_solutions``, a config value that forces
    every page to be read, so executed, again). So the student edition is written from the
    instructor build's doctrees with no chapter executed a second time; the search index
    is fed from this resolved doctree, so it holds no solution text either.
    """
    edition = "student" if student_edition() else "instructor (with solutions)"
    for raw in doctree.findall(nodes.raw):
        if EDITION_MARK in raw.astext():
            text = raw.astext().replace(EDITION_MARK, edition)
            raw.replace_self(nodes.raw("", text, format="html"))
    if student_edition():
        for node in list(doctree.findall(solution_node)):
            node.parent.remove(node)
    placeholders = list(doctree.findall(results_placeholder))
    if not placeholders:
        return
    claims = json.loads((Path(app.outdir) / JSON_NAME).read_text())
    for node in placeholders:
        headline = node["headline"]
        chosen = [c for c in claims if c.get("headline")] if headline else claims
        node.replace_self(nodes.raw("", _table(app, docname, chosen, headline), format="html"))


def configure_edition(app: Sphinx, config: Config) -> None:
    if student_edition():
        config.html_title = f"{config.html_title or config.project} (student edition)"


def finish_downloads(app: Sphinx, exception: Exception | None) -> None:
    """Serve executed notebooks as downloads; in the student edition, strip solutions."""
    if exception is not None:
        return
    sources = Path(app.outdir) / "_sources"
    executed = Path(app.outdir).parent / "jupyter_execute"
    for nb in executed.rglob("*.ipynb"):
        target = sources / nb.relative_to(executed)
        original = Path(app.srcdir) / nb.relative_to(executed)
        if target.is_file() and original.is_file():
            target.write_text(executed_with_sources(nb, original), encoding="utf-8")
    if student_edition():
        strip_solutions(sources)


def executed_with_sources(executed: Path, original: Path) -> str:
    """The executed notebook with the markdown of the original, as its author wrote it.

    The build rewrites citations and figure references for Sphinx before executing
    (``portable_myst``); a reader who opens the download in JupyterLab gets the portable
    form back, which jupyterlab-myst renders.
    """
    nb = json.loads(executed.read_text(encoding="utf-8"))
    src = json.loads(original.read_text(encoding="utf-8"))
    if len(nb["cells"]) == len(src["cells"]):
        for cell, orig in zip(nb["cells"], src["cells"], strict=True):
            if cell["cell_type"] == "markdown" == orig["cell_type"]:
                cell["source"] = orig["source"]
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def strip_solutions(sources: Path) -> None:
    """Remove solution blocks and ``solution``-tagged cells from downloadable sources."""
    for src in sources.rglob("*"):
        if src.suffix == ".ipynb":
            nb = json.loads(src.read_text())
            kept = []
            for cell in nb["cells"]:
                if "solution" in cell.get("metadata", {}).get("tags", []):
                    continue
                if cell["cell_type"] == "markdown":
                    text = SOLUTION_RX.sub("", "".join(cell["source"]))
                    cell["source"] = text.splitlines(keepends=True)
                kept.append(cell)
            nb["cells"] = kept
            src.write_text(json.dumps(nb, indent=1, ensure_ascii=False))
        elif src.suffix in {".md", ".txt"}:
            src.write_text(SOLUTION_RX.sub("", src.read_text()))


def no_second_execution(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """With ``SCALING_BOOK_DERIVED=1`` (the student edition written from the instructor
    build's doctrees by ``scripts/build-book --student``), reading a page again would
    execute its notebook a second time: fail instead."""
    if os.environ.get("SCALING_BOOK_DERIVED") == "1" and docnames:
        logger.warning(
            f"the derived student edition would read (and execute) again: {sorted(docnames)}; "
            "is the instructor build in book/_build current?",
            type="book_results",
        )


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("env-before-read-docs", no_second_execution)
    app.add_node(results_placeholder)
    app.add_directive("scorecard-table", ScorecardTable)
    app.add_directive("findings-table", FindingsTable)
    app.add_directive("build-info", BuildInfo)
    app.connect("config-inited", configure_edition)
    app.connect("env-updated", collect)
    app.connect("doctree-resolved", render)
    app.connect("build-finished", finish_downloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": False}
