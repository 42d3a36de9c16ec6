"""MyST that reads the same in JupyterLab (jupyterlab-myst) and in the built book.

jupyterlab-myst renders definitions, exercises, equations, ``{ref}``/``{eq}`` and
``{eval}`` roles, but it cannot read a BibTeX file (``{cite:t}`` shows as a bare key
with a warning mark), it cannot see a figure whose label lives in a code cell's
metadata (``{numref}`` shows the label with a warning mark), and it renders nothing for
the ``{bibliography}`` directive. So the chapters write these three things as plain
Markdown, which both renderers understand, and this extension turns them into the
Sphinx constructs when the book is built (``source-read``, before myst-nb parses):

``[Hoffmann et al. (2022)](#cite-hoffmann2022chinchilla)``
    a textual citation -> ``{cite:t}`hoffmann2022chinchilla```;
``([Huber, 1964](#cite-huber1964robust))``, ``([A, 2020](#cite-a); [B, 2021](#cite-b))``
    a parenthetical citation -> ``{cite:p}`huber1964robust```, ``{cite:p}`a,b```;
``[the figure](#fig-primer-synthetic)``
    a figure reference -> ``{numref}`fig-primer-synthetic``` ("Fig. 1.1");
a markdown cell that starts with ``## References``
    its body (the reference list ``scripts/sync-references`` writes from
    ``references.bib`` for JupyterLab readers) -> the ``{bibliography}`` directive
    filtered to the chapter's citations. Each chapter's citation keys get the prefix
    ``<docname>-`` (``:keyprefix:``), so a work cited in two chapters is no duplicate.

The build fails (a warning, and warnings are errors) when a citation's key is not in
the bibliography, when its text does not name the first author and the year, or when
a chapter's reference list is out of date. The downloadable notebooks keep the
Markdown as written (``book_results`` copies the sources back), with this build's
``{eval}`` results stored as jupyterlab-myst stores them, so their prose shows numbers.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

BOOK = Path(__file__).resolve().parents[1]
BIB = BOOK / "references.bib"
EVAL_RX = re.compile(r"\{eval\}`([^`]+)`")
LINK = r"\[(?P<text>[^\]]+)\]\(#cite-(?P<key>[\w:.-]+)\)"
LINK_RX = re.compile(LINK)
# one or more citation links, separated by ";", inside parentheses
_MORE = LINK.replace("?P<", "?P<_")  # the same link again (group names must differ)
PAREN_RX = re.compile(r"\(\s*(?P<links>" + LINK + r"(?:\s*;\s*" + _MORE + r")*)\s*\)")
FIGURE_RX = re.compile(r"\[(?P<text>[^\]]+)\]\(#(?P<name>fig-[\w-]+)\)")
REFERENCES_RX = re.compile(r"\A(## References[ \t]*\n)(.*)\Z", re.S)
BIBLIOGRAPHY = "```{bibliography}\n:filter: docname in docnames\n```\n"
LIST_NOTE = (
    "<!-- Written by scripts/sync-references from references.bib: the works cited in this\n"
    "notebook, for JupyterLab. The book shows its own bibliography here. -->\n"
)


@cache
def _bibliography(path: Path = BIB):
    from pybtex.database import parse_file

    return parse_file(str(path))


def cited_keys(markdown: str) -> list[str]:
    """Keys of every ``[text](#cite-key)`` link, in order of first appearance."""
    return list(dict.fromkeys(m["key"] for m in LINK_RX.finditer(markdown)))


def _plain(text: str) -> str:
    """Lower-case ASCII letters and digits only (``{\\'e}`` -> ``e``)."""
    text = re.sub(r"\\.|[{}]", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def citation_problems(markdown: str, path: Path = BIB) -> list[str]:
    """Citations whose key is unknown or whose text misses the first author or year."""
    entries = _bibliography(path).entries
    problems = []
    for m in LINK_RX.finditer(markdown):
        key, text = m["key"], m["text"]
        if key not in entries:
            problems.append(f"unknown citation key {key!r} (not in {path.name})")
            continue
        entry = entries[key]
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        surname = _plain(" ".join(people[0].last_names)) if people else ""
        year = entry.fields.get("year", "")
        if surname not in _plain(text) or year not in text:
            problems.append(f"citation {text!r} of {key!r} should name {surname!r} and {year}")
    return problems


def reference_list(keys: Iterable[str], path: Path = BIB) -> str:
    """A Markdown bullet list of the works ``keys``, formatted from the BibTeX file.

    Sorted by first author, year and title (the order of the book's bibliography).
    """
    import pybtex.plugin

    entries = _bibliography(path).entries
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", "plain")()
    backend = pybtex.plugin.find_plugin("pybtex.backends", "markdown")()
    lines = []
    for formatted in style.format_entries([entries[k] for k in keys if k in entries]):
        lines.append("* " + " ".join(formatted.text.render(backend).split()))
    return "\n".join(lines)


def references_cell(markdown_cells: Iterable[str], path: Path = BIB) -> str:
    """The References cell for a notebook whose markdown cells are ``markdown_cells``."""
    keys = cited_keys("\n".join(markdown_cells))
    body = reference_list(keys, path) if keys else "No works are cited in this chapter."
    return f"## References\n\n{LIST_NOTE}\n{body}\n"


def to_sphinx(markdown: str, prefix: str = "") -> str:
    """Rewrite the portable forms of one markdown cell as Sphinx MyST roles.

    ``prefix`` is the chapter's key prefix: each chapter's bibliography lists its works
    under its own prefix (``:keyprefix:``), so a work cited in several chapters is no
    duplicate citation.
    """

    def paren(m: re.Match) -> str:
        keys = [prefix + k["key"] for k in LINK_RX.finditer(m["links"])]
        return "{cite:p}`" + ",".join(keys) + "`"

    markdown = PAREN_RX.sub(paren, markdown)
    markdown = LINK_RX.sub(lambda m: "{cite:t}`" + prefix + m["key"] + "`", markdown)
    markdown = FIGURE_RX.sub(lambda m: "{numref}`" + m["name"] + "`", markdown)
    refs = REFERENCES_RX.match(markdown)
    if refs:
        bibliography = BIBLIOGRAPHY
        if prefix:
            bibliography = bibliography.replace("\n```", f"\n:keyprefix: {prefix}\n```", 1)
        markdown = refs[1] + "\n" + bibliography
    return markdown


def key_prefix(docname: str) -> str:
    """The citation key prefix of a chapter: its name, e.g. ``01_primer-``."""
    return re.sub(r"[^\w-]", "-", docname) + "-"


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def convert_notebook(docname: str, text: str) -> str:
    """The notebook JSON ``text`` with every markdown cell rewritten for Sphinx."""
    nb = json.loads(text)
    markdown = [_source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    for problem in citation_problems("\n".join(markdown)):
        logger.warning(f"{docname}: {problem}", type="portable_myst", location=docname)
    refs = [m for m in markdown if REFERENCES_RX.match(m)]
    others = [m for m in markdown if m is not refs[-1]] if refs else markdown
    if refs and refs[-1].rstrip() != references_cell(others).rstrip():
        logger.warning(
            f"{docname}: the References list is out of date; run scripts/sync-references",
            type="portable_myst",
            location=docname,
        )
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = to_sphinx(_source(cell), key_prefix(docname))
    return json.dumps(nb, ensure_ascii=False)


def _names(key: str) -> tuple[str, str]:
    """("Hoffmann et al.", "2022") for a key of the bibliography."""
    entry = _bibliography().entries[key]
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [re.sub(r"[{}]", "", " ".join(p.prelast_names + p.last_names)) for p in people]
    if len(last) > 2:
        who = f"{last[0]} et al."
    else:
        who = " and ".join(last) or key
    return who, entry.fields.get("year", "n.d.")


def from_sphinx(markdown: str) -> str:
    """Rewrite ``{cite:t}``, ``{cite:p}`` and ``{numref}`` to a figure in portable form."""

    entries = _bibliography().entries

    def unprefixed(m: re.Match) -> re.Match | str:
        """Drop a chapter's own key prefix (``mult-key`` -> ``key``), which is automatic now."""
        keys = [k.strip() for k in m["keys"].split(",")]
        keys = [k if k in entries else k.split("-", 1)[-1] for k in keys]
        return m[0].replace(m["keys"], ",".join(keys))

    markdown = re.sub(r"\{cite:[tp]\}`(?P<keys>[^`]+)`", unprefixed, markdown)

    def textual(m: re.Match) -> str:
        if any(k.strip() not in entries for k in m["keys"].split(",")):
            return m[0]  # unknown keys stay as they are (the build reports them)
        links = []
        for key in m["keys"].split(","):
            who, year = _names(key.strip())
            links.append(f"[{who} ({year})](#cite-{key.strip()})")
        return "; ".join(links)

    def parenthetical(m: re.Match) -> str:
        if any(k.strip() not in entries for k in m["keys"].split(",")):
            return m[0]
        links = []
        for key in m["keys"].split(","):
            who, year = _names(key.strip())
            links.append(f"[{who}, {year}](#cite-{key.strip()})")
        return "(" + "; ".join(links) + ")"

    def figure(m: re.Match) -> str:
        before = markdown[: m.start()].rstrip()
        start = not before or before.endswith((".", ":", "!", "?"))
        return f"[{'The' if start else 'the'} figure](#{m['name']})"

    markdown = re.sub(r"\{cite:t\}`(?P<keys>[^`]+)`", textual, markdown)
    markdown = re.sub(r"\{cite:p\}`(?P<keys>[^`]+)`", parenthetical, markdown)
    return re.sub(r"\{numref\}`(?P<name>fig-[\w-]+)`", figure, markdown)


def sync_notebook(path: Path) -> bool:
    """Write ``path`` in portable form with an up-to-date References list.

    Returns whether the file changed.
    """
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    cells = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    for cell in cells:
        cell["source"] = from_sphinx(_source(cell)).splitlines(keepends=True)
    refs = [c for c in cells if REFERENCES_RX.match(_source(c))]
    if refs:
        new = references_cell(_source(c) for c in cells if c is not refs[-1])
        refs[-1]["source"] = new.rstrip("\n").splitlines(keepends=True)
    out = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if out != text:
        path.write_text(out, encoding="utf-8")
    return out != text


def _record_evals() -> None:
    """Record each ``{eval}`` result myst-nb computes, per page, in the environment.

    The downloadable notebooks get them as jupyterlab-myst's ``user_expressions`` cell
    metadata, so their prose shows this build's numbers in JupyterLab before any cell is
    run (as their outputs do). Kept in the pickled environment, so an edition written
    from the same doctrees (the student edition) has them too.
    """
    from myst_nb.ext import eval as nb_eval

    if getattr(nb_eval.retrieve_eval_data, "portable_myst", False):
        return
    original = nb_eval.retrieve_eval_data

    def retrieve_eval_data(document, key):
        outputs = original(document, key)
        env = getattr(document.settings, "env", None)
        if env is not None:
            texts = [o.data.get("text/plain") for o in outputs if "text/plain" in o.data]
            if texts:
                records = env.__dict__.setdefault("portable_myst_evals", {})
                records.setdefault(env.docname, []).append((key, texts[0]))
        return outputs

    retrieve_eval_data.portable_myst = True
    nb_eval.retrieve_eval_data = retrieve_eval_data


def _purge_evals(app: Sphinx, env, docname: str) -> None:
    env.__dict__.get("portable_myst_evals", {}).pop(docname, None)


def with_user_expressions(nb: dict, records: list[tuple[str, str]]) -> dict:
    """Store recorded ``{eval}`` results in the markdown cells, as jupyterlab-myst does."""
    pointer = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        found = {}
        for name in EVAL_RX.findall(_source(cell)):
            for j in range(pointer, len(records)):
                if records[j][0] == name:
                    found.setdefault(name, records[j][1])
                    pointer = j + 1
                    break
        if found:
            cell["metadata"]["user_expressions"] = [
                {
                    "expression": k,
                    "result": {"status": "ok", "data": {"text/plain": v}, "metadata": {}},
                }
                for k, v in found.items()
            ]
    return nb


def add_user_expressions(app: Sphinx, exception: Exception | None) -> None:
    """Give the downloadable notebooks (``_sources/``) their prose numbers."""
    if exception is not None:
        return
    records = app.env.__dict__.get("portable_myst_evals", {})
    for docname, evals in records.items():
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if target.is_file():
            nb = with_user_expressions(json.loads(target.read_text(encoding="utf-8")), evals)
            target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if Path(app.env.doc2path(docname)).suffix == ".ipynb":
        source[0] = convert_notebook(docname, source[0])


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("source-read", on_source_read)
    _record_evals()
    app.connect("env-purge-doc", _purge_evals)
    app.connect("build-finished", add_user_expressions, priority=600)  # after book_results
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}


if __name__ == "__main__":  # scripts/sync-references
    import sys

    paths = [Path(p) for p in sys.argv[1:]] or sorted(BOOK.glob("*.ipynb"))
    for nb_path in paths:
        if sync_notebook(nb_path):
            print(f"updated {nb_path}")
