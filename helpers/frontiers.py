r"""Compute-optimal frontiers and compute multipliers.

A *frontier* is the best value of a metric (a loss, an error, an accuracy) a
recipe reaches with training compute :math:`C` when it spends that compute
optimally. For a Chinchilla law :math:`L(N, D) = E + A N^{-\alpha} + B
D^{-\beta}` with :math:`C = 6ND` the frontier is a saturating power law in
compute (Hoffmann et al. 2022, App. D.3; Besiroglu et al. 2024, notebook
cell 63),

.. math::

    L^*(C) = E + K\,C^{-\gamma},\qquad
    \gamma = \frac{\alpha\beta}{\alpha+\beta},\qquad
    K = \bigl(A G^{-\alpha} + B G^{\beta}\bigr)\,6^{\gamma},\qquad
    G = \Bigl(\frac{\alpha A}{\beta B}\Bigr)^{1/(\alpha+\beta)},

and its inverse, the compute that reaches a loss :math:`L > E`, is
:math:`C^*(L) = \bigl(K / (L - E)\bigr)^{1/\gamma}`.

The **compute multiplier** of recipe B over recipe A at a target value
:math:`y` of a metric both share is

.. math:: \mathrm{CM}_{B/A}(y) = \frac{C_A(y)}{C_B(y)},

a horizontal shift between the two frontiers on a log-compute axis: B reaches
``y`` with ``1/CM`` of A's compute. It is one number only when the frontiers
are parallel on that axis (same floor ``E`` and same exponent); otherwise it
depends on ``y`` and must be quoted with the range it was averaged over, as
Mizrahi et al. (2025, App. C.6) do by binning accuracy between 1e19 and 1e22
FLOPs (:func:`average_compute_multiplier`).

Two frontier types share one interface (``value(C)``, ``compute(y)``,
``reachable``): :class:`PowerLawFrontier` for the closed form above (also
Gadre et al. 2024's law at a fixed token multiplier), and
:class:`TabulatedFrontier` for any monotone curve evaluated on a compute grid
(e.g. accuracy predicted through a chain of laws).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from .fitting import _positive_array, chinchilla_loss, chinchilla_optimal_allocation

__all__ = [
    "Frontier",
    "PowerLawFrontier",
    "TabulatedFrontier",
    "average_compute_multiplier",
    "chinchilla_frontier",
    "compute_multiplier",
    "compute_optimal_metrics",
    "gadre_frontier",
    "gadre_optimal_token_multiplier",
    "logistic_link",
    "optimal_tokens_per_parameter",
]


class Frontier(Protocol):
    """What a compute-optimal frontier offers (see the module docstring)."""

    def value(self, C: np.ndarray | float) -> np.ndarray: ...

    def compute(self, y: np.ndarray | float) -> np.ndarray: ...

    @property
    def reachable(self) -> tuple[float, float]: ...


def _check_finite(name: str, values: np.ndarray | float) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has NaN or infinite values")
    return arr


@dataclass(frozen=True)
class PowerLawFrontier:
    r"""A loss frontier :math:`L^*(C) = E + K C^{-\gamma}` (immutable).

    Parameters
    ----------
    E : float
        Floor approached as compute grows (same unit as the loss), ``>= 0``.
    K : float
        Coefficient (loss unit times FLOPs**gamma), positive.
    gamma : float
        Exponent of compute, positive.
    """

    E: float
    K: float
    gamma: float

    def __post_init__(self) -> None:
        for name in ("E", "K", "gamma"):
            value = float(getattr(self, name))
            if not np.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value!r}")
            object.__setattr__(self, name, value)
        if self.E < 0 or self.K <= 0 or self.gamma <= 0:
            raise ValueError(
                f"need E >= 0, K > 0, gamma > 0; got E={self.E}, K={self.K}, gamma={self.gamma}"
            )

    @property
    def reachable(self) -> tuple[float, float]:
        """Open interval of losses some positive compute reaches: ``(E, inf)``."""
        return (self.E, np.inf)

    def value(self, C: np.ndarray | float) -> np.ndarray:
        """Compute-optimal loss at training compute ``C`` (FLOPs, positive)."""
        C = _positive_array("C (compute, FLOPs)", C)
        return self.E + self.K * C ** (-self.gamma)

    def compute(self, y: np.ndarray | float) -> np.ndarray:
        r"""Compute (FLOPs) that reaches loss ``y``: :math:`(K/(y - E))^{1/\gamma}`.

        Raises
        ------
        ValueError
            If a target is at or below the floor ``E`` (never reached).
        """
        y = _check_finite("target loss", y)
        bad = y <= self.E
        if np.any(bad):
            raise ValueError(
                f"target loss {float(y[bad].ravel()[0]):.6g} is never reached: this frontier "
                f"only reaches losses above its floor E = {self.E:.6g}, i.e. in ({self.E:.6g}, inf)"
            )
        return (self.K / (y - self.E)) ** (1.0 / self.gamma)


def chinchilla_frontier(
    *, E: float, A: float, B: float, alpha: float, beta: float, flops_per_param_token: float = 6.0
) -> PowerLawFrontier:
    r"""The compute-optimal loss frontier of a Chinchilla law.

    Uses :func:`helpers.fitting.chinchilla_optimal_allocation` for the optimum
    and reads :math:`K` off it at :math:`C = 6` FLOPs (where
    :math:`(C/6)^{-\gamma} = 1`), so the two never disagree.

    Parameters
    ----------
    E, A, B, alpha, beta : float
        Parameters of :math:`L(N, D) = E + A N^{-\alpha} + B D^{-\beta}`.
    flops_per_param_token : float, default 6.0
        FLOPs per parameter per token.

    Returns
    -------
    PowerLawFrontier
        With ``gamma = alpha beta / (alpha + beta)``.
    """
    unit = chinchilla_optimal_allocation(
        flops_per_param_token,
        E=E,
        A=A,
        B=B,
        alpha=alpha,
        beta=beta,
        flops_per_param_token=flops_per_param_token,
    )
    gamma = alpha * beta / (alpha + beta)
    K = (float(unit["loss"].iloc[0]) - E) * flops_per_param_token**gamma
    return PowerLawFrontier(E=E, K=K, gamma=gamma)


def optimal_tokens_per_parameter(C: np.ndarray | float, **law: float) -> np.ndarray:
    """Compute-optimal tokens per parameter D/N of a Chinchilla law at budgets ``C``.

    A shortcut for ``chinchilla_optimal_allocation(C, **law)["tokens_per_param"]``;
    ``law`` holds ``E, A, B, alpha, beta``.
    """
    return chinchilla_optimal_allocation(C, **law)["tokens_per_param"].to_numpy()


def gadre_frontier(*, E: float, a: float, b: float, eta: float, M: float) -> PowerLawFrontier:
    r"""Loss against compute at a fixed token multiplier ``M = D/N`` (Gadre et al. 2024).

    Their law :math:`L(C, M) = E + (a M^{\eta} + b M^{-\eta}) C^{-\eta}` (§2.2) is,
    at fixed ``M``, a power-law frontier with ``K = a M**eta + b M**-eta`` and
    exponent ``eta``: changing ``M`` moves the offset, never the slope.
    """
    M = float(_positive_array("M (tokens per parameter)", M))
    return PowerLawFrontier(E=E, K=a * M**eta + b * M ** (-eta), gamma=eta)


def gadre_optimal_token_multiplier(*, a: float, b: float, eta: float) -> float:
    r"""The ``M`` that minimises :math:`a M^{\eta} + b M^{-\eta}`: :math:`(b/a)^{1/(2\eta)}`."""
    for name, value in {"a": a, "b": b, "eta": eta}.items():
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float((b / a) ** (1.0 / (2.0 * eta)))


def logistic_link(
    L: np.ndarray | float, *, c1: float, c2: float, k: float, L0: float
) -> np.ndarray:
    r"""Accuracy from a loss, :math:`c_1 / (1 + e^{-k(L - L_0)}) + c_2`.

    The accuracy map of Mizrahi et al. (2025, App. C.4); with ``k < 0``
    accuracy rises as the loss falls.
    """
    L = _check_finite("L", L)
    return c1 / (1.0 + np.exp(-k * (L - L0))) + c2


def _natural(law: pd.Series) -> dict[str, float]:
    """Log-space Chinchilla parameters (``a, b, e, alpha, beta``) to natural scale."""
    return {
        "E": float(np.exp(law["e"])),
        "A": float(np.exp(law["a"])),
        "B": float(np.exp(law["b"])),
        "alpha": float(law["alpha"]),
        "beta": float(law["beta"]),
    }


def compute_optimal_metrics(
    C: np.ndarray | float, laws: pd.DataFrame, *, allocation: str = "ValLoss"
) -> pd.DataFrame:
    r"""Benchmark metrics of compute-optimal models, through a chain of laws.

    The two-stage pipeline of Mizrahi et al. (2025, App. C.3-C.5): the
    ``allocation`` row's Chinchilla law (the validation loss) fixes the
    compute-optimal :math:`N_{opt}(C), D_{opt}(C)`; every other row's
    Chinchilla law gives that task's loss (bits per byte) at
    :math:`(N_{opt}, D_{opt})`, and its logistic link (:func:`logistic_link`)
    turns the loss into an accuracy.

    Parameters
    ----------
    C : float or array_like, shape (n,)
        Training compute budgets (FLOPs, positive).
    laws : pandas.DataFrame
        One recipe's laws, one row per target: ``task``, log-space ``a, b, e``
        and ``alpha, beta`` (L = exp(e) + exp(a)/N**alpha + exp(b)/D**beta),
        and ``c1, c2, k, L0`` for every task but ``allocation`` (the layout
        of :func:`helpers.data.load_betr_laws`).
    allocation : str, default "ValLoss"
        The ``task`` whose law sets the allocation.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``flops_C``: ``params_N``, ``tokens_D``, ``tokens_per_param``,
        then one accuracy column per task (fraction) and ``Core``, their mean.
    """
    if "task" not in laws or allocation not in set(laws["task"]):
        raise ValueError(f"laws needs a 'task' column with an {allocation!r} row")
    rows = laws.set_index("task")
    if rows.index.duplicated().any():
        raise ValueError("laws must hold one recipe: each task once")
    alloc = chinchilla_optimal_allocation(C, **_natural(rows.loc[allocation]))
    N, D = alloc["params_N"].to_numpy(), alloc["tokens_D"].to_numpy()
    out = alloc[["params_N", "tokens_D", "tokens_per_param"]].set_index(alloc["flops_C"])
    tasks = rows.drop(index=allocation)
    for task, law in tasks.iterrows():
        loss = chinchilla_loss(N, D, **_natural(law))
        out[task] = logistic_link(loss, c1=law["c1"], c2=law["c2"], k=law["k"], L0=law["L0"])
    out["Core"] = out[list(tasks.index)].mean(axis=1)
    return out


@dataclass(frozen=True)
class TabulatedFrontier:
    """A monotone frontier known on a compute grid, inverted by interpolation.

    Parameters
    ----------
    C : array_like, shape (n,)
        Strictly increasing compute grid (FLOPs, positive), ``n >= 2``.
    y : array_like, shape (n,)
        The metric at each ``C``; strictly monotone (rising for an accuracy,
        falling for a loss or an error).

    Notes
    -----
    :meth:`value` interpolates ``y`` linearly in ``log C`` and :meth:`compute`
    interpolates ``log C`` linearly in ``y``; both refuse to extrapolate.
    """

    C: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        C = _positive_array("C (compute, FLOPs)", self.C)
        y = _check_finite("y", self.y)
        if C.ndim != 1 or C.shape != y.shape or C.size < 2:
            raise ValueError(f"C and y must be 1-D of equal length >= 2, got {C.shape}, {y.shape}")
        if np.any(np.diff(C) <= 0):
            raise ValueError("C must be strictly increasing")
        dy = np.diff(y)
        if not (np.all(dy > 0) or np.all(dy < 0)):
            raise ValueError("y must be strictly monotone in C to define a frontier")
        object.__setattr__(self, "C", C)
        object.__setattr__(self, "y", y)

    @property
    def increasing(self) -> bool:
        """Whether the metric rises with compute (an accuracy)."""
        return bool(self.y[-1] > self.y[0])

    @property
    def reachable(self) -> tuple[float, float]:
        """Closed interval of metric values on the grid, ``(min y, max y)``."""
        return (float(self.y.min()), float(self.y.max()))

    @property
    def compute_range(self) -> tuple[float, float]:
        """The compute grid's span (FLOPs)."""
        return (float(self.C[0]), float(self.C[-1]))

    def value(self, C: np.ndarray | float) -> np.ndarray:
        """The metric at compute ``C`` (FLOPs) within the grid's span."""
        C = _positive_array("C (compute, FLOPs)", C)
        lo, hi = self.compute_range
        if np.any((C < lo * (1 - 1e-12)) | (C > hi * (1 + 1e-12))):
            raise ValueError(f"C outside the tabulated span [{lo:.3g}, {hi:.3g}] FLOPs")
        return np.interp(np.log(C), np.log(self.C), self.y)

    def compute(self, y: np.ndarray | float) -> np.ndarray:
        """Compute (FLOPs) at which the frontier reaches ``y``."""
        y = _check_finite("target", y)
        lo, hi = self.reachable
        bad = (y < lo) | (y > hi)
        if np.any(bad):
            raise ValueError(
                f"target {float(y[bad].ravel()[0]):.6g} is never reached on this frontier's "
                f"compute span [{self.compute_range[0]:.3g}, {self.compute_range[1]:.3g}] FLOPs; "
                f"reachable values are [{lo:.6g}, {hi:.6g}]"
            )
        order = np.argsort(self.y)
        return np.exp(np.interp(y, self.y[order], np.log(self.C)[order]))

    @classmethod
    def from_function(
        cls, f: Callable[[np.ndarray], np.ndarray], compute_range: tuple[float, float], n: int = 601
    ) -> TabulatedFrontier:
        """Tabulate ``f(C)`` on ``n`` log-spaced budgets spanning ``compute_range``."""
        lo, hi = (float(v) for v in _positive_array("compute_range", compute_range))
        if not hi > lo:
            raise ValueError(f"compute_range must be (low, high) with high > low, got {(lo, hi)}")
        C = np.geomspace(lo, hi, n)
        return cls(C, np.asarray(f(C), dtype=float))


