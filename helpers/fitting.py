r"""Scaling-law forms and robust fits in log space.

One fitting engine serves every law in this book. Each law is a sum of
power-law terms, optionally plus an irreducible constant:

.. math::

    y = E + \sum_{j=1}^{k} A_j\, x_j^{-\alpha_j}.

Written with log-parameters :math:`e = \ln E`, :math:`a_j = \ln A_j`, its
logarithm is a log-sum-exp (LSE),

.. math::

    \ln y = \operatorname{LSE}\bigl(e,\; a_1 - \alpha_1 \ln x_1,\; \dots,\;
    a_k - \alpha_k \ln x_k\bigr),

which keeps every term positive and is numerically stable. Parameters are
fitted by minimising the **sum** of Huber losses of the log residuals
(Hoffmann et al. 2022, App. D.2; Besiroglu et al. 2024),

.. math::

    \min_\theta \sum_i \operatorname{Huber}_\delta\bigl(\operatorname{LSE}_i(\theta)
    - \ln y_i\bigr),

with L-BFGS-B and analytic gradients. The sum, not the mean, matters: a mean
divides the objective and its gradient by the number of points, so L-BFGS's
gradient tolerance is met long before the optimum (one of the reasons
Besiroglu et al. give for Hoffmann et al.'s published values being off).

Starts come from a grid. The objective is evaluated at every grid point at
once (vectorised), and L-BFGS-B is run from the best few grid points: the
optimum of a plain loop over every start, at a fraction of the cost (see
``benchmarks/bench_chinchilla_fit.py``).

The three laws used throughout the book are

* ``"power_law"``: :math:`y = A x^{-\alpha}` (one term, no constant);
* ``"saturating_power_law"``: :math:`y = E + A x^{-\alpha}`;
* ``"chinchilla"``: :math:`L(N, D) = E + A N^{-\alpha} + B D^{-\beta}`
  (Hoffmann et al. 2022, Eq. 2), with N parameters and D training tokens.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import huber as _huber
from scipy.special import logsumexp

from .sweeps import parallel_map

__all__ = [
    "HOFFMANN_GRID",
    "HOFFMANN_PUBLISHED",
    "LAWS",
    "BootstrapResult",
    "LawFit",
    "bootstrap_fit",
    "chinchilla_loss",
    "chinchilla_optimal_allocation",
    "fit_chinchilla",
    "fit_law",
    "fit_power_law",
    "fit_saturating_power_law",
    "huber",
    "huber_log_objective",
    "power_law",
    "relative_error",
    "saturating_power_law",
]


# ----------------------------------------------------------------------------
# Law forms
# ----------------------------------------------------------------------------


def power_law(x: np.ndarray, A: float, alpha: float) -> np.ndarray:
    r"""Pure power law :math:`y = A x^{-\alpha}`.

    Parameters
    ----------
    x : array_like
        Positive scale variable (parameters, tokens, FLOPs, examples...).
    A : float
        Coefficient, in the units of ``y``.
    alpha : float
        Exponent; ``alpha > 0`` means ``y`` falls as ``x`` grows.

    Returns
    -------
    numpy.ndarray
        ``y`` with the shape of ``x``.
    """
    x = np.asarray(x, dtype=float)
    return A * x ** (-alpha)


def saturating_power_law(x: np.ndarray, E: float, A: float, alpha: float) -> np.ndarray:
    r"""Power law with an irreducible term, :math:`y = E + A x^{-\alpha}`.

    ``E`` is the value approached as ``x`` grows without bound (for a loss: the
    entropy of the data that no model can remove).

    Parameters
    ----------
    x : array_like
        Positive scale variable.
    E, A : float
        Irreducible term and coefficient, in the units of ``y``.
    alpha : float
        Exponent of the reducible part.

    Returns
    -------
    numpy.ndarray
        ``y`` with the shape of ``x``.
    """
    return E + power_law(x, A, alpha)


def chinchilla_loss(
    N: np.ndarray, D: np.ndarray, E: float, A: float, B: float, alpha: float, beta: float
) -> np.ndarray:
    r"""Chinchilla parametric loss, Hoffmann et al. (2022), Eq. 2.

    .. math:: L(N, D) = E + \frac{A}{N^{\alpha}} + \frac{B}{D^{\beta}}

    Parameters
    ----------
    N : array_like
        Model parameters (count, not billions).
    D : array_like
        Training tokens (count). Broadcast against ``N``.
    E : float
        Irreducible loss, nats/token.
    A, B : float
        Coefficients of the parameter and data terms, nats/token.
    alpha, beta : float
        Exponents of the parameter and data terms.

    Returns
    -------
    numpy.ndarray
        Loss in nats/token, broadcast shape of ``N`` and ``D``.
    """
    N = np.asarray(N, dtype=float)
    D = np.asarray(D, dtype=float)
    return E + A * N ** (-alpha) + B * D ** (-beta)


def chinchilla_optimal_allocation(
    C: np.ndarray | float,
    *,
    E: float,
    A: float,
    B: float,
    alpha: float,
    beta: float,
    flops_per_param_token: float = 6.0,
) -> pd.DataFrame:
    r"""Compute-optimal model size and data for a Chinchilla law.

    Minimising :math:`L(N, D)` subject to :math:`C = 6ND` gives (Hoffmann et
    al. 2022, App. D.3, Eq. 4)

    .. math::

        N_{opt} = G \left(\frac{C}{6}\right)^{a},\quad
        D_{opt} = G^{-1} \left(\frac{C}{6}\right)^{b},\quad
        G = \left(\frac{\alpha A}{\beta B}\right)^{1/(\alpha+\beta)},\quad
        a = \frac{\beta}{\alpha+\beta},\; b = \frac{\alpha}{\alpha+\beta}.

    Parameters
    ----------
    C : float or array_like
        Training compute budgets in FLOPs (positive).
    E, A, B, alpha, beta : float
        Law parameters (see :func:`chinchilla_loss`). ``E`` only enters the
        returned loss.
    flops_per_param_token : float, default 6.0
        FLOPs per parameter per token (6 for a forward + backward pass).

    Returns
    -------
    pandas.DataFrame
        One row per budget: ``flops_C``, ``params_N``, ``tokens_D``,
        ``tokens_per_param`` (D/N), ``loss`` (the law at the optimum), and the
        allocation exponents ``exponent_a`` (N_opt ∝ C^a) and ``exponent_b``.
    """
    C = np.atleast_1d(_positive_array("C", C))
    for name, value in {"A": A, "B": B, "alpha": alpha, "beta": beta}.items():
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    G = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
    a = beta / (alpha + beta)
    b = alpha / (alpha + beta)
    base = C / flops_per_param_token
    N = G * base**a
    D = base**b / G
    return pd.DataFrame(
        {
            "flops_C": C,
            "params_N": N,
            "tokens_D": D,
            "tokens_per_param": D / N,
            "loss": chinchilla_loss(N, D, E, A, B, alpha, beta),
            "exponent_a": a,
            "exponent_b": b,
        }
    )


def relative_error(predicted: np.ndarray | float, actual: np.ndarray | float) -> np.ndarray:
    """Signed relative error ``(predicted - actual) / actual``.

    Parameters
    ----------
    predicted, actual : array_like
        Broadcastable arrays; ``actual`` must be non-zero.

    Returns
    -------
    numpy.ndarray
        Relative error (a fraction, not a percentage).
    """
    predicted = np.asarray(predicted, dtype=float)
    actual = np.asarray(actual, dtype=float)
    if np.any(actual == 0):
        raise ValueError("actual contains zeros; the relative error is undefined there")
    return (predicted - actual) / actual


#: Hoffmann et al.'s published Approach-3 values (2022, Eq. 10, rounded as printed).
HOFFMANN_PUBLISHED: Mapping[str, float] = MappingProxyType(
    {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
)

#: Hoffmann et al.'s initialisation grid (App. D.2), in log-parameter space:
#: alpha, beta in {0, 0.5, ..., 2}; e in {-1, -0.5, ..., 1}; a, b in {0, 5, ..., 25}.
#: 5 x 5 x 5 x 6 x 6 = 4,500 starts.
HOFFMANN_GRID: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "e": tuple(np.arange(-1.0, 1.01, 0.5)),
        "a": tuple(np.arange(0.0, 25.1, 5.0)),
        "b": tuple(np.arange(0.0, 25.1, 5.0)),
        "alpha": tuple(np.arange(0.0, 2.01, 0.5)),
        "beta": tuple(np.arange(0.0, 2.01, 0.5)),
    }
)


@dataclass(frozen=True)
class _LawSpec:
    """How a named law maps to the LSE engine: term names and log-parameter names."""

    n_terms: int
    has_constant: bool
    coef_names: tuple[str, ...]  # natural-scale coefficient names, one per term
    exp_names: tuple[str, ...]  # exponent names, one per term
    predict: Callable[..., np.ndarray]

    @property
    def log_names(self) -> tuple[str, ...]:
        """Names of the optimisation variables, in vector order."""
        const = ("e",) if self.has_constant else ()
        return const + tuple(n.lower() for n in self.coef_names) + self.exp_names

    @property
    def param_names(self) -> tuple[str, ...]:
        """Names of the natural-scale parameters, in the order of ``predict``."""
        const = ("E",) if self.has_constant else ()
        return const + self.coef_names + self.exp_names


#: The laws :func:`fit_law` knows.
LAWS: Mapping[str, _LawSpec] = MappingProxyType(
    {
        "power_law": _LawSpec(1, False, ("A",), ("alpha",), power_law),
        "saturating_power_law": _LawSpec(1, True, ("A",), ("alpha",), saturating_power_law),
        "chinchilla": _LawSpec(2, True, ("A", "B"), ("alpha", "beta"), chinchilla_loss),
    }
)


# ----------------------------------------------------------------------------
# Objective
# ----------------------------------------------------------------------------


def huber(r: np.ndarray, delta: float) -> np.ndarray:
    r"""Huber loss, elementwise.

    .. math::

        h_\delta(r) = \begin{cases} r^2/2 & |r| \le \delta \\
        \delta(|r| - \delta/2) & |r| > \delta \end{cases}

    Quadratic near zero, linear in the tails, so a few outlying runs cannot
    dominate the fit (Huber 1964).

    Parameters
    ----------
    r : array_like
        Residuals.
    delta : float
        Threshold between the quadratic and linear regimes (positive).

    Returns
    -------
    numpy.ndarray
        Loss with the shape of ``r``.
    """
    if not delta > 0:
        raise ValueError(f"delta must be positive, got {delta!r}")
    return _huber(delta, np.asarray(r, dtype=float))


def _design(logx: np.ndarray, theta: np.ndarray, spec: _LawSpec) -> np.ndarray:
    """Log-terms of the LSE for parameter vectors ``theta`` of shape (..., p).

    Returns an array of shape (..., n, k + has_constant).
    """
    k = spec.n_terms
    c = int(spec.has_constant)
    coefs = theta[..., c : c + k]  # (..., k)
    exps = theta[..., c + k : c + 2 * k]  # (..., k)
    terms = coefs[..., None, :] - exps[..., None, :] * logx  # (..., n, k)
    if spec.has_constant:
        const = np.broadcast_to(theta[..., None, :1], (*terms.shape[:-1], 1))
        terms = np.concatenate([const, terms], axis=-1)
    return terms


def _objective_and_grad(
    theta: np.ndarray, logx: np.ndarray, logy: np.ndarray, delta: float, spec: _LawSpec
) -> tuple[float, np.ndarray]:
    """Summed Huber objective of the log residuals and its analytic gradient."""
    terms = _design(logx, theta, spec)  # (n, m)
    lse = logsumexp(terms, axis=-1)
    r = lse - logy
    value = float(np.sum(_huber(delta, r)))
    w = np.exp(terms - lse[:, None])  # softmax weights, d lse / d term
    dr = np.clip(r, -delta, delta)  # Huber'(r)
    k = spec.n_terms
    c = int(spec.has_constant)
    wd = w * dr[:, None]  # (n, m)
    grad_terms = wd[:, c:]  # (n, k)
    grad = np.empty_like(theta)
    if spec.has_constant:
        grad[0] = wd[:, 0].sum()
    grad[c : c + k] = grad_terms.sum(axis=0)
    grad[c + k :] = -(grad_terms * logx).sum(axis=0)
    return value, grad


def huber_log_objective(
    params: Mapping[str, float],
    x: np.ndarray,
    y: np.ndarray,
    *,
    law: str = "chinchilla",
    delta: float = 1e-3,
) -> float:
    """Summed Huber objective on log residuals at given (natural-scale) parameters.

    Use it to score published parameters on the same footing as a fit, e.g.
    Hoffmann et al.'s rounded values on Epoch's reconstructed runs.

    Parameters
    ----------
    params : mapping of str to float
        Natural-scale parameters named as in ``LawFit.params`` (``E, A, B,
        alpha, beta`` for ``"chinchilla"``).
    x : array_like, shape (n,) or (n, k)
        Scale variables (``k`` columns for a ``k``-term law; N then D for
        Chinchilla). Positive.
    y : array_like, shape (n,)
        Observed values (losses). Positive.
    law : str
        A key of :data:`LAWS`.
    delta : float
        Huber threshold on log residuals (1e-3 in Hoffmann et al.;
        ``numpy.inf`` gives least squares).

    Returns
    -------
    float
        The objective.
    """
    spec = _spec(law)
    logx, logy = _prepare(x, y, spec)
    return float(_batched_objective(_to_theta(params, spec), logx, logy, delta, spec))


def _batched_objective(
    theta: np.ndarray, logx: np.ndarray, logy: np.ndarray, delta: float, spec: _LawSpec
) -> np.ndarray:
    """Objective for a stack of parameter vectors, processed in memory-bounded chunks."""
    flat = np.atleast_2d(theta)
    out = np.empty(flat.shape[0])
    chunk = max(1, 2_000_000 // max(1, logx.shape[0] * (spec.n_terms + 1)))
    for start in range(0, flat.shape[0], chunk):
        block = flat[start : start + chunk]
        r = logsumexp(_design(logx, block, spec), axis=-1) - logy
        out[start : start + chunk] = _huber(delta, r).sum(axis=-1)
    return out.reshape(theta.shape[:-1])


# ----------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LawFit:
    """Result of a robust log-space fit (immutable).

    Attributes
    ----------
    law : str
        Name of the fitted law (a key of :data:`LAWS`).
    params : Mapping[str, float]
        Natural-scale parameters (``E``, ``A``, ``B``, ``alpha``, ``beta`` ...).
    objective : float
        Summed Huber objective at the optimum.
    n_obs : int
        Number of observations fitted.
    n_starts : int
        Number of grid starts screened.
    n_refined : int
        Number of starts refined with L-BFGS-B.
    delta : float
        Huber threshold used.
    converged : bool
        Whether L-BFGS-B reported success from the best start.
    """

    law: str
    params: Mapping[str, float]
    objective: float
    n_obs: int
    n_starts: int
    n_refined: int
    delta: float
    converged: bool
    theta: tuple[float, ...] = field(repr=False)

    def predict(self, *x: np.ndarray) -> np.ndarray:
        """Evaluate the fitted law; pass one array per term (``N, D`` for Chinchilla)."""
        spec = LAWS[self.law]
        if len(x) != spec.n_terms:
            raise TypeError(f"{self.law} takes {spec.n_terms} input array(s), got {len(x)}")
        return spec.predict(*x, **self.params)

    def __getitem__(self, name: str) -> float:
        return self.params[name]

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        return (
            f"LawFit({self.law}: {p}; objective={self.objective:.7g}, n_obs={self.n_obs}, "
            f"starts={self.n_starts}, refined={self.n_refined}, converged={self.converged})"
        )


def _fmt(v: float) -> str:
    return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.4e}"


def _spec(law: str) -> _LawSpec:
    try:
        return LAWS[law]
    except KeyError:
        raise ValueError(f"unknown law {law!r}; known laws: {sorted(LAWS)}") from None


def _positive_array(name: str, values: Any) -> np.ndarray:
    """Float array check: finite and strictly positive, else a clear ValueError."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be numeric, got {type(values).__name__}") from err
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} has {int(bad.sum())} NaN/inf value(s), e.g. at {_where(bad)}")
    bad = arr <= 0
    if bad.any():
        raise ValueError(
            f"{name} must be strictly positive (logs are taken); "
            f"{int(bad.sum())} value(s) <= 0, e.g. {float(arr[bad].ravel()[0])!r} at {_where(bad)}"
        )
    return arr


