"""The seeds the quantization chapters declare per verdict follow from the committed pilot.

``scripts/seed-pilot --csv data/pilots/seed_pilot_quantization.csv`` keeps every per-seed
value; the chapters type the resulting needs into their code (``PILOT``,
``GAMMA_N_PILOT``). This test recomputes each need and verdict from the file, so a typed
number that does not follow from the evidence fails.
"""

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

from helpers.robustness import replicates_needed

ROOT = Path(__file__).resolve().parents[1]
PILOT_CSV = ROOT / "data" / "pilots" / "seed_pilot_quantization.csv"
MAX_N = 200

# statistic in the pilot file -> (chapter, name of the dict, key in it, side that supports)
ROWS = {
    "diffusion: kl int3 / ptq int4": (
        "distillation",
        "PILOT",
        ("diffusion", "full KL", "PTQ BASE"),
        "<",
    ),
    "diffusion: kl int3 / data int3": (
        "distillation",
        "PILOT",
        ("diffusion", "full KL", "QAT FMT, data"),
        "<",
    ),
    "autoregressive: kl int3 / ptq int4": (
        "distillation",
        "PILOT",
        ("autoregressive", "full KL", "PTQ BASE"),
        "<",
    ),
    "autoregressive: kl int3 / data int3": (
        "distillation",
        "PILOT",
        ("autoregressive", "full KL", "QAT FMT, data"),
        "<",
    ),
    "autoregressive: topk int3 / ptq int4": (
        "distillation",
        "PILOT",
        ("autoregressive", "top-k KL", "PTQ BASE"),
        "<",
    ),
    "autoregressive: topk int3 / data int3": (
        "distillation",
        "PILOT",
        ("autoregressive", "top-k KL", "QAT FMT, data"),
        "<",
    ),
    "autoregressive: topk int3 / kl int3": (
        "distillation",
        "PILOT",
        ("autoregressive", "top-k KL", "full KL"),
        "<",
    ),
    "diffusion: kl int3 / data int4": (
        "distillation",
        "PILOT",
        ("diffusion", "full KL", "QAT BASE, data"),
        "<",
    ),
    "autoregressive: kl int3 / data int4": (
        "distillation",
        "PILOT",
        ("autoregressive", "full KL", "QAT BASE, data"),
        "<",
    ),
    "diffusion: gamma_N (PTQ-penalty law)": ("scaling", "GAMMA_N_PILOT", "diffusion", ">"),
    "autoregressive: gamma_N (PTQ-penalty law)": (
        "scaling",
        "GAMMA_N_PILOT",
        "autoregressive",
        ">",
    ),
}


def _declared(chapter: str, name: str) -> dict:
    nb = json.loads((ROOT / "book" / f"04_quantization_{chapter}.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.parse("".join(cell["source"])).body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                return ast.literal_eval(node.value)
    raise AssertionError(f"{chapter}: no {name} = {{...}} in a code cell")


@pytest.fixture(scope="module")
def pilot() -> pd.DataFrame:
    return pd.read_csv(PILOT_CSV)


def test_the_pilot_covers_every_declared_row_on_two_machines(pilot):
    assert set(pilot["statistic"]) == set(ROWS)
    assert set(pilot["machine"]) == {"this machine", "another machine"}
    assert pilot["seed"].min() >= 100  # disjoint from the book's seeds
    declared = {(ch, name, key) for ch, name, key, _ in ROWS.values()}
    for ch, name in {(c, n) for c, n, _ in declared}:
        assert set(_declared(ch, name)) == {k for c, n, k in declared if (c, n) == (ch, name)}


@pytest.mark.parametrize("statistic", sorted(ROWS))
def test_each_declared_need_follows_from_the_pilot(pilot, statistic):
    chapter, name, key, supports = ROWS[statistic]
    values = pilot.loc[pilot["statistic"] == statistic, "value"].to_numpy()
    needed = replicates_needed(values, max_n=MAX_N)
    if needed > MAX_N:
        verdict = None
    else:
        holds = values.mean() < 0 if supports == "<" else values.mean() > 0
        verdict = "reproduced" if holds else "differs"
    assert tuple(_declared(chapter, name)[key]) == (needed, verdict)
