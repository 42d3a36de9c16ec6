"""The teachers' page lists every self-check as the chapters register it.

``book/teachers.md`` has, per chapter, a table row for each check (key, kind, what is
accepted). The chapters' register cells are the truth: this test reads every
``ex.add_number`` / ``add_choice`` / ``add_checklist`` call (statically, with ``ast``) and
fails when the page names a check that does not exist, misses one, or states another
tolerance, other choices or another number of checklist points; and when an exercise is not
linked from its chapter's section.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import helpers as hp
from helpers.exercises import exercise_labels

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(BOOK.glob("0*.ipynb"))


def _value(node: ast.expr, names: dict):
    try:
        return ast.literal_eval(node)
    except ValueError:
        pass
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    source = ast.unparse(node)
    if source.startswith("hp."):
        return eval(source, {"hp": hp})  # a constant of helpers, e.g. a tuple of names
    return f"<{source}>"


def _registered(path: Path) -> list[dict]:
    """Every check of a chapter's register cell, with the exercise its check cell follows."""
    cells = json.loads(path.read_text())["cells"]
    registers = [
        c
        for c in cells
        if c["cell_type"] == "code" and "hp.exercises.Exercises(" in "".join(c["source"])
    ]
    assert len(registers) == 1, f"{path.name}: {len(registers)} register cells"
    tree = ast.parse("".join(registers[0]["source"]))
    names, specs = {}, []
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                names[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and ast.unparse(call.func).startswith("ex.add_"):
                kind = ast.unparse(call.func)[len("ex.add_") :]
                kw = {k.arg: k.value for k in call.keywords}
                spec = {"key": call.args[0].value, "kind": kind}
                if kind == "number":
                    spec.update({t: _value(kw[t], names) for t in ("rtol", "atol") if t in kw})
                elif kind == "choice":
                    spec["choices"] = list(_value(kw.get("choices", call.args[-1]), names))
                else:
                    spec["items"] = _value(call.args[1], names)
                specs.append(spec)
    owner, current = {}, None
    for c in cells:
        if c["cell_type"] == "markdown":
            current = (exercise_labels([c]) or [current])[-1]
        elif c is not registers[0]:
            for m in re.finditer(
                r"""ex\.(?:check|checklist)\(\s*["']([^"']+)""", "".join(c["source"])
            ):
                owner.setdefault(m.group(1), current)
    return [{**s, "exercise": owner.get(s["key"])} for s in specs]


def _accepted(spec: dict) -> str:
    if spec["kind"] == "number":
        parts = [f"{100 * spec['rtol']:g}%"] if spec.get("rtol") else []
        parts += [f"±{spec['atol']:g}"] if spec.get("atol") else []
        return ("within " if spec.get("rtol") else "") + " + ".join(parts)
    if spec["kind"] == "choice":
        return ", ".join(f"`{c}`" for c in spec["choices"])
    return f"{len(spec['items'])} points"


def _page_rows() -> dict[str, dict]:
    rows, exercise = {}, None
    for line in (BOOK / "teachers.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 5 or not cells[1].startswith("`ex-"):
            continue
        m = re.match(r"\{ref\}`(ex-[^`]+)`", cells[0])
        exercise = m.group(1) if m else exercise
        rows[cells[1].strip("`")] = {"exercise": exercise, "kind": cells[2], "accepted": cells[4]}
    return rows


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_teachers_page_lists_the_chapters_checks(path):
    rows = _page_rows()
    page = (BOOK / "teachers.md").read_text()
    bad = []
    for spec in _registered(path):
        row = rows.get(spec["key"])
        if row is None:
            bad.append(f"{spec['key']}: not on the page")
            continue
        want = {"exercise": spec["exercise"], "kind": spec["kind"], "accepted": _accepted(spec)}
        bad += [
            f"{spec['key']}: page says {k} {row[k]!r}, chapter {v!r}"
            for k, v in want.items()
            if row[k] != v
        ]
    cells = json.loads(path.read_text())["cells"]
    bad += [
        f"{lab}: not linked from the page"
        for lab in exercise_labels(cells)
        if f"{{ref}}`{lab}`" not in page
    ]
    assert not bad, f"book/teachers.md is out of date for {path.name}:\n" + "\n".join(bad)


def test_teachers_page_names_no_check_that_does_not_exist():
    known = {s["key"] for p in CHAPTERS for s in _registered(p)}
    assert not set(_page_rows()) - known
