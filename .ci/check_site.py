"""Check the built site: every page of the table of contents exists and is clean.

A page fails if its HTML is missing, shows a traceback or error output, or contains
unresolved glue. Chapter notebooks must also show a scorecard. Usage:
``python .ci/check_site.py book``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

BAD = {
    "traceback": re.compile(r"Traceback \(most recent call last\)"),
    "error output": re.compile(r'class="[^"]*\b(output error|traceback)\b'),
    "unresolved glue": re.compile(r"\{glue(:\w+)?\}|pending_glue|Pending glue"),
    "unexecuted notebook marker": re.compile(r"could not be executed|Execution Failed"),
}


def toc_files(book: Path) -> list[str]:
    """Every file named in ``_toc.yml`` (root, chapters and sections), in order."""
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("chapters", "sections"):
                walk(entry.get(key, []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return files


def main(book_dir: str) -> int:
    book = Path(book_dir)
    html = book / "_build" / "html"
    problems = []
    files = toc_files(book)
    for name in files:
        page = html / f"{Path(name).with_suffix('')}.html"
        if not page.is_file():
            problems.append(f"{page}: missing")
            continue
        text = page.read_text(encoding="utf-8")
        problems += [f"{page.name}: {what}" for what, rx in BAD.items() if rx.search(text)]
        if (book / f"{name}.ipynb").is_file() and 'class="scorecard"' not in text:
            problems.append(f"{page.name}: no scorecard table")
    if not (html / "mathjax" / "tex-mml-chtml.js").is_file():
        problems.append("mathjax/tex-mml-chtml.js missing: math would need the network")
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"checked {len(files)} pages: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "book"))
