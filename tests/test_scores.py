"""Tests of helpers.scores: the transformation chain and per-item correlations."""

import numpy as np
import pytest
from scipy import stats

from helpers import evalsim
from helpers import scores as S

X = np.linspace(19.0, 23.0, 12)  # log10 compute of a 12-model family


@pytest.fixture(scope="module")
def chain():
    ll = evalsim.simulate_choice_logliks(X, 400, rng=0)
    return ll, S.score_chain(ll)


def test_chain_matches_definitions_on_one_item():
    ll = np.log([0.2, 0.1, 0.05, 0.05])  # correct choice is index 1
    out = S.score_chain(ll, correct=1)
    assert out["log_p_vocab"] == pytest.approx(np.log(0.1), rel=1e-12)
    assert out["p_vocab"] == pytest.approx(0.1, rel=1e-12)
    assert out["p_choices"] == pytest.approx(0.1 / 0.4, rel=1e-12)
    p = np.array([0.5, 0.25, 0.125, 0.125])
    expected = -np.mean((p - np.array([0, 1, 0, 0])) ** 2)
    assert out["brier"] == pytest.approx(expected, rel=1e-12)
    assert out["accuracy"] == 0.0
    assert out["p_vocab_incorrect"] == pytest.approx(0.3, rel=1e-12)
    assert S.score_chain(ll, correct=0)["accuracy"] == 1.0


def test_monotone_first_step_leaves_rank_correlations_exactly_unchanged(chain):
    _, ch = chain
    for method in ("spearman", "kendall"):
        before = S.per_item_correlation(X, ch["log_p_vocab"], method)
        after = S.per_item_correlation(X, ch["p_vocab"], method)
        np.testing.assert_array_equal(before, after)
    pearson_log = S.per_item_correlation(X, ch["log_p_vocab"], "pearson")
    pearson_p = S.per_item_correlation(X, ch["p_vocab"], "pearson")
    assert np.mean(pearson_p) < np.mean(pearson_log) - 0.1  # Pearson does drop


def test_renormalisation_is_where_predictability_is_lost(chain):
    _, ch = chain
    means = {k: S.correlation_summary(S.per_item_correlation(X, ch[k]))["mean"] for k in S.CHAIN}
    assert means["p_vocab"] > 0.9
    assert means["p_choices"] < means["p_vocab"] - 0.4


def test_p_choices_ignores_a_gain_shared_by_all_choices(chain):
    ll, ch = chain
    shift = np.linspace(0.0, -5.0, X.size)[:, None, None]  # same for every choice
    shifted = S.score_chain(ll + shift)
    np.testing.assert_allclose(shifted["p_choices"], ch["p_choices"], rtol=1e-12)
    np.testing.assert_array_equal(shifted["accuracy"], ch["accuracy"])


@pytest.mark.parametrize(
    ("method", "reference"),
    [("pearson", stats.pearsonr), ("spearman", stats.spearmanr), ("kendall", stats.kendalltau)],
)
def test_per_item_correlation_matches_scipy_including_ties(chain, method, reference):
    _, ch = chain
    for key in ("p_vocab", "p_choices", "accuracy"):  # accuracy has ties and constant items
        y = ch[key]
        ours = S.per_item_correlation(X, y, method)
        keep = np.ptp(y, axis=0) > 0
        theirs = np.array([reference(X, y[:, i])[0] for i in np.flatnonzero(keep)])
        np.testing.assert_allclose(ours[keep], theirs, rtol=1e-10, atol=1e-12)
        assert np.isnan(ours[~keep]).all()
    assert S.per_item_correlation(X, 3 * X - 1, method) == pytest.approx(1.0, abs=1e-12)
    assert S.per_item_correlation(X, -np.exp(X), method) < -0.7


def test_correlation_summary():
    out = S.correlation_summary([1.0, 0.5, np.nan, -0.5])
    assert out["mean"] == pytest.approx(1.0 / 3.0)
    assert out["median"] == pytest.approx(0.5)
    assert out["ccdf_auc"] == pytest.approx(4.0 / 3.0)
    assert out["nan_fraction"] == pytest.approx(0.25)


def test_exact_match_is_a_power_of_the_token_probability():
    np.testing.assert_allclose(S.exact_match([0.5, 0.9], 3), [0.125, 0.729], rtol=1e-12)


