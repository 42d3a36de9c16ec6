r"""Sigmoid links from a covariate (a loss, capabilities) to a task score, as fitting laws.

Two papers link a smooth covariate to a bounded task score with a sigmoid, each with its
own parametrisation and bounds, which matter when the data do not pin the asymptotes.
Both are :class:`helpers.fitting.Law` instances, registered with the engine, and fitted by
least squares on linear residuals (``delta=np.inf``), as the authors' code does with
``scipy.optimize.curve_fit``:

* ``"ladder_sigmoid"`` (Bhagia et al. 2024, arXiv:2412.04403, Eq. 2; released code
  ``src/scripts/step2.py``): accuracy from task loss,
  :math:`\mathrm{Acc}(L) = a\,\sigma(k (L - L_0)) + b` with :math:`a \in [-1, 0]`,
  :math:`b \in [0, 1]`, :math:`k, L_0 \ge 0`.
* ``"capability_sigmoid_<k>"`` (Ruan et al. 2024, arXiv:2405.10938, Eq. 4; released code
  ``utils/``): a score from ``k`` capabilities (principal components),
  :math:`y = f + (1 - f)\,\sigma(w^\top S + c)` with floor :math:`f \in [0, 0.2]` and
  the ceiling fixed at 1.

The engine's built-in ``"sigmoid"`` (floor, height, slope, center) leaves both asymptotes
free; these two keep the papers' constraints.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from . import fitting

__all__ = [
    "LADDER_SIGMOID",
    "capability_sigmoid",
    "heldout_mse_log_ratio",
    "heldout_squared_errors",
]


def _ladder_predict(p: fitting.ParamBatch, x: np.ndarray) -> np.ndarray:
    return p["a"] * expit(p["k"] * (x[:, 0] - p["x0"])) + p["b"]


def _ladder_jacobian(p: fitting.ParamBatch, x: np.ndarray) -> dict[str, np.ndarray]:
    dx = x[:, 0] - p["x0"]
    s = expit(p["k"] * dx)
    ds = p["a"] * s * (1.0 - s)
    return {"a": s, "b": np.ones((1, x.shape[0])), "k": ds * dx, "x0": -ds * p["k"]}


def _ladder_grid(x: np.ndarray, y: np.ndarray) -> dict[str, list[float]]:
    """Heights of most of [0, 1]; ceilings at the data's top or 1; centres at quantiles."""
    return {
        "a": [-1.0, -0.75, -0.5],
        "b": [float(min(y.max(), 1.0)), 1.0],
        "k": [1.0, 3.0, 10.0],
        "x0": [float(q) for q in np.quantile(x[:, 0], [0.1, 0.5, 0.9])],
    }


#: Bhagia et al.'s step-2 sigmoid, accuracy against task loss (bits per byte).
LADDER_SIGMOID = fitting.register_law(
    fitting.Law(
        name="ladder_sigmoid",
        params=("a", "b", "k", "x0"),
        predict=_ladder_predict,
        bounds={"a": (-1.0, 0.0), "b": (0.0, 1.0), "k": (0.0, np.inf), "x0": (0.0, np.inf)},
        residuals="linear",
        grid=_ladder_grid,
        jacobian=_ladder_jacobian,
        inputs=("L",),
        positive_inputs=False,
        equation="Acc = a sigmoid(k (L - L0)) + b",
    ),
    replace=True,
)


