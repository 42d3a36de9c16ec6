"""Tests of helpers.fitting: every law recovered from known truths, the Epoch optimum,
Jacobians, the batched bootstrap against the per-resample loop and against Epoch's
intervals, convergence bookkeeping, and clear errors.

Tolerances come from the noise: noiseless data must be recovered to 1e-6 (so a 1% bias in
any fitted parameter fails), and noisy data within 4 standard errors computed from the
law's own Jacobian at the truth (each chosen so that 4 SE is well under 1%).
"""

import os
import warnings

import numpy as np
import pandas as pd
import pytest

import helpers as hp
from helpers import fitting as F

SHARED = pytest.mark.skipif(
    not (hp.paths.SHARED_DATA_DIR.is_dir() or os.environ.get(hp.paths.DATA_ENV_VAR)),
    reason="needs ../shared/data (or SCALING_BOOK_DATA) for Epoch's Chinchilla runs",
)

TRUE_CHINCHILLA = {"E": 1.8, "A": 480.0, "B": 2100.0, "alpha": 0.35, "beta": 0.37}


def _chinchilla_inputs(rng, n=200):
    return np.column_stack([10 ** rng.uniform(7, 10, n), 10 ** rng.uniform(9, 12, n)])


def _gadre_inputs(rng, n=120):
    C = 10 ** rng.uniform(17, 21, n)
    M = 10 ** rng.uniform(np.log10(5), np.log10(640), n)
    return np.column_stack([C, M])


# Each case: law name, inputs(rng), true parameters. The truths are in the regimes the
# chapters fit (Chinchilla runs, Gadre's testbed, loss -> error, a sigmoid link).
# KEY: the shape parameters a 1% bias in which the noisy-recovery test must detect.
KEY = {
    "power_law": ["alpha"],
    "saturating_power_law": ["E", "alpha"],
    "chinchilla": ["E", "alpha", "beta"],
    "gadre_loss": ["E", "eta"],
    "exponential_error": ["eps", "gamma"],
    "sigmoid": ["slope", "center", "floor", "height"],
}
CASES = {
    "power_law": (lambda rng: 10 ** rng.uniform(0, 6, 60), {"A": 5.0, "alpha": 0.5}),
    "saturating_power_law": (
        lambda rng: 10 ** rng.uniform(6, 10, 60),
        {"E": 2.0, "A": 300.0, "alpha": 0.3},
    ),
    "chinchilla": (_chinchilla_inputs, TRUE_CHINCHILLA),
    "gadre_loss": (_gadre_inputs, {"E": 1.9, "a": 60.0, "b": 400.0, "eta": 0.12}),
    "exponential_error": (
        lambda rng: rng.uniform(2.5, 5.0, 60),
        {"eps": 0.85, "k": 7.0, "gamma": 0.9},
    ),
    "sigmoid": (
        lambda rng: rng.uniform(-3.0, 3.0, 80),
        {"floor": 0.25, "height": 0.6, "slope": -1.7, "center": 0.4},
    ),
}


# The truths, written out here independently of the engine's code (so a bug in a law's
# predict cannot hide by generating its own test data).
FORMULAS = {
    "power_law": lambda x, A, alpha: A * x[:, 0] ** -alpha,
    "saturating_power_law": lambda x, E, A, alpha: E + A / x[:, 0] ** alpha,
    "chinchilla": lambda x, E, A, B, alpha, beta: E + A / x[:, 0] ** alpha + B / x[:, 1] ** beta,
    "gadre_loss": lambda x, E, a, b, eta: (
        E + (a * x[:, 1] ** eta + b / x[:, 1] ** eta) / x[:, 0] ** eta
    ),
    "exponential_error": lambda x, eps, k, gamma: eps - k * np.exp(-gamma * x[:, 0]),
    "sigmoid": lambda x, floor, height, slope, center: (
        floor + height / (1 + np.exp(-slope * (x[:, 0] - center)))
    ),
}


