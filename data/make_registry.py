"""Regenerate ``data/registry.csv`` from the PROVENANCE.md notes in ``../shared/data``.

Maintainer script: rerun it only when the shared data change, then commit the new
registry. It

1. parses every ``<folder>/PROVENANCE.md`` for the source repository, the pinned
   commit and the sha256 (and bytes, where listed) of every file;
2. verifies each sha256 and size against the actual file and reports every mismatch
   (exit status 1 if there is any);
3. writes one registry row per file: ``key, sha256, bytes, url, licence, citation``.

``LICENSE`` files and the PROVENANCE notes themselves are not registered. The BETR
table is transcribed from a paper, not released by a repository: it ships with the
project as ``data/betr_nemotron_cc_laws.csv`` (byte-identical to the shared copy)
and is registered with an empty url.

Usage (from the project root)::

    python data/make_registry.py            # default: ../shared/data
    python data/make_registry.py --shared /path/to/shared/data
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REGISTRY = PROJECT_ROOT / "data" / "registry.csv"
COLUMNS = ["key", "sha256", "bytes", "url", "licence", "citation"]

# Licence and citation per shared folder, summarised by hand from each PROVENANCE.md.
FOLDERS = {
    "analyzing-chinchilla": (
        "none stated (no LICENSE at the pinned commit)",
        "Besiroglu et al. 2024, arXiv:2404.10102 (reconstruction of Hoffmann et al. 2022, "
        "arXiv:2203.15556, Fig. 4)",
    ),
    "ColPret": ("MIT", "Choshen et al. 2025, arXiv:2410.11840"),
    "OLMo-ladder": ("Apache-2.0", "Bhagia et al. 2024, arXiv:2412.04403"),
    "ObsScaling": ("Apache-2.0", "Ruan et al. 2024, arXiv:2405.10938"),
    "scaling": ("MIT", "Gadre et al. 2024, arXiv:2403.08540"),
}
# ColPret aggregates numbers first published by others (see ColPret/PROVENANCE.md).
COLPRET_ORIGINS = {
    "aggregated_eval/datablations": "Muennighoff et al. 2023, arXiv:2305.16264",
    "aggregated_eval/opt_trajectories": "Xia et al. 2023, arXiv:2212.09803",
    "aggregated_eval/olmo": "Groeneveld et al. 2024, arXiv:2402.00838",
    "raw_data/gpt3": "Brown et al. 2020, arXiv:2005.14165",
}
BETR = {
    "shared": "BETR/nemotron_cc_laws.csv",
    "key": "betr_nemotron_cc_laws.csv",
    "licence": "facts from a published paper (cited); no code",
    "citation": "Mizrahi et al. 2025, arXiv:2507.12466 v1, App. F, Tables 12-13",
}

# Tables transcribed by this project itself (data/README.md cites table and page for each);
# their sha256 is taken from the project's file, so the registry catches accidental edits.
PROJECT_TABLES = {
    "chinchilla_estimates.csv": (
        "facts from published papers and a notebook's printed output (cited); no code",
        "Hoffmann et al. 2022, arXiv:2203.15556 (App. D.2 Eq. 10; Table 2); "
        "Besiroglu et al. 2024, arXiv:2404.10102 "
        "(analyzing-chinchilla notebook cells 16, 18, 26, 59)",
    ),
    "betr_compute_multipliers.csv": (
        "facts from a published paper (cited); no code",
        "Mizrahi et al. 2025, arXiv:2507.12466 v1, Table 5 and Sec. 6.1",
    ),
    "gadre_extrapolation_errors.csv": (
        "facts from a published paper and its released notebook's output (cited); no code",
        "Gadre et al. 2024, arXiv:2403.08540, Fig. 5 and Fig. 1; mlfoundations/scaling "
        "scaling_explorer.ipynb cell 2 output",
    ),
}

SHA = r"[0-9a-f]{64}"
ROW_TABLE = re.compile(rf"^\|\s*`([^`]+)`\s*\|(?:\s*([\d,]+)\s*\|)?\s*`({SHA})`\s*\|")
ROW_SUMS = re.compile(rf"^({SHA})\s+(\S+)\s*$")
REPO = re.compile(r"\*\*Source repository:\*\*\s*`([\w.-]+/[\w.-]+)`")
IGNORED = re.compile(r"^(PROVENANCE\.md|README\.md|LICENSE.*)$")
COMMIT = re.compile(r"\*\*Snapshot commit:\*\*\s*`([0-9a-f]{40})`")


def sha256_of(file: Path) -> str:
    """Return the hex sha256 of ``file``."""
    digest = hashlib.sha256()
    with file.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_provenance(text: str) -> tuple[str | None, str | None, list[tuple[str, str, int | None]]]:
    """Return (owner/repo, commit, [(path, sha256, bytes or None), ...]) from a PROVENANCE.md."""
    repo = REPO.search(text)
    commit = COMMIT.search(text)
    files = []
    for line in text.splitlines():
        line = line.strip()
        if m := ROW_TABLE.match(line):
            size = int(m.group(2).replace(",", "")) if m.group(2) else None
            files.append((m.group(1), m.group(3), size))
        elif m := ROW_SUMS.match(line):
            files.append((m.group(2), m.group(1), None))
    return (repo and repo.group(1), commit and commit.group(1), files)


def citation_for(folder: str, rel: str) -> str:
    """Citation of one file: the folder's paper, plus the original source for ColPret."""
    citation = FOLDERS[folder][1]
    for prefix, origin in COLPRET_ORIGINS.items():
        if folder == "ColPret" and rel.startswith(prefix):
            citation += f"; data: {origin}"
    return citation


