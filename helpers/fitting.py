r"""Scaling-law forms and one robust fitting engine for all of them.

Every law in this book is fitted by the same engine. A law (:class:`Law`) declares

* its parameters, and which of them are positive (those are optimised as their
  logarithm, so they stay positive: :math:`u = \ln p`);
* a vectorised prediction ``predict(p, x)`` that takes a *batch* of parameter
  vectors at once (for screening a grid of starts, and for the batched bootstrap);
* optionally its Jacobian (analytic where cheap; central differences otherwise);
* whether residuals are taken in log space, :math:`r_i = \ln \hat y_i - \ln y_i`
  (losses: every run's *relative* error counts the same), or in linear space,
  :math:`r_i = \hat y_i - y_i` (accuracies, errors near zero, sigmoid links);
* bounds (e.g. exponents that must be positive) and a default grid of starts.

The engine minimises the **sum** of Huber losses of the residuals (Hoffmann et al.
2022, App. D.2; Besiroglu et al. 2024),

.. math::

    \min_u \sum_i w_i\, \operatorname{Huber}_\delta\bigl(r_i(u)\bigr),\qquad
    \operatorname{Huber}_\delta(r) = \begin{cases} r^2/2 & |r| \le \delta\\
    \delta(|r| - \delta/2) & |r| > \delta \end{cases}

(``delta=numpy.inf`` is ordinary least squares). It screens every start of the grid in
one vectorised pass, then refines the best few with
:func:`scipy.optimize.least_squares` (trust-region reflective, ``loss="huber"``,
``f_scale=delta``: exactly this objective, in about ten evaluations per start), within
the law's bounds. The sum, not the mean, matters for gradient-based stopping rules: a
mean divides the gradient by the number of points, so a gradient tolerance is met long
before the optimum (one reason Besiroglu et al. give for Hoffmann et al.'s published
values being off).

The bootstrap (:func:`bootstrap_fit`) refits all resamples at once: a resample is the
same data with integer weights (how often each point was drawn), so 4,000 refits are
one batched Levenberg–Marquardt problem on arrays of shape (4000, n). Every resample's
convergence is recorded; a resample the batch does not settle is refitted alone, and
one that still fails is reported and left out of the intervals, never silently kept.

Laws built in (:data:`LAWS`; add your own with :func:`register_law`):

* ``"power_law"``: :math:`y = A x^{-\alpha}`;
* ``"saturating_power_law"``: :math:`y = E + A x^{-\alpha}`;
* ``"chinchilla"``: :math:`L(N, D) = E + A N^{-\alpha} + B D^{-\beta}` (Hoffmann et al.
  2022, Eq. 2);
* ``"gadre_loss"``: :math:`L(C, M) = E + (a M^{\eta} + b M^{-\eta})\, C^{-\eta}` (Gadre et
  al. 2024, Eq. 4; tied exponents);
* ``"exponential_error"``: :math:`\mathrm{Err}(L) = \epsilon - k\, e^{-\gamma L}`
  (Gadre et al. 2024, Eq. 5; linear residuals);
* ``"sigmoid"``: :math:`y = \mathrm{floor} + \mathrm{height}\,\sigma(\mathrm{slope}\,
  (x - \mathrm{center}))` (a sigmoid link; linear residuals).

The first four are instances of one family, :func:`power_law_sum`: a constant plus
power-law terms in products of the inputs, with exponents optionally shared.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.special import expit
from scipy.special import huber as _huber

from .sweeps import parallel_map

__all__ = [
    "HOFFMANN_GRID",
    "HOFFMANN_PUBLISHED",
    "LAWS",
    "BootstrapResult",
    "Law",
    "LawFit",
    "bootstrap",
    "bootstrap_fit",
    "chinchilla_loss",
    "chinchilla_optimal_allocation",
    "exponential_error",
    "fit_chinchilla",
    "fit_law",
    "fit_power_law",
    "fit_saturating_power_law",
    "gadre_loss",
    "get_law",
    "huber",
    "huber_log_objective",
    "law_objective",
    "power_law",
    "power_law_sum",
    "register_law",
    "relative_error",
    "saturating_power_law",
    "sigmoid",
]

ParamBatch = Mapping[str, np.ndarray]
"""Parameters handed to ``Law.predict``: name -> array of shape (B, 1) (a batch of B)."""


# ----------------------------------------------------------------------------
# Law forms, natural scale
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


def gadre_loss(
    C: np.ndarray, M: np.ndarray, E: float, a: float, b: float, eta: float
) -> np.ndarray:
    r"""Loss as a function of compute and token multiplier, Gadre et al. (2024), Eq. 4.

    .. math:: L(C, M) = E + \bigl(a M^{\eta} + b M^{-\eta}\bigr)\, C^{-\eta}

    It is Chinchilla's law with equal exponents (:math:`\alpha = \beta = 2\eta`)
    rewritten with :math:`C = 6ND` and :math:`M = D/N`: :math:`a = A \cdot 6^{\eta}`,
    :math:`b = B \cdot 6^{\eta}`. At fixed ``M`` the reducible loss is a power law
    in ``C`` with an exponent that does not depend on ``M``: over-training only
    shifts the line.

    Parameters
    ----------
    C : array_like
        Training compute, FLOPs (``6 N D``).
    M : array_like
        Token multiplier ``D / N`` (tokens per parameter). Broadcast against ``C``.
    E : float
        Irreducible loss, nats/token.
    a, b : float
        Coefficients (positive).
    eta : float
        The shared exponent.

    Returns
    -------
    numpy.ndarray
        Loss in nats/token.
    """
    C = np.asarray(C, dtype=float)
    M = np.asarray(M, dtype=float)
    return E + (a * M**eta + b * M ** (-eta)) * C ** (-eta)


def exponential_error(L: np.ndarray, eps: float, k: float, gamma: float) -> np.ndarray:
    r"""Downstream error as a function of loss, Gadre et al. (2024), Eq. 5.

    .. math:: \mathrm{Err}(L) = \epsilon - k\, e^{-\gamma L}

    As the loss ``L`` grows the error approaches ``eps`` (close to chance); as it
    falls, the error drops below ``eps`` by :math:`k e^{-\gamma L}`.

    Parameters
    ----------
    L : array_like
        Loss, nats/token (e.g. the C4-eval loss).
    eps : float
        The error approached at high loss (a fraction).
    k, gamma : float
        Scale and rate of the improvement (positive).

    Returns
    -------
    numpy.ndarray
        Error (a fraction) with the shape of ``L``.
    """
    L = np.asarray(L, dtype=float)
    return eps - k * np.exp(-gamma * L)


def sigmoid(x: np.ndarray, floor: float, height: float, slope: float, center: float) -> np.ndarray:
    r"""Sigmoid link: a smooth step from ``floor`` to ``floor + height``.

    .. math:: y = y_0 + h\,\sigma\bigl(s\,(x - x_0)\bigr)

    with floor :math:`y_0`, height :math:`h`, slope :math:`s` and center :math:`x_0`,

    With :math:`\sigma(z) = 1/(1 + e^{-z})`. A negative ``slope`` gives a curve
    that rises as ``x`` falls (accuracy against loss, as in Bhagia et al. 2024,
    Eq. 2, where :math:`\mathrm{Acc}(L) = a / (1 + e^{-k(L - L_0)}) + b`:
    ``floor = b``, ``height = a``, ``slope = k``, ``center = L_0``).

    Parameters
    ----------
    x : array_like
        The predictor (a loss, a capability score, log-compute...).
    floor : float
        Value as :math:`\mathrm{slope}\cdot x \to -\infty` (e.g. chance accuracy).
    height : float
        Rise from floor to ceiling (the ceiling is ``floor + height``).
    slope : float
        Steepness, in units of 1/x; its sign sets the direction.
    center : float
        The midpoint, in the units of x.

    Returns
    -------
    numpy.ndarray
        ``y`` with the shape of ``x``.
    """
    x = np.asarray(x, dtype=float)
    return floor + height * expit(slope * (x - center))


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

#: Hoffmann et al.'s initialisation grid (App. D.2), written in natural-scale parameters:
#: ln E in {-1, -0.5, ..., 1}; ln A, ln B in {0, 5, ..., 25}; alpha, beta in {0, 0.5, ..., 2}.
#: 5 x 6 x 6 x 5 x 5 = 4,500 starts.
HOFFMANN_GRID: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "E": tuple(np.exp(np.arange(-1.0, 1.01, 0.5))),
        "A": tuple(np.exp(np.arange(0.0, 25.1, 5.0))),
        "B": tuple(np.exp(np.arange(0.0, 25.1, 5.0))),
        "alpha": tuple(np.arange(0.0, 2.01, 0.5)),
        "beta": tuple(np.arange(0.0, 2.01, 0.5)),
    }
)


# ----------------------------------------------------------------------------
# The Law: what the engine needs to know about a functional form
# ----------------------------------------------------------------------------

GridSpec = (
    Mapping[str, Sequence[float]]
    | np.ndarray
    | Callable[[np.ndarray, np.ndarray], "Mapping[str, Sequence[float]] | np.ndarray"]
)


@dataclass(frozen=True)
class Law:
    r"""A functional form the fitting engine can fit (immutable).

    Parameters
    ----------
    name : str
        Registry name (see :func:`register_law`).
    params : tuple of str
        Natural-scale parameter names, in vector order.
    predict : callable
        ``predict(p, x) -> y`` with ``p`` mapping each name to an array of shape
        (B, 1) — a batch of B parameter vectors — and ``x`` the (n, n_inputs) input
        array; returns shape (B, n). Write it with broadcasting, e.g.
        ``p["E"] + p["A"] * x[:, 0] ** -p["alpha"]``.
    n_inputs : int, default 1
        Number of input columns.
    positive : tuple of str
        Parameters that must be positive: optimised as their logarithm.
    bounds : mapping of str to (low, high), optional
        Natural-scale bounds. For a positive parameter, ``low`` may be 0.
    residuals : {"log", "linear"}
        ``"log"``: :math:`\ln \hat y - \ln y` (observations and predictions must be
        positive); ``"linear"``: :math:`\hat y - y`.
    grid : mapping, array or callable, optional
        Default starts: a mapping name -> natural-scale values (the Cartesian
        product is screened), an array of shape (S, p), or a callable
        ``grid(x, y)`` returning either (data-adaptive starts).
    jacobian : callable, optional
        ``jacobian(p, x) -> {name: array}`` of partial derivatives of the
        prediction with respect to each natural-scale parameter, each
        broadcastable to (B, n). Central differences are used when absent.
    inputs : tuple of str, optional
        Names of the input columns (for messages); default ``x``, ``x1``...
    positive_inputs : bool, default True
        Whether every input must be strictly positive (laws that take logs).
    equation : str
        The law as a formula, for reprs and documentation.
    value_and_jacobian : callable, optional
        ``(p, x) -> (prediction, jacobian parts)`` in one pass, for laws where the
        two share expensive work (the power-law family); used by the engine when given.
    """

    name: str
    params: tuple[str, ...]
    predict: Callable[[ParamBatch, np.ndarray], np.ndarray] = field(repr=False)
    n_inputs: int = 1
    positive: tuple[str, ...] = ()
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    residuals: Literal["log", "linear"] = "log"
    grid: GridSpec | None = field(default=None, repr=False)
    jacobian: Callable[[ParamBatch, np.ndarray], Mapping[str, np.ndarray]] | None = field(
        default=None, repr=False
    )
    inputs: tuple[str, ...] | None = None
    positive_inputs: bool = True
    equation: str = ""
    value_and_jacobian: (
        Callable[[ParamBatch, np.ndarray], tuple[np.ndarray, Mapping[str, np.ndarray]]] | None
    ) = field(default=None, repr=False)

    def __post_init__(self) -> None:
        params = tuple(self.params)
        if not params or len(set(params)) != len(params):
            raise ValueError(f"law {self.name!r}: params must be unique names, got {params}")
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "positive", tuple(self.positive))
        unknown = set(self.positive) - set(params)
        if unknown:
            raise ValueError(f"law {self.name!r}: positive names unknown params {sorted(unknown)}")
        if self.residuals not in ("log", "linear"):
            raise ValueError(
                f"law {self.name!r}: residuals must be 'log' or 'linear', got {self.residuals!r}"
            )
        if not isinstance(self.n_inputs, int) or self.n_inputs < 1:
            raise ValueError(f"law {self.name!r}: n_inputs must be a positive int")
        inputs = self.inputs or (
            ("x",) if self.n_inputs == 1 else tuple(f"x{j + 1}" for j in range(self.n_inputs))
        )
        if len(inputs) != self.n_inputs:
            raise ValueError(f"law {self.name!r}: {len(inputs)} input names for {self.n_inputs}")
        object.__setattr__(self, "inputs", tuple(inputs))
        bounds = {}
        for name, (lo, hi) in dict(self.bounds).items():
            if name not in params:
                raise ValueError(f"law {self.name!r}: bounds for unknown param {name!r}")
            lo, hi = float(lo), float(hi)
            if not lo < hi:
                raise ValueError(f"law {self.name!r}: bounds for {name!r} need low < high")
            if name in self.positive and lo < 0:
                raise ValueError(f"law {self.name!r}: {name!r} is positive; its low bound is < 0")
            bounds[name] = (lo, hi)
        object.__setattr__(self, "bounds", MappingProxyType(bounds))

    # -- natural <-> optimisation coordinates ------------------------------------

    @property
    def _log_mask(self) -> np.ndarray:
        return np.array([p in self.positive for p in self.params])

    def to_u(self, values: np.ndarray) -> np.ndarray:
        """Natural-scale parameters (..., p) -> optimisation coordinates (log for positive)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(divide="ignore"):
            return np.where(self._log_mask, np.log(np.where(self._log_mask, values, 1.0)), values)

    def from_u(self, u: np.ndarray) -> np.ndarray:
        """Optimisation coordinates (..., p) -> natural-scale parameters."""
        u = np.asarray(u, dtype=float)
        with np.errstate(over="ignore"):  # a wild trial step: inf, then a large residual
            return np.where(self._log_mask, np.exp(np.where(self._log_mask, u, 0.0)), u)

    def u_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds in optimisation coordinates (``-inf``/``inf`` where unbounded)."""
        lo = np.full(len(self.params), -np.inf)
        hi = np.full(len(self.params), np.inf)
        for j, name in enumerate(self.params):
            if name in self.bounds:
                a, b = self.bounds[name]
                if name in self.positive:
                    with np.errstate(divide="ignore"):
                        a, b = np.log(a), np.log(b)
                lo[j], hi[j] = a, b
        return lo, hi

    def _batch(self, natural: np.ndarray) -> dict[str, np.ndarray]:
        return {name: natural[:, j : j + 1] for j, name in enumerate(self.params)}

    # -- evaluation ---------------------------------------------------------------

    def evaluate(self, natural: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Predictions for a batch of natural-scale parameter vectors.

        Parameters
        ----------
        natural : numpy.ndarray, shape (B, p)
            Parameter vectors, columns in the order of ``params``.
        x : numpy.ndarray, shape (n, n_inputs)
            Inputs.

        Returns
        -------
        numpy.ndarray, shape (B, n)
        """
        with np.errstate(over="ignore", invalid="ignore"):  # handled as non-finite
            out = np.asarray(self.predict(self._batch(natural), x), dtype=float)
        return np.broadcast_to(out, (natural.shape[0], x.shape[0]))

    def __call__(self, *x: np.ndarray | float, **params: float) -> np.ndarray:
        """Evaluate the law at natural-scale parameters, broadcasting the inputs.

        Examples
        --------
        >>> get_law("chinchilla")(7e10, 1.4e12, E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
        array(1.93...)
        """
        if len(x) != self.n_inputs:
            raise TypeError(
                f"law {self.name!r} takes {self.n_inputs} input(s) {self.inputs}, got {len(x)}"
            )
        self._check_names(params, "takes parameters", TypeError)
        arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in x))
        shape = arrays[0].shape
        X = np.column_stack([a.ravel() for a in arrays])
        vec = np.array([[float(params[p]) for p in self.params]])
        return self.evaluate(vec, X)[0].reshape(shape)

    def _residual_from_pred(self, pred: np.ndarray, target: np.ndarray) -> np.ndarray:
        if self.residuals == "log":
            ok = np.isfinite(pred) & (pred > 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(ok, np.log(np.where(ok, pred, 1.0)), _BAD) - target
        else:
            r = np.where(np.isfinite(pred), pred, _BAD) - target
        return np.clip(r, -_HUGE, _HUGE)  # squares stay finite for any optimiser

    def _check_names(self, given: Mapping[str, Any], what: str, error: type[Exception]) -> None:
        """Raise ``error`` unless ``given`` has exactly this law's parameter names."""
        missing = set(self.params) - set(given)
        extra = set(given) - set(self.params)
        if missing or extra:
            raise error(
                f"law {self.name!r} {what} {list(self.params)}; "
                f"missing {sorted(missing)}, unexpected {sorted(extra)}"
            )

    def residual_values(self, u: np.ndarray, x: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Residuals (B, n) at optimisation coordinates ``u`` (B, p).

        ``target`` is ``log y`` for log residuals and ``y`` for linear ones. A
        non-positive or non-finite prediction gets a large finite residual, so an
        optimiser steps back from it rather than failing.
        """
        return self._residual_from_pred(self.evaluate(self.from_u(u), x), target)

    def residuals_and_jacobian(
        self, u: np.ndarray, x: np.ndarray, target: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Residuals (B, n) and their Jacobian with respect to ``u`` (B, n, p), together.

        Uses ``value_and_jacobian`` when the law has it (one pass over the terms),
        else ``predict`` and ``jacobian``, else central differences.
        """
        if self.jacobian is None and self.value_and_jacobian is None:
            return self.residual_values(u, x, target), self._numeric_jacobian(u, x)
        natural = self.from_u(u)
        batch = self._batch(natural)
        with np.errstate(over="ignore", invalid="ignore"):  # handled as non-finite
            if self.value_and_jacobian is not None:
                pred, parts = self.value_and_jacobian(batch, x)
            else:
                assert self.jacobian is not None
                pred, parts = self.predict(batch, x), self.jacobian(batch, x)
        B, n = u.shape[0], x.shape[0]
        pred = np.broadcast_to(np.asarray(pred, dtype=float), (B, n))
        J = np.empty((B, n, len(self.params)))
        for j, name in enumerate(self.params):
            J[:, :, j] = parts[name]
        J *= np.where(self._log_mask, natural, 1.0)[:, None, :]  # chain rule: dp/du = p
        with np.errstate(invalid="ignore", over="ignore"):
            if self.residuals == "log":
                J /= np.where(pred > 0, pred, np.inf)[:, :, None]
            # where the prediction is not usable the residual is a constant: no slope
            valid = np.isfinite(pred) & ((pred > 0) if self.residuals == "log" else True)
            J = np.where(valid[:, :, None] & np.isfinite(J), J, 0.0)
        return self._residual_from_pred(pred, target), J

    def residual_jacobian(self, u: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Jacobian of the residuals with respect to ``u``: shape (B, n, p)."""
        return self.residuals_and_jacobian(u, x, np.zeros(x.shape[0]))[1]

    def _numeric_jacobian(self, u: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Central differences of the residuals in ``u`` (target-free: it cancels)."""
        zero = np.zeros(x.shape[0])
        step = 1e-6 * (1.0 + np.abs(u))
        J = np.empty((u.shape[0], x.shape[0], u.shape[1]))
        for j in range(u.shape[1]):
            up, down = u.copy(), u.copy()
            up[:, j] += step[:, j]
            down[:, j] -= step[:, j]
            diff = self.residual_values(up, x, zero) - self.residual_values(down, x, zero)
            J[:, :, j] = diff / (2 * step[:, j : j + 1])
        return J

    def default_starts(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The default grid of starts (S, p), natural scale, for data ``x``, ``y``."""
        grid = self.grid(x, y) if callable(self.grid) else self.grid
        if grid is None:
            raise ValueError(f"law {self.name!r} has no default grid: pass grid= or init=")
        return self.starts_from(grid)

    def starts_from(self, grid: Mapping[str, Sequence[float]] | np.ndarray) -> np.ndarray:
        """Turn a grid (mapping of values per parameter, or an (S, p) array) into starts."""
        if isinstance(grid, Mapping):
            self._check_names(grid, "needs a grid of exactly", ValueError)
            axes = [np.asarray(grid[name], dtype=float).ravel() for name in self.params]
            if any(a.size == 0 for a in axes):
                raise ValueError("every grid axis needs at least one value")
            starts = np.array(list(itertools.product(*axes)))
        else:
            starts = np.atleast_2d(np.asarray(grid, dtype=float))
            if starts.shape[1] != len(self.params):
                raise ValueError(
                    f"grid array must have {len(self.params)} columns {list(self.params)}, "
                    f"got shape {starts.shape}"
                )
        for j, name in enumerate(self.params):
            if name in self.positive and np.any(starts[:, j] <= 0):
                raise ValueError(f"grid values for positive parameter {name!r} must be > 0")
        lo, hi = self.u_bounds()
        return self.from_u(np.clip(self.to_u(starts), lo, hi))


_HUGE = 1e100  # residuals are clipped here: wild trial steps never overflow
_BAD = 1e3  # residual given to a prediction that is not finite (or not positive, in log space)

_LAWS: dict[str, Law] = {}

#: The registered laws, by name (read-only view; add with :func:`register_law`).
LAWS: Mapping[str, Law] = MappingProxyType(_LAWS)


def register_law(law: Law, *, replace: bool = False) -> Law:
    """Register a law so that ``fit_law(..., law=name)`` finds it.

    Parameters
    ----------
    law : Law
        The law.
    replace : bool, default False
        Allow replacing a registered law of the same name.

    Returns
    -------
    Law
        The law, for chaining.
    """
    if not isinstance(law, Law):
        raise TypeError(f"register_law takes a Law, got {type(law).__name__}")
    if law.name in _LAWS and not replace and _LAWS[law.name] is not law:
        raise ValueError(f"a law named {law.name!r} is registered already (replace=True)")
    _LAWS[law.name] = law
    return law


def get_law(law: str | Law) -> Law:
    """Return a registered law by name (or the law itself); unknown names list the known ones."""
    if isinstance(law, Law):
        return law
    try:
        return _LAWS[law]
    except (KeyError, TypeError):
        raise ValueError(f"unknown law {law!r}; known laws: {sorted(_LAWS)}") from None


# ----------------------------------------------------------------------------
# The sum-of-power-laws family (power law, saturating, Chinchilla, Gadre)
# ----------------------------------------------------------------------------


def power_law_sum(
    name: str,
    *,
    inputs: Sequence[str],
    terms: Sequence[tuple[str, str, Sequence[float]]],
    constant: str | None = "E",
    exponent_bounds: tuple[float, float] = (0.0, np.inf),
    grid: GridSpec | None = None,
    equation: str = "",
) -> Law:
    r"""A constant plus power-law terms in products of the inputs, fitted in log space.

    .. math::

        y = E + \sum_j c_j \exp\Bigl(-e_j \sum_k s_{jk} \ln x_k\Bigr)
          = E + \sum_j c_j \prod_k x_k^{-e_j s_{jk}}

    The coefficients :math:`c_j` and the constant are positive (fitted as logs);
    the same exponent name in several terms ties them (Gadre et al.'s
    :math:`(a M^{\eta} + b M^{-\eta}) C^{-\eta}` has terms ``("a", "eta", (1, -1))``
    and ``("b", "eta", (1, 1))`` over inputs ``(C, M)``).

    Parameters
    ----------
    name : str
        Law name.
    inputs : sequence of str
        Input names, one column each.
    terms : sequence of (coefficient, exponent, signs)
        ``signs`` has one entry per input: the power of ``x_k`` in the term is
        ``-exponent * signs[k]``.
    constant : str or None, default "E"
        Name of the additive constant; None for no constant.
    exponent_bounds : (float, float), default (0, inf)
        Bounds of every exponent (positive by default: terms fall as inputs grow).
    grid : optional
        Default starts (see :class:`Law`); a data-adaptive grid otherwise.
    equation : str
        The formula, for documentation.

    Returns
    -------
    Law
        Parameters in the order: constant, coefficients (term order), exponents
        (first appearance). Residuals are log residuals; the Jacobian is analytic.
    """
    inputs = tuple(inputs)
    k = len(inputs)
    coefs = [t[0] for t in terms]
    exps: list[str] = []
    for t in terms:
        if t[1] not in exps:
            exps.append(t[1])
    signs = np.array([np.asarray(t[2], dtype=float) for t in terms])
    if signs.shape != (len(terms), k):
        raise ValueError(f"each term needs {k} signs (one per input), got shape {signs.shape}")
    exp_index = [exps.index(t[1]) for t in terms]
    const = [constant] if constant else []
    params = (*const, *coefs, *exps)

    def _parts(p: ParamBatch, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        z = np.log(x) @ signs.T  # (n, terms): the combination of log-inputs each term uses
        values = [
            p[c] * np.exp(-p[exps[e]] * z[:, j])
            for j, (c, e) in enumerate(zip(coefs, exp_index, strict=False))
        ]
        return values, [z[:, j] for j in range(len(terms))]

    def predict(p: ParamBatch, x: np.ndarray) -> np.ndarray:
        values, _ = _parts(p, x)
        total = sum(values[1:], values[0])
        return total + p[constant] if constant else total

    def value_and_jacobian(
        p: ParamBatch, x: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        values, zs = _parts(p, x)
        total = sum(values[1:], values[0])
        out: dict[str, np.ndarray] = {}
        if constant:
            out[constant] = np.ones((1, x.shape[0]))
        for c, v in zip(coefs, values, strict=True):
            out[c] = v / p[c]
        for e in exps:
            out[e] = -sum(
                v * z for v, z, ei in zip(values, zs, exp_index, strict=True) if exps[ei] == e
            )
        return (total + p[constant] if constant else total), out

    def jacobian(p: ParamBatch, x: np.ndarray) -> dict[str, np.ndarray]:
        return value_and_jacobian(p, x)[1]

    def adaptive_grid(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Exponents 0.05-1.6; the constant a fraction of min(y); each coefficient such
        that its term, at the median input, is a fraction of the median output."""
        logy = np.log(y)
        z_med = np.median(np.log(x) @ signs.T, axis=0)
        exp_values = np.array([0.05, 0.15, 0.4, 0.8, 1.6])
        fracs = np.array([0.05, 0.5, 1.0])
        const_values = y.min() * np.array([0.05, 0.4, 0.8, 0.97]) if constant else [None]
        rows = []
        for e_combo in itertools.product(exp_values, repeat=len(exps)):
            for f_combo in itertools.product(fracs, repeat=len(terms)):
                coef_values = [
                    np.exp(np.median(logy) + np.log(f) + e_combo[exp_index[j]] * z_med[j])
                    for j, f in enumerate(f_combo)
                ]
                for cv in const_values:
                    rows.append([*([cv] if constant else []), *coef_values, *e_combo])
        return np.array(rows, dtype=float)

    return Law(
        name=name,
        params=params,
        predict=predict,
        n_inputs=k,
        positive=(*const, *coefs),
        bounds={e: exponent_bounds for e in exps},
        residuals="log",
        grid=grid if grid is not None else adaptive_grid,
        jacobian=jacobian,
        inputs=inputs,
        positive_inputs=True,
        equation=equation,
        value_and_jacobian=value_and_jacobian,
    )


def _exponential_error_jacobian(p: ParamBatch, x: np.ndarray) -> dict[str, np.ndarray]:
    L = x[:, 0]
    decay = np.exp(-p["gamma"] * L)
    return {"eps": np.ones((1, L.size)), "k": -decay, "gamma": p["k"] * L * decay}


def _exponential_error_grid(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ε above the largest error; γ from slow to fast; k so the curve passes the median."""
    L = x[:, 0]
    L_med, y_med = np.median(L), np.median(y)
    rows = []
    for gamma in (0.3, 1.0, 3.0, 10.0):
        for eps in y.max() * np.array([1.0, 1.05, 1.2, 1.5]):
            gap = eps - y_med
            if gap > 0:
                rows.append([eps, gap * np.exp(gamma * L_med), gamma])
    return np.array(rows)


def _sigmoid_jacobian(p: ParamBatch, x: np.ndarray) -> dict[str, np.ndarray]:
    dx = x[:, 0] - p["center"]
    s = expit(p["slope"] * dx)
    ds = p["height"] * s * (1.0 - s)
    return {
        "floor": np.ones((1, x.shape[0])),
        "height": s,
        "slope": ds * dx,
        "center": -ds * p["slope"],
    }


def _sigmoid_grid(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Floor and height from the data's range; center at quantiles; slopes of both signs."""
    xs = x[:, 0]
    span = max(np.ptp(xs), 1e-12)
    lo, hi = y.min(), y.max()
    rows = []
    for floor in (lo, lo - 0.1 * (hi - lo)):
        for height in ((hi - lo), 1.5 * (hi - lo), 3.0 * (hi - lo)):
            for center in np.quantile(xs, [0.1, 0.5, 0.9]):
                for slope in (1.0, 4.0, 16.0):
                    for sign in (-1.0, 1.0):
                        rows.append([floor, max(height, 1e-6), sign * slope / span, center])
    return np.array(rows)


for _law in (
    power_law_sum(
        "power_law",
        inputs=("x",),
        terms=[("A", "alpha", (1,))],
        constant=None,
        equation="y = A x^-alpha",
    ),
    power_law_sum(
        "saturating_power_law",
        inputs=("x",),
        terms=[("A", "alpha", (1,))],
        equation="y = E + A x^-alpha",
    ),
    power_law_sum(
        "chinchilla",
        inputs=("N", "D"),
        terms=[("A", "alpha", (1, 0)), ("B", "beta", (0, 1))],
        grid=HOFFMANN_GRID,
        equation="L = E + A N^-alpha + B D^-beta",
    ),
    power_law_sum(
        "gadre_loss",
        inputs=("C", "M"),
        terms=[("a", "eta", (1, -1)), ("b", "eta", (1, 1))],
        equation="L = E + (a M^eta + b M^-eta) C^-eta",
    ),
    Law(
        name="exponential_error",
        params=("eps", "k", "gamma"),
        predict=lambda p, x: p["eps"] - p["k"] * np.exp(-p["gamma"] * x[:, 0]),
        positive=("eps", "k", "gamma"),
        residuals="linear",
        grid=_exponential_error_grid,
        jacobian=_exponential_error_jacobian,
        inputs=("L",),
        equation="Err = eps - k exp(-gamma L)",
    ),
    Law(
        name="sigmoid",
        params=("floor", "height", "slope", "center"),
        predict=lambda p, x: p["floor"] + p["height"] * expit(p["slope"] * (x[:, 0] - p["center"])),
        positive=("height",),
        residuals="linear",
        grid=_sigmoid_grid,
        jacobian=_sigmoid_jacobian,
        positive_inputs=False,
        equation="y = floor + height sigmoid(slope (x - center))",
    ),
):
    register_law(_law)


# ----------------------------------------------------------------------------
# Objective
# ----------------------------------------------------------------------------


def huber(r: np.ndarray, delta: float) -> np.ndarray:
    r"""Huber loss, elementwise.

    .. math::

        h_\delta(r) = \begin{cases} r^2/2 & |r| \le \delta \\
        \delta(|r| - \delta/2) & |r| > \delta \end{cases}

    Quadratic near zero, linear in the tails, so a few outlying runs cannot
    dominate the fit (Huber 1964). ``delta=numpy.inf`` gives :math:`r^2/2`.

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


def _objective(r: np.ndarray, delta: float, weights: np.ndarray | None) -> np.ndarray:
    """Summed (weighted) Huber loss over the last axis."""
    h = _huber(delta, r)
    return (h if weights is None else h * weights).sum(axis=-1)


@dataclass(frozen=True)
class _Problem:
    """Validated data of one fit: inputs (n, k), the residual target, weights."""

    law: Law
    x: np.ndarray
    y: np.ndarray
    target: np.ndarray
    weights: np.ndarray | None


def _prepare(
    x: Any, y: Any, law: Law, weights: Any = None, *, names: tuple[str, str] = ("x", "y")
) -> _Problem:
    """Validate inputs against the law and return the fitting problem."""
    x_name, y_name = names
    xa = _finite_array(x_name, x, positive=law.positive_inputs)
    ya = _finite_array(y_name, y, positive=law.residuals == "log")
    if ya.ndim != 1:
        raise ValueError(f"{y_name} must be one-dimensional, got shape {ya.shape}")
    if xa.ndim == 1:
        xa = xa[:, None]
    if xa.ndim != 2 or xa.shape[1] != law.n_inputs:
        raise ValueError(
            f"{x_name} must have shape (n,) or (n, {law.n_inputs}) for law {law.name!r} "
            f"(inputs {law.inputs}), got {np.shape(x)}"
        )
    if xa.shape[0] != ya.shape[0]:
        raise ValueError(f"{x_name} has {xa.shape[0]} rows but {y_name} has {ya.shape[0]} values")
    w = None
    if weights is not None:
        w = _finite_array("weights", weights, positive=False)
        if w.shape != ya.shape or np.any(w < 0) or not np.any(w > 0):
            raise ValueError("weights must be non-negative, not all zero, one per observation")
    n_obs = int(np.count_nonzero(w)) if w is not None else ya.shape[0]
    if n_obs < len(law.params):
        raise ValueError(
            f"need at least {len(law.params)} observations to fit {len(law.params)} "
            f"parameters of law {law.name!r}, got {n_obs}"
        )
    target = np.log(ya) if law.residuals == "log" else ya
    return _Problem(law, xa, ya, target, w)


def law_objective(
    params: Mapping[str, float],
    x: np.ndarray,
    y: np.ndarray,
    *,
    law: str | Law = "chinchilla",
    delta: float = 1e-3,
) -> float:
    """Summed Huber objective of a law's residuals at given (natural-scale) parameters.

    Use it to score published parameters on the same footing as a fit, e.g.
    Hoffmann et al.'s rounded values on Epoch's reconstructed runs.

    Parameters
    ----------
    params : mapping of str to float
        Natural-scale parameters named as in ``LawFit.params`` (``E, A, B,
        alpha, beta`` for ``"chinchilla"``); a pandas Series works too.
    x : array_like, shape (n,) or (n, k)
        Inputs (N then D for Chinchilla).
    y : array_like, shape (n,)
        Observations.
    law : str or Law
        A registered law name or a :class:`Law`.
    delta : float
        Huber threshold (1e-3 in Hoffmann et al.; ``numpy.inf`` gives half the
        sum of squares).

    Returns
    -------
    float
        The objective.
    """
    spec = get_law(law)
    prob = _prepare(x, y, spec)
    u = spec.to_u(_natural_vector(params, spec))[None, :]
    return float(_objective(spec.residual_values(u, prob.x, prob.target), delta, None)[0])


#: The Chinchilla objective under its historical name (log residuals, Huber).
huber_log_objective = law_objective


def _batched_objective(
    u: np.ndarray, prob: _Problem, delta: float, weights: np.ndarray | None = None
) -> np.ndarray:
    """Objective for a stack of parameter vectors (S, p), in memory-bounded chunks."""
    out = np.empty(u.shape[0])
    chunk = max(1, 2_000_000 // max(1, prob.x.shape[0] * 4))
    w = prob.weights if weights is None else weights
    for start in range(0, u.shape[0], chunk):
        r = prob.law.residual_values(u[start : start + chunk], prob.x, prob.target)
        out[start : start + chunk] = _objective(r, delta, w)
    return out


# ----------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LawFit:
    """Result of a robust fit (immutable).

    Attributes
    ----------
    law : str
        Name of the fitted law.
    params : Mapping[str, float]
        Natural-scale parameters.
    objective : float
        Summed Huber objective at the optimum.
    n_obs : int
        Number of observations fitted.
    n_starts : int
        Number of starts screened.
    n_refined : int
        Number of starts refined.
    delta : float
        Huber threshold used.
    converged : bool
        Whether the refinement of the best start met its tolerance.
    at_bound : tuple of str
        Parameters that ended on one of their bounds (a warning sign: the data
        may not determine them, or the law may be the wrong shape).
    model : Law
        The law object (for :meth:`predict`).
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
    at_bound: tuple[str, ...] = ()
    model: Law | None = field(default=None, repr=False, compare=False)

    @property
    def spec(self) -> Law:
        """The fitted :class:`Law`."""
        return self.model if self.model is not None else get_law(self.law)

    def predict(self, *x: np.ndarray | float) -> np.ndarray:
        """Evaluate the fitted law; one array per input (``N, D`` for Chinchilla)."""
        return self.spec(*x, **self.params)

    def __getitem__(self, name: str) -> float:
        return self.params[name]

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        bound = f", at_bound={list(self.at_bound)}" if self.at_bound else ""
        return (
            f"LawFit({self.law}: {p}; objective={self.objective:.7g}, n_obs={self.n_obs}, "
            f"starts={self.n_starts}, refined={self.n_refined}, converged={self.converged}"
            f"{bound})"
        )


def _fmt(v: float) -> str:
    return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.4e}"


def _finite_array(name: str, values: Any, *, positive: bool) -> np.ndarray:
    """Float array check: finite (and strictly positive if asked), else a clear error."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be numeric, got {type(values).__name__}") from err
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} has {int(bad.sum())} NaN/inf value(s), e.g. at {_where(bad)}")
    if positive:
        bad = arr <= 0
        if bad.any():
            raise ValueError(
                f"{name} must be strictly positive (logs are taken); "
                f"{int(bad.sum())} value(s) <= 0, e.g. {float(arr[bad].ravel()[0])!r} "
                f"at {_where(bad)}"
            )
    return arr


def _positive_array(name: str, values: Any) -> np.ndarray:
    return _finite_array(name, values, positive=True)


def _where(mask: np.ndarray) -> tuple[int, ...] | int:
    idx = np.argwhere(mask)[0]
    return int(idx[0]) if idx.size == 1 else tuple(int(i) for i in idx)


def _natural_vector(params: Mapping[str, float], law: Law) -> np.ndarray:
    params = dict(params)  # also accepts a pandas Series indexed by parameter name
    missing = set(law.params) - set(params)
    if missing:
        raise ValueError(f"parameters lack {sorted(missing)}; law {law.name!r} needs {law.params}")
    vec = np.array([float(params[p]) for p in law.params])
    for name, value in zip(law.params, vec, strict=True):
        if not np.isfinite(value):
            raise ValueError(f"parameter {name!r} must be finite, got {value!r}")
        if name in law.positive and not value > 0:
            raise ValueError(f"parameter {name!r} must be positive, got {value!r}")
    return vec


def _huber_rho(delta: float, weights: np.ndarray | None) -> Callable[[np.ndarray], np.ndarray]:
    """least_squares' ``loss`` callable for a (weighted) Huber objective.

    least_squares minimises ``0.5 * f_scale**2 * sum(rho((r / f_scale)**2))``. With
    ``f_scale = delta`` this ``rho`` gives ``sum(w * huber_delta(r))`` exactly; for
    ``delta = inf`` it is called with ``f_scale = 1`` and gives ``0.5 * sum(w r**2)``.
    """
    finite = np.isfinite(delta)

    def rho(z: np.ndarray) -> np.ndarray:
        out = np.empty((3, z.size))
        if finite:
            small = z <= 1
            sq = np.sqrt(np.where(small, 1.0, z))
            out[0] = np.where(small, z, 2 * sq - 1)
            out[1] = np.where(small, 1.0, 1 / sq)
            out[2] = np.where(small, 0.0, -0.5 / (sq * np.where(small, 1.0, z)))
        else:
            out[0], out[1], out[2] = z, 1.0, 0.0
        if weights is not None:
            out *= weights
        return out

    return rho


def _refine(
    u0: np.ndarray, prob: _Problem, delta: float, weights: np.ndarray | None, max_nfev: int
) -> tuple[np.ndarray, float, bool]:
    """One least_squares refinement from ``u0``; returns (u, objective, converged)."""
    law = prob.law
    lo, hi = law.u_bounds()
    u0 = np.clip(u0, lo, hi)

    def fun(u: np.ndarray) -> np.ndarray:
        return law.residual_values(u[None, :], prob.x, prob.target)[0]

    def jac(u: np.ndarray) -> np.ndarray:
        return law.residuals_and_jacobian(u[None, :], prob.x, prob.target)[1][0]

    try:
        res = least_squares(
            fun,
            u0,
            jac=jac,
            bounds=(lo, hi),
            method="trf",
            loss=_huber_rho(delta, weights),
            f_scale=delta if np.isfinite(delta) else 1.0,
            x_scale="jac",
            ftol=1e-12,
            xtol=1e-12,
            gtol=1e-12,
            max_nfev=max_nfev,
        )
    except (ValueError, np.linalg.LinAlgError):  # a start in a region the law cannot use
        return u0, float(_objective(fun(u0), delta, weights)), False
    value = float(_objective(fun(res.x), delta, weights))
    # status > 0: one of the tolerances was met; 0 means max_nfev ran out (not converged)
    return res.x, value, bool(res.status > 0)


def fit_law(
    x: np.ndarray,
    y: np.ndarray,
    *,
    law: str | Law,
    grid: Mapping[str, Sequence[float]] | np.ndarray | None = None,
    init: Mapping[str, float] | None = None,
    delta: float = 1e-3,
    weights: np.ndarray | None = None,
    n_refine: int = 16,
    max_nfev: int = 200,
) -> LawFit:
    """Fit a law by a summed Huber loss of its residuals, from a grid of starts.

    Every start of the grid is scored in one vectorised pass; the ``n_refine``
    best are refined with :func:`scipy.optimize.least_squares` (``loss="huber"``,
    ``f_scale=delta``, within the law's bounds); the best refinement is returned.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, k)
        Inputs, one column per input of the law.
    y : array_like, shape (n,)
        Observations (positive for log-residual laws).
    law : str or Law
        A registered law name (see :data:`LAWS`) or a :class:`Law`.
    grid : mapping or array, optional
        Starts: natural-scale values per parameter (the Cartesian product is
        screened) or an (S, p) array. Default: the law's own grid (Hoffmann et
        al.'s 4,500 starts for Chinchilla; data-adaptive otherwise).
    init : mapping of str to float, optional
        A single natural-scale start (e.g. a previous fit's ``params``): the
        warm start. Cannot be combined with ``grid``.
    delta : float, default 1e-3
        Huber threshold on the residuals. ``numpy.inf`` gives least squares.
    weights : array_like, shape (n,), optional
        Non-negative weights of the observations (a bootstrap resample is the
        data with integer weights).
    n_refine : int, default 16
        Number of best starts refined.
    max_nfev : int, default 200
        Evaluation cap per refinement.

    Returns
    -------
    LawFit
        Best fit over the refined starts.

    Raises
    ------
    ValueError
        On NaN/inf or (where logs are taken) non-positive inputs, mismatched
        shapes, an unknown law, too few observations, a grid missing a
        parameter, or ``init`` together with ``grid``.
    """
    spec = get_law(law)
    if init is not None and grid is not None:
        raise ValueError("pass either init= (one warm start) or grid= (starts to screen), not both")
    if not delta > 0:
        raise ValueError(f"delta must be positive, got {delta!r}")
    if n_refine < 1:
        raise ValueError(f"n_refine must be >= 1, got {n_refine!r}")
    prob = _prepare(x, y, spec, weights)
    if init is not None:
        starts_u = spec.to_u(_natural_vector(init, spec))[None, :]
        lo, hi = spec.u_bounds()
        starts_u = np.clip(starts_u, lo, hi)
        n_starts = 1
    else:
        natural = (
            spec.starts_from(grid) if grid is not None else spec.default_starts(prob.x, prob.y)
        )
        candidates = spec.to_u(natural)
        n_starts = candidates.shape[0]
        values = _batched_objective(candidates, prob, delta)
        values = np.where(np.isfinite(values), values, np.inf)
        order = np.argsort(values, kind="stable")[: min(n_refine, n_starts)]
        starts_u = candidates[order]

    best: tuple[np.ndarray, float, bool] | None = None
    for u0 in starts_u:
        result = _refine(u0, prob, delta, prob.weights, max_nfev)
        if best is None or result[1] < best[1]:
            best = result
    assert best is not None
    return _make_fit(spec, best[0], best[1], best[2], prob, delta, n_starts, starts_u.shape[0])


def _make_fit(
    law: Law,
    u: np.ndarray,
    objective: float,
    converged: bool,
    prob: _Problem,
    delta: float,
    n_starts: int,
    n_refined: int,
) -> LawFit:
    lo, hi = law.u_bounds()
    tol = 1e-7 * (1 + np.abs(u))
    at_bound = tuple(
        name
        for name, v, a, b, t in zip(law.params, u, lo, hi, tol, strict=True)
        if abs(v - a) <= t or abs(v - b) <= t
    )
    natural = law.from_u(u)
    n_obs = int(np.count_nonzero(prob.weights)) if prob.weights is not None else prob.y.size
    return LawFit(
        law=law.name,
        params=MappingProxyType(dict(zip(law.params, (float(v) for v in natural), strict=True))),
        objective=float(objective),
        n_obs=n_obs,
        n_starts=int(n_starts),
        n_refined=int(n_refined),
        delta=float(delta),
        converged=bool(converged),
        theta=tuple(float(t) for t in u),
        at_bound=at_bound,
        model=law,
    )


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

    Minimises the summed Huber (``delta=1e-3``) loss of the log residuals from
    the best points of Hoffmann's 4,500-start grid.

    Parameters
    ----------
    N : array_like, shape (n,)
        Model parameters (count).
    D : array_like, shape (n,)
        Training tokens (count).
    loss : array_like, shape (n,)
        Final loss, nats/token.
    **kwargs
        Passed to :func:`fit_law` (``grid``, ``init``, ``delta``, ``weights``, ``n_refine``).

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
    """Bootstrap distribution of an estimate (immutable).

    Attributes
    ----------
    point : LawFit or Mapping[str, float]
        The estimate on the full data.
    samples : pandas.DataFrame
        One row per resample, one column per estimated quantity, plus
        ``converged`` (bool) and, for law fits, ``objective``.
    """

    point: LawFit | Mapping[str, float]
    samples: pd.DataFrame = field(repr=False)

    @property
    def names(self) -> list[str]:
        """The estimated quantities (parameter names for a law fit)."""
        if isinstance(self.point, LawFit):
            return list(self.point.params)
        return [k for k in self.point if k != "converged"]

    @property
    def estimate(self) -> pd.Series:
        """The full-data estimate of each quantity."""
        source = self.point.params if isinstance(self.point, LawFit) else self.point
        return pd.Series({k: float(source[k]) for k in self.names})

    @property
    def converged(self) -> np.ndarray:
        """Boolean mask of the resamples whose refit converged."""
        return self.samples["converged"].to_numpy(dtype=bool)

    @property
    def n_failed(self) -> int:
        """Number of resamples whose refit did not converge (left out of intervals)."""
        return int((~self.converged).sum())

    def ci(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile confidence intervals (Efron 1979) over the converged resamples.

        Parameters
        ----------
        level : float, default 0.95
            Coverage, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Index: quantity names; columns ``estimate``, ``se``, ``low``, ``high``.
            ``attrs["n_used"]`` and ``attrs["n_failed"]`` count the resamples used
            and left out.
        """
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        if self.n_failed:
            warnings.warn(
                f"{self.n_failed} of {len(self.samples)} bootstrap resamples did not converge "
                "and are left out of the intervals",
                RuntimeWarning,
                stacklevel=2,
            )
        used = self.samples.loc[self.converged, self.names]
        if len(used) < 2:
            raise ValueError("fewer than 2 converged resamples: no interval can be given")
        q = [(1 - level) / 2, (1 + level) / 2]
        bounds = used.quantile(q).T
        out = pd.DataFrame(
            {
                "estimate": self.estimate,
                "se": used.std(ddof=1),
                "low": bounds[q[0]],
                "high": bounds[q[1]],
            }
        )
        out.attrs.update(n_used=len(used), n_failed=self.n_failed)
        return out

    def __repr__(self) -> str:
        what = self.point.law if isinstance(self.point, LawFit) else "estimator"
        return f"BootstrapResult({what}, n_boot={len(self.samples)}, n_failed={self.n_failed})"


def _resample_indices(n: int, n_boot: int, rng: int | np.random.Generator) -> np.ndarray:
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 2:
        raise ValueError(f"n_boot must be an int >= 2, got {n_boot!r}")
    if rng is None:
        raise TypeError("rng is required (an int seed or a numpy Generator): no hidden randomness")
    return np.random.default_rng(rng).integers(0, n, size=(n_boot, n))


class _Estimate:
    """Picklable wrapper: call the estimator on one resample and record convergence."""

    def __init__(self, estimator: Callable[[np.ndarray], Mapping[str, Any]]):
        self.estimator = estimator

    def __call__(self, idx: np.ndarray) -> dict[str, Any]:
        try:
            out = dict(self.estimator(idx))
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as err:
            return {"converged": False, "error": f"{type(err).__name__}: {err}"}
        out["converged"] = bool(out.get("converged", True))
        return out


def bootstrap(
    estimator: Callable[[np.ndarray], Mapping[str, Any]],
    n: int,
    *,
    n_boot: int = 1000,
    rng: int | np.random.Generator,
    n_jobs: int | None = None,
    progress: bool = False,
) -> BootstrapResult:
    """Nonparametric (case-resampling) bootstrap of any estimator.

    Parameters
    ----------
    estimator : callable
        ``estimator(idx) -> mapping of name to float``: the estimate on the rows
        ``idx`` (an int array of length ``n``, with repeats) of the caller's data.
        It may return ``"converged": False`` for a failed fit; an estimator that
        raises ``ValueError`` or an arithmetic error counts as not converged.
        Must be picklable for process-based joblib backends.
    n : int
        Number of observations (rows) in the data.
    n_boot : int, default 1000
        Number of resamples.
    rng : int or numpy.random.Generator
        Seed or generator (required). Resample indices are drawn up front, so the
        result does not depend on ``n_jobs`` or the joblib backend.
    n_jobs : int, optional
        Workers for :func:`helpers.sweeps.parallel_map`.
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    BootstrapResult
        ``point`` is the estimate on the full data; failed resamples are counted
        in ``n_failed`` and left out of ``ci()``.

    Examples
    --------
    >>> x = np.arange(10.0)
    >>> res = bootstrap(lambda idx: {"mean": x[idx].mean()}, len(x), n_boot=200, rng=0)
    >>> round(float(res.ci().loc["mean", "estimate"]), 2)
    4.5
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int (the number of rows), got {n!r}")
    idx = _resample_indices(int(n), n_boot, rng)
    call = _Estimate(estimator)
    point = call(np.arange(n))
    if not point["converged"]:
        raise ValueError(f"the estimator fails on the full data: {point.get('error', '')}")
    point.pop("converged")
    rows = parallel_map(call, list(idx), n_jobs=n_jobs, progress=progress, desc="bootstrap")
    return BootstrapResult(point=MappingProxyType(point), samples=pd.DataFrame(rows))


def _batched_lm(
    law: Law,
    u0: np.ndarray,
    x: np.ndarray,
    target: np.ndarray,
    weights: np.ndarray,
    delta: float,
    *,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimise ``sum_i w_bi huber(r_i(u_b))`` for every row b of ``u0`` at once.

    Levenberg–Marquardt with the Huber loss's own Gauss–Newton matrix: residuals in
    the quadratic zone (``|r| <= delta``) enter with their weight, those in the linear
    zone with none (the loss has no curvature there, as in least_squares' robust-loss
    scaling), and the damping is scaled by the diagonal of the reweighted (IRLS) matrix
    so it stays positive definite. A step is kept only if it lowers the objective; the
    damping adapts per row, and finished rows leave the batch.

    A parameter on a bound whose gradient points out of the box is held on it (the
    projected gradient, as in bound-constrained trust-region methods), so a resample
    whose optimum lies on a bound converges like any other. A row has converged when
    its scaled projected gradient ``max_j |g_j| / sqrt(H_jj f)`` is below 1e-9, or
    below 1e-6 with an accepted step that changed the objective by less than 1e-12
    (relative). Rows that exhaust ``max_iter`` or whose damping explodes are
    returned as not converged.

    Returns
    -------
    u : numpy.ndarray, shape (B, p)
    objective : numpy.ndarray, shape (B,)
    converged : numpy.ndarray of bool, shape (B,)
    """
    lo, hi = law.u_bounds()
    u = np.clip(u0.astype(float), lo, hi)
    r, Jall = law.residuals_and_jacobian(u, x, target)
    f = _objective(r, delta, weights)
    B, p = u.shape
    lam = np.full(B, 1e-4)
    done = np.zeros(B, dtype=bool)
    ok = np.zeros(B, dtype=bool)
    eye = np.eye(p)
    for _ in range(max_iter):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        ua, ra, wa, fa, J = u[act], r[act], weights[act], f[act], Jall[act]
        absr = np.abs(ra)
        quad = absr <= delta
        g = np.einsum("bn,bnp->bp", wa * np.clip(ra, -delta, delta), J)
        # A parameter on a bound whose descent direction points out of the box is held
        # there: its gradient is projected out and its row and column leave the system.
        free = ~(((ua <= lo) & (g > 0)) | ((ua >= hi) & (g < 0)))
        g = np.where(free, g, 0.0)
        Jt = J.transpose(0, 2, 1)
        H = np.matmul(Jt * (wa * quad)[:, None, :], J) * (free[:, :, None] & free[:, None, :])
        irls = wa * np.where(quad, 1.0, delta / np.maximum(absr, 1e-300))
        diag = np.maximum(np.einsum("bnp,bn,bnp->bp", J, irls, J), 1e-300)
        scaled_grad = np.max(np.abs(g) / np.sqrt(diag), axis=1) / np.sqrt(np.maximum(fa, 1e-300))
        A = H + lam[act, None, None] * diag[:, :, None] * eye
        try:
            step = np.linalg.solve(A, -g[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = np.stack(
                [np.linalg.lstsq(a, -gi, rcond=None)[0] for a, gi in zip(A, g, strict=True)]
            )
        u_new = np.clip(ua + step, lo, hi)
        r_new, J_new = law.residuals_and_jacobian(u_new, x, target)
        f_new = _objective(r_new, delta, wa)
        accept = np.isfinite(f_new) & (f_new <= fa)
        rel = (fa - f_new) / np.maximum(fa, 1e-300)
        keep = act[accept]
        u[keep], r[keep], f[keep] = u_new[accept], r_new[accept], f_new[accept]
        Jall[keep] = J_new[accept]
        lam[act] = np.where(accept, np.maximum(lam[act] / 3, 1e-12), lam[act] * 4)
        converged = (scaled_grad <= 1e-9) | (accept & (rel <= 1e-12) & (scaled_grad <= 1e-6))
        ok[act] = converged
        done[act] = converged | (lam[act] > 1e12)
    return u, f, ok


def bootstrap_fit(
    fit: LawFit,
    x: np.ndarray,
    y: np.ndarray,
    *,
    n_boot: int = 400,
    rng: int | np.random.Generator | None = None,
    warm_start: bool = True,
    method: Literal["batched", "loop"] = "batched",
    n_jobs: int | None = None,
    progress: bool = False,
    groups: np.ndarray | Sequence[Any] | None = None,
    strata: np.ndarray | Sequence[Any] | None = None,
    indices: np.ndarray | None = None,
) -> BootstrapResult:
    """Nonparametric (case-resampling) bootstrap of a law fit.

    A resample draws ``n`` rows with replacement; refitting on it is the same as
    refitting on the full data with integer weights (how often each row was
    drawn). With ``method="batched"`` (the default) every resample is refitted at
    once, warm-started from the full-data optimum, as one Levenberg–Marquardt
    problem on arrays of shape (n_boot, n) (:func:`_batched_lm`); resamples it
    does not settle are refitted one by one with :func:`fit_law`. With
    ``method="loop"`` every resample is a separate :func:`fit_law` call (the
    reference the batched path is checked against; ``warm_start=False`` screens
    the whole grid again each time and implies the loop).

    Resample indices are drawn up front from ``rng``, so results do not depend on
    the method, ``n_jobs`` or the joblib backend beyond the optimiser's tolerance.

    Parameters
    ----------
    fit : LawFit
        Full-data fit (its law and ``delta`` are reused).
    x, y : array_like
        The data ``fit`` was made on (``x`` of shape (n,) or (n, k)).
    n_boot : int, default 400
        Number of resamples.
    rng : int or numpy.random.Generator
        Seed or generator (required unless ``indices`` is given: no hidden randomness).
    warm_start : bool, default True
        Start each refit from ``fit.params``.
    method : {"batched", "loop"}
        How to refit (see above).
    n_jobs : int, optional
        Workers for the per-resample refits (joblib semantics).
    progress : bool, default False
        Show a progress bar (loop refits only).
    indices : int array (n_resamples, n), optional
        The resamples themselves, as row positions drawn with replacement (e.g. to
        replay a published bootstrap's draws). Replaces ``n_boot`` and ``rng``,
        which must then be left out; cannot be combined with ``groups``.
    groups : array_like (n,), optional
        The independent unit of each row (e.g. the trained model a measurement
        comes from). When given, a resample draws whole **groups** with
        replacement and keeps all their rows (a cluster bootstrap), so rows
        derived from one unit are never treated as independent.
    strata : array_like (n,), optional
        With ``groups``: resample groups within each stratum (e.g. the model
        size of a designed ladder), keeping each stratum's number of groups.
        Every row of a group must share its stratum.

    Returns
    -------
    BootstrapResult
        ``samples`` holds each resample's parameters, ``objective`` and
        ``converged``; unconverged resamples are left out of ``ci()``, which warns.
    """
    if not isinstance(fit, LawFit):
        raise TypeError(f"fit must be a LawFit, got {type(fit).__name__}")
    if method not in ("batched", "loop"):
        raise ValueError(f"method must be 'batched' or 'loop', got {method!r}")
    law = fit.spec
    prob = _prepare(x, y, law)
    n = prob.y.shape[0]
    if fit.n_obs != n:
        raise ValueError(f"fit was made on {fit.n_obs} observations but x, y have {n}")
    if indices is not None:
        if rng is not None or groups is not None:
            raise ValueError("indices replaces rng (and n_boot); it cannot be combined with groups")
        idx = np.asarray(indices)
        if idx.ndim != 2 or idx.shape[1] != n or idx.shape[0] < 2:
            raise ValueError(f"indices must have shape (n_resamples >= 2, {n}), got {idx.shape}")
        if not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= n:
            raise ValueError(f"indices must be integer row positions in [0, {n})")
        counts = np.zeros((idx.shape[0], n))
        np.add.at(counts, (np.repeat(np.arange(idx.shape[0]), n), idx.ravel()), 1.0)
    elif groups is None:
        if strata is not None:
            raise ValueError("strata needs groups (the units resampled within each stratum)")
        idx = _resample_indices(n, n_boot, rng)
        counts = np.zeros((idx.shape[0], n))
        np.add.at(counts, (np.repeat(np.arange(idx.shape[0]), n), idx.ravel()), 1.0)
    else:
        counts = _group_resample_counts(groups, strata, n, n_boot, rng)

    if method == "batched" and warm_start:
        u0 = np.tile(np.asarray(fit.theta), (counts.shape[0], 1))
        u, f, ok = _batched_lm(law, u0, prob.x, prob.target, counts, fit.delta)
    else:
        u = np.empty((counts.shape[0], len(law.params)))
        f = np.empty(counts.shape[0])
        ok = np.zeros(counts.shape[0], dtype=bool)
    todo = np.flatnonzero(~ok)
    if todo.size:
        init = dict(fit.params) if warm_start else None
        jobs = [(prob.x, prob.y, counts[i], law, fit.delta, init) for i in todo]
        refits = parallel_map(_refit, jobs, n_jobs=n_jobs, progress=progress, desc="bootstrap")
        for i, (ui, fi, oki) in zip(todo, refits, strict=True):
            u[i], f[i], ok[i] = ui, fi, oki
    natural = law.from_u(u)
    samples = pd.DataFrame(natural, columns=list(law.params))
    samples["objective"] = f
    samples["converged"] = ok
    return BootstrapResult(point=fit, samples=samples)


def _group_resample_counts(
    groups: np.ndarray | Sequence[Any],
    strata: np.ndarray | Sequence[Any] | None,
    n: int,
    n_boot: int,
    rng: int | np.random.Generator,
) -> np.ndarray:
    """Row weights (n_boot, n) of a cluster bootstrap: whole groups drawn with replacement."""
    g = np.asarray(groups)
    if g.shape != (n,):
        raise ValueError(f"groups must give one unit per row ({n}), got shape {g.shape}")
    labels, gi = np.unique(g, return_inverse=True)
    if strata is None:
        st = np.zeros(labels.size, dtype=int)
    else:
        s = np.asarray(strata)
        if s.shape != (n,):
            raise ValueError(f"strata must give one stratum per row ({n}), got shape {s.shape}")
        _, si = np.unique(s, return_inverse=True)
        st = np.full(labels.size, -1)
        st[gi] = si
        if np.any(st[gi] != si):
            raise ValueError("every row of a group must belong to the same stratum")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 2:
        raise ValueError(f"n_boot must be an int >= 2, got {n_boot!r}")
    if rng is None:
        raise TypeError("rng is required (an int seed or a numpy Generator): no hidden randomness")
    gen = np.random.default_rng(rng)
    group_counts = np.zeros((n_boot, labels.size))
    for k in np.unique(st):
        members = np.flatnonzero(st == k)
        if members.size < 2:
            raise ValueError(f"stratum {k} has {members.size} group: at least 2 are needed")
        draw = members[gen.integers(0, members.size, size=(n_boot, members.size))]
        np.add.at(group_counts, (np.repeat(np.arange(n_boot), members.size), draw.ravel()), 1.0)
    return group_counts[:, gi]


def _refit(
    job: tuple[np.ndarray, np.ndarray, np.ndarray, Law, float, dict[str, float] | None],
) -> tuple[np.ndarray, float, bool]:
    x, y, w, law, delta, init = job
    try:
        refit = fit_law(x, y, law=law, init=init, delta=delta, weights=w)
    except ValueError:
        return np.full(len(law.params), np.nan), np.nan, False
    return np.asarray(refit.theta), refit.objective, refit.converged