def _truth(name, rng):
    inputs, params = CASES[name]
    x = inputs(rng)
    law = F.get_law(name)
    X = x[:, None] if x.ndim == 1 else x
    y = FORMULAS[name](X, **params)
    np.testing.assert_allclose(law(*X.T, **params), y, rtol=1e-12)  # the law's own predict
    return X, law, params, y


@pytest.mark.parametrize("name", list(CASES))
def test_every_law_recovers_noiseless_truth_exactly(name):
    rng = np.random.default_rng(1)
    X, _, true, y = _truth(name, rng)
    fit = F.fit_law(X, y, law=name)
    assert fit.converged
    for p, value in true.items():
        assert fit[p] == pytest.approx(value, rel=1e-6), p
    assert fit.objective < 1e-16


@pytest.mark.parametrize("name", list(CASES))
def test_every_law_recovers_noisy_truth_within_four_standard_errors(name):
    rng = np.random.default_rng(2)
    X, law, true, clean = _truth(name, rng)
    sd = 5e-4
    if law.residuals == "log":
        y = clean * np.exp(rng.normal(0, sd, clean.size))
    else:
        y = clean + rng.normal(0, sd, clean.size)
    fit = F.fit_law(X, y, law=name, delta=np.inf)  # least squares: the SE formula is exact
    u = law.to_u(np.array([true[p] for p in law.params]))[None, :]
    J = law.residual_jacobian(u, X)[0]
    cov_u = sd**2 * np.linalg.inv(J.T @ J)
    se_u = np.sqrt(np.diag(cov_u))
    fitted_u = np.asarray(fit.theta)
    z = (fitted_u - u[0]) / se_u
    assert np.all(np.abs(z) < 4), dict(zip(law.params, z, strict=True))
    # the test has power: a 1% bias in any parameter is more than 4 standard errors away
    rel_se = dict(zip(law.params, np.where(law._log_mask, se_u, se_u / np.abs(u[0])), strict=True))
    assert all(4 * rel_se[p] < 0.01 for p in KEY[name]), rel_se


@pytest.mark.parametrize("name", list(CASES))
def test_jacobian_matches_central_differences(name):
    rng = np.random.default_rng(3)
    X, law, true, y = _truth(name, rng)
    u = law.to_u(np.array([[true[p] for p in law.params]])) * (
        1 + 0.05 * rng.normal(size=(1, len(law.params)))
    )
    target = law._residual_from_pred(y[None, :], 0.0)[0] if law.residuals == "linear" else np.log(y)
    _, J = law.residuals_and_jacobian(u, X, target)
    h = 1e-6
    for j in range(u.shape[1]):
        up, down = u.copy(), u.copy()
        up[0, j] += h
        down[0, j] -= h
        numeric = (law.residual_values(up, X, target) - law.residual_values(down, X, target)) / (
            2 * h
        )
        np.testing.assert_allclose(J[0, :, j], numeric[0], rtol=1e-5, atol=1e-9)


def test_weights_equal_repeated_rows():
    rng = np.random.default_rng(4)
    X, _, _, y = _truth("saturating_power_law", rng)
    y = y * np.exp(rng.normal(0, 0.01, y.size))
    counts = rng.integers(0, 3, y.size).astype(float)
    weighted = F.fit_law(X, y, law="saturating_power_law", weights=counts)
    rows = np.repeat(np.arange(y.size), counts.astype(int))
    repeated = F.fit_law(X[rows], y[rows], law="saturating_power_law")
    assert weighted.objective == pytest.approx(repeated.objective, rel=1e-9)
    for p in weighted.params:
        assert weighted[p] == pytest.approx(repeated[p], rel=1e-6)


def test_least_squares_huber_cost_is_our_objective():
    rng = np.random.default_rng(5)
    r = rng.normal(0, 3e-3, 500)
    w = rng.integers(0, 4, 500).astype(float)
    for delta in (1e-3, np.inf):
        rho = F._huber_rho(delta, w)
        scale = delta if np.isfinite(delta) else 1.0
        cost = 0.5 * scale**2 * rho((r / scale) ** 2)[0].sum()
        assert cost == pytest.approx(float(np.sum(w * F.huber(r, delta))), rel=1e-12)