def compute_multiplier(base: Frontier, other: Frontier, y: np.ndarray | float) -> np.ndarray:
    r"""Compute multiplier of ``other`` over ``base`` at target values ``y``.

    :math:`\mathrm{CM}(y) = C_{\mathrm{base}}(y) / C_{\mathrm{other}}(y)`: the
    factor of compute ``other`` saves to reach ``y`` (> 1 means ``other`` is
    better).

    Parameters
    ----------
    base, other : Frontier
        Two frontiers of the same metric (e.g. :class:`PowerLawFrontier`).
    y : float or array_like
        Target values both frontiers reach.

    Returns
    -------
    numpy.ndarray
        One multiplier per target.

    Raises
    ------
    ValueError
        If a target is outside either frontier's reachable range (the message
        names the range).
    """
    return base.compute(y) / other.compute(y)


def average_compute_multiplier(
    base: Frontier,
    other: Frontier,
    *,
    compute_range: tuple[float, float] = (1e19, 1e22),
    n_bins: int = 20,
    n_grid: int = 2001,
) -> tuple[float, pd.DataFrame]:
    """Compute multiplier averaged over metric bins, as Mizrahi et al. (2025, App. C.6).

    Both frontiers are evaluated on ``n_grid`` log-spaced budgets spanning
    ``compute_range``. The metric's range over both curves is cut into
    ``n_bins`` equal bins; in each bin, each recipe's mean compute over its
    grid points in the bin is taken; the ratio ``base / other`` is formed on
    the bins both recipes reach, and the ratios are averaged (arithmetic mean).

    Parameters
    ----------
    base, other : Frontier
        Frontiers of the same metric, defined over ``compute_range``.
    compute_range : (float, float), default (1e19, 1e22)
        FLOPs over which the curves are compared.
    n_bins : int, default 20
        Number of metric bins.
    n_grid : int, default 2001
        Budgets per curve.

    Returns
    -------
    (float, pandas.DataFrame)
        The averaged multiplier, and one row per shared bin: ``y_low``,
        ``y_high``, ``compute_base``, ``compute_other``, ``multiplier``.

    Raises
    ------
    ValueError
        If the two curves share no bin over ``compute_range``.
    """
    lo, hi = (float(v) for v in _positive_array("compute_range", compute_range))
    if not hi > lo:
        raise ValueError(f"compute_range must be (low, high) with high > low, got {(lo, hi)}")
    if n_bins < 1 or n_grid < 2 * n_bins:
        raise ValueError(f"need n_bins >= 1 and n_grid >= 2 n_bins, got {n_bins}, {n_grid}")
    C = np.geomspace(lo, hi, n_grid)
    y_base, y_other = base.value(C), other.value(C)
    edges = np.linspace(
        min(y_base.min(), y_other.min()), max(y_base.max(), y_other.max()), n_bins + 1
    )
    rows = []
    edges[-1] = np.nextafter(edges[-1], np.inf)  # the top bin includes the largest value
    for y_lo, y_hi in itertools.pairwise(edges):
        in_base = (y_base >= y_lo) & (y_base < y_hi)
        in_other = (y_other >= y_lo) & (y_other < y_hi)
        if in_base.any() and in_other.any():
            c_base, c_other = C[in_base].mean(), C[in_other].mean()
            rows.append((y_lo, y_hi, c_base, c_other, c_base / c_other))
    table = pd.DataFrame(
        rows, columns=["y_low", "y_high", "compute_base", "compute_other", "multiplier"]
    )
    if table.empty:
        raise ValueError(
            f"the curves share no metric values over {lo:.3g}-{hi:.3g} FLOPs: base reaches "
            f"[{y_base.min():.4g}, {y_base.max():.4g}], other [{y_other.min():.4g}, "
            f"{y_other.max():.4g}]"
        )
    return float(table["multiplier"].mean()), table
