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
    "bootstrap_mean_ci",
    "damage_exponent",
    "diff_ci",
    "fit_per_seed",
    "kumar_grid",
    "kumar_law",
    "kumar_predict",
    "kumar_ptq_law",
    "kumar_ptq_predict",
    "mean_ci",
    "n_eff",
    "optimal_precision",
    "optimal_precision_by_seed",
    "pareto_front",
    "seed_summary",
]


_SCALES = ("linear", "log", "logit")


def _check_replicates(values: Sequence[float] | np.ndarray, level: float) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size < 2:
        raise ValueError(f"need a 1-d array of at least two replicates, got shape {v.shape}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if not np.all(np.isfinite(v)):
        raise ValueError("replicates must be finite")
    return v


def mean_ci(
    values: Sequence[float] | np.ndarray, level: float = 0.95, *, scale: str = "linear"
) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of independent replicates (e.g. seeds).

    Parameters
    ----------
    values : array (n,)
        One value per independent unit (seed, trained model), n >= 2.
    level : float, default 0.95
    scale : {"linear", "log", "logit"}
        Scale of the t-interval. ``"log"`` (positive quantities such as an FD or a
        ratio): the interval of the mean log, back-transformed, so the centre is the
        geometric mean and the interval stays above 0. ``"logit"`` (a proportion such
        as an accuracy in [0, 1]): the interval of the mean logit, back-transformed, so
        it stays inside (0, 1); values are first clipped to [0.001, 0.999].

    Returns
    -------
    (centre, low, high)
        The mean (linear), geometric mean (log) or back-transformed mean logit (logit),
        and the interval on the same scale.
    """
    v = _check_replicates(values, level)
    if scale not in _SCALES:
        raise ValueError(f"scale must be one of {_SCALES}, got {scale!r}")
    if scale == "log":
        if np.any(v <= 0):
            raise ValueError("scale='log' needs positive values")
        v = np.log(v)
    elif scale == "logit":
        if np.any((v < 0) | (v > 1)):
            raise ValueError("scale='logit' needs proportions in [0, 1]")
        c = np.clip(v, 1e-3, 1 - 1e-3)
        v = np.log(c / (1 - c))
    m = float(v.mean())
    half = float(stats.t.ppf((1 + level) / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    out = np.array([m, m - half, m + half])
    if scale == "log":
        out = np.exp(out)
    elif scale == "logit":
        out = 1 / (1 + np.exp(-out))
    return float(out[0]), float(out[1]), float(out[2])


def diff_ci(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """Difference of two means with Welch's t-interval (two independent groups of units).

    ``mean(a) - mean(b)`` with the Welch–Satterthwaite degrees of freedom: e.g. the
    damage of models of one family minus that of another, each group one value per seed.

    Returns
    -------
    (difference, low, high)
    """
    x, y = _check_replicates(a, level), _check_replicates(b, level)
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    d = float(x.mean() - y.mean())
    se = float(np.sqrt(va + vb))
    if se == 0:
        return d, d, d
    df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    half = float(stats.t.ppf((1 + level) / 2, df) * se)
    return d, d - half, d + half


def bootstrap_mean_ci(
    values: Sequence[float] | np.ndarray,
    *,
    n_boot: int = 4000,
    rng: int | np.random.Generator,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Mean of independent units with a percentile bootstrap interval (Efron 1979).

    The interval lies inside the range of the values, so a share of budgets stays in
    [0, 1]; with few units it is narrow rather than wide (read it with their number).

    Returns
    -------
    (mean, low, high)
    """
    v = _check_replicates(values, level)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 2:
        raise ValueError(f"n_boot must be an int >= 2, got {n_boot!r}")
    idx = np.random.default_rng(rng).integers(0, v.size, size=(n_boot, v.size))
    means = v[idx].mean(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    m = float(v.mean())
    return m, float(min(low, m)), float(max(high, m))


def seed_summary(
    df: pd.DataFrame,
    value: str,
    by: Sequence[str],
    *,
    level: float = 0.95,
    scale: str = "linear",
) -> pd.DataFrame:
    """Mean over seeds with a Student-t confidence interval, per group.

    ``scale`` is passed to :func:`mean_ci`: ``"log"`` for a positive quantity (an FD:
    geometric mean, interval above 0), ``"logit"`` for a proportion (an accuracy:
    interval inside [0, 1]).

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
        m, lo, hi = mean_ci(g[value].to_numpy(), level, scale=scale)
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


def optimal_precision_by_seed(
    runs: pd.DataFrame,
    budgets: np.ndarray,
    *,
    min_curves: int = 3,
    x: str = "total_bits",
    y: str = "fd",
    by: str = "bits",
) -> pd.DataFrame:
    """:func:`optimal_precision` on each seed's own curves (a seed is one model ladder).

    Parameters
    ----------
    runs : DataFrame
        One row per (seed, precision, size) with columns ``seed``, ``by``, ``x``, ``y``.
    budgets : array
        Total-bit budgets.
    min_curves : int, default 3
        Keep only budgets where at least this many precisions' curves compete.

    Returns
    -------
    DataFrame
        ``seed``, then the columns of :func:`optimal_precision`, one row per kept budget.
    """
    if "seed" not in runs:
        raise ValueError("runs needs a 'seed' column")
    out = []
    for seed, r in runs.groupby("seed"):
        best = optimal_precision(r, budgets, x=x, y=y, by=by)
        out.append(best[best["n_curves"] >= min_curves].assign(seed=seed))
    return pd.concat(out, ignore_index=True)[["seed", "budget", "best", "quality", "n_curves"]]


def fit_per_seed(
    runs: pd.DataFrame,
    law,
    *,
    x: Sequence[str] = ("n_params", "bits"),
    y: str = "fd",
) -> pd.DataFrame:
    """Fit a law to each seed's measurements separately (a seed is one replicate ladder).

    The rows of one seed come from a few trained models, so they are not independent
    replicates; the seeds are. Fitting each seed alone gives one estimate per
    independent unit, to be summarised with :func:`mean_ci`.

    Parameters
    ----------
    runs : DataFrame
        Rows with a ``seed`` column, the ``x`` columns and ``y``.
    law : helpers.fitting.Law or str
        Fitted by least squares (``delta=inf``) with :func:`helpers.fitting.fit_law`.

    Returns
    -------
    DataFrame
        Index ``seed``; one column per law parameter, ``rms log error`` and
        ``at bound`` (the parameters stuck on a bound, comma separated).
    """
    from . import fitting

    if "seed" not in runs:
        raise ValueError("runs needs a 'seed' column")
    rows = {}
    for seed, d in runs.groupby("seed"):
        xs, ys = d[list(x)].to_numpy(float), d[y].to_numpy(float)
        fit = fitting.fit_law(xs, ys, law=law, delta=np.inf)
        pred = fit.predict(*xs.T)
        rows[seed] = {
            **{k: float(v) for k, v in fit.params.items()},
            "rms log error": float(np.sqrt(np.mean((np.log(pred) - np.log(ys)) ** 2))),
            "at bound": ", ".join(fit.at_bound),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("seed")


def damage_exponent(
    runs: pd.DataFrame,
    formats: Sequence[str],
    *,
    reference: str = "fp32",
    y: str = "fd",
) -> pd.Series:
    r"""Per seed, how fast post-training damage shrinks with model size: Kumar's γ_N.

    Kumar et al. (2025) write the PTQ degradation at fixed bits and data as
    :math:`\delta_\text{PTQ} \propto N^{-\gamma_N}`. For each seed this fits

    .. math:: \ln(y_b - y_\text{ref}) = c_b - \gamma_N \ln N

    by least squares over the sizes and the ``formats`` (one intercept per format, one
    shared slope), so :math:`\gamma_N > 0` means larger models are damaged less. Damages
    that are not positive (a model not hurt at that format) are left out.

    Parameters
    ----------
    runs : DataFrame
        Columns ``seed``, ``n_params``, ``fmt`` and ``y``, one row per (seed, size, fmt),
        including the ``reference`` format.
    formats : sequence of str
        The quantized formats pooled in the fit.

    Returns
    -------
    pandas.Series
        :math:`\gamma_N` per seed.
    """
    if not formats:
        raise ValueError("give at least one format")
    wide = runs.pivot_table(index=["seed", "n_params"], columns="fmt", values=y)
    missing = set(formats) | {reference}
    missing -= set(wide.columns)
    if missing:
        raise ValueError(f"runs lack the formats {sorted(missing)}")
    out = {}
    for seed, w in wide.groupby(level="seed"):
        log_n = np.log(w.index.get_level_values("n_params").to_numpy(float))
        cols, target = [], []
        for i, f in enumerate(formats):
            dmg = (w[f] - w[reference]).to_numpy(float)
            ok = dmg > 0
            onehot = np.zeros((ok.sum(), len(formats)))
            onehot[:, i] = 1.0
            cols.append(np.column_stack([log_n[ok], onehot]))
            target.append(np.log(dmg[ok]))
        a, t = np.vstack(cols), np.concatenate(target)
        if np.unique(a[:, 0]).size < 2:
            raise ValueError(f"seed {seed}: need damages at two sizes at least")
        out[seed] = -float(np.linalg.lstsq(a, t, rcond=None)[0][0])
    return pd.Series(out, name="gamma_N").rename_axis("seed")


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
