"""Tests of helpers.fitting: recovery of known parameters, the Epoch optimum, errors."""

import numpy as np
import pytest

import helpers as hp
from helpers import fitting as F


def _synthetic_chinchilla(rng, n=200, noise=0.005, **true):
    N = 10 ** rng.uniform(7, 10, n)
    D = 10 ** rng.uniform(9, 12, n)
    L = F.chinchilla_loss(N, D, **true) * np.exp(rng.normal(0, noise, n))
    return N, D, L


TRUE_CHINCHILLA = {"E": 1.8, "A": 480.0, "B": 2100.0, "alpha": 0.35, "beta": 0.37}


def test_chinchilla_recovers_known_parameters_within_noise():
    rng = np.random.default_rng(0)
    N, D, L = _synthetic_chinchilla(rng, **TRUE_CHINCHILLA)
    fit = F.fit_chinchilla(N, D, L)
    assert fit.converged
    assert fit.n_starts == 4500
    for name, rel in [("E", 0.02), ("alpha", 0.05), ("beta", 0.05)]:
        assert fit[name] == pytest.approx(TRUE_CHINCHILLA[name], rel=rel), name
    # the fitted surface matches the noiseless law far better than the noise level
    clean = F.chinchilla_loss(N, D, **TRUE_CHINCHILLA)
    assert np.max(np.abs(F.relative_error(fit.predict(N, D), clean))) < 0.005


def test_noiseless_chinchilla_is_recovered_exactly():
    rng = np.random.default_rng(1)
    N, D, L = _synthetic_chinchilla(rng, noise=0.0, **TRUE_CHINCHILLA)
    fit = F.fit_chinchilla(N, D, L)
    for name, value in TRUE_CHINCHILLA.items():
        assert fit[name] == pytest.approx(value, rel=1e-4), name
    assert fit.objective < 1e-12


def test_saturating_power_law_recovers_parameters():
    rng = np.random.default_rng(2)
    x = np.geomspace(1e6, 1e10, 40)
    true = {"E": 2.0, "A": 300.0, "alpha": 0.3}
    y = F.saturating_power_law(x, **true) * np.exp(rng.normal(0, 0.002, x.size))
    fit = F.fit_saturating_power_law(x, y)
    assert fit["alpha"] == pytest.approx(0.3, rel=0.05)
    assert fit["E"] == pytest.approx(2.0, rel=0.01)


def test_pure_power_law_is_exact_on_a_line():
    x = np.geomspace(1, 1e6, 20)
    fit = F.fit_power_law(x, 5.0 * x**-0.5)
    assert fit["A"] == pytest.approx(5.0, rel=1e-6)
    assert fit["alpha"] == pytest.approx(0.5, rel=1e-6)


def test_epoch_chinchilla_optimum():
    """Epoch's plain Huber grid fit (analyzing-chinchilla cell 18) on the 240 runs."""
    runs = hp.data.load_chinchilla_runs()
    fit = F.fit_chinchilla(runs["params_N"], runs["tokens_D"], runs["loss_nats"])
    assert len(runs) == 240
    assert fit.objective == pytest.approx(0.0010182740346, rel=1e-7)
    expected = {"E": 1.8172, "A": 477.84, "B": 2143.86, "alpha": 0.347313, "beta": 0.367183}
    for name, value in expected.items():
        assert fit[name] == pytest.approx(value, rel=5e-4), name
    X = runs[["params_N", "tokens_D"]].to_numpy()
    hoffmann = F.huber_log_objective(F.HOFFMANN_PUBLISHED, X, runs["loss_nats"])
    assert hoffmann == pytest.approx(0.0041210, rel=1e-4)


def test_screened_grid_matches_full_loop_on_subgrid():
    """Refining only the best grid points reaches the optimum of refining every point."""
    runs = hp.data.load_chinchilla_runs()
    args = (runs["params_N"], runs["tokens_D"], runs["loss_nats"])
    grid = {"e": [-1, 0, 1], "a": [0, 10, 20], "b": [0, 10, 20], "alpha": [0, 1], "beta": [0, 1]}
    full = F.fit_chinchilla(*args, grid=grid, n_refine=3**3 * 4)
    screened = F.fit_chinchilla(*args, grid=grid, n_refine=4)
    assert screened.objective == pytest.approx(full.objective, rel=1e-8)


def test_mean_objective_would_stop_early_but_sum_does_not():
    """The summed objective is what we minimise: gradient scale matters for L-BFGS."""
    from scipy.optimize import minimize

    runs = hp.data.load_chinchilla_runs()
    X = runs[["params_N", "tokens_D"]].to_numpy()
    y = runs["loss_nats"].to_numpy()
    spec = F.LAWS["chinchilla"]
    logx, logy = np.log(X), np.log(y)
    theta0 = F._to_theta(F.HOFFMANN_PUBLISHED, spec)

    def mean_obj(t):
        v, g = F._objective_and_grad(t, logx, logy, 1e-3, spec)
        return v / len(y), g / len(y)

    res = minimize(mean_obj, theta0, jac=True, method="L-BFGS-B")
    best = F.fit_chinchilla(X[:, 0], X[:, 1], y)
    assert res.fun * len(y) > 1.01 * best.objective  # the mean stops short of the optimum