def _where(mask: np.ndarray) -> tuple[int, ...] | int:
    idx = np.argwhere(mask)[0]
    return int(idx[0]) if idx.size == 1 else tuple(int(i) for i in idx)


def _prepare(x: Any, y: Any, spec: _LawSpec) -> tuple[np.ndarray, np.ndarray]:
    """Validate inputs and return ``log x`` of shape (n, k) and ``log y`` of shape (n,)."""
    xa = _positive_array("x", x)
    ya = _positive_array("y", y)
    if ya.ndim != 1:
        raise ValueError(f"y must be one-dimensional, got shape {ya.shape}")
    if xa.ndim == 1:
        xa = xa[:, None]
    if xa.ndim != 2 or xa.shape[1] != spec.n_terms:
        raise ValueError(
            f"x must have shape (n,) or (n, {spec.n_terms}) for this law, got {np.shape(x)}"
        )
    if xa.shape[0] != ya.shape[0]:
        raise ValueError(f"x has {xa.shape[0]} rows but y has {ya.shape[0]} values")
    n_params = len(spec.log_names)
    if ya.shape[0] < n_params:
        raise ValueError(f"need at least {n_params} observations to fit {n_params} parameters")
    return np.log(xa), np.log(ya)


def _grid_array(grid: Mapping[str, Sequence[float]], spec: _LawSpec) -> np.ndarray:
    missing = set(spec.log_names) - set(grid)
    if missing:
        raise ValueError(f"grid lacks {sorted(missing)}; it needs {list(spec.log_names)}")
    axes = [np.asarray(grid[name], dtype=float).ravel() for name in spec.log_names]
    if any(a.size == 0 for a in axes):
        raise ValueError("every grid axis needs at least one value")
    return np.array(list(itertools.product(*axes)))


