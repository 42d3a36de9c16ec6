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