def test_exponents_are_bounded_and_reported_at_bound():
    """Rising data: a power law with a positive exponent cannot follow them."""
    x = np.geomspace(1.0, 1e6, 30)
    fit = F.fit_power_law(x, 3.0 * x**0.3)  # the unconstrained optimum is alpha = -0.3
    assert fit["alpha"] == pytest.approx(0.0, abs=1e-12)
    assert fit.at_bound == ("alpha",)
    assert "at_bound=['alpha']" in repr(fit)
    rising = F.fit_saturating_power_law(x, 2.0 + 1e-3 * x**0.4)
    assert rising["alpha"] >= 0.0


def test_custom_law_with_numeric_jacobian_fits_and_registers():
    """A law declared outside the engine, without a Jacobian (central differences):
    Kumar et al.'s effective parameters, N_eff = N (1 - exp(-b / gamma)), as the
    quantization helpers declare it; the formula is written out here."""
    from helpers.bitscaling import kumar_law

    law = kumar_law()
    assert law.jacobian is None and F.get_law("kumar_neff") is law
    rng = np.random.default_rng(6)
    N = 10 ** rng.uniform(5, 8, 80)
    bits = rng.choice([2.0, 3.0, 4.0, 6.0, 8.0, 16.0], 80)
    true = {"E": 1.2, "A": 250.0, "alpha": 0.34, "gamma": 2.5}
    y = true["E"] + true["A"] * (N * (1 - np.exp(-bits / true["gamma"]))) ** -true["alpha"]
    fit = F.fit_law(np.column_stack([N, bits]), y, law="kumar_neff")
    for p, v in true.items():
        assert fit[p] == pytest.approx(v, rel=1e-6), p

    def offset(p, x):
        return p["E"] + 0 * x[:, 0]

    F.register_law(F.Law("test_offset", ("E",), predict=offset, grid={"E": [1.0]}), replace=True)
    assert F.fit_law(np.arange(1.0, 6.0), np.full(5, 2.0), law="test_offset")["E"] == (
        pytest.approx(2.0, rel=1e-9)
    )
    with pytest.raises(ValueError, match="registered already"):
        F.register_law(F.Law("test_offset", ("E",), predict=offset))


@SHARED
def test_epoch_chinchilla_optimum():
    """Epoch's plain Huber grid fit (analyzing-chinchilla cell 18) on the 240 runs."""
    runs = hp.data.load_chinchilla_runs()
    fit = F.fit_chinchilla(runs["params_N"], runs["tokens_D"], runs["loss_nats"])
    assert len(runs) == 240 and fit.converged and fit.n_starts == 4500
    assert fit.objective == pytest.approx(0.0010182740346, rel=1e-7)
    expected = {"E": 1.8172, "A": 477.84, "B": 2143.86, "alpha": 0.347313, "beta": 0.367183}
    for name, value in expected.items():
        assert fit[name] == pytest.approx(value, rel=5e-4), name
    X = runs[["params_N", "tokens_D"]].to_numpy()
    hoffmann = F.huber_log_objective(F.HOFFMANN_PUBLISHED, X, runs["loss_nats"])
    assert hoffmann == pytest.approx(0.0041210, rel=1e-4)


@SHARED
def test_screened_grid_matches_refining_every_start():
    runs = hp.data.load_chinchilla_runs()
    args = (runs["params_N"], runs["tokens_D"], runs["loss_nats"])
    grid = {
        "E": np.exp([-1, 0, 1]),
        "A": np.exp([0, 10, 20]),
        "B": np.exp([0, 10, 20]),
        "alpha": [0, 1],
        "beta": [0, 1],
    }
    full = F.fit_chinchilla(*args, grid=grid, n_refine=3**3 * 4)
    screened = F.fit_chinchilla(*args, grid=grid, n_refine=4)
    assert screened.objective == pytest.approx(full.objective, rel=1e-8)


