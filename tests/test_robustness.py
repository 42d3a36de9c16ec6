"""Tests of helpers.robustness: seeds moved, the other machine's environment, a flip caught."""

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from helpers import robustness as rb
from helpers.robustness import replicates_needed, verdict_stability

PARAMS = """\
SEED = 0  # first seed
SEEDS = range(SEED, SEED + 3)  # follows SEED
BOOT_SEED = 20240417
TRAIN_SEEDS = (0, 1, 2)  # comment stays
MC_SEEDS = range(8)
SPAN_SEEDS = range(2, 5)
LIST_SEEDS = tuple([1, 2])
N_SEEDS = 4  # a count of seeds, not a seed
NOT_A_KNOB = 3
seed_lower = 1
"""


def test_move_seeds_moves_every_literal_seed_knob_and_nothing_else():
    moved, what = rb.move_seeds(PARAMS, offset=10)
    ns: dict = {}
    exec(moved, ns)
    assert ns["SEED"] == 10
    assert list(ns["SEEDS"]) == [10, 11, 12]  # follows SEED, not moved twice
    assert ns["BOOT_SEED"] == 20240427
    assert ns["TRAIN_SEEDS"] == (10, 11, 12)
    assert list(ns["MC_SEEDS"]) == list(range(10, 18))  # same number of seeds
    assert list(ns["SPAN_SEEDS"]) == [12, 13, 14]
    assert ns["LIST_SEEDS"] == (11, 12)
    assert ns["NOT_A_KNOB"] == 3 and ns["seed_lower"] == 1 and ns["N_SEEDS"] == 4
    assert "# comment stays" in moved and "# follows SEED" in moved
    assert [w.split(":")[0] for w in what] == [
        "SEED", "BOOT_SEED", "TRAIN_SEEDS", "MC_SEEDS", "SPAN_SEEDS", "LIST_SEEDS"
    ]  # fmt: skip


def test_move_seeds_handles_non_ascii_comments_and_rejects_bad_python():
    src = "ALPHA = 'α'; SEED = 3  # σ\n"
    out, what = rb.move_seeds(src, offset=5)
    assert out == "ALPHA = 'α'; SEED = 8  # σ\n" and what == ["SEED: 3 -> 8"]
    with pytest.raises(SyntaxError):
        rb.move_seeds("SEED = (")


def test_lower_kernel_is_one_below_the_cpus_own():
    assert rb.lower_openblas_coretype({"avx512f", "avx2", "avx", "sse4_2", "sse3"}) == "Haswell"
    assert rb.lower_openblas_coretype({"avx2", "avx", "sse4_2", "sse3"}) == "Sandybridge"
    assert rb.lower_openblas_coretype({"avx", "sse4_2", "sse3"}) == "Nehalem"
    assert rb.lower_openblas_coretype({"sse3"}) is None
    assert rb.lower_openblas_coretype(set()) is None  # another architecture: left as it is


def test_other_machine_env_really_changes_the_kernel_and_simd_path():
    env = rb.other_machine_env({"PATH": "/usr/bin"})
    assert env["SCALING_BOOK_OTHER_MACHINE"] == "1" and env["PATH"] == "/usr/bin"
    probe = (
        "import json, numpy._core._multiarray_umath as mu; from threadpoolctl import "
        "threadpool_info as ti; print(json.dumps([sorted({i.get('architecture') for i in ti() "
        "if i.get('user_api') == 'blas'}), [f for f in mu.__cpu_dispatch__ "
        "if mu.__cpu_features__.get(f)]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=rb.other_machine_env(), capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    blas, simd = json.loads(out.stdout)
    assert simd == []  # every dispatched feature off: numpy's baseline loops
    kernel = rb.lower_openblas_coretype()
    if kernel:  # x86-64 with a lower kernel: OpenBLAS reports it
        assert blas and all(a.lower() == kernel.lower() for a in blas if a), blas


def _notebook(tmp_path, verdict_code: str):
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("SEED = 0  # the chapter's seed")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_code_cell("import helpers as hp"), params]
    nb.cells.append(nbformat.v4.new_code_cell(verdict_code))
    path = tmp_path / "planted.ipynb"
    nbformat.write(nb, path)
    return path