def _default_grid(logx: np.ndarray, logy: np.ndarray, spec: _LawSpec) -> dict[str, np.ndarray]:
    """A data-adaptive start grid for laws without a published grid.

    Exponents span 0.05-1.6; the constant spans fractions of min(y); each
    coefficient is set so that its term at the median x is a fraction of the
    median y.
    """
    grid: dict[str, np.ndarray] = {}
    alphas = np.log(np.array([0.05, 0.15, 0.4, 0.8, 1.6]))
    if spec.has_constant:
        grid["e"] = logy.min() + np.log([0.05, 0.4, 0.8, 0.97])
    med = np.median(logx, axis=0)
    for j, (cname, ename) in enumerate(zip(spec.coef_names, spec.exp_names, strict=True)):
        grid[ename] = np.exp(alphas)
        # a = log(frac * y_med) + alpha * log(x_med); span alpha and frac jointly
        fracs = np.log([0.05, 0.5, 1.0])
        grid[cname.lower()] = np.unique(
            np.round(np.median(logy) + fracs[:, None] + np.exp(alphas)[None, :] * med[j], 6)
        )
    return grid


def fit_law(
    x: np.ndarray,
    y: np.ndarray,
    *,
    law: str,
    grid: Mapping[str, Sequence[float]] | None = None,
    init: Mapping[str, float] | None = None,
    delta: float = 1e-3,
    n_refine: int = 16,
    maxiter: int = 10_000,
) -> LawFit:
    """Fit a law by Huber loss on log residuals, L-BFGS-B from a grid of starts.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, k)
        Positive scale variables, one column per power-law term.
    y : array_like, shape (n,)
        Positive observations.
    law : str
        A key of :data:`LAWS`.
    grid : mapping of str to sequence of float, optional
        Start values per log-space parameter (names in ``LAWS[law].log_names``:
        ``e`` = ln E, ``a`` = ln A, ``b`` = ln B, exponents as they are). The
        full Cartesian product is screened. Defaults to :data:`HOFFMANN_GRID`
        for Chinchilla and a data-adaptive grid otherwise.
    init : mapping of str to float, optional
        A single natural-scale start (e.g. a previous fit's ``params``). When
        given, the grid is not used: this is the warm start of the bootstrap.
    delta : float, default 1e-3
        Huber threshold on log residuals. ``numpy.inf`` gives ordinary least
        squares in log space; a small value approaches least absolute deviations.
    n_refine : int, default 16
        Number of best grid points refined with L-BFGS-B.
    maxiter : int, default 10000
        L-BFGS-B iteration cap per start.

    Returns
    -------
    LawFit
        Best fit over the refined starts.

    Raises
    ------
    ValueError
        On NaN/inf or non-positive inputs, mismatched shapes, an unknown law,
        too few observations, or a grid missing a parameter.
    """
    spec = _spec(law)
    logx, logy = _prepare(x, y, spec)
    if not delta > 0:
        raise ValueError(f"delta must be positive, got {delta!r}")
    if n_refine < 1:
        raise ValueError(f"n_refine must be >= 1, got {n_refine!r}")

    if init is not None:
        starts = _to_theta(init, spec)[None, :]
        n_starts = 1
    else:
        if grid is None:
            grid = HOFFMANN_GRID if law == "chinchilla" else _default_grid(logx, logy, spec)
        candidates = _grid_array(grid, spec)
        n_starts = candidates.shape[0]
        values = _batched_objective(candidates, logx, logy, delta, spec)
        order = np.argsort(values, kind="stable")[: min(n_refine, n_starts)]
        starts = candidates[order]

    best = None
    for theta0 in starts:
        res = minimize(
            _objective_and_grad,
            theta0,
            args=(logx, logy, delta, spec),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": maxiter, "maxfun": 4 * maxiter, "ftol": 1e-15, "gtol": 1e-10},
        )
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    return LawFit(
        law=law,
        params=MappingProxyType(_to_params(best.x, spec)),
        objective=float(best.fun),
        n_obs=int(logy.shape[0]),
        n_starts=n_starts,
        n_refined=int(starts.shape[0]),
        delta=float(delta),
        converged=bool(best.success),
        theta=tuple(float(t) for t in best.x),
    )