@SHARED
def test_mean_objective_stops_lbfgs_early_but_sum_does_not():
    """Why the objective is a sum (Besiroglu et al. 2024): L-BFGS's gradient test."""
    from scipy.optimize import minimize

    runs = hp.data.load_chinchilla_runs()
    X = runs[["params_N", "tokens_D"]].to_numpy()
    y = runs["loss_nats"].to_numpy()
    law = F.get_law("chinchilla")
    logy = np.log(y)

    def objective(u, scale):
        r, J = law.residuals_and_jacobian(u[None, :], X, logy)
        g = np.clip(r[0], -1e-3, 1e-3) @ J[0]
        return F.huber(r[0], 1e-3).sum() * scale, g * scale

    u0 = law.to_u(np.array([F.HOFFMANN_PUBLISHED[p] for p in law.params]))
    best = F.fit_chinchilla(X[:, 0], X[:, 1], y)
    mean = minimize(objective, u0, args=(1 / len(y),), jac=True, method="L-BFGS-B")
    total = minimize(objective, u0, args=(1.0,), jac=True, method="L-BFGS-B")
    assert mean.fun * len(y) > 1.01 * best.objective  # the mean stops short of the optimum
    assert total.fun < mean.fun * len(y)  # the sum, from the same start, gets further


# ----------------------------------------------------------------------------
# Bootstrap
# ----------------------------------------------------------------------------


def test_batched_bootstrap_equals_per_resample_loop():
    rng = np.random.default_rng(7)
    X = _chinchilla_inputs(rng, 150)
    y = F.chinchilla_loss(*X.T, **TRUE_CHINCHILLA) * np.exp(rng.normal(0, 0.01, 150))
    fit = F.fit_law(X, y, law="chinchilla")
    batched = F.bootstrap_fit(fit, X, y, n_boot=60, rng=3)
    loop = F.bootstrap_fit(fit, X, y, n_boot=60, rng=3, method="loop")
    assert batched.n_failed == 0 and loop.n_failed == 0
    np.testing.assert_allclose(batched.samples["objective"], loop.samples["objective"], rtol=1e-9)
    for p in fit.params:
        np.testing.assert_allclose(batched.samples[p], loop.samples[p], rtol=1e-5)


def test_bootstrap_width_matches_the_sampling_distribution():
    """Bootstrap SE of an exponent equals its analytic SE: a 30% narrower interval fails."""
    rng = np.random.default_rng(8)
    x = 10 ** rng.uniform(0, 6, 400)
    sd = 0.05
    y = F.power_law(x, 5.0, 0.5) * np.exp(rng.normal(0, sd, x.size))
    fit = F.fit_power_law(x, y, delta=np.inf)
    boot = F.bootstrap_fit(fit, x, y, n_boot=2000, rng=9)
    # least squares in log space: ln y = ln A - alpha ln x, SE(alpha) = sd / (sqrt(n) sd(ln x))
    se_alpha = sd / (np.sqrt(x.size) * np.std(np.log(x)))
    ci = boot.ci(0.95)
    assert ci.loc["alpha", "se"] == pytest.approx(se_alpha, rel=0.08)
    width = ci.loc["alpha", "high"] - ci.loc["alpha", "low"]
    assert width == pytest.approx(2 * 1.96 * se_alpha, rel=0.10)


def test_generic_bootstrap_of_a_mean():
    rng = np.random.default_rng(10)
    data = rng.normal(3.0, 2.0, 300)
    res = F.bootstrap(lambda idx: {"mean": data[idx].mean()}, data.size, n_boot=4000, rng=11)
    ci = res.ci()
    expected_se = data.std(ddof=0) / np.sqrt(data.size)
    assert ci.loc["mean", "estimate"] == pytest.approx(data.mean())
    assert ci.loc["mean", "se"] == pytest.approx(expected_se, rel=0.05)
    again = F.bootstrap(lambda idx: {"mean": data[idx].mean()}, data.size, n_boot=4000, rng=11)
    pd.testing.assert_frame_equal(res.samples, again.samples)  # deterministic


