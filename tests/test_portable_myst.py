"""The portable MyST forms (book/_ext/portable_myst.py): JupyterLab and the book agree."""

import json
import sys
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK / "_ext"))
pm = pytest.importorskip("portable_myst")  # needs pybtex (the book extra)
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


def test_textual_and_parenthetical_citations_become_roles():
    text = (
        "[Hoffmann et al. (2022)](#cite-hoffmann2022chinchilla) fit it "
        "([Huber, 1964](#cite-huber1964robust))."
    )
    assert (
        pm.to_sphinx(text) == "{cite:t}`hoffmann2022chinchilla` fit it {cite:p}`huber1964robust`."
    )
    two = "([Huber, 1964](#cite-huber1964robust); [Efron, 1979](#cite-efron1979bootstrap))"
    assert pm.to_sphinx(two) == "{cite:p}`huber1964robust,efron1979bootstrap`"


def test_figure_links_become_numrefs_and_references_a_bibliography():
    assert pm.to_sphinx("([the figure](#fig-a-b))") == "({numref}`fig-a-b`)"
    out = pm.to_sphinx("## References\n\n* Someone. A paper. 2020.\n")
    assert out == "## References\n\n" + pm.BIBLIOGRAPHY
    keyed = pm.to_sphinx("[Huber (1964)](#cite-huber1964robust)", "01_x-")
    assert keyed == "{cite:t}`01_x-huber1964robust`"


def test_from_sphinx_round_trips():
    src = "{cite:t}`kaplan2020scaling` and {cite:p}`huber1964robust`. {numref}`fig-x-y` shows it."
    portable = pm.from_sphinx(src)
    assert "{" not in portable
    assert "[Kaplan et al. (2020)](#cite-kaplan2020scaling)" in portable
    assert "([Huber, 1964](#cite-huber1964robust))" in portable
    assert "[The figure](#fig-x-y) shows" in portable
    assert pm.to_sphinx(portable) == src


def test_citation_text_must_name_first_author_and_year():
    assert pm.citation_problems("[Huber (1964)](#cite-huber1964robust)") == []
    assert pm.citation_problems("[Huber (1965)](#cite-huber1964robust)")
    assert pm.citation_problems("[Tukey (1964)](#cite-huber1964robust)")
    assert "unknown" in pm.citation_problems("[X (2000)](#cite-nosuchkey)")[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_portable_and_their_references_current(path):
    nb = json.loads(path.read_text())
    markdown = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    for cell in markdown:
        for raw in ["{cite", "{bibliography}", "{numref}`fig-", "{glue"]:
            assert raw not in cell, (
                f"{path.name}: {raw!r} shows raw in JupyterLab; run scripts/sync-references"
            )
    refs = [m for m in markdown if m.startswith("## References")]
    assert refs, f"{path.name} has no References cell"
    others = [m for m in markdown if m is not refs[-1]]
    assert refs[-1].rstrip() == pm.references_cell(others).rstrip(), (
        f"{path.name}: the References list is out of date; run scripts/sync-references"
    )


def test_downloads_get_the_builds_eval_results_as_user_expressions():
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "a {eval}`x` and {eval}`y`"},
            {"cell_type": "code", "metadata": {}, "source": "x = 2"},
            {"cell_type": "markdown", "metadata": {}, "source": "now {eval}`x`"},
        ]
    }
    records = [("x", "1"), ("y", "0.50"), ("z", "9"), ("x", "2")]
    out = pm.with_user_expressions(nb, records)
    first, second = out["cells"][0]["metadata"], out["cells"][2]["metadata"]
    assert [e["expression"] for e in first["user_expressions"]] == ["x", "y"]
    assert first["user_expressions"][1]["result"]["data"] == {"text/plain": "0.50"}
    assert second["user_expressions"][0]["result"]["data"] == {"text/plain": "2"}
    assert "user_expressions" not in out["cells"][1]["metadata"]
