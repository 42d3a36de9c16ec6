r"""Seeded simulations of how benchmarks are measured along a scale sweep.

* :func:`simulate_choice_logliks`: multiple-choice log-likelihoods for a family of
  models along a compute sweep, with a gain shared by every choice, an extra gain for
  the correct choice and item-specific gains for the distractors (the mechanism
  Schaeffer et al. 2024, arXiv:2406.04391, point to).
* :func:`extrapolate_choice_logliks`: the remedy they propose, a trend per choice
  (the incorrect ones included), extrapolated and only then renormalised.
* :func:`pass_at_n` and :func:`pass_until`: the usual pass@1 estimate from ``n`` samples
  and PassUntil (Hu et al. 2024, arXiv:2310.03262), which samples until ``k`` passes.

Every random step takes ``rng`` (an int seed or a :class:`numpy.random.Generator`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "expected_pass_until_estimate",
    "extrapolate_choice_logliks",
    "linear_extrapolate",
    "pass_at_n",
    "pass_until",
    "simulate_choice_logliks",
]


def _rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    if rng is None:
        raise ValueError("pass an explicit seed or numpy Generator as rng (determinism)")
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def simulate_choice_logliks(
    scale: ArrayLike,
    n_items: int,
    *,
    n_choices: int = 4,
    shared_gain: float = 6.0,
    correct_gain: tuple[float, float] = (1.5, 1.5),
    distractor_gain_sd: float = 1.0,
    jitter_sd: float = 0.6,
    start: tuple[float, float] = (-12.0, 1.5),
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""Log-likelihoods of each choice of each item for a family of models.

    For item ``i``, choice ``j`` (``j = 0`` is correct) and model ``m`` at normalised
    scale :math:`x_m \in [0, 1]`,

    .. math::
        \ell_{ij}(x_m) = \log\sigma\big(a_{ij} + (g_i + d_{ij})\,x_m + \varepsilon_{ijm}\big),

    with a start :math:`a_{ij} \sim \mathcal N(\mu_a, s_a^2)`, a gain :math:`g_i \sim
    \mathcal N(G, 1)` shared by all choices of the item ("fluency"), an extra gain of
    the correct choice :math:`d_{i0} \sim \mathcal N(\mu_c, s_c^2)` (so some items scale
    inversely), distractor gains :math:`d_{ij} \sim \mathcal N(0, s_d^2)` and
    per-checkpoint jitter :math:`\varepsilon \sim \mathcal N(0, s_\varepsilon^2)`. The
    :math:`\log\sigma` (log-sigmoid) keeps log-probabilities below 0 and is close to the
    identity for the values used here.

    Parameters
    ----------
    scale : array_like, shape (n_models,)
        Scale of each model (e.g. log10 compute); normalised to [0, 1] internally.
    n_items : int
        Number of items (>= 1).
    n_choices : int, default 4
        Choices per item (>= 2).
    shared_gain : float, default 6.0
        Mean gain :math:`G` (nats) shared by all choices over the whole sweep.
    correct_gain : (float, float), default (1.5, 1.5)
        Mean and sd of the correct choice's extra gain (nats over the sweep).
    distractor_gain_sd : float, default 1.0
        Sd of each distractor's own gain (nats over the sweep).
    jitter_sd : float, default 0.6
        Sd of the per-model noise (nats).
    start : (float, float), default (-12.0, 1.5)
        Mean and sd of the smallest model's log-likelihoods (nats).
    rng : int or numpy.random.Generator
        Seed or generator (required).

    Returns
    -------
    numpy.ndarray, shape (n_models, n_items, n_choices)
        Log-likelihoods in nats (<= 0); the correct choice is index 0.
    """
    x = np.asarray(scale, dtype=float)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)) or np.ptp(x) == 0:
        raise ValueError("scale must be a finite 1-D array of at least 2 distinct values")
    if int(n_items) < 1 or int(n_choices) < 2:
        raise ValueError(f"need n_items >= 1 and n_choices >= 2, got {n_items}, {n_choices}")
    if min(correct_gain[1], distractor_gain_sd, jitter_sd, start[1]) < 0:
        raise ValueError("standard deviations must be >= 0")
    gen = _rng(rng)
    x = (x - x.min()) / np.ptp(x)
    shape = (n_items, n_choices)
    a = gen.normal(start[0], start[1], size=shape)
    g = gen.normal(shared_gain, 1.0, size=(n_items, 1))
    d = gen.normal(0.0, distractor_gain_sd, size=shape)
    d[:, 0] = gen.normal(correct_gain[0], correct_gain[1], size=n_items)
    eps = gen.normal(0.0, jitter_sd, size=(x.size, *shape))
    raw = a + (g + d) * x[:, None, None] + eps
    return -np.logaddexp(0.0, -raw)  # log sigmoid: <= 0, ~raw when raw << 0


def linear_extrapolate(scale: ArrayLike, values: ArrayLike, target: float) -> np.ndarray:
    r"""Fit a straight line in ``scale`` to every column of ``values``; evaluate it at ``target``.

    Ordinary least squares, one line per column, solved in one vectorised call. This is
    the naive trend a practitioner draws through a score (or a log-likelihood) against
    log compute.

    Parameters
    ----------
    scale : array_like, shape (n_models,)
        Scale of the models used for the fit (e.g. log10 compute).
    values : array_like, shape (n_models, ...)
        The quantity to extrapolate, e.g. ``(n_models, n_items)``.
    target : float
        Scale at which to predict.

    Returns
    -------
    numpy.ndarray, shape values.shape[1:]
        The lines evaluated at ``target``.
    """
    x = np.asarray(scale, dtype=float)
    y = np.asarray(values, dtype=float)
    if x.ndim != 1 or y.shape[:1] != x.shape or x.size < 2:
        raise ValueError(
            f"values must have shape (n_models, ...) with n_models = len(scale) >= 2; got "
            f"scale {x.shape}, values {y.shape}"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.isfinite(target)):
        raise ValueError("scale, values and target must be finite")
    design = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(design, y.reshape(x.size, -1), rcond=None)
    return (coef[0] + coef[1] * float(target)).reshape(y.shape[1:])


