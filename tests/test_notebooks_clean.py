"""Committed notebooks carry no outputs, follow the chapter outline, and run offline."""

import json
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
NOTEBOOKS = sorted(p for p in BOOK.glob("*.ipynb"))
OUTLINE = ["## Overview", "## Prerequisites", "## Summary", "## Exercises", "## References"]


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks found in {BOOK}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_follows_the_chapter_outline(path):
    nb = json.loads(path.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    positions = [text.find(h) for h in OUTLINE]
    assert all(p >= 0 for p in positions), (
        f"{path.name} lacks {[h for h, p in zip(OUTLINE, positions, strict=True) if p < 0]}"
    )
    assert positions == sorted(positions), f"{path.name}: sections out of order"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[1].get("metadata", {}).get("tags", []), (
        f"{path.name}: the cell after the imports must be tagged 'parameters'"
    )
    src = "\n".join("".join(c["source"]) for c in code)
    for banned in ["!pip", "%pip", "http://", "https://", "/work/", "os.chdir"]:
        assert banned not in src, f"{path.name} uses {banned!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prose_numbers_use_eval_not_glue(path):
    """Numbers in prose are ``{eval}`` roles (they render in JupyterLab too), never glue."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        src = "".join(cell["source"])
        assert "{glue" not in src and "myst_nb import glue" not in src, (
            f"{path.name}, cell {i}: glue shows as raw text in JupyterLab; compute the number "
            "with hp.prose.num in a code cell and write {eval}`name` in the prose (README)"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_code_cell_ends_with_a_semicolon(path):
    """A trailing ``;`` silences the ``{eval}`` roles that follow it in the built book.

    myst-nb evaluates a role by running the bare name in the kernel without storing it in
    the history, so IPython's "quiet" check still sees the previous cell's ``;`` and
    returns no output ("expression ... does not return any outputs").
    """
    nb = json.loads(path.read_text())
    quiet = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and "".join(c["source"]).rstrip().endswith(";")
    ]
    assert not quiet, (
        f"{path.name}: code cells {quiet} end with ';' (end a figure cell with plt.show())"
    )


def _bound_names(source: str) -> set[str]:
    """Names a code cell binds (assignments, loops, defs, imports), read with ``ast``."""
    import ast

    tree = ast.parse(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


@pytest.mark.parametrize("path", sorted(BOOK.glob("0*.ipynb")), ids=lambda p: p.name)
def test_prose_numbers_are_computed_above_the_prose(path):
    """Every ``{eval}`` name is bound in a code cell *above* the markdown that shows it.

    The book executes top to bottom and evaluates a cell's roles when it reaches it, so a
    name computed further down is a build error (and reads as a stale value in JupyterLab);
    nbmake alone would not notice.
    """
    import re

    nb = json.loads(path.read_text())  # chapters only: the template shows the syntax itself
    bound, late = set(), []
    for i, cell in enumerate(nb["cells"]):
        src = "".join(cell["source"])
        if cell["cell_type"] == "code":
            bound |= _bound_names(src)
        elif cell["cell_type"] == "markdown":
            late += [
                f"cell {i}: {n}" for n in re.findall(r"\{eval\}`(\w+)`", src) if n not in bound
            ]
    assert not late, f"{path.name}: {{eval}} names not computed above their prose: {late}"