def check(file: Path, sha: str, size: int | None, problems: list[str]) -> int | None:
    """Verify ``file`` against ``sha``/``size``; append problems; return its size if valid."""
    if not file.is_file():
        problems.append(f"missing: {file}")
        return None
    actual = sha256_of(file)
    if actual != sha:
        problems.append(f"sha256 mismatch: {file}: PROVENANCE {sha}, file {actual}")
        return None
    if size is not None and size != file.stat().st_size:
        problems.append(f"size mismatch: {file}: PROVENANCE {size}, file {file.stat().st_size}")
    return file.stat().st_size


def build(shared: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Return the registry rows and the list of problems found."""
    rows: list[dict[str, str]] = []
    problems: list[str] = []
    for note in sorted(shared.glob("*/PROVENANCE.md")):
        folder = note.parent.name
        repo, commit, files = parse_provenance(note.read_text(encoding="utf-8"))
        if folder == "BETR":
            continue  # handled below: the project's own copy
        if folder not in FOLDERS:
            problems.append(f"{note}: no licence/citation known for folder {folder!r}")
            continue
        if not (repo and commit and files):
            problems.append(f"{note}: could not parse repository, commit or file list")
            continue
        for rel, sha, size in files:
            if Path(rel).name.startswith("LICENSE"):
                continue
            size = check(note.parent / rel, sha, size, problems)
            rows.append(
                {
                    "key": f"{folder}/{rel}",
                    "sha256": sha,
                    "bytes": "" if size is None else str(size),
                    "url": f"https://raw.githubusercontent.com/{repo}/{commit}/{rel}",
                    "licence": FOLDERS[folder][0],
                    "citation": citation_for(folder, rel),
                }
            )
    _, _, betr_files = parse_provenance((shared / "BETR" / "PROVENANCE.md").read_text("utf-8"))
    betr_sha = dict((p, s) for p, s, _ in betr_files)[Path(BETR["shared"]).name]
    check(shared / BETR["shared"], betr_sha, None, problems)
    size = check(PROJECT_ROOT / "data" / BETR["key"], betr_sha, None, problems)
    rows.append(
        {
            "key": BETR["key"],
            "sha256": betr_sha,
            "bytes": "" if size is None else str(size),
            "url": "",
            "licence": BETR["licence"],
            "citation": BETR["citation"],
        }
    )
    for key, (licence, citation) in PROJECT_TABLES.items():
        file = PROJECT_ROOT / "data" / key
        rows.append(
            {
                "key": key,
                "sha256": sha256_of(file),
                "bytes": str(file.stat().st_size),
                "url": "",
                "licence": licence,
                "citation": citation,
            }
        )
    keys = [r["key"] for r in rows]
    known = set(keys) | {BETR["shared"]}
    for file in sorted(shared.rglob("*")):
        rel = file.relative_to(shared).as_posix()
        if file.is_file() and rel not in known and not IGNORED.match(file.name):
            problems.append(f"file not listed in any PROVENANCE.md: {file}")
    problems += [f"duplicate key: {k}" for k in sorted({k for k in keys if keys.count(k) > 1})]
    return sorted(rows, key=lambda r: r["key"]), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REGISTRY)
    args = parser.parse_args(argv)
    rows, problems = build(args.shared)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.out}")
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
