r"""Benchmark scores as transforms of log-likelihoods, and how well they track scale.

A multiple-choice benchmark turns a model's log-likelihoods into a score through a chain
of transforms (Schaeffer et al. 2024, arXiv:2406.04391, Sec. 3). For one item with
``K`` offered choices and log-likelihoods :math:`\ell_j = \log p_\text{vocab}(\text{choice } j)`
(the summed token log-probabilities of choice ``j``'s string given the prompt, in nats):

1. :math:`\log p_\text{vocab}(\text{correct}) = \ell_c`;
2. :math:`p_\text{vocab}(\text{correct}) = e^{\ell_c}`;
3. :math:`p_\text{choices}(\text{correct}) = e^{\ell_c} / \sum_j e^{\ell_j}`
   (renormalised over the offered choices only);
4. the Brier score, negated so that higher is better,
   :math:`-\tfrac1K \sum_j (p_\text{choices}(j) - \mathbb 1[j = c])^2`, or the
   accuracy :math:`\mathbb 1[\arg\max_j \ell_j = c]`.

Step 1 -> 2 is strictly monotone, so any rank statistic (Spearman, Kendall) of a score
against compute is unchanged by it; only Pearson's linear correlation changes. Steps 3
and 4 bring in the incorrect choices, which is where an item's score can stop tracking
scale. :func:`per_item_correlation` measures that, per item across a family of models.

Also here: the exact-match probability of an ``L``-token answer (Schaeffer, Miranda &
Koyejo 2023, "Are emergent abilities a mirage?"), the score whose sharpness is a
property of the metric rather than of the model.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "CHAIN",
    "CORRELATIONS",
    "bootstrap_correlation",
    "brier_score",
    "correlation_interval",
    "correlation_summary",
    "exact_match",
    "per_item_correlation",
    "permutation_test_correlation",
    "renormalise",
    "score_chain",
]

#: The scores of the transformation chain, in order (Schaeffer et al. 2024, Fig. 1).
CHAIN = ("log_p_vocab", "p_vocab", "p_choices", "brier", "accuracy")
#: Correlation coefficients understood by :func:`per_item_correlation`.
CORRELATIONS = ("pearson", "spearman", "kendall")

Correlation = Literal["pearson", "spearman", "kendall"]


def _finite(name: str, values: ArrayLike) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; it has {int((~np.isfinite(arr)).sum())} NaN/inf")
    return arr


def _probabilities(name: str, values: ArrayLike) -> np.ndarray:
    p = _finite(name, values)
    bad = (p < 0) | (p > 1)
    if bad.any():
        raise ValueError(
            f"{name} must be probabilities in [0, 1]; {int(bad.sum())} values lie outside "
            f"(min {p.min():.4g}, max {p.max():.4g})"
        )
    return p


def _correct_index(correct: ArrayLike, shape: tuple[int, ...], n_choices: int) -> np.ndarray:
    idx = np.asarray(correct)
    if not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"correct must hold integer choice indices, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= n_choices):
        raise ValueError(
            f"correct must lie in [0, {n_choices - 1}] (there are {n_choices} choices)"
        )
    try:
        return np.broadcast_to(idx, shape)
    except ValueError:
        raise ValueError(
            f"correct has shape {idx.shape}, which does not broadcast to the items' shape {shape}"
        ) from None


def renormalise(p_vocab: ArrayLike) -> np.ndarray:
    r"""Renormalise probabilities over the offered choices (the last axis).

    Parameters
    ----------
    p_vocab : array_like, shape (..., K)
        :math:`p_\text{vocab}` of each of the ``K`` choices, in [0, 1].

    Returns
    -------
    numpy.ndarray, shape (..., K)
        :math:`p_\text{choices}(j) = p_j / \sum_k p_k`; each row sums to 1.

    Raises
    ------
    ValueError
        If a value lies outside [0, 1], is not finite, or a row sums to zero.
    """
    p = _probabilities("p_vocab", p_vocab)
    if p.ndim < 1 or p.shape[-1] < 2:
        raise ValueError(f"p_vocab needs at least 2 choices on its last axis, got shape {p.shape}")
    total = p.sum(axis=-1, keepdims=True)
    if np.any(total == 0):
        raise ValueError("p_vocab has an item whose choices all have probability 0")
    return p / total


def brier_score(p_choices: ArrayLike, correct: ArrayLike = 0) -> np.ndarray:
    r"""Negated Brier score of renormalised choice probabilities (higher is better).

    Parameters
    ----------
    p_choices : array_like, shape (..., K)
        Probabilities over the ``K`` choices, in [0, 1].
    correct : int or array_like of int, default 0
        Index of the correct choice, broadcastable to ``p_choices.shape[:-1]``.

    Returns
    -------
    numpy.ndarray, shape (...)
        :math:`-\frac1K\sum_j (p_j - \mathbb 1[j = c])^2`, in [-2/K, 0]; the mean over
        choices as in Schaeffer et al.'s code (``pred_evals/utils.py``).
    """
    p = _probabilities("p_choices", p_choices)
    if p.ndim < 1 or p.shape[-1] < 2:
        raise ValueError(f"p_choices needs at least 2 choices on its last axis, got {p.shape}")
    idx = _correct_index(correct, p.shape[:-1], p.shape[-1])
    onehot = np.arange(p.shape[-1]) == idx[..., None]
    return -np.mean((p - onehot) ** 2, axis=-1)


def score_chain(loglik: ArrayLike, correct: ArrayLike = 0) -> dict[str, np.ndarray]:
    r"""Every score of Schaeffer et al.'s transformation chain from choice log-likelihoods.

    Parameters
    ----------
    loglik : array_like, shape (..., K)
        :math:`\log p_\text{vocab}` of each of the ``K`` choices (nats, <= 0), e.g.
        shape ``(n_models, n_items, K)``.
    correct : int or array_like of int, default 0
        Index of the correct choice, broadcastable to ``loglik.shape[:-1]``.

    Returns
    -------
    dict of str to numpy.ndarray
        One array of shape ``loglik.shape[:-1]`` per name in :data:`CHAIN`:
        ``log_p_vocab``, ``p_vocab``, ``p_choices`` (probability of the correct choice
        after renormalising over the choices), ``brier`` (negated, see
        :func:`brier_score`) and ``accuracy`` (1.0 when the correct choice has the
        largest log-likelihood; ties count as wrong). Also ``p_vocab_incorrect``, the
        total :math:`p_\text{vocab}` mass on the incorrect choices.

    Raises
    ------
    ValueError
        If ``loglik`` is not finite, is positive anywhere, has fewer than 2 choices, or
        ``correct`` is out of range or of the wrong shape.
    """
    ll = _finite("loglik", loglik)
    if ll.ndim < 1 or ll.shape[-1] < 2:
        raise ValueError(f"loglik needs at least 2 choices on its last axis, got shape {ll.shape}")
    if np.any(ll > 0):
        raise ValueError(f"loglik holds log-probabilities, which are <= 0; max is {ll.max():.4g}")
    idx = _correct_index(correct, ll.shape[:-1], ll.shape[-1])
    ll_c = np.take_along_axis(ll, idx[..., None], axis=-1)[..., 0]
    # softmax over the choices, computed stably (exp of tiny log-probabilities underflows)
    p_choices_all = np.exp(ll - ll.max(axis=-1, keepdims=True))
    p_choices_all /= p_choices_all.sum(axis=-1, keepdims=True)
    p_c = np.take_along_axis(p_choices_all, idx[..., None], axis=-1)[..., 0]
    others = np.where(np.arange(ll.shape[-1]) == idx[..., None], -np.inf, ll)
    best_other = others.max(axis=-1)
    return {
        "log_p_vocab": ll_c,
        "p_vocab": np.exp(ll_c),
        "p_choices": p_c,
        "brier": brier_score(p_choices_all, idx),
        "accuracy": (ll_c > best_other).astype(float),
        "p_vocab_incorrect": np.exp(others).sum(axis=-1),
    }


def _ranks(a: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(a, axis=0)  # average ranks for ties, as scipy.stats.spearmanr


def per_item_correlation(
    x: ArrayLike, scores: ArrayLike, method: Correlation = "spearman"
) -> np.ndarray:
    r"""Correlation, per item, between a scale variable and the item's score across models.

    This is Schaeffer et al.'s per-sample analysis
    (``scripts/compute_correlations_between_sample_scores_and_compute.py``): for each
    item, correlate its score across the models of one family with the models' scale
    (e.g. :math:`\log_{10}` compute).

    Parameters
    ----------
    x : array_like, shape (n_models,)
        Scale of each model (e.g. log10 FLOPs).
    scores : array_like, shape (n_models,) or (n_models, n_items)
        Each item's score for each model.
    method : {"pearson", "spearman", "kendall"}, default "spearman"
        Pearson's r; Spearman's rho (Pearson's r of average ranks); Kendall's tau-b
        (:math:`\sum_{i<j} s^x_{ij} s^y_{ij} / \sqrt{\sum (s^x_{ij})^2 \sum (s^y_{ij})^2}`
        with :math:`s_{ij} = \operatorname{sign}(v_i - v_j)`, which handles ties as
        ``scipy.stats.kendalltau``).

    Returns
    -------
    numpy.ndarray, shape (n_items,) (or a 0-d array for 1-D ``scores``)
        Correlations in [-1, 1]; NaN for an item whose score is constant across models
        (frequent for accuracy), as scipy returns.

    Raises
    ------
    ValueError
        On an unknown ``method`` (the allowed ones are listed), fewer than 3 models,
        non-finite values, or shapes that do not match.
    """
    if method not in CORRELATIONS:
        raise ValueError(f"method must be one of {CORRELATIONS}, got {method!r}")
    xv = _finite("x", x)
    y = _finite("scores", scores)
    if xv.ndim != 1:
        raise ValueError(f"x must be 1-D (one value per model), got shape {xv.shape}")
    squeeze = y.ndim == 1
    if squeeze:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != xv.shape[0]:
        raise ValueError(
            f"scores must have shape (n_models, n_items) with n_models = len(x) = {xv.shape[0]},"
            f" got {np.shape(scores)}"
        )
    if xv.shape[0] < 3:
        raise ValueError(f"need at least 3 models to correlate, got {xv.shape[0]}")
    if method == "kendall":
        i, j = np.triu_indices(xv.shape[0], k=1)
        sx = np.sign(xv[i] - xv[j])[:, None]
        sy = np.sign(y[i] - y[j])
        num = (sx * sy).sum(axis=0)
        den = np.sqrt((sx**2).sum() * (sy**2).sum(axis=0))
    else:
        xs, ys = (xv, y) if method == "pearson" else (_ranks(xv), _ranks(y))
        xc = (xs - xs.mean())[:, None]
        yc = ys - ys.mean(axis=0)
        num = (xc * yc).sum(axis=0)
        den = np.sqrt((xc**2).sum() * (yc**2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    r = np.clip(r, -1.0, 1.0)
    return r[0] if squeeze else r


def correlation_interval(
    r: float, n: int, method: Correlation = "spearman", level: float = 0.95
) -> tuple[float, float]:
    r"""Confidence interval of a correlation coefficient by Fisher's z transform.

    :math:`z = \operatorname{artanh} r` is close to normal with standard error
    :math:`1/\sqrt{n-3}` for Pearson's r, :math:`\sqrt{(1 + r^2/2)/(n-3)}` for Spearman's
    rho (Bonett & Wright 2000, Psychometrika 65:23) and :math:`\sqrt{0.437/(n-4)}` for
    Kendall's tau (Fieller, Hartley & Pearson 1957); the interval
    :math:`\tanh(z \pm z_{1-(1-\text{level})/2}\,\text{se})` stays inside [-1, 1]. The
    unit is the pair (e.g. one trained model), so ``n`` counts independent models.

    Parameters
    ----------
    r : float
        The coefficient, in (-1, 1).
    n : int
        Number of independent pairs it was computed from (> 3; > 4 for Kendall).
    method : {"pearson", "spearman", "kendall"}, default "spearman"
    level : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    (float, float)
        ``(low, high)``, with ``-1 < low <= r <= high < 1``.
    """
    from scipy.stats import norm

    if method not in CORRELATIONS:
        raise ValueError(f"method must be one of {CORRELATIONS}, got {method!r}")
    if not np.isfinite(r) or not -1 < r < 1:
        raise ValueError(f"r must lie in the open interval (-1, 1), got {r!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    n_min = 5 if method == "kendall" else 4
    if int(n) != n or n < n_min:
        raise ValueError(f"n must be an integer >= {n_min} for {method}, got {n!r}")
    if method == "pearson":
        se = 1.0 / np.sqrt(n - 3)
    elif method == "spearman":
        se = np.sqrt((1.0 + r**2 / 2.0) / (n - 3))
    else:
        se = np.sqrt(0.437 / (n - 4))
    half = norm.ppf(0.5 + level / 2.0) * se
    z = np.arctanh(r)
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def _unit_pairs(
    x: ArrayLike, y: ArrayLike, y2: ArrayLike | None, groups: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, list[np.ndarray]]:
    xv, yv = _finite("x", x), _finite("y", y)
    y2v = None if y2 is None else _finite("y2", y2)
    if xv.ndim != 1 or yv.shape != xv.shape or (y2v is not None and y2v.shape != xv.shape):
        raise ValueError(
            f"x, y (and y2) must be 1-D of one length, got {xv.shape}, {yv.shape}"
            + ("" if y2v is None else f", {y2v.shape}")
        )
    if groups is None:
        members = [np.array([i]) for i in range(xv.size)]
    else:
        g = np.asarray(groups)
        if g.shape != xv.shape:
            raise ValueError(f"groups must have the shape of x, {xv.shape}, got {g.shape}")
        members = [np.flatnonzero(g == u) for u in np.unique(g)]
    if len(members) < 3:
        raise ValueError(f"need at least 3 independent units to resample, got {len(members)}")
    return xv, yv, y2v, members


def bootstrap_correlation(
    x: ArrayLike,
    y: ArrayLike,
    *,
    y2: ArrayLike | None = None,
    groups: ArrayLike | None = None,
    method: Correlation = "spearman",
    n_boot: int = 4000,
    rng: int | np.random.Generator,
    level: float = 0.95,
) -> dict[str, float]:
    r"""Correlation of ``y`` with ``x`` (or a paired difference), bootstrapped over units.

    The statistic is :math:`r(x, y)` or, with ``y2``, the paired difference
    :math:`r(x, y) - r(x, y_2)` over the same units (e.g. two links of the score chain
    measured on the same runs). The percentile interval resamples the *independent
    unit*: each row (a model, a run) by default, or, with ``groups``, whole groups
    (e.g. model families, whose members share data and recipe): a cluster bootstrap,
    which does not treat related rows as independent as Fisher's z over rows does
    (:func:`correlation_interval`). A resample with a constant column (correlation
    undefined) is counted as failed and left out.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Scale and score per row.
    y2 : array_like, shape (n,), optional
        A second score on the same rows: the statistic becomes the difference.
    groups : array_like, shape (n,), optional
        Group label per row; whole groups are resampled (at least 3 groups).
    method : {"pearson", "spearman", "kendall"}, default "spearman"
    n_boot : int, default 4000
    rng : int or numpy.random.Generator
        Seed or generator (required).
    level : float, default 0.95

    Returns
    -------
    dict of str to float
        ``estimate`` (on all rows), ``low``, ``high`` and ``n_units``.
    """
    from .fitting import bootstrap

    xv, yv, y2v, members = _unit_pairs(x, y, y2, groups)

    def stat(units: np.ndarray) -> dict[str, float]:
        rows = np.concatenate([members[u] for u in units])
        r = float(per_item_correlation(xv[rows], yv[rows], method))
        if y2v is not None:
            r -= float(per_item_correlation(xv[rows], y2v[rows], method))
        return {"r": r, "converged": bool(np.isfinite(r))}

    res = bootstrap(stat, len(members), n_boot=n_boot, rng=rng).ci(level).loc["r"]
    return {
        "estimate": float(res["estimate"]),
        "low": float(res["low"]),
        "high": float(res["high"]),
        "n_units": float(len(members)),
    }


def permutation_test_correlation(
    x: ArrayLike,
    y: ArrayLike,
    *,
    method: Correlation = "spearman",
    n_perm: int = 20000,
    rng: int | np.random.Generator,
    alternative: Literal["greater", "less", "two-sided"] = "greater",
) -> float:
    r"""Monte Carlo permutation p-value of a correlation against "no association".

    Shuffles ``y`` against ``x`` ``n_perm`` times and returns
    :math:`(1 + \#\{r_	ext{perm} \ge r\}) / (1 + n_	ext{perm})` for
    ``alternative="greater"`` (``<=`` for ``"less"``, ``|r|`` for ``"two-sided"``): exact
    in level under exchangeability at any ``n``, unlike Fisher's z, which is asymptotic.

    Parameters
    ----------
    x, y : array_like, shape (n,)
    method : {"pearson", "spearman", "kendall"}, default "spearman"
    n_perm : int, default 20000
    rng : int or numpy.random.Generator
        Seed or generator (required).
    alternative : {"greater", "less", "two-sided"}, default "greater"

    Returns
    -------
    float
        The p-value, in (0, 1].
    """
    xv, yv, _, _ = _unit_pairs(x, y, None, None)
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError(
            f"alternative must be 'greater', 'less' or 'two-sided', got {alternative!r}"
        )
    if int(n_perm) < 1:
        raise ValueError(f"n_perm must be >= 1, got {n_perm!r}")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    r0 = float(per_item_correlation(xv, yv, method))
    perm = gen.permuted(np.tile(yv, (int(n_perm), 1)), axis=1).T  # (n, n_perm)
    r = per_item_correlation(xv, perm, method)
    if alternative == "greater":
        hits = np.sum(r >= r0 - 1e-12)
    elif alternative == "less":
        hits = np.sum(r <= r0 + 1e-12)
    else:
        hits = np.sum(np.abs(r) >= abs(r0) - 1e-12)
    return float((1 + hits) / (1 + int(n_perm)))


def correlation_summary(r: ArrayLike) -> dict[str, float]:
    r"""Summaries of a distribution of per-item correlations (Schaeffer et al. 2024).

    Parameters
    ----------
    r : array_like, shape (n_items,)
        Per-item correlations in [-1, 1]; NaN marks an item with a constant score.

    Returns
    -------
    dict of str to float
        ``mean`` and ``median`` of the defined correlations; ``ccdf_auc``, the area under
        the complementary CDF over [-1, 1] (equal to ``1 + mean``; 2 when every item
        correlates perfectly); ``nan_fraction``, the share of items with a constant
        score; ``n_items``.
    """
    arr = np.asarray(r, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"r must be a non-empty 1-D array, got shape {arr.shape}")
    ok = arr[np.isfinite(arr)]
    if np.any(np.abs(ok) > 1 + 1e-12):
        raise ValueError("correlations must lie in [-1, 1]")
    mean = float(ok.mean()) if ok.size else float("nan")
    return {
        "mean": mean,
        "median": float(np.median(ok)) if ok.size else float("nan"),
        "ccdf_auc": 1.0 + mean,
        "nan_fraction": float(1.0 - ok.size / arr.size),
        "n_items": float(arr.size),
    }


def exact_match(p_token: ArrayLike, length: ArrayLike) -> np.ndarray:
    r"""Probability that all ``L`` tokens of an answer are right: :math:`p_\text{token}^L`.

    The "mirage" of Schaeffer, Miranda & Koyejo (2023, arXiv:2304.15004, Sec. 2): if
    per-token accuracy improves smoothly with scale, exact match over ``L`` tokens is
    :math:`p^L`, which stays near zero and then rises sharply, more so for larger
    ``L``; a smooth change looks emergent because of the metric.

    Parameters
    ----------
    p_token : array_like
        Per-token probability of the right token, in [0, 1].
    length : array_like of int
        Answer length ``L`` in tokens (>= 1); broadcast against ``p_token``.

    Returns
    -------
    numpy.ndarray
        :math:`p_\text{token}^L`.
    """
    p = _probabilities("p_token", np.atleast_1d(p_token))
    if np.ndim(p_token) == 0:
        p = p[0]
    L = np.asarray(length)
    if not np.issubdtype(L.dtype, np.integer) or np.any(L < 1):
        raise ValueError(f"length must be integers >= 1, got {length!r}")
    return p**L