def _to_params(theta: np.ndarray, spec: _LawSpec) -> dict[str, float]:
    named = dict(zip(spec.log_names, (float(t) for t in theta), strict=True))
    out: dict[str, float] = {}
    if spec.has_constant:
        out["E"] = float(np.exp(named["e"]))
    for c in spec.coef_names:
        out[c] = float(np.exp(named[c.lower()]))
    for e in spec.exp_names:
        out[e] = named[e]
    return out


def _to_theta(params: Mapping[str, float], spec: _LawSpec) -> np.ndarray:
    params = dict(params)  # also accepts a pandas Series indexed by parameter name
    missing = set(spec.param_names) - set(params)
    if missing:
        raise ValueError(f"init lacks {sorted(missing)}; it needs {list(spec.param_names)}")
    logs = {}
    for name in spec.param_names:
        value = float(params[name])
        if name in spec.exp_names:
            logs[name] = value
        else:
            if not value > 0:
                raise ValueError(f"init[{name!r}] must be positive, got {value!r}")
            logs[name.lower()] = np.log(value)
    return np.array([logs[n] for n in spec.log_names])


def fit_power_law(x: np.ndarray, y: np.ndarray, **kwargs: Any) -> LawFit:
    r"""Fit :math:`y = A x^{-\alpha}` by Huber loss on log residuals.

    See :func:`fit_law` for the keyword arguments.
    """
    return fit_law(x, y, law="power_law", **kwargs)