def capability_sigmoid(n_inputs: int) -> fitting.Law:
    r"""Ruan et al.'s sigmoid link from ``n_inputs`` capabilities, registered with the engine.

    Parameters
    ----------
    n_inputs : int
        Number of covariates (principal components, or 1 for log compute).

    Returns
    -------
    helpers.fitting.Law
        The law ``"capability_sigmoid_<n_inputs>"`` with parameters ``floor``,
        ``w1 .. wk`` and ``c``: :math:`y = f + (1 - f)\,\sigma(w^\top S + c)`,
        :math:`f \in [0, 0.2]`, linear residuals.
    """
    if not isinstance(n_inputs, int) or n_inputs < 1:
        raise ValueError(f"n_inputs must be a positive int, got {n_inputs!r}")
    names = tuple(f"w{j + 1}" for j in range(n_inputs))

    def logit(p: fitting.ParamBatch, x: np.ndarray) -> np.ndarray:
        return sum(p[n] * x[:, j] for j, n in enumerate(names)) + p["c"]

    def predict(p: fitting.ParamBatch, x: np.ndarray) -> np.ndarray:
        return p["floor"] + (1.0 - p["floor"]) * expit(logit(p, x))

    def jacobian(p: fitting.ParamBatch, x: np.ndarray) -> dict[str, np.ndarray]:
        s = expit(logit(p, x))
        g = (1.0 - p["floor"]) * s * (1.0 - s)
        return {"floor": 1.0 - s, "c": g, **{n: g * x[:, j] for j, n in enumerate(names)}}

    def grid(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Weight on the first covariate only, at three steepnesses; logit centred on the data."""
        sd = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
        rows = []
        for floor in (0.0, 0.1, 0.2):
            for scale in (0.5, 2.0, 8.0):
                w = np.zeros(n_inputs)
                w[0] = scale / sd[0]
                for shift in (-3.0, 0.0, 3.0):
                    rows.append([floor, *w, shift - w @ x.mean(axis=0)])
        return np.array(rows)

    return fitting.register_law(
        fitting.Law(
            name=f"capability_sigmoid_{n_inputs}",
            params=("floor", *names, "c"),
            predict=predict,
            n_inputs=n_inputs,
            bounds={"floor": (0.0, 0.2)},
            residuals="linear",
            grid=grid,
            jacobian=jacobian,
            positive_inputs=False,
            equation="y = floor + (1 - floor) sigmoid(w . S + c)",
        ),
        replace=True,
    )


def heldout_squared_errors(
    covariates: dict[str, np.ndarray], y: np.ndarray, train: np.ndarray
) -> tuple[dict[str, fitting.LawFit], dict[str, np.ndarray]]:
    r"""Fit :func:`capability_sigmoid` on the training models, score the held-out ones.

    Ruan et al.'s holdout test (2024, Sec. 4): fit the link by least squares on the
    models with ``train`` true (the smaller ones) once per covariate set, and return the
    squared error of each held-out model's prediction, so that the caller can average
    them or bootstrap over the held-out models.

    Parameters
    ----------
    covariates : dict of str to array, each of shape (n_models, k)
        Named covariate sets (e.g. three principal components; log10 FLOPs as (n, 1)).
    y : array, shape (n_models,)
        The downstream metric, in [0, 1].
    train : bool array, shape (n_models,)
        Models to fit on; the others are held out. Both groups need at least one model.

    Returns
    -------
    (dict of str to LawFit, dict of str to array)
        The fit and the held-out squared errors (shape (n_heldout,)) per covariate set.
    """
    yv = np.asarray(y, dtype=float)
    mask = np.asarray(train, dtype=bool)
    if yv.ndim != 1 or mask.shape != yv.shape:
        raise ValueError(f"y and train must be 1-D of one length, got {yv.shape}, {mask.shape}")
    if mask.all() or not mask.any():
        raise ValueError("train must hold out at least one model and keep at least one")
    fits, errors = {}, {}
    for name, x in covariates.items():
        xv = np.asarray(x, dtype=float)
        if xv.ndim != 2 or xv.shape[0] != yv.size:
            raise ValueError(f"covariates {name!r} must have shape (n_models, k), got {xv.shape}")
        law = capability_sigmoid(xv.shape[1])
        fits[name] = fitting.fit_law(xv[mask], yv[mask], law=law, delta=np.inf)
        errors[name] = (fits[name].predict(*xv[~mask].T) - yv[~mask]) ** 2
    return fits, errors


def heldout_mse_log_ratio(
    errors: dict[str, np.ndarray],
    numerator: str,
    denominator: str,
    *,
    n_boot: int = 2000,
    rng: int | np.random.Generator,
    level: float = 0.95,
) -> dict[str, float]:
    r"""Log ratio of two covariates' held-out mean squared errors, bootstrapped over models.

    :math:`\log(\text{MSE}_\text{numerator} / \text{MSE}_\text{denominator})` over the same
    held-out models (from :func:`heldout_squared_errors`); positive when ``denominator``
    predicts better. The interval resamples the held-out models (the independent unit)
    with :func:`helpers.fitting.bootstrap`, keeping each model's pair of errors together.

    Parameters
    ----------
    errors : dict of str to array, each of shape (n_heldout,)
        Squared errors per covariate set, aligned by model.
    numerator, denominator : str
        Keys of ``errors``.
    n_boot : int, default 2000
    rng : int or numpy.random.Generator
        Seed or generator (required).
    level : float, default 0.95

    Returns
    -------
    dict of str to float
        ``estimate``, ``low`` and ``high`` (percentile interval).
    """
    a = np.asarray(errors[numerator], dtype=float)
    b = np.asarray(errors[denominator], dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise ValueError(
            f"need two aligned 1-D error arrays of >= 2 models, got {a.shape}, {b.shape}"
        )
    res = fitting.bootstrap(
        lambda i: {"log_ratio": float(np.log(a[i].mean() / b[i].mean()))},
        a.size,
        n_boot=n_boot,
        rng=rng,
    ).ci(level)
    row = res.loc["log_ratio"]
    return {
        "estimate": float(row["estimate"]),
        "low": float(row["low"]),
        "high": float(row["high"]),
    }