def test_renormalise_and_brier():
    np.testing.assert_allclose(S.renormalise([[0.1, 0.3]]), [[0.25, 0.75]])
    assert S.brier_score([1.0, 0.0]) == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: S.renormalise([0.5, 1.2]), r"probabilities in \[0, 1\]"),
        (lambda: S.brier_score([-0.1, 1.1]), r"probabilities in \[0, 1\]"),
        (lambda: S.exact_match(1.5, 2), r"probabilities in \[0, 1\]"),
        (lambda: S.exact_match(0.5, 0), "length"),
        (lambda: S.score_chain([0.1, -1.0]), "<= 0"),
        (lambda: S.score_chain([-1.0, np.nan]), "finite"),
        (lambda: S.score_chain([[-1.0, -2.0]], correct=[0, 1, 0]), "broadcast"),
        (lambda: S.score_chain([-1.0, -2.0], correct=2), r"\[0, 1\]"),
        (lambda: S.per_item_correlation(X, np.ones((5, 2))), "n_models"),
        (lambda: S.per_item_correlation(X, X, "cosine"), "pearson"),
        (lambda: S.per_item_correlation([1.0, 2.0], [1.0, 2.0]), "at least 3"),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_correlation_interval_matches_fisher_z_and_covers_at_nominal_rate():
    # Pearson: the textbook interval, tanh(artanh r -+ 1.96 / sqrt(n - 3))
    lo, hi = S.correlation_interval(0.5, 28, "pearson")
    half = stats.norm.ppf(0.975) / 5.0
    assert lo == pytest.approx(np.tanh(np.arctanh(0.5) - half), rel=1e-12)
    assert hi == pytest.approx(np.tanh(np.arctanh(0.5) + half), rel=1e-12)
    # Spearman (Bonett & Wright): wider than Pearson's by sqrt(1 + r^2 / 2)
    lo_s, hi_s = S.correlation_interval(0.5, 28, "spearman")
    se = np.sqrt(1.125) / 5.0
    assert hi_s == pytest.approx(np.tanh(np.arctanh(0.5) + stats.norm.ppf(0.975) * se))
    assert lo_s < lo and hi_s > hi
    # coverage of the Spearman interval on bivariate normal data (rho_s = 6/pi asin(r/2))
    rng = np.random.default_rng(0)
    rho_true = 6 / np.pi * np.arcsin(0.6 / 2)
    n, hits, reps = 16, 0, 2000
    cov = [[1, 0.6], [0.6, 1]]
    for _ in range(reps):
        xy = rng.multivariate_normal([0, 0], cov, n)
        r = stats.spearmanr(xy[:, 0], xy[:, 1])[0]
        a, b = S.correlation_interval(r, n)
        hits += a <= rho_true <= b
    assert 0.93 < hits / reps < 0.98
    with pytest.raises(ValueError, match="open interval"):
        S.correlation_interval(1.0, 10)
    with pytest.raises(ValueError, match="n must be"):
        S.correlation_interval(0.3, 3)


def test_bootstrap_correlation_resamples_units_and_groups():
    rng = np.random.default_rng(1)
    x = np.arange(12.0)
    y = x + rng.normal(0, 2, 12)
    out = S.bootstrap_correlation(x, y, n_boot=400, rng=0)
    assert out["estimate"] == pytest.approx(stats.spearmanr(x, y)[0], rel=1e-12)
    assert out["low"] < out["estimate"] < out["high"] and out["n_units"] == 12
    # the percentile interval of the resampled statistic, computed by hand
    idx = np.random.default_rng(0).integers(0, 12, size=(400, 12))
    by_hand = [stats.spearmanr(x[i], y[i])[0] for i in idx]
    assert out["low"] == pytest.approx(np.nanpercentile(by_hand, 2.5), abs=0.02)
    # paired difference: r(x, y) - r(x, y) is exactly 0
    zero = S.bootstrap_correlation(x, y, y2=y, n_boot=100, rng=0)
    assert zero["estimate"] == zero["low"] == zero["high"] == 0.0
    # groups: three tight clusters whose members agree perfectly look certain over rows,
    # but with only 3 families the cluster bootstrap is honest about it
    g = np.repeat([0, 1, 2, 3], 3)
    rows = S.bootstrap_correlation(x, y, n_boot=400, rng=0)
    fams = S.bootstrap_correlation(x, y, groups=g, n_boot=400, rng=0)
    assert fams["n_units"] == 4 and fams["estimate"] == rows["estimate"]
    assert fams["high"] - fams["low"] > 0
    with pytest.raises(ValueError, match="at least 3"):
        S.bootstrap_correlation(x, y, groups=np.repeat([0, 1], 6), n_boot=10, rng=0)
    with pytest.raises(ValueError, match="one length"):
        S.bootstrap_correlation(x, y[:5], n_boot=10, rng=0)


def test_permutation_test_correlation_is_calibrated_and_one_sided():
    x = np.arange(10.0)
    # a perfect ranking: only 1 of 10! orders reaches rho = 1, so p ~ 1 / (1 + n_perm)
    assert S.permutation_test_correlation(x, x, n_perm=2000, rng=0) == pytest.approx(1 / 2001)
    assert S.permutation_test_correlation(x, -x, n_perm=2000, rng=0) == 1.0
    assert S.permutation_test_correlation(x, -x, n_perm=2000, rng=0, alternative="less") < 0.01
    # under the null the p-value is uniform: about 5% of p-values fall below 0.05
    rng = np.random.default_rng(3)
    p = [S.permutation_test_correlation(x, rng.normal(size=10), n_perm=200, rng=k)
         for k in range(300)]  # fmt: skip
    assert 0.02 < np.mean(np.array(p) < 0.05) < 0.09
    with pytest.raises(ValueError, match="alternative"):
        S.permutation_test_correlation(x, x, rng=0, alternative="bigger")