def fit_saturating_power_law(x: np.ndarray, y: np.ndarray, **kwargs: Any) -> LawFit:
    r"""Fit :math:`y = E + A x^{-\alpha}` by Huber loss on log residuals.

    See :func:`fit_law` for the keyword arguments.
    """
    return fit_law(x, y, law="saturating_power_law", **kwargs)


def fit_chinchilla(N: np.ndarray, D: np.ndarray, loss: np.ndarray, **kwargs: Any) -> LawFit:
    r"""Fit :math:`L(N, D) = E + A/N^\alpha + B/D^\beta` (Hoffmann et al. 2022, App. D.2).

    Minimises the summed Huber (``delta=1e-3``) loss of
    ``LSE(a - alpha ln N, b - beta ln D, e) - ln L`` with L-BFGS-B and
    analytic gradients, from the best points of Hoffmann's 4,500-start grid.

    Parameters
    ----------
    N : array_like, shape (n,)
        Model parameters (count).
    D : array_like, shape (n,)
        Training tokens (count).
    loss : array_like, shape (n,)
        Final loss, nats/token.
    **kwargs
        Passed to :func:`fit_law` (``grid``, ``init``, ``delta``, ``n_refine``).

    Returns
    -------
    LawFit
        With ``params`` ``E, A, B, alpha, beta``.
    """
    N = _positive_array("N (parameters)", N)
    D = _positive_array("D (tokens)", D)
    loss = _positive_array("loss", loss)
    if N.shape != D.shape or N.ndim != 1:
        raise ValueError(f"N and D must be 1-D arrays of equal length, got {N.shape}, {D.shape}")
    return fit_law(np.column_stack([N, D]), loss, law="chinchilla", **kwargs)


