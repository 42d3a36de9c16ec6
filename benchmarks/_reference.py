"""Reference implementations the benchmarks time ``helpers.fitting`` against (not used by
the book). They are the book's previous engine: the Chinchilla objective written as a
log-sum-exp with an analytic gradient, refined by L-BFGS-B, one problem at a time."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

# theta order of the previous engine: (e, a, b, alpha, beta) with e = ln E, a = ln A, b = ln B.
LBFGS_OPTIONS = {"maxiter": 10_000, "maxfun": 40_000, "ftol": 1e-15, "gtol": 1e-10}


def lse_objective(theta, logN, logD, logL, weights=None, delta=1e-3):
    """Summed Huber of LSE(a - alpha logN, b - beta logD, e) - log L; no gradient (Epoch)."""
    e, a, b, alpha, beta = theta
    pred = logsumexp([a - alpha * logN, b - beta * logD, np.full_like(logN, e)], axis=0)
    h = huber(delta, pred - logL)
    return float(np.sum(h if weights is None else weights * h))


def lse_objective_and_grad(theta, logN, logD, logL, weights=None, delta=1e-3):
    """The same objective with its analytic gradient (the previous engine)."""
    e, a, b, alpha, beta = theta
    terms = np.stack([np.full_like(logN, e), a - alpha * logN, b - beta * logD], axis=1)
    lse = logsumexp(terms, axis=1)
    r = lse - logL
    w = np.ones_like(r) if weights is None else weights
    value = float(np.sum(w * huber(delta, r)))
    soft = np.exp(terms - lse[:, None]) * (w * np.clip(r, -delta, delta))[:, None]
    grad = np.array(
        [
            soft[:, 0].sum(),
            soft[:, 1].sum(),
            soft[:, 2].sum(),
            -(soft[:, 1] * logN).sum(),
            -(soft[:, 2] * logD).sum(),
        ]
    )
    return value, grad


def lbfgs_refit(theta0, logN, logD, logL, weights=None, *, analytic=True):
    """One L-BFGS-B refinement; returns (theta, objective, success, evaluations)."""
    if analytic:
        res = minimize(
            lse_objective_and_grad,
            theta0,
            args=(logN, logD, logL, weights),
            jac=True,
            method="L-BFGS-B",
            options=LBFGS_OPTIONS,
        )
    else:
        res = minimize(lse_objective, theta0, args=(logN, logD, logL, weights), method="L-BFGS-B")
    return res.x, float(res.fun), bool(res.success), int(res.nfev)


def theta_from_params(params) -> np.ndarray:
    """Natural-scale Chinchilla parameters -> (e, a, b, alpha, beta)."""
    return np.array(
        [
            np.log(params["E"]),
            np.log(params["A"]),
            np.log(params["B"]),
            params["alpha"],
            params["beta"],
        ]
    )


def params_from_theta(theta) -> dict[str, float]:
    e, a, b, alpha, beta = theta
    return {"E": np.exp(e), "A": np.exp(a), "B": np.exp(b), "alpha": alpha, "beta": beta}