# A planted flip: the verdict depends on the seed (reproduced at SEED 0, inconclusive at 10).
FLIP = """
est = 1.5 if SEED == 0 else 1.05
s = hp.scorecard.Statement("x beats y", "Someone et al. 2024, Sec. 2", "x beats y",
                           "ratio y/x", est, (est - 0.1, est + 0.1), threshold=1.0)
card = hp.scorecard.Scorecard("planted", [s])
card.check()
"""


def test_run_elsewhere_fails_on_a_planted_flip_and_passes_a_stable_verdict(tmp_path):
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError, match="expected 'reproduced' but got 'inconclusive'"):
        rb.run_elsewhere(_notebook(tmp_path, FLIP), timeout=120)
    stable = FLIP.replace("else 1.05", "else 1.4")
    info = rb.run_elsewhere(_notebook(tmp_path, stable), timeout=120)
    assert info["moved"] == ["SEED: 0 -> 10"]
    assert info["kernel"]["simd"] == []
    if "OPENBLAS_CORETYPE" in info["env"]:
        assert info["kernel"]["blas"] == [info["env"]["OPENBLAS_CORETYPE"]] or all(
            a.lower() == info["env"]["OPENBLAS_CORETYPE"].lower() for a in info["kernel"]["blas"]
        )


def test_run_elsewhere_names_a_missing_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.ipynb"):
        rb.run_elsewhere(tmp_path / "nope.ipynb")


def _standardised(n: int, seed: int = 0) -> np.ndarray:
    z = np.random.default_rng(seed).normal(size=n)
    return (z - z.mean()) / z.std(ddof=1)


def test_verdict_stability_is_the_t_tests_power_by_simulation():
    # n = 10 replicates, d = 0.8: simulate the verdict of a 95% t-interval
    n, d, sims = 10, 0.8, 200_000
    x = np.random.default_rng(1).normal(d, 1.0, (sims, n))
    m, s = x.mean(1), x.std(1, ddof=1)
    half = stats.t.ppf(0.975, n - 1) * s / np.sqrt(n)
    above, below = np.mean(m - half > 0), np.mean(m + half < 0)
    p_above, p_below = verdict_stability(d, n)
    se = np.sqrt(p_above * (1 - p_above) / sims)
    assert abs(p_above - above) < 4 * se  # 1% off in d moves it by ~8 se
    assert p_below == pytest.approx(below, abs=5e-4)


def test_replicates_needed_matches_published_sample_sizes():
    # one-sample two-sided t-test, alpha 0.05, power 0.95 (G*Power): d 0.5 -> 54, d 1 -> 16
    z = _standardised(500)
    assert replicates_needed(0.5 + z) == 54
    assert replicates_needed(1.0 + z) == 16
    assert replicates_needed(-1.0 + z) == 16  # either side
    assert replicates_needed(3.0 + z, threshold=2.0) == 16
    # no effect: no design up to max_n decides the same way 95% of the time
    assert replicates_needed(z, max_n=50) == 51
    # a stricter level needs more seeds
    assert replicates_needed(1.0 + z, level=0.99) > 16


def test_replicates_needed_rejects_bad_pilots():
    with pytest.raises(ValueError, match="at least 3"):
        replicates_needed([0.1, 0.2])
    with pytest.raises(ValueError, match="finite"):
        replicates_needed([0.1, np.nan, 0.3])
    with pytest.raises(ValueError, match="stability"):
        replicates_needed([0.1, 0.2, 0.3], stability=1.0)
    with pytest.raises(ValueError, match="n must be"):
        verdict_stability(0.5, 1)