# ----------------------------------------------------------------------------
# Bootstrap
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap distribution of a fit's parameters (immutable).

    Attributes
    ----------
    point : LawFit
        The fit on the full data.
    samples : pandas.DataFrame
        One row per resample, one column per parameter (plus ``objective``).
    """

    point: LawFit
    samples: pd.DataFrame = field(repr=False)

    def ci(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile confidence intervals (Efron 1979).

        Parameters
        ----------
        level : float, default 0.95
            Coverage, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Index: parameter names; columns ``estimate``, ``se``, ``low``, ``high``.
        """
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        names = list(self.point.params)
        q = [(1 - level) / 2, (1 + level) / 2]
        bounds = self.samples[names].quantile(q).T
        return pd.DataFrame(
            {
                "estimate": pd.Series(dict(self.point.params)),
                "se": self.samples[names].std(ddof=1),
                "low": bounds[q[0]],
                "high": bounds[q[1]],
            }
        )

    def __repr__(self) -> str:
        return f"BootstrapResult({self.point.law}, n_boot={len(self.samples)})"


def _refit(args: tuple[np.ndarray, np.ndarray, dict[str, Any]]) -> dict[str, float]:
    x, y, kwargs = args
    fit = fit_law(x, y, **kwargs)
    return {**fit.params, "objective": fit.objective}