def test_unconverged_resamples_are_counted_and_left_out():
    data = np.arange(50.0)

    def flaky(idx):
        # an estimator that fails on some resamples, and returns garbage when it does
        failed = idx[1] % 5 == 0
        return {"mean": 1e6 if failed else data[idx].mean(), "converged": not failed}

    res = F.bootstrap(flaky, data.size, n_boot=500, rng=12)
    assert 0 < res.n_failed < 500
    with pytest.warns(RuntimeWarning, match="did not converge"):
        ci = res.ci()
    assert ci.attrs["n_failed"] == res.n_failed
    assert ci.loc["mean", "high"] < 100  # the garbage never enters the interval

    def raises(idx):
        if idx[1] % 3 == 0:
            raise ValueError("singular")
        return {"mean": data[idx].mean()}

    res = F.bootstrap(raises, data.size, n_boot=200, rng=13)
    assert res.n_failed > 0 and "error" in res.samples


def test_bootstrap_fit_records_refit_failures(monkeypatch):
    rng = np.random.default_rng(14)
    x = 10 ** rng.uniform(0, 6, 60)
    y = F.power_law(x, 5.0, 0.5) * np.exp(rng.normal(0, 0.05, 60))
    fit = F.fit_power_law(x, y)

    def nothing_settles(law, u0, x, target, weights, delta, **kw):
        return u0, np.full(len(u0), np.nan), np.zeros(len(u0), dtype=bool)

    real_refit = F._refit
    calls = []

    def sometimes_fails(job):
        calls.append(1)
        u, f, ok = real_refit(job)
        return u, f, ok and len(calls) % 4 != 0

    monkeypatch.setattr(F, "_batched_lm", nothing_settles)
    monkeypatch.setattr(F, "_refit", sometimes_fails)
    boot = F.bootstrap_fit(fit, x, y, n_boot=40, rng=15)
    assert len(calls) == 40  # every unsettled resample was refitted alone
    assert boot.n_failed == 10
    with pytest.warns(RuntimeWarning):
        assert boot.ci().attrs["n_used"] == 30


@SHARED
def test_chinchilla_bootstrap_matches_epoch_intervals():
    """4,000 resamples, as Epoch: every 95% bound within 5% of theirs (cells 25-26)."""
    runs = hp.data.load_chinchilla_runs()
    X = runs[["params_N", "tokens_D"]].to_numpy()
    y = runs["loss_nats"].to_numpy()
    fit = F.fit_law(X, y, law="chinchilla")
    boot = F.bootstrap_fit(fit, X, y, n_boot=4000, rng=42)
    assert boot.n_failed == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ci = boot.ci()
    epoch = hp.data.load_chinchilla_estimates().query("estimate == 'besiroglu2024_mle'")
    epoch = epoch.set_index("parameter")
    for p in ["E", "A", "B", "alpha", "beta"]:
        for side in ["low", "high"]:
            assert ci.loc[p, side] == pytest.approx(epoch.loc[p, side], rel=0.05), (p, side)


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------