def test_analytic_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    N, D, L = _synthetic_chinchilla(rng, n=50, noise=0.05, **TRUE_CHINCHILLA)
    spec = F.LAWS["chinchilla"]
    logx, logy = np.log(np.column_stack([N, D])), np.log(L)
    theta = np.array([0.5, 6.0, 7.5, 0.3, 0.4])
    _, grad = F._objective_and_grad(theta, logx, logy, 1e-3, spec)
    eps = 1e-6
    numeric = [
        (
            F._objective_and_grad(theta + eps * e, logx, logy, 1e-3, spec)[0]
            - F._objective_and_grad(theta - eps * e, logx, logy, 1e-3, spec)[0]
        )
        / (2 * eps)
        for e in np.eye(5)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)


def test_optimal_allocation_closed_form_is_the_constrained_minimum():
    params = {"E": 1.8, "A": 480.0, "B": 2100.0, "alpha": 0.35, "beta": 0.37}
    C = 1e22
    row = F.chinchilla_optimal_allocation(C, **params).iloc[0]
    assert 6 * row.params_N * row.tokens_D == pytest.approx(C, rel=1e-10)
    N = np.geomspace(row.params_N / 3, row.params_N * 3, 2001)
    losses = F.chinchilla_loss(N, C / (6 * N), **params)
    assert N[np.argmin(losses)] == pytest.approx(row.params_N, rel=0.01)
    assert row.exponent_a == pytest.approx(0.37 / 0.72)


def test_bootstrap_is_deterministic_and_covers_truth():
    rng = np.random.default_rng(4)
    x = np.geomspace(1e6, 1e10, 30)
    y = F.saturating_power_law(x, 2.0, 300.0, 0.3) * np.exp(rng.normal(0, 0.01, x.size))
    fit = F.fit_saturating_power_law(x, y)
    a = F.bootstrap_fit(fit, x, y, n_boot=60, rng=7)
    b = F.bootstrap_fit(fit, x, y, n_boot=60, rng=np.random.default_rng(7), n_jobs=2)
    np.testing.assert_array_equal(a.samples.to_numpy(), b.samples.to_numpy())
    ci = a.ci(0.95)
    assert ci.loc["alpha", "low"] < 0.3 < ci.loc["alpha", "high"]
    assert list(ci.columns) == ["estimate", "se", "low", "high"]
    c = F.bootstrap_fit(fit, x, y, n_boot=60, rng=8)
    assert not np.array_equal(a.samples.to_numpy(), c.samples.to_numpy())


def test_huber_is_least_squares_inside_delta_and_linear_outside():
    r = np.array([-3.0, -1e-4, 0.0, 5e-4, 2.0])
    d = 1e-3
    expected = np.where(np.abs(r) <= d, 0.5 * r**2, d * (np.abs(r) - 0.5 * d))
    np.testing.assert_allclose(F.huber(r, d), expected)
    with pytest.raises(ValueError, match="delta"):
        F.huber(r, 0)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([1.0, 2.0, np.nan, 4.0], [1.0, 2.0, 3.0, 4.0], "NaN"),
        ([1.0, 2.0, 3.0, 4.0], [1.0, -2.0, 3.0, 4.0], "strictly positive"),
        ([1.0, 0.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], "strictly positive"),
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], "rows"),
        ([1.0, 2.0], [1.0, 2.0], "at least 3"),
        (np.ones((4, 2)), [1.0, 2.0, 3.0, 4.0], "shape"),
        ("abcd", [1.0, 2.0, 3.0, 4.0], "numeric"),
    ],
)
def test_bad_input_gets_a_clear_error(x, y, message):
    with pytest.raises((ValueError, TypeError), match=message):
        F.fit_saturating_power_law(x, y)


def test_unknown_law_and_bad_grid_are_rejected():
    x = np.geomspace(1, 100, 10)
    with pytest.raises(ValueError, match="unknown law"):
        F.fit_law(x, x, law="kaplan")
    with pytest.raises(ValueError, match="grid lacks"):
        F.fit_law(x, 1 + x**-0.5, law="saturating_power_law", grid={"e": [0.0]})
    with pytest.raises(ValueError, match="equal length"):
        F.fit_chinchilla([1.0, 2.0], [1.0], [1.0, 2.0])


def test_lawfit_is_frozen_and_readable():
    x = np.geomspace(1, 1e4, 10)
    fit = F.fit_power_law(x, 2 * x**-0.3)
    with pytest.raises(AttributeError):
        fit.objective = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        fit.params["A"] = 1.0  # type: ignore[index]
    assert "power_law" in repr(fit) and "alpha=0.3" in repr(fit)
    with pytest.raises(TypeError, match="input array"):
        fit.predict(x, x)
