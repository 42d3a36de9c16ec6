r"""Bit-level scaling analysis: quality against total model bits, one curve per precision.

Dettmers & Zettlemoyer (2023) and Ding et al. (2025) plot a quality metric against the
**total bits** of a model (parameters × bits per parameter, scales included), one curve per
precision; the *optimal precision* at a bit budget is the precision whose curve is best
there, and the *Pareto frontier* is the set of (size, precision) points no other point beats
at fewer bits. This module computes those from a tidy table of measurements, plus seed-level
confidence intervals and Kumar et al.'s (2025) effective-parameter law.

Kumar et al. write the effect of precision :math:`b` as a shrinkage of the parameter count,

.. math:: N_\text{eff}(N, b) = N\,\bigl(1 - e^{-b/\gamma}\bigr),

so a model at precision :math:`b` is worth a full-precision model with :math:`N_\text{eff}`
parameters; :math:`\gamma` (bits) is the precision scale below which the damage grows
fast. :func:`kumar_law` composes it with a saturating power law for the full-precision
quality, :math:`q(N) = E + A N^{-\alpha}`, to give
:math:`q(N, b) = E + A\,N_\text{eff}(N, b)^{-\alpha}`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "kumar_grid",
    "kumar_law",
    "kumar_predict",
    "kumar_ptq_law",
    "kumar_ptq_predict",
    "mean_ci",
    "n_eff",
    "optimal_precision",
    "pareto_front",
    "seed_summary",
]


def mean_ci(
    values: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of independent replicates (e.g. seeds).

    Returns
    -------
    (mean, low, high)
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size < 2:
        raise ValueError(f"need a 1-d array of at least two replicates, got shape {v.shape}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    m = float(v.mean())
    half = float(stats.t.ppf((1 + level) / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return m, m - half, m + half


def seed_summary(
    df: pd.DataFrame, value: str, by: Sequence[str], *, level: float = 0.95
) -> pd.DataFrame:
    """Mean over seeds with a Student-t confidence interval, per group.

    Parameters
    ----------
    df : DataFrame
        One row per replicate (seed), with the ``by`` columns and ``value``.
    value : str
        Column to summarise.
    by : sequence of str
        Grouping columns.

    Returns
    -------
    DataFrame
        The ``by`` columns, then ``value``, ``{value}_low``, ``{value}_high`` and ``n``.
    """
    rows = []
    for key, g in df.groupby(list(by), sort=True):
        m, lo, hi = mean_ci(g[value].to_numpy(), level)
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key, strict=True)), value: m, f"{value}_low": lo,
                     f"{value}_high": hi, "n": len(g)})  # fmt: skip
    return pd.DataFrame(rows)


def pareto_front(
    bits: np.ndarray, quality: np.ndarray, *, lower_is_better: bool = True
) -> np.ndarray:
    """Mask of the points no other point beats with at most as many bits.

    A point is on the frontier when every point with fewer (or equal) total bits has worse
    quality. Ties in bits keep only the best point.

    Parameters
    ----------
    bits, quality : arrays (n,)
    lower_is_better : bool, default True
        ``True`` for FD or loss, ``False`` for accuracy.
    """
    b = np.asarray(bits, dtype=float)
    q = np.asarray(quality, dtype=float)
    if b.shape != q.shape or b.ndim != 1:
        raise ValueError("bits and quality must be 1-d arrays of the same length")
    s = q if lower_is_better else -q
    order = np.lexsort((s, b))
    mask = np.zeros(b.size, dtype=bool)
    best = np.inf
    for i in order:
        if s[i] < best:
            mask[i] = True
            best = s[i]
    return mask


def optimal_precision(
    curves: pd.DataFrame,
    budgets: np.ndarray,
    *,
    x: str = "total_bits",
    y: str = "fd",
    by: str = "bits",
    lower_is_better: bool = True,
) -> pd.DataFrame:
    """Best precision at each bit budget, interpolating each precision's curve.

    Each curve (one per value of ``by``) is interpolated linearly in log bits between its
    measured sizes, never extrapolated; at each budget the precision with the best
    interpolated quality wins.

    Parameters
    ----------
    curves : DataFrame
        One row per (precision, size) with columns ``by``, ``x`` and ``y`` (seed means).
    budgets : array
        Total-bit budgets.

    Returns
    -------
    DataFrame
        ``budget``, ``best`` (the winning precision, NaN when no curve covers the budget),
        ``quality`` (its interpolated value) and ``n_curves`` (curves covering the budget).
    """
    budgets = np.asarray(budgets, dtype=float)
    logb = np.log(budgets)
    names, table = [], []
    for name, c in curves.groupby(by):
        c = c.sort_values(x)
        lx = np.log(c[x].to_numpy(float))
        v = np.interp(logb, lx, c[y].to_numpy(float), left=np.nan, right=np.nan)
        names.append(name)
        table.append(v)
    t = np.array(table)
    score = t if lower_is_better else -t
    covered = np.isfinite(t)
    n_cov = covered.sum(axis=0)
    filled = np.where(covered, score, np.inf)
    idx = np.argmin(filled, axis=0)
    best = np.where(n_cov > 0, np.asarray(names, dtype=float)[idx], np.nan)
    qual = np.where(n_cov > 0, t[idx, np.arange(t.shape[1])], np.nan)
    return pd.DataFrame({"budget": budgets, "best": best, "quality": qual, "n_curves": n_cov})


def n_eff(n: np.ndarray, bits: np.ndarray, gamma: float | np.ndarray) -> np.ndarray:
    """Kumar et al.'s effective parameter count :math:`N (1 - e^{-b/\\gamma})`."""
    return np.asarray(n, dtype=float) * (1 - np.exp(-np.asarray(bits, dtype=float) / gamma))