def test_clear_errors_on_bad_input():
    x = np.geomspace(1, 100, 10)
    y = 2 + x**-0.5
    with pytest.raises(ValueError, match=r"unknown law 'nope'; known laws: .*chinchilla"):
        F.fit_law(x, y, law="nope")
    with pytest.raises(ValueError, match=r"either init= .* or grid="):
        F.fit_law(
            x,
            y,
            law="saturating_power_law",
            init={"E": 1, "A": 1, "alpha": 0.5},
            grid={"E": [1], "A": [1], "alpha": [0.5]},
        )
    bad = y.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match=r"y has 1 NaN/inf value.*at 3"):
        F.fit_law(x, bad, law="saturating_power_law")
    with pytest.raises(ValueError, match="strictly positive"):
        F.fit_law(-x, y, law="saturating_power_law")
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, 2\)"):
        F.fit_law(x, y, law="chinchilla")
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        F.fit_law(x, y[:-1], law="saturating_power_law")
    with pytest.raises(ValueError, match="needs a grid of exactly"):
        F.fit_law(x, y, law="saturating_power_law", grid={"E": [1], "A": [1]})
    with pytest.raises(ValueError, match="at least 3 observations"):
        F.fit_law(x[:2], y[:2], law="saturating_power_law")
    with pytest.raises(ValueError, match="N \\(parameters\\)"):
        F.fit_chinchilla([0, 1, 2], [1, 2, 3], [1, 2, 3])
    with pytest.raises(TypeError, match="rng is required"):
        F.bootstrap_fit(F.fit_law(x, y, law="saturating_power_law"), x, y, rng=None)
    with pytest.raises(ValueError, match="n_boot"):
        F.bootstrap(lambda i: {"m": 0.0}, 5, n_boot=1, rng=0)
    # a linear-residual law accepts negative inputs and outputs
    F.fit_law(np.linspace(-2, 2, 20), np.linspace(-1, 1, 20) ** 3, law="sigmoid")


# ----------------------------------------------------------------------------
# The pieces on their own (also what mutation testing exercises)
# ----------------------------------------------------------------------------


def test_natural_scale_functions_match_the_formulas():
    rng = np.random.default_rng(20)
    x = 10 ** rng.uniform(0, 9, (50, 2))
    s = rng.uniform(-3, 3, (50, 1))
    cases = [
        (F.power_law(x[:, 0], 5.0, 0.5), FORMULAS["power_law"](x, 5.0, 0.5)),
        (
            F.saturating_power_law(x[:, 0], 2.0, 300.0, 0.3),
            FORMULAS["saturating_power_law"](x, 2.0, 300.0, 0.3),
        ),
        (
            F.chinchilla_loss(x[:, 0], x[:, 1], **TRUE_CHINCHILLA),
            FORMULAS["chinchilla"](x, **TRUE_CHINCHILLA),
        ),
        (
            F.gadre_loss(x[:, 0], x[:, 1], 1.9, 60.0, 400.0, 0.12),
            FORMULAS["gadre_loss"](x, 1.9, 60.0, 400.0, 0.12),
        ),
        (
            F.exponential_error(s[:, 0] + 4, 0.85, 7.0, 0.9),
            FORMULAS["exponential_error"](s + 4, 0.85, 7.0, 0.9),
        ),
        (F.sigmoid(s[:, 0], 0.25, 0.6, -1.7, 0.4), FORMULAS["sigmoid"](s, 0.25, 0.6, -1.7, 0.4)),
    ]
    for got, want in cases:
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("name", ["chinchilla", "gadre_loss"])
def test_power_law_sum_factory_at_call_time(name):
    """The family builds the built-in forms (built again here, not at import)."""
    specs = {
        "chinchilla": dict(
            inputs=("N", "D"), terms=[("A", "alpha", (1, 0)), ("B", "beta", (0, 1))]
        ),
        "gadre_loss": dict(inputs=("C", "M"), terms=[("a", "eta", (1, -1)), ("b", "eta", (1, 1))]),
    }
    law = F.power_law_sum(f"rebuilt_{name}", **specs[name])
    assert law.params == F.get_law(name).params
    assert set(law.positive) == set(law.params) - {"alpha", "beta", "eta"}
    rng = np.random.default_rng(21)
    X, _, true, y = _truth(name, rng)
    np.testing.assert_allclose(law(*X.T, **true), y, rtol=1e-12)
    u = law.to_u(np.array([[true[p] for p in law.params]]))
    _, J = law.residuals_and_jacobian(u, X, np.log(y))
    for j in range(u.shape[1]):
        up, down = u.copy(), u.copy()
        up[0, j] += 1e-6
        down[0, j] -= 1e-6
        numeric = (
            law.residual_values(up, X, np.log(y)) - law.residual_values(down, X, np.log(y))
        ) / 2e-6
        np.testing.assert_allclose(J[0, :, j], numeric[0], rtol=1e-5, atol=1e-9)
    fit = F.fit_law(X, y, law=law, n_refine=4)
    for p, v in true.items():
        assert fit[p] == pytest.approx(v, rel=1e-6), p
    with pytest.raises(ValueError, match="signs"):
        F.power_law_sum("bad", inputs=("N", "D"), terms=[("A", "alpha", (1,))])


