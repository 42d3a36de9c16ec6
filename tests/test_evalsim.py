"""Tests of helpers.evalsim: the seeded evaluation simulations and estimators."""

import numpy as np
import pytest

from helpers import evalsim as E
from helpers import scores as S

X = np.linspace(19.0, 23.0, 12)


def test_simulation_is_deterministic_and_shaped():
    a = E.simulate_choice_logliks(X, 50, rng=3)
    b = E.simulate_choice_logliks(X, 50, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (12, 50, 4) and np.all(a <= 0)
    with pytest.raises(ValueError, match="seed"):
        E.simulate_choice_logliks(X, 5)


def test_simulated_gains_are_the_requested_ones():
    ll = E.simulate_choice_logliks(X, 20000, rng=1, jitter_sd=0.0, start=(-40.0, 1.0))
    gain = ll[-1] - ll[0]  # log sigmoid is the identity to 1e-8 this far below 0
    assert gain[:, 1:].mean() == pytest.approx(6.0, rel=0.01)
    assert (gain[:, 0] - gain[:, 1:].mean(axis=1)).mean() == pytest.approx(1.5, rel=0.03)


def test_linear_extrapolation_is_exact_on_lines():
    y = np.column_stack([2.0 + 0.5 * X, -1.0 - 3.0 * X])
    np.testing.assert_allclose(E.linear_extrapolate(X, y, 30.0), [17.0, -91.0], rtol=1e-12)


def test_modelling_every_choice_beats_extrapolating_p_choices_at_low_noise():
    ll = E.simulate_choice_logliks(X, 1000, rng=0, jitter_sd=0.2)
    clean = E.simulate_choice_logliks(X, 1000, rng=0, jitter_sd=0.0)  # same items, no jitter
    true = S.score_chain(clean)["p_choices"][-1]
    fit = slice(0, 9)
    remedy = S.score_chain(E.extrapolate_choice_logliks(X[fit], ll[fit], X[-1]))["p_choices"]
    direct = np.clip(E.linear_extrapolate(X[fit], S.score_chain(ll[fit])["p_choices"], X[-1]), 0, 1)
    assert np.mean(np.abs(remedy - true)) < 0.75 * np.mean(np.abs(direct - true))


def test_pass_until_is_unbiased_and_finite_where_pass_at_n_reads_zero():
    p = np.full(400_000, 2e-6)
    est, samples = E.pass_until(p, k=5, rng=0)
    assert est.mean() == pytest.approx(2e-6, rel=0.005)  # (k-1)/(S-1) is unbiased
    assert np.all(est > 0) and samples.mean() == pytest.approx(5 / 2e-6, rel=0.005)
    assert E.pass_at_n(p[:1000], 100, rng=0).max() == 0.0


def test_pass_at_n_estimates_the_rate():
    assert E.pass_at_n(np.full(100_000, 0.3), 10, rng=1).mean() == pytest.approx(0.3, rel=0.005)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: E.pass_until([0.0, 0.5], rng=0), "probability 0"),
        (lambda: E.pass_until([1.5], rng=0), r"\[0, 1\]"),
        (lambda: E.pass_until([0.5], k=0, rng=0), "k must"),
        (lambda: E.pass_at_n([0.5], 0, rng=0), "n must"),
        (lambda: E.linear_extrapolate(X, np.ones((3, 2)), 1.0), "n_models"),
        (lambda: E.simulate_choice_logliks([1.0, 1.0], 3, rng=0), "distinct"),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_expected_pass_until_estimate_matches_simulation_and_the_series():
    p = np.array([1e-4, 1e-2, 0.3])
    exact = E.expected_pass_until_estimate(p, 1)
    # the series sum_s p (1 - p)^(s - 1) / s, summed far enough to converge
    s = np.arange(1, 400_000)[:, None]
    series = (p * (1 - p) ** (s - 1) / s).sum(axis=0)
    np.testing.assert_allclose(exact, series, rtol=1e-6)
    # and a Monte Carlo mean of pass_until's own estimate (k = 1), within 2%
    est, _ = E.pass_until(np.broadcast_to(p, (400_000, 3)), 1, rng=0)
    np.testing.assert_allclose(est.mean(axis=0), exact, rtol=0.02)
    assert exact[0] / p[0] == pytest.approx(np.log(1e4) / (1 - 1e-4))  # about 9.2x
    # k >= 2: unbiased
    np.testing.assert_array_equal(E.expected_pass_until_estimate(p, 5), p)
    assert E.expected_pass_until_estimate(1.0) == 1.0
    with pytest.raises(ValueError, match="never stops"):
        E.expected_pass_until_estimate([0.0, 0.5])