def kumar_predict(p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """:math:`q(N, b) = E + A\\,N_\\text{eff}(N, b)^{-\\alpha}` for a batch of parameters.

    Parameters
    ----------
    p : mapping
        ``E, A, alpha, gamma``, each an array of shape (B, 1) (B parameter vectors).
    x : array (n, 2)
        Columns N (parameters) and b (bits per weight).

    Returns
    -------
    array (B, n)
    """
    ne = n_eff(x[:, 0], x[:, 1], p["gamma"])
    return p["E"] + p["A"] * ne ** (-p["alpha"])


def kumar_grid(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Start values for the fit (natural scale), screened as a product grid."""
    y = np.asarray(y, dtype=float)
    n_mid = float(np.exp(np.mean(np.log(x[:, 0]))))
    alphas = np.array([0.25, 0.5, 1.0])
    e = np.array([0.3, 0.7]) * float(np.min(y))
    spread = max(float(np.median(y) - np.min(y)), 1e-3)
    return {
        "E": e,
        "A": spread * n_mid ** alphas[1] * np.array([0.3, 1.0, 3.0]),
        "alpha": alphas,
        "gamma": np.array([0.5, 1.0, 2.0, 4.0]),
    }


def kumar_law():
    """Kumar et al.'s precision-aware law as a :class:`helpers.fitting.Law`.

    :math:`q(N, b) = E + A\\,[N (1 - e^{-b/\\gamma})]^{-\\alpha}`, inputs ``(N, b)``, all
    parameters positive, fitted on log residuals; registered as ``"kumar_neff"``.
    """
    from . import fitting

    if "kumar_neff" in fitting.LAWS:
        return fitting.LAWS["kumar_neff"]
    law = fitting.Law(
        name="kumar_neff",
        params=("E", "A", "alpha", "gamma"),
        predict=kumar_predict,
        n_inputs=2,
        positive=("E", "A", "alpha", "gamma"),
        bounds={"gamma": (0.0, 32.0), "alpha": (0.0, 4.0)},
        residuals="log",
        grid=kumar_grid,
        inputs=("N", "b"),
        equation="q = E + A * (N * (1 - exp(-b / gamma)))**-alpha",
    )
    return fitting.register_law(law)


def kumar_ptq_predict(p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Post-training-quantization form: float law plus Kumar et al.'s PTQ penalty.

    :math:`q(N, b) = E + A N^{-\\alpha} + C\\, e^{-b/\\gamma} N^{-\\gamma_N}` — Kumar et al.'s
    :math:`\\delta_\\text{PTQ}` at a fixed number of training tokens (their
    :math:`D^{\\gamma_D}` factor is a constant here and is absorbed into C).

    Parameters
    ----------
    p : mapping
        ``E, A, alpha, C, gamma, gamma_N``, each of shape (B, 1).
    x : array (n, 2)
        Columns N and b.
    """
    n, b = x[:, 0], x[:, 1]
    return (
        p["E"]
        + p["A"] * n ** (-p["alpha"])
        + p["C"] * np.exp(-b / p["gamma"]) * n ** (-p["gamma_N"])
    )


def _kumar_ptq_grid(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    g = kumar_grid(x, y)
    return {**{k: g[k] for k in ("E", "A", "alpha")}, "C": np.array([1.0, 10.0, 100.0]),
            "gamma": np.array([0.5, 1.0, 2.0]), "gamma_N": np.array([0.05, 0.3])}  # fmt: skip


def kumar_ptq_law():
    """:func:`kumar_ptq_predict` as a :class:`helpers.fitting.Law` (``"kumar_ptq"``)."""
    from . import fitting

    if "kumar_ptq" in fitting.LAWS:
        return fitting.LAWS["kumar_ptq"]
    law = fitting.Law(
        name="kumar_ptq",
        params=("E", "A", "alpha", "C", "gamma", "gamma_N"),
        predict=kumar_ptq_predict,
        n_inputs=2,
        positive=("E", "A", "alpha", "C", "gamma"),
        bounds={"gamma": (0.0, 32.0), "alpha": (0.0, 4.0), "gamma_N": (-2.0, 3.0)},
        residuals="log",
        grid=_kumar_ptq_grid,
        inputs=("N", "b"),
        equation="q = E + A N^-alpha + C exp(-b/gamma) N^-gamma_N",
    )
    return fitting.register_law(law)