def test_huber_is_the_piecewise_formula():
    r = np.array([-3e-3, -1e-3, -2e-4, 0.0, 5e-4, 1e-3, 2e-2])
    d = 1e-3
    want = np.where(np.abs(r) <= d, r**2 / 2, d * (np.abs(r) - d / 2))
    np.testing.assert_allclose(F.huber(r, d), want, rtol=1e-14)
    np.testing.assert_allclose(F.huber(r, np.inf), r**2 / 2, rtol=1e-14)
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="delta must be positive"):
            F.huber(r, bad)


def test_batched_solver_converges_on_its_own():
    """The batch must settle every resample by itself (the per-resample fallback would
    otherwise hide a broken batched solver behind correct results)."""
    rng = np.random.default_rng(22)
    X = _chinchilla_inputs(rng, 150)
    y = F.chinchilla_loss(*X.T, **TRUE_CHINCHILLA) * np.exp(rng.normal(0, 0.01, 150))
    fit = F.fit_law(X, y, law="chinchilla")
    law = fit.spec
    idx = np.random.default_rng(23).integers(0, 150, size=(40, 150))
    counts = np.stack([np.bincount(i, minlength=150) for i in idx]).astype(float)
    u0 = np.tile(np.asarray(fit.theta), (40, 1))
    u, f, ok = F._batched_lm(law, u0, X, np.log(y), counts, fit.delta)
    assert ok.all()
    loop = F.bootstrap_fit(fit, X, y, n_boot=40, rng=23, method="loop")
    np.testing.assert_allclose(f, loop.samples["objective"], rtol=1e-9)
    np.testing.assert_allclose(law.from_u(u), loop.samples[list(law.params)], rtol=1e-5)


def test_batched_solver_settles_resamples_whose_optimum_is_on_a_bound():
    """Rising data hold a power law's exponent on its bound (alpha = 0): the batch must
    still converge (projected gradient), at the per-resample fits' optimum."""
    rng = np.random.default_rng(24)
    x = np.geomspace(1.0, 1e6, 40)
    y = 3.0 * x**0.05 * np.exp(rng.normal(0, 0.01, 40))
    fit = F.fit_law(x, y, law="power_law", delta=np.inf)  # a unique optimum (no flat L1 zone)
    assert fit.at_bound == ("alpha",)
    law = fit.spec
    idx = np.random.default_rng(25).integers(0, 40, size=(30, 40))
    counts = np.stack([np.bincount(i, minlength=40) for i in idx]).astype(float)
    u0 = np.tile(np.asarray(fit.theta), (30, 1))
    u, f, ok = F._batched_lm(law, u0, x[:, None], np.log(y), counts, fit.delta)
    assert ok.all()
    loop = F.bootstrap_fit(fit, x, y, n_boot=30, rng=25, method="loop")
    np.testing.assert_allclose(f, loop.samples["objective"], rtol=1e-9)
    np.testing.assert_allclose(law.from_u(u), loop.samples[list(law.params)], rtol=1e-6, atol=1e-12)