def extrapolate_choice_logliks(scale: ArrayLike, loglik: ArrayLike, target: float) -> np.ndarray:
    r"""Extrapolate each choice's log-likelihood along scale (the incorrect ones too).

    The remedy of Schaeffer et al. (2024, Sec. 6): model how the probability mass on
    *every* choice moves with scale, then renormalise the extrapolated log-likelihoods
    (:func:`helpers.scores.score_chain`) to predict :math:`p_\text{choices}` and
    accuracy. Each (item, choice) gets a straight line (:func:`linear_extrapolate`).

    Parameters
    ----------
    scale : array_like, shape (n_models,)
        Scale of the models used for the fit (e.g. log10 compute).
    loglik : array_like, shape (n_models, ...)
        Log-likelihoods (nats), e.g. ``(n_models, n_items, n_choices)``.
    target : float
        Scale at which to predict.

    Returns
    -------
    numpy.ndarray, shape loglik.shape[1:]
        Predicted log-likelihoods, capped at 0 (a log-probability).
    """
    return np.minimum(linear_extrapolate(scale, loglik, target), 0.0)


def _pass_probability(p: ArrayLike) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError("pass probabilities must lie in [0, 1]")
    return arr


def pass_at_n(p: ArrayLike, n: int, rng: int | np.random.Generator | None = None) -> np.ndarray:
    """Estimate pass@1 of each instance from ``n`` samples: passes / n.

    Parameters
    ----------
    p : array_like
        True pass probability of each instance (per sample), in [0, 1].
    n : int
        Samples per instance (>= 1).
    rng : int or numpy.random.Generator
        Seed or generator (required).

    Returns
    -------
    numpy.ndarray, same shape as ``p``
        The fraction of passing samples (a multiple of 1/n; 0 when nothing passed).
    """
    arr = _pass_probability(p)
    if int(n) < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return _rng(rng).binomial(int(n), arr) / int(n)


def pass_until(
    p: ArrayLike,
    k: int = 1,
    rng: int | np.random.Generator | None = None,
    max_samples: float = 1e12,
) -> tuple[np.ndarray, np.ndarray]:
    r"""PassUntil: sample each instance until ``k`` passes, estimate its pass rate.

    Hu et al. (2024, arXiv:2310.03262, Sec. 3) sample until a pass appears instead of
    fixing the number of samples, which gives a finite estimate however small the pass
    rate. The number of samples :math:`S` until the ``k``-th pass is ``k`` plus a
    negative-binomial number of failures, and :math:`(k - 1)/(S - 1)` is an unbiased
    estimate of ``p`` for ``k >= 2`` (``k / S`` for ``k = 1``).

    Parameters
    ----------
    p : array_like
        True pass probability of each instance, in (0, 1].
    k : int, default 1
        Passes to wait for (>= 1).
    rng : int or numpy.random.Generator
        Seed or generator (required).
    max_samples : float, default 1e12
        Budget per instance; an instance that would need more raises a ``ValueError``.

    Returns
    -------
    estimate : numpy.ndarray
        Estimated pass rate of each instance.
    samples : numpy.ndarray
        Samples drawn for each instance.
    """
    arr = _pass_probability(p)
    if np.any(arr == 0):
        raise ValueError("PassUntil never stops on an instance with pass probability 0")
    if int(k) < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    k = int(k)
    samples = k + _rng(rng).negative_binomial(k, arr).astype(float)
    if np.any(samples > max_samples):
        raise ValueError(f"an instance needed more than max_samples = {max_samples:g} samples")
    estimate = k / samples if k == 1 else (k - 1) / (samples - 1)
    return estimate, samples


def expected_pass_until_estimate(p: ArrayLike, k: int = 1) -> np.ndarray:
    r"""Mean of :func:`pass_until`'s estimate of an instance with pass probability ``p``.

    For ``k >= 2`` the estimate :math:`(k-1)/(S-1)` is unbiased, so the mean is ``p``.
    For ``k = 1`` it is :math:`1/S` with :math:`S` geometric, whose mean is

    .. math:: E[1/S] = \sum_{s \ge 1} \frac{p (1-p)^{s-1}}{s}
              = \frac{p \ln(1/p)}{1 - p},

    larger than ``p`` by the factor :math:`\ln(1/p)/(1-p)`: about 9 at
    :math:`p = 10^{-4}`, growing without bound as :math:`p \to 0`.

    Parameters
    ----------
    p : array_like
        Pass probabilities in (0, 1].
    k : int, default 1
        Passes waited for (>= 1).

    Returns
    -------
    numpy.ndarray
        The expected estimate, same shape as ``p`` (``p`` itself for ``k >= 2``, and at
        ``p = 1``).
    """
    arr = _pass_probability(p)
    if np.any(arr == 0):
        raise ValueError("PassUntil never stops on an instance with pass probability 0")
    if int(k) < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if int(k) >= 2:
        return arr.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(arr < 1, arr * -np.log(arr) / (1.0 - arr), 1.0)
    return out