def bootstrap_fit(
    fit: LawFit,
    x: np.ndarray,
    y: np.ndarray,
    *,
    n_boot: int = 400,
    rng: int | np.random.Generator,
    warm_start: bool = True,
    n_jobs: int | None = None,
    progress: bool = False,
) -> BootstrapResult:
    """Nonparametric (case-resampling) bootstrap of a law fit.

    Each resample draws ``n`` rows with replacement and refits the same law.
    With ``warm_start`` the refit starts from the full-data optimum (as
    Besiroglu et al. start from Hoffmann's values); otherwise it screens the
    whole grid again. Resample indices are drawn up front from ``rng``, so
    results do not depend on ``n_jobs`` or the joblib backend.

    Parameters
    ----------
    fit : LawFit
        Full-data fit (its law and ``delta`` are reused).
    x, y : array_like
        The data ``fit`` was made on (``x`` of shape (n,) or (n, k)).
    n_boot : int, default 400
        Number of resamples.
    rng : int or numpy.random.Generator
        Seed or generator (required: no hidden randomness).
    warm_start : bool, default True
        Start each refit from ``fit.params``.
    n_jobs : int, optional
        Workers for :func:`helpers.sweeps.parallel_map` (joblib semantics).
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    BootstrapResult
    """
    if n_boot < 2:
        raise ValueError(f"n_boot must be >= 2, got {n_boot!r}")
    gen = np.random.default_rng(rng)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = y.shape[0]
    if x.shape[0] != n:
        raise ValueError(f"x has {x.shape[0]} rows but y has {n} values")
    idx = gen.integers(0, n, size=(n_boot, n))
    kwargs: dict[str, Any] = {"law": fit.law, "delta": fit.delta}
    if warm_start:
        kwargs["init"] = dict(fit.params)
    rows = parallel_map(
        _refit, [(x[i], y[i], kwargs) for i in idx], n_jobs=n_jobs, progress=progress
    )
    return BootstrapResult(point=fit, samples=pd.DataFrame(rows))