def test_group_bootstrap_resamples_whole_units():
    """Rows copied from one unit are not independent: the cluster bootstrap sees through it.

    Each of 12 units contributes 7 identical copies of one noisy measurement; a row
    bootstrap treats 84 rows as independent and is about sqrt(7) times too narrow, the
    group bootstrap matches the bootstrap of the 12 units themselves.
    """
    rng = np.random.default_rng(31)
    x_unit = 10 ** rng.uniform(0, 4, 12)
    y_unit = F.power_law(x_unit, 5.0, 0.5) * np.exp(rng.normal(0, 0.1, 12))
    x, y = np.repeat(x_unit, 7), np.repeat(y_unit, 7)
    unit = np.repeat(np.arange(12), 7)
    fit = F.fit_power_law(x, y, delta=np.inf)
    rows = F.bootstrap_fit(fit, x, y, n_boot=1500, rng=4).ci().loc["alpha", "se"]
    grouped = F.bootstrap_fit(fit, x, y, n_boot=1500, rng=4, groups=unit).ci().loc["alpha", "se"]
    fit_u = F.fit_power_law(x_unit, y_unit, delta=np.inf)
    units = F.bootstrap_fit(fit_u, x_unit, y_unit, n_boot=1500, rng=4).ci().loc["alpha", "se"]
    assert grouped == pytest.approx(units, rel=0.1)
    assert grouped / rows == pytest.approx(np.sqrt(7), rel=0.15)


def test_group_bootstrap_keeps_each_stratum_size():
    x = np.tile([1.0, 10.0, 100.0], 4) * np.repeat([1.0, 1.1, 0.9, 1.05], 3)
    y = F.power_law(x, 2.0, 0.3)
    stratum = np.tile([0, 1, 2], 4)  # three sizes, four seeds each
    group = np.arange(12)
    counts = F._group_resample_counts(group, stratum, 12, 50, 0)
    for k in range(3):
        np.testing.assert_array_equal(counts[:, stratum == k].sum(axis=1), 4)
    fit = F.fit_power_law(x, y, delta=np.inf)
    boot = F.bootstrap_fit(fit, x, y, n_boot=20, rng=1, groups=group, strata=stratum)
    assert boot.n_failed == 0
    with pytest.raises(ValueError, match="same stratum"):
        F._group_resample_counts([0, 0, 1, 1], [0, 1, 0, 1], 4, 5, 0)
    with pytest.raises(ValueError, match="one unit per row"):
        F.bootstrap_fit(fit, x, y, n_boot=5, rng=1, groups=group[:5])
    with pytest.raises(ValueError, match="strata needs groups"):
        F.bootstrap_fit(fit, x, y, n_boot=5, rng=1, strata=stratum)


def test_bootstrap_fit_replays_given_indices():
    # resamples passed as indices give the same refits as the same resamples drawn from rng
    rng = np.random.default_rng(3)
    x = np.geomspace(1e6, 1e10, 25)
    y = F.saturating_power_law(x, E=1.8, A=300.0, alpha=0.3) * np.exp(rng.normal(0, 0.01, x.size))
    fit = F.fit_saturating_power_law(x, y)
    drawn = F.bootstrap_fit(fit, x, y, n_boot=50, rng=11)
    idx = np.random.default_rng(11).integers(0, x.size, size=(50, x.size))
    replay = F.bootstrap_fit(fit, x, y, indices=idx)
    assert np.allclose(replay.samples[["E", "A", "alpha"]], drawn.samples[["E", "A", "alpha"]])
    # a different set of resamples gives different refits (the indices are used)
    other = F.bootstrap_fit(fit, x, y, indices=idx[:, ::-1].copy() % 7)
    assert not np.allclose(other.samples["alpha"], drawn.samples["alpha"])
    with pytest.raises(ValueError, match="replaces rng"):
        F.bootstrap_fit(fit, x, y, indices=idx, rng=1)
    with pytest.raises(ValueError, match="shape"):
        F.bootstrap_fit(fit, x, y, indices=idx[:, :5])
    with pytest.raises(ValueError, match="row positions"):
        F.bootstrap_fit(fit, x, y, indices=idx + x.size)
    with pytest.raises(TypeError, match="rng is required"):
        F.bootstrap_fit(fit, x, y, n_boot=10)
