"""helpers.bitscaling: intervals over independent units, per-seed analyses, Kumar's PTQ law."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import helpers as hp
from helpers import bitscaling as bs

TRUE_PTQ = {"E": 0.2, "A": 30.0, "alpha": 0.5, "C": 40.0, "gamma": 1.1, "gamma_N": 0.3}


def _ptq_grid():
    n = np.repeat([2e3, 8e3, 3e4, 1.2e5], 7)
    b = np.tile([3.0, 4.0, 5.0, 6.0, 8.0, 16.0, 32.0], 4)
    return np.column_stack([n, b])


def test_kumar_ptq_predict_is_the_formula():
    p = {k: np.array([[v]]) for k, v in TRUE_PTQ.items()}
    x = np.array([[1e4, 4.0]])
    want = 0.2 + 30 * 1e4**-0.5 + 40 * np.exp(-4 / 1.1) * 1e4**-0.3
    assert bs.kumar_ptq_predict(p, x)[0, 0] == pytest.approx(want, rel=1e-12)


def test_kumar_ptq_law_recovers_its_parameters():
    """Noiseless data from known parameters: the fit returns them (a 1% error would fail)."""
    x = _ptq_grid()
    p = {k: np.array([[v]]) for k, v in TRUE_PTQ.items()}
    y = bs.kumar_ptq_predict(p, x)[0]
    fit = hp.fitting.fit_law(x, y, law=bs.kumar_ptq_law(), delta=np.inf)
    for k, v in TRUE_PTQ.items():
        assert fit.params[k] == pytest.approx(v, rel=2e-3), k
    assert bs.kumar_ptq_law() is bs.kumar_ptq_law()  # registered once


def test_mean_ci_scales_stay_in_range():
    fd = np.array([0.05, 0.3, 1.2])
    m, lo, hi = bs.mean_ci(fd, scale="log")
    assert lo > 0 and m == pytest.approx(np.exp(np.log(fd).mean()))
    logs = np.log(fd)
    half = stats.t.ppf(0.975, 2) * logs.std(ddof=1) / np.sqrt(3)
    assert (lo, hi) == pytest.approx((np.exp(logs.mean() - half), np.exp(logs.mean() + half)))
    acc = np.array([0.9, 0.99, 1.0])
    m, lo, hi = bs.mean_ci(acc, scale="logit")
    assert 0 < lo < m < hi < 1
    assert bs.mean_ci(acc)[2] > 1  # the linear interval leaves the range: why the option exists
    with pytest.raises(ValueError, match="positive"):
        bs.mean_ci([0.0, 1.0], scale="log")
    with pytest.raises(ValueError, match="scale"):
        bs.mean_ci([1.0, 2.0], scale="sqrt")


def test_diff_ci_is_welch():
    a, b = np.array([1.0, 1.4, 0.9, 1.3]), np.array([0.2, 0.5, 0.1])
    d, lo, hi = bs.diff_ci(a, b)
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert d == pytest.approx(a.mean() - b.mean())
    assert (lo, hi) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_bootstrap_mean_ci_stays_inside_the_values():
    v = np.array([0.0, 0.0, 0.1, 0.4])
    m, lo, hi = bs.bootstrap_mean_ci(v, rng=0)
    assert m == pytest.approx(0.125) and 0 <= lo <= m <= hi <= 0.4
    assert bs.bootstrap_mean_ci(np.zeros(3), rng=0) == (0.0, 0.0, 0.0)
    # the percentile interval of a mean of many units matches the normal one
    big = np.random.default_rng(1).normal(size=400)
    _, lo, hi = bs.bootstrap_mean_ci(big, rng=2)
    se = big.std(ddof=1) / 20
    assert hi - lo == pytest.approx(2 * 1.96 * se, rel=0.1)


def _ladder(gamma_n, seeds=(0, 1, 2), noise=0.0):
    rng = np.random.default_rng(5)
    rows = []
    for s in seeds:
        for n in [1e3, 4e3, 1.6e4, 6.4e4]:
            base = 0.5 + 50 * n**-0.5
            rows.append({"seed": s, "n_params": n, "fmt": "fp32", "fd": base})
            for f, c in [("int3", 20.0), ("int4", 6.0)]:
                dmg = c * n**-gamma_n * np.exp(rng.normal(0, noise))
                rows.append({"seed": s, "n_params": n, "fmt": f, "fd": base + dmg})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("gamma_n", [-0.2, 0.3])
def test_damage_exponent_recovers_gamma_n(gamma_n):
    out = bs.damage_exponent(_ladder(gamma_n), ["int3", "int4"])
    np.testing.assert_allclose(out.to_numpy(), gamma_n, rtol=1e-9)
    assert out.index.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="lack"):
        bs.damage_exponent(_ladder(0.3), ["int5"])


def test_fit_per_seed_gives_one_fit_per_seed():
    x = _ptq_grid()
    p = {k: np.array([[v]]) for k, v in TRUE_PTQ.items()}
    y = bs.kumar_ptq_predict(p, x)[0]
    runs = pd.DataFrame({"n_params": x[:, 0], "bits": x[:, 1], "fd": y})
    runs = pd.concat([runs.assign(seed=s, fd=y * (1 + 0.01 * s)) for s in range(3)])
    fits = bs.fit_per_seed(runs, bs.kumar_ptq_law())
    assert fits.index.tolist() == [0, 1, 2]
    assert fits.loc[0, "gamma_N"] == pytest.approx(0.3, rel=2e-3)
    assert fits.loc[0, "rms log error"] < 1e-6
    assert {"gamma", "at bound"} <= set(fits.columns)


def test_optimal_precision_by_seed_uses_each_seeds_curves():
    # seed 0: 4 bits better everywhere; seed 1: 8 bits better everywhere
    rows = []
    for seed, best in [(0, 4), (1, 8)]:
        for bits in [4, 8, 16]:
            for tb in [10.0, 100.0]:
                rows.append({"seed": seed, "bits": bits, "total_bits": tb,
                             "fd": 1.0 if bits == best else 2.0})  # fmt: skip
    out = bs.optimal_precision_by_seed(pd.DataFrame(rows), np.array([20.0, 50.0]))
    assert out.groupby("seed")["best"].unique().map(list).to_dict() == {0: [4.0], 1: [8.0]}
    assert (out["n_curves"] == 3).all()
    none = bs.optimal_precision_by_seed(pd.DataFrame(rows), np.array([20.0]), min_curves=4)
    assert none.empty
