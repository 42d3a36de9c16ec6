r"""Data pruning in the teacher–student perceptron: replica theory and simulation.

The setting of Sorscher et al. (2022): inputs :math:`x \sim \mathcal N(0, I_N)`,
labels from a teacher :math:`y = \operatorname{sign}(T \cdot x)`, and a *probe* student
:math:`J_p` at angle :math:`\theta` to the teacher that ranks examples by their margin
:math:`|J_p \cdot x|`. From :math:`P_{\rm tot} = \alpha_{\rm tot} N` examples a fraction
:math:`f` is kept — the **hardest** (smallest probe margin) or the **easiest** (largest) —
so :math:`P = f P_{\rm tot} = \alpha_{\rm prune} N` remain. A max-margin student
:math:`J` is trained on them and its test error is

.. math::
    :label: pruning-eps

    \varepsilon = \frac{1}{\pi}\arccos R, \qquad R = \frac{J\cdot T}{|J|\,|T|}.

**Theory.** In the limit :math:`N \to \infty` at fixed :math:`\alpha_{\rm prune}` the
replica-symmetric Gardner volume of students with stability :math:`\ge \kappa` shrinks to
a point at the max-margin solution. With the student decomposed as
:math:`J = R\,T + \rho\,e_2 + s\,e_\perp` (:math:`e_2` the probe's direction orthogonal to
the teacher, :math:`s^2 = 1 - R^2 - \rho^2`), write :math:`k = \kappa/s`, :math:`r = R/s`,
:math:`p = \rho/s`, the fields of a kept example :math:`t = T\cdot x`, :math:`w = e_2
\cdot x` and :math:`y = \operatorname{sign}(t)`, and

.. math::
    :label: pruning-h

    h(x) = \mathbb E_z\bigl[(x - z)_+^2\bigr] = (x^2 + 1)\,\Phi(x) + x\,\varphi(x),
    \qquad z \sim \mathcal N(0, 1).

The max-margin student maximises :math:`\kappa = k / \sqrt{1 + r^2 + p^2}` subject to the
Gardner condition (the q → 1 limit of the volume; Gardner 1988; Engel & Van den Broeck
2001, ch. 4)

.. math::
    :label: pruning-gardner

    \alpha_{\rm prune}\; \mathbb E_{\rm kept}\bigl[h(k - y(r t + p w))\bigr] = 1 .

Its Lagrange conditions, with :math:`D^2 = 1 + r^2 + p^2` and :math:`h' = 2(x\Phi + \varphi)`,

.. math::
    :label: pruning-stationary

    D^2\, \mathbb E[h'\, y t] = k\,r\, \mathbb E[h'], \qquad
    D^2\, \mathbb E[h'\, y w] = k\,p\, \mathbb E[h'],

close the system; expectations are over the kept examples' density
:math:`\varphi(t)\varphi(w)\,\mathbb 1\{\text{kept}\}/f`. This is the same model as the
paper's App. A (a derivation from first principles, checked against the exact Monte-Carlo
simulation below and against the classic :math:`f = 1` learning curve, whose
large-:math:`\alpha` limit is :math:`\varepsilon \simeq 0.50/\alpha`). For
:math:`\theta = 0` the pruning depends on :math:`|t|` only, :math:`p = 0` and the
expectations are one-dimensional.

:func:`theory_error` solves :eq:`pruning-gardner`–:eq:`pruning-stationary` for a whole
grid at once (vectorised Newton with an analytic Jacobian and a backtracking line search;
Gauss–Legendre quadrature split at every kink of the integrand).
:func:`theory_error_pointwise` solves one point at a time with :func:`scipy.optimize.root`,
the plain reference the benchmark compares with. :func:`simulate_pruning` is the
Monte-Carlo experiment with an exact max-margin solver (:func:`max_margin`).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize_scalar, nnls, root
from scipy.special import ndtr, ndtri

from .fitting import fit_power_law

__all__ = [
    "KEEP_RULES",
    "PruningSolution",
    "best_fraction",
    "compare_with_theory",
    "crossover_alpha_tot",
    "log_r2",
    "max_margin",
    "pareto_frontier",
    "seed_bootstrap",
    "simulate_pruning",
    "solve_theory",
    "theory_error",
    "theory_error_pointwise",
]

KEEP_RULES = ("hard", "easy")
_SQRT2PI = np.sqrt(2.0 * np.pi)
_TAIL = 9.0  # Gaussian integrals are cut at 9 standard deviations (phi(9) ~ 1e-18)


def _phi(x: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * x * x) / _SQRT2PI


def _h_terms(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """h, h' and h'' of :eq:`pruning-h` at ``x`` (elementwise)."""
    cdf, pdf = ndtr(x), _phi(x)
    h = (x * x + 1.0) * cdf + x * pdf
    return h, 2.0 * (x * cdf + pdf), 2.0 * cdf


# ----------------------------------------------------------------------------- validation


def _check_keep(keep: str) -> str:
    if keep not in KEEP_RULES:
        raise ValueError(f"keep must be one of {KEEP_RULES}, got {keep!r}")
    return keep


def _as_float_array(name: str, value: object) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or array of them, got {value!r}") from None
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    return arr


def _validate(alpha: object, f: object, theta: object) -> tuple[np.ndarray, ...]:
    a = _as_float_array("alpha_prune", alpha)
    fr = _as_float_array("f", f)
    th = _as_float_array("theta", theta)
    if (a <= 0).any() or not np.isfinite(a).all():
        raise ValueError(
            f"alpha_prune must be finite and > 0 (examples kept per dimension), got {a}"
        )
    if ((fr <= 0) | (fr > 1)).any():
        raise ValueError(f"f (fraction of examples kept) must lie in (0, 1], got {fr}")
    if ((th < 0) | (th >= np.pi / 2)).any():
        raise ValueError(f"theta (probe-teacher angle, radians) must lie in [0, pi/2), got {th}")
    try:
        return np.broadcast_arrays(a, fr, th)
    except ValueError:
        raise ValueError(
            f"alpha_prune, f and theta do not broadcast: shapes {a.shape}, {fr.shape}, {th.shape}"
        ) from None


def _thresholds(f: np.ndarray, keep: str) -> tuple[np.ndarray, np.ndarray]:
    """Kept interval of the probe margin |t_p|: [lo, hi] (hi may be the Gaussian tail)."""
    if keep == "hard":  # |t_p| <= Phi^-1((1 + f)/2)
        return np.zeros_like(f), np.minimum(ndtri(0.5 * (1.0 + f)), _TAIL)
    lo = np.where(f >= 1.0, 0.0, ndtri(1.0 - 0.5 * f))  # |t_p| >= Phi^-1(1 - f/2)
    return lo, np.maximum(lo, 0.0) + _TAIL


# ----------------------------------------------------------------------------- quadrature


@functools.lru_cache(maxsize=16)
def _legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def _gauss_legendre(breaks: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of ``n``-point Gauss–Legendre rules on consecutive segments.

    ``breaks`` has shape (..., m + 1), sorted along the last axis; the result has shape
    (..., m * n).
    """
    z, wz = _legendre(n)
    lo, hi = breaks[..., :-1, None], breaks[..., 1:, None]
    half = 0.5 * (hi - lo)
    nodes = (lo + half * (1.0 + z)).reshape(*breaks.shape[:-1], -1)
    weights = (half * wz).reshape(*breaks.shape[:-1], -1)
    return nodes, weights


def _segments(lo: np.ndarray, hi: np.ndarray, cuts: list[np.ndarray]) -> np.ndarray:
    """Sorted break points: ``lo``, the ``cuts`` clipped into [lo, hi], ``hi``."""
    inner = [np.clip(c, lo, hi) for c in cuts]
    return np.sort(np.stack([lo, *inner, hi], axis=-1), axis=-1)


@dataclass(frozen=True)
class _Nodes:
    """Quadrature of the kept density: weights ``wt`` and fields y*t, y*w at each node."""

    wt: np.ndarray
    yt: np.ndarray
    yw: np.ndarray


def _nodes_1d(k, r, lo, hi, f, n):
    """theta = 0: u = |t| on [lo, hi] with density 2 phi(u)/f; y t = u, y w integrates out."""
    # h(k - r u) changes from polynomial to Gaussian tail around u = k/r; split there.
    cuts = [(k + c) / r for c in (-5.0, 0.0, 5.0)]
    u, wq = _gauss_legendre(_segments(lo, hi, cuts), n)
    return _Nodes(wq * 2.0 * _phi(u) / f[:, None], u, np.zeros_like(u))


def _nodes_2d(k, r, p, theta, lo, hi, f, n_out, n_in):
    """theta > 0: probe margin t_p in [lo, hi] (times 2 by symmetry) x orthogonal field v."""
    c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
    tp, wp = _gauss_legendre(np.stack([lo, hi], axis=-1), n_out)  # (B, n_out)
    c0 = (r * np.cos(theta) + p * np.sin(theta))[:, None]
    c1 = (p * np.cos(theta) - r * np.sin(theta))[:, None]
    c1 = np.where(np.abs(c1) < 1e-12, 1e-12, c1)
    kk = k[:, None]
    v0 = tp * c / s  # t = c tp - s v changes sign here
    cuts = [v0]
    for x in (-5.0, 0.0, 5.0):  # where h's argument crosses the smooth kink, on each side
        cuts.append((kk - c0 * tp - x) / c1)  # t > 0 side: x = k - (c0 tp + c1 v)
        cuts.append((x - kk - c0 * tp) / c1)  # t < 0 side: x = k + (c0 tp + c1 v)
    L = np.full_like(tp, _TAIL)
    v, wv = _gauss_legendre(_segments(-L, L, cuts), n_in)  # (B, n_out, n_in * 7)
    tpb = tp[..., None]
    t = c[..., None] * tpb - s[..., None] * v
    w = s[..., None] * tpb + c[..., None] * v
    y = np.where(t >= 0, 1.0, -1.0)
    wt = (2.0 * wp * _phi(tp) / f[:, None])[..., None] * wv * _phi(v)
    B = len(k)
    return _Nodes(wt.reshape(B, -1), (y * t).reshape(B, -1), (y * w).reshape(B, -1))


# ----------------------------------------------------------------------------- the system


def _system(k, r, p, alpha, nodes, two_d):
    """Residuals F (B, m) and Jacobian dF/d(k, r, p) (B, m, m), m = 3 (2 if not two_d)."""
    x = k[:, None] - r[:, None] * nodes.yt - p[:, None] * nodes.yw
    h, h1, h2 = _h_terms(x)
    W, Y1, Y2 = nodes.wt, nodes.yt, nodes.yw

    def E(a):
        return np.sum(W * a, axis=1)

    S0, S1, S2 = E(h), E(h1), E(h1 * Y1)
    Ys = E(np.abs(Y1) + np.abs(Y2))  # typical field of a kept example (tiny when f is)
    M0, M1, M11 = E(h2), E(h2 * Y1), E(h2 * Y1 * Y1)
    D2 = 1.0 + r * r + p * p
    F1 = alpha * S0 - 1.0
    F2 = D2 * S2 - k * r * S1
    if not two_d:
        F = np.stack([F1, F2], axis=1)
        J = np.empty((len(k), 2, 2))
        J[:, 0] = np.stack([alpha * S1, -alpha * S2], axis=1)
        J[:, 1] = np.stack(
            [D2 * M1 - r * S1 - k * r * M0, 2 * r * S2 - D2 * M11 - k * S1 + k * r * M1], axis=1
        )
        return F, J, S1 * Ys
    S3 = E(h1 * Y2)
    M2, M12, M22 = E(h2 * Y2), E(h2 * Y1 * Y2), E(h2 * Y2 * Y2)
    F3 = D2 * S3 - k * p * S1
    F = np.stack([F1, F2, F3], axis=1)
    J = np.empty((len(k), 3, 3))
    J[:, 0] = np.stack([alpha * S1, -alpha * S2, -alpha * S3], axis=1)
    J[:, 1] = np.stack(
        [
            D2 * M1 - r * S1 - k * r * M0,
            2 * r * S2 - D2 * M11 - k * S1 + k * r * M1,
            2 * p * S2 - D2 * M12 + k * r * M2,
        ],
        axis=1,
    )
    J[:, 2] = np.stack(
        [
            D2 * M2 - p * S1 - k * p * M0,
            2 * r * S3 - D2 * M12 + k * p * M1,
            2 * p * S3 - D2 * M22 - k * S1 + k * p * M2,
        ],
        axis=1,
    )
    return F, J, S1 * Ys


# ----------------------------------------------------------------------------- solver


@dataclass(frozen=True)
class PruningSolution:
    """Solution of the saddle-point equations on a grid (arrays of the broadcast shape).

    Attributes
    ----------
    eps : ndarray
        Test error :math:`\\arccos(R)/\\pi` (NaN where the solve did not converge).
    R, rho : ndarray
        Student–teacher overlap and overlap with the probe's orthogonal direction.
    kappa : ndarray
        Stability (margin) of the max-margin student on the kept set, in units of
        :math:`|x|/\\sqrt N`.
    converged : ndarray of bool
        Where Newton met the tolerance.
    iterations : int
        Newton iterations used by the slowest point.
    """

    eps: np.ndarray
    R: np.ndarray
    rho: np.ndarray
    kappa: np.ndarray
    converged: np.ndarray
    iterations: int


class _Problem:
    """Quadrature nodes for a batch of points, rebuilt at each iterate (kinks move)."""

    def __init__(self, alpha, f, theta, keep, n_quad):
        self.alpha, self.f, self.theta = alpha, f, theta
        self.lo, self.hi = _thresholds(f, keep)
        self.two_d = bool(np.any(theta > 0))
        self.n_quad = n_quad

    def take(self, idx):
        sub = object.__new__(_Problem)
        sub.__dict__.update(self.__dict__)
        for name in ("alpha", "f", "theta", "lo", "hi"):
            setattr(sub, name, getattr(self, name)[idx])
        return sub

    def nodes(self, k, r, p):
        if self.two_d:
            n_out, n_in = self.n_quad
            return _nodes_2d(k, r, p, self.theta, self.lo, self.hi, self.f, n_out, n_in)
        return _nodes_1d(k, r, self.lo, self.hi, self.f, self.n_quad[0])

    def system(self, k, r, p):
        return _system(k, r, p, self.alpha, self.nodes(k, r, p), self.two_d)


def _initial_k(prob, r, p, iters=30):
    """Solve the Gardner condition alone for k at fixed (r, p).

    alpha E[h] - 1 is increasing and convex in k, so Newton from a point where it is
    positive descends monotonically onto the root.
    """
    k = np.full_like(r, 1.0)
    for _ in range(iters):  # find a point on the right of the root
        F = prob.system(k, r, p)[0][:, 0]
        if np.all(F > 0):
            break
        k = np.where(F > 0, k, 2.0 * k + 1.0)
    for _ in range(iters):
        F, J, _ = prob.system(k, r, p)
        step = F[:, 0] / J[:, 0, 0]
        k = k - step
        if np.all(np.abs(step) <= 1e-6 * (1.0 + np.abs(k))):
            break
    return k


def _newton(prob, k, ell, p, *, tol, max_iter):
    """Damped Newton on (ln k, ln r, p) for every point at once; converged points drop out.

    ``k = kappa/s`` and ``r = R/s`` are positive at the max-margin solution (teacher labels
    are separable and the student is positively aligned), so both are moved in log space.
    Each step is halved (up to 10 times) until the scaled residual decreases; a point
    whose line search fails is returned unconverged (the caller restarts it elsewhere).
    """
    B = len(k)
    x = np.stack([np.log(k), ell, p], axis=1)
    m = 3 if prob.two_d else 2
    done = np.zeros(B, dtype=bool)

    def evaluate(sub, xa, scale=None):
        ka, ra = np.exp(xa[:, 0]), np.exp(xa[:, 1])
        F, J, S1 = sub.system(ka, ra, xa[:, 2])
        own = (1.0 + ra * ra + xa[:, 2] ** 2) * S1  # rows 2-3 / (D^2 E[h'] E[|y t| + |y w|])
        sc = own if scale is None else scale
        merit = np.sqrt(F[:, 0] ** 2 + np.sum((F[:, 1:m] / sc[:, None]) ** 2, axis=1))
        J = J[:, :m, :m] * np.stack([ka, ra, np.ones_like(ka)], axis=1)[:, None, :m]
        return F[:, :m], J, ra, merit, own

    active = np.arange(B)
    F, J, ra, merit, sc = evaluate(prob, x)
    iters = 0
    for it in range(max_iter):
        if active.size == 0:
            break
        iters = it + 1
        sub = prob.take(active)
        xa = x[active]
        with np.errstate(all="ignore"):
            step = -np.linalg.solve(J, F[:, :, None])[..., 0]
        step = np.nan_to_num(step, nan=0.0, posinf=0.0, neginf=0.0)
        step = np.concatenate([step, np.zeros((active.size, 3 - m))], axis=1)
        # Trust limits: |d ln k|, |d ln r| <= 1.5; |dp| <= 1 + |p| + r.
        scale = np.stack(
            [np.full_like(ra, 1.5), np.full_like(ra, 1.5), 1.0 + np.abs(xa[:, 2]) + ra], 1
        )
        lim = np.min(scale / np.maximum(np.abs(step), 1e-300), axis=1)
        step *= np.minimum(lim, 1.0)[:, None]
        t = np.ones(active.size)
        accepted = np.zeros(active.size, dtype=bool)
        Fn, Jn, rn, mn, scn = F.copy(), J.copy(), ra.copy(), np.full(active.size, np.inf), sc.copy()
        for _ in range(10):
            todo = np.flatnonzero(~accepted)
            out = evaluate(sub.take(todo), xa[todo] + t[todo, None] * step[todo], sc[todo])
            ok = np.isfinite(out[3]) & (out[3] < merit[todo])
            for dst, src_ in zip((Fn, Jn, rn, mn, scn), out, strict=True):
                dst[todo[ok]] = src_[ok]
            accepted[todo[ok]] = True
            t[todo[~ok]] *= 0.5
            if accepted.all():
                break
        x[active] = np.where(accepted[:, None], xa + t[:, None] * step, xa)
        small = np.abs(t[:, None] * step).max(axis=1) <= tol * (1.0 + np.abs(xa).max(axis=1))
        m_own = np.sqrt(Fn[:, 0] ** 2 + np.sum((Fn[:, 1:] / scn[:, None]) ** 2, axis=1))
        # Converged: residual at round-off, or a tiny step with a small residual, or no
        # descent left at a residual already at the quadrature's noise floor.
        # (The quadrature nodes follow the kinks, which move with the iterate, so the
        # residual has a noise floor of about 1e-7 for the default theta > 0 rule.)
        tiny = np.abs(t[:, None] * step).max(axis=1) <= 1e-6 * (1.0 + np.abs(xa).max(axis=1))
        conv = accepted & ((m_own < 1e-11) | (small & (m_own < 1e-7)))
        conv |= (merit < 1e-6) & (tiny | ~accepted)
        done[active[conv]] = True
        keep = accepted & ~conv
        active = active[keep]
        # The next iterate's merit uses its own scale (the line search froze the old one).
        F, J, ra, sc = Fn[keep], Jn[keep], rn[keep], scn[keep]
        merit = np.sqrt(F[:, 0] ** 2 + np.sum((F[:, 1:] / sc[:, None]) ** 2, axis=1))
    return np.exp(x[:, 0]), x[:, 1], x[:, 2], done, iters


def _grid_start(prob, n_grid=28):
    """theta = 0: the best direction on a log grid of r = R/s, as a Newton start.

    The max-margin student maximises kappa = k*(r)/sqrt(1 + r^2), where k*(r) solves the
    Gardner condition; scanning r over 1e-3..1e6 (eps from 0.4997 to 3e-7) brackets the
    maximum for any alpha and f, including the sharp drop of keep-hard at tiny f.
    """
    B = len(prob.alpha)
    grid = np.logspace(-3.0, 6.0, n_grid)
    rep = np.repeat(np.arange(B), n_grid)
    big = prob.take(rep)
    r = np.tile(grid, B)
    k = _initial_k(big, r, np.zeros_like(r)).reshape(B, n_grid)
    kappa = k / np.sqrt(1.0 + grid**2)
    best = np.argmax(kappa, axis=1)
    return np.maximum(k[np.arange(B), best], 1e-3), np.log(grid[best]), np.zeros(B)


def _multistart(prob, starts, *, tol, max_iter):
    """Newton from each start in turn, for the points no earlier start solved.

    A start is ``(R0, rho0)`` (overlaps; k from the Gardner condition), a tuple of
    arrays ``(k, ln r, p)``, or a function of the sub-problem returning such a tuple.
    """
    B = len(prob.alpha)
    k, ell, p = np.ones(B), np.zeros(B), np.zeros(B)
    done = np.zeros(B, dtype=bool)
    iters = 0
    for start in starts:
        todo = np.flatnonzero(~done)
        if todo.size == 0:
            break
        sub = prob.take(todo)
        if callable(start):
            k0, l0, p0 = start(sub)
        elif len(start) == 3:
            k0, l0, p0 = (np.asarray(v)[todo] for v in start)
        else:
            R0 = np.broadcast_to(np.asarray(start[0], dtype=float), (B,))[todo]
            s0 = np.sqrt(1.0 - R0**2 - start[1] ** 2)
            l0, p0 = np.log(R0 / s0), np.full(todo.size, start[1]) / s0
            k0 = np.maximum(_initial_k(sub, np.exp(l0), p0), 1e-2)
        ks, ls, ps, ok, its = _newton(sub, k0, l0, p0, tol=tol, max_iter=max_iter)
        k[todo], ell[todo], p[todo], done[todo] = ks, ls, ps, ok
        iters += its
    return k, ell, p, done, iters


def solve_theory(
    alpha_prune: np.ndarray | float,
    f: np.ndarray | float,
    *,
    theta: np.ndarray | float = 0.0,
    keep: str = "hard",
    n_quad: int | tuple[int, int] | None = None,
    tol: float = 1e-10,
    max_iter: int = 40,
) -> PruningSolution:
    """Solve the saddle-point equations :eq:`pruning-gardner`–:eq:`pruning-stationary`.

    Parameters
    ----------
    alpha_prune, f, theta : array_like
        Examples kept per input dimension (> 0), fraction kept (in (0, 1]) and the
        probe–teacher angle in radians (in [0, pi/2)); broadcast together.
    keep : {"hard", "easy"}
        Keep the examples with the smallest (hard) or largest (easy) probe margin.
    n_quad : int or (int, int), optional
        Gauss–Legendre nodes per segment (theta = 0; default 24), or (outer, inner) for
        theta > 0 (default (8, 12)). The integrand is split at every kink, so these
        defaults agree with 4x more nodes to better than 1e-6 in eps (tested).
    tol, max_iter : float, int
        Newton stops when the step is below ``tol`` (relative) and the scaled residual
        below 1e-8.

    Returns
    -------
    PruningSolution
        Arrays of the broadcast shape; unconverged points are NaN, flagged in
        ``converged``, and a :class:`RuntimeWarning` names them.
    """
    keep = _check_keep(keep)
    a, fr, th = _validate(alpha_prune, f, theta)
    shape = a.shape
    a, fr, th = (np.ravel(v).astype(float) for v in (a, fr, th))
    n = a.size
    # theta = 0 (or f = 1, where the probe is unused) is one-dimensional. Solve it for
    # every point: it is the answer there, and the first start for theta > 0.
    nq1 = (24,) if n_quad is None else (n_quad[0] if isinstance(n_quad, tuple) else n_quad,)
    prob = _Problem(a, fr, np.zeros(n), keep, nq1)
    prob.two_d = False
    eps_tot = np.clip(0.5 / (a / fr + 1.0), 1e-6, 0.45)
    starts = [(np.cos(np.pi * eps_tot), 0.0), _grid_start]
    k, ell, p, done, iters = _multistart(prob, starts, tol=tol, max_iter=max_iter)
    two = np.flatnonzero((th > 0) & (fr < 1.0))
    if two.size:
        if n_quad is None:
            nq2 = (8, 12)
        else:
            nq2 = n_quad if isinstance(n_quad, tuple) else (n_quad, n_quad)
        prob = _Problem(a[two], fr[two], th[two], keep, nq2)
        prob.two_d = True
        first = (k[two], ell[two], np.zeros(two.size))
        starts = [first, (0.9, 0.0), (0.3, -0.3), (0.5, 0.0), (0.1, 0.0), (0.5, -0.6), (0.6, -0.3)]
        k2, l2, p2, d2, it2 = _multistart(prob, starts, tol=tol, max_iter=max_iter)
        k[two], ell[two], p[two], done[two] = k2, l2, p2, d2 & done[two]
        iters = max(iters, it2)
    r = np.exp(ell)
    s = 1.0 / np.sqrt(1.0 + r * r + p * p)
    R, rho, kappa = r * s, p * s, k * s
    eps = np.arccos(np.clip(R, -1.0, 1.0)) / np.pi
    bad = ~done | ~np.isfinite(eps) | (ell > 16.0)  # r -> infinity: a spurious root
    if bad.any():
        where = ", ".join(
            f"(alpha_prune={a[i]:.4g}, f={fr[i]:.4g}, theta={th[i]:.4g})"
            for i in np.flatnonzero(bad)[:10]
        )
        warnings.warn(
            f"theory: Newton did not converge at {int(bad.sum())} of {n} points; "
            f"they are NaN: {where}",
            RuntimeWarning,
            stacklevel=2,
        )
        eps, R, rho, kappa = (np.where(bad, np.nan, v) for v in (eps, R, rho, kappa))
    return PruningSolution(
        eps=eps.reshape(shape),
        R=R.reshape(shape),
        rho=rho.reshape(shape),
        kappa=kappa.reshape(shape),
        converged=(~bad).reshape(shape),
        iterations=iters,
    )


def theory_error(
    alpha_prune: np.ndarray | float,
    f: np.ndarray | float,
    *,
    theta: np.ndarray | float = 0.0,
    keep: str = "hard",
) -> np.ndarray:
    r"""Test error of the max-margin student trained on a pruned set (replica theory).

    Parameters
    ----------
    alpha_prune : array_like
        Kept examples per input dimension, :math:`P/N > 0`.
    f : array_like
        Fraction of the :math:`\alpha_{\rm tot} N` examples that is kept, in (0, 1];
        :math:`\alpha_{\rm tot} = \alpha_{\rm prune}/f`.
    theta : array_like, default 0
        Angle between the probe that ranks the examples and the teacher, radians in
        [0, pi/2); 0 is a perfect pruning metric.
    keep : {"hard", "easy"}
        Keep the smallest-margin (hard) or largest-margin (easy) examples.

    Returns
    -------
    ndarray
        :math:`\varepsilon = \arccos(R)/\pi` (Eq. :eq:`pruning-eps`), broadcast shape of
        the inputs (a 0-d array for scalars). NaN, with a :class:`RuntimeWarning` naming
        the points, where the solver did not converge.

    Raises
    ------
    ValueError
        ``alpha_prune <= 0``, ``f`` outside (0, 1], ``theta`` outside [0, pi/2), NaN,
        unknown ``keep``, or shapes that do not broadcast.

    Examples
    --------
    >>> round(float(theory_error(10.0, 1.0)), 4)   # the classic max-margin learning curve
    0.0492
    """
    return solve_theory(alpha_prune, f, theta=theta, keep=keep).eps


def theory_error_pointwise(
    alpha_prune: np.ndarray | float,
    f: np.ndarray | float,
    *,
    theta: np.ndarray | float = 0.0,
    keep: str = "hard",
) -> np.ndarray:
    """The same equations solved one point at a time with :func:`scipy.optimize.root`.

    The plain reference for ``benchmarks/bench_pruning_theory.py``: same quadrature, same
    starts (the no-pruning curve, then fixed overlaps), MINPACK's hybrid method per point.
    Points where no start converges are NaN (with a :class:`RuntimeWarning`).
    """
    keep = _check_keep(keep)
    a, fr, th = (np.ravel(v) for v in _validate(alpha_prune, f, theta))
    shape = np.broadcast_shapes(np.shape(alpha_prune), np.shape(f), np.shape(theta))
    out = np.full(a.size, np.nan)
    for i in range(a.size):
        two_d = bool(th[i] > 0 and fr[i] < 1.0)
        prob = _Problem(
            a[i : i + 1], fr[i : i + 1], th[i : i + 1], keep, (8, 12) if two_d else (24,)
        )
        prob.two_d = two_d
        m = 3 if two_d else 2

        def fun(z, prob=prob, m=m):
            k, r = np.exp(z[:1]), np.exp(z[1:2])
            p = z[2:3] if m == 3 else np.zeros(1)
            F, _, S1 = prob.system(k, r, p)
            F = F[0, :m].copy()
            F[1:] /= (1.0 + r[0] ** 2 + p[0] ** 2) * S1[0]
            return F

        eps_tot = min(max(0.5 / (a[i] / fr[i] + 1.0), 1e-6), 0.45)
        for R0, rho0 in [(np.cos(np.pi * eps_tot), 0.0), (0.9, 0.0), (0.5, 0.0), (0.3, -0.3)]:
            s0 = np.sqrt(1.0 - R0**2 - rho0**2)
            r0, p0 = np.array([R0 / s0]), np.array([rho0 / s0])
            k0 = max(float(_initial_k(prob, r0, p0)[0]), 1e-2)
            z0 = [np.log(k0), np.log(r0[0]), p0[0]][:m]
            sol = root(fun, z0, method="hybr", options={"xtol": 1e-10})
            # (reject the spurious root at r -> infinity, where every residual vanishes)
            if sol.success and np.max(np.abs(sol.fun)) < 1e-7 and sol.x[1] < 16.0:
                r, p = np.exp(sol.x[1]), (sol.x[2] if m == 3 else 0.0)
                out[i] = np.arccos(r / np.sqrt(1.0 + r * r + p * p)) / np.pi
                break
    if np.isnan(out).any():
        warnings.warn(
            f"theory (pointwise): no convergence at {int(np.isnan(out).sum())} points (NaN)",
            RuntimeWarning,
            stacklevel=2,
        )
    return out.reshape(shape)


# ----------------------------------------------------------------------------- simulation


def max_margin(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Exact hard-margin SVM without bias: the least-norm ``w`` with ``y_i w·x_i >= 1``.

    Solved as a least-distance program through non-negative least squares
    (Lawson & Hanson 1974, ch. 23): with :math:`Z = \mathrm{diag}(y) X`, the NNLS problem
    :math:`\min_{u \ge 0} \| [Z^\top; \mathbf 1^\top] u - e_{N+1} \|` has residual
    :math:`r`, and :math:`w = -r_{1:N} / r_{N+1}`. Unlike iterative SVM solvers, this is
    exact on nearly degenerate (keep-hard) data.

    Parameters
    ----------
    X : ndarray, shape (P, N)
        Inputs, one example per row.
    y : ndarray, shape (P,)
        Labels in {-1, +1}.

    Returns
    -------
    ndarray, shape (N,)
        The max-margin weight vector (its margin ``min_i y_i w·x_i`` is 1).

    Raises
    ------
    ValueError
        On bad shapes, non-finite inputs, labels other than ±1, or data that are not
        linearly separable through the origin.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
        raise ValueError(f"need X of shape (P, N) and y of shape (P,), got {X.shape} and {y.shape}")
    if not (np.isfinite(X).all() and np.isin(y, (-1.0, 1.0)).all()):
        raise ValueError("X must be finite and y must hold only -1 and +1")
    Z = y[:, None] * X
    E = np.vstack([Z.T, np.ones((1, Z.shape[0]))])
    target = np.zeros(E.shape[0])
    target[-1] = 1.0
    u, _ = nnls(E, target, maxiter=50 * E.shape[1])
    r = E @ u - target
    if abs(r[-1]) < 1e-12:
        raise ValueError("the examples are not linearly separable through the origin")
    return -r[:-1] / r[-1]


def simulate_pruning(
    n_dim: int,
    alpha_prune: float,
    f: float,
    *,
    theta: float = 0.0,
    keep: str = "hard",
    seed: int | np.random.Generator = 0,
) -> dict[str, float]:
    r"""One Monte-Carlo run of the pruning experiment (Sorscher et al. 2022).

    Draw :math:`P_{\rm tot} = \mathrm{round}(\alpha_{\rm prune} N / f)` Gaussian inputs,
    label them with the teacher :math:`T = e_1`, rank them by the margin along the probe
    :math:`J_p = \cos\theta\, e_1 + \sin\theta\, e_2`, keep the
    :math:`P = \mathrm{round}(\alpha_{\rm prune} N)` hardest or easiest, train the exact
    max-margin student (:func:`max_margin`) and return its test error
    :math:`\arccos(R)/\pi` (Eq. :eq:`pruning-eps`, exact for Gaussian test inputs).

    Only the first two coordinates enter the ranking, so the other :math:`N - 2` are drawn
    for the kept examples alone (same distribution, far less memory at small ``f``).

    Parameters
    ----------
    n_dim : int
        Input dimension N (>= 2).
    alpha_prune, f, theta, keep
        As in :func:`theory_error`.
    seed : int or numpy.random.Generator
        Randomness.

    Returns
    -------
    dict
        ``eps`` (test error), ``R`` (overlap with the teacher), ``P`` (kept examples) and
        ``P_tot`` (pool size).
    """
    if isinstance(n_dim, bool) or not isinstance(n_dim, (int, np.integer)) or n_dim < 2:
        raise ValueError(f"n_dim must be an integer >= 2, got {n_dim!r}")
    keep = _check_keep(keep)
    a, fr, th = (float(v) for v in _validate(alpha_prune, f, theta))
    rng = np.random.default_rng(seed)
    P = round(a * n_dim)
    P_tot = round(a * n_dim / fr)
    if P < 1:
        raise ValueError(f"alpha_prune * n_dim = {a * n_dim:.3g} keeps no example")
    tw = rng.standard_normal((P_tot, 2))
    margin = np.abs(tw @ np.array([np.cos(th), np.sin(th)]))
    order = np.argsort(margin, kind="stable")
    kept = order[:P] if keep == "hard" else order[P_tot - P :]
    X = np.hstack([tw[kept], rng.standard_normal((P, n_dim - 2))])
    y = np.where(X[:, 0] >= 0, 1.0, -1.0)
    w = max_margin(X, y)
    R = float(w[0] / np.linalg.norm(w))
    return {"eps": float(np.arccos(np.clip(R, -1.0, 1.0)) / np.pi), "R": R, "P": P, "P_tot": P_tot}


# ----------------------------------------------------------------------------- analyses


def pareto_frontier(
    alpha_prune: np.ndarray,
    f_grid: np.ndarray,
    *,
    theta: float = 0.0,
    keep: str = "hard",
    f_min: np.ndarray | float | None = None,
) -> pd.DataFrame:
    """The lowest theory error over kept fractions ``f_grid``, at each ``alpha_prune``.

    The Pareto frontier of Sorscher et al. (2022): for a budget of
    :math:`P = \\alpha_{\\rm prune} N` kept examples, the best achievable error when the
    pool :math:`\\alpha_{\\rm tot} = \\alpha_{\\rm prune}/f` can be chosen, with ``f``
    restricted to ``f_grid`` (its smallest value bounds how large the pool may be).

    Parameters
    ----------
    alpha_prune : array_like, shape (n,)
        Budgets (kept examples per dimension).
    f_grid : array_like
        Kept fractions to choose from.
    theta, keep
        As in :func:`theory_error` (``eps_f1``, the unpruned error, does not depend on them).
    f_min : float or array_like of shape (n,), optional
        A *pool schedule*: the smallest kept fraction allowed at each budget, i.e. a pool
        of at most ``alpha_prune / f_min`` examples per dimension (``np.exp(-alpha)``
        lets the pool grow exponentially with the budget). Default: no bound beyond
        ``f_grid``.

    Returns
    -------
    pandas.DataFrame
        Columns ``alpha_prune``, ``eps_opt``, ``f_opt``, ``eps_f1`` (no pruning) and
        ``alpha_tot`` (the pool of the optimum, ``alpha_prune / f_opt``).
    """
    a = np.asarray(alpha_prune, dtype=float).ravel()
    fg = np.asarray(f_grid, dtype=float).ravel()
    if fg.size == 0:
        raise ValueError("f_grid is empty")
    eps = theory_error(a[:, None], fg[None, :], theta=theta, keep=keep)
    if f_min is not None:
        lo = np.broadcast_to(np.asarray(f_min, dtype=float), a.shape)[:, None]
        allowed = fg[None, :] >= lo * (1 - 1e-12)
        if not allowed.any(axis=1).all():
            raise ValueError("f_min excludes every value of f_grid at some alpha_prune")
        eps = np.where(allowed, eps, np.nan)
    best = np.nanargmin(eps, axis=1)
    return pd.DataFrame(
        {
            "alpha_prune": a,
            "eps_opt": eps[np.arange(a.size), best],
            "f_opt": fg[best],
            "eps_f1": theory_error(a, 1.0),
            "alpha_tot": a / fg[best],
        }
    )


def log_r2(x: np.ndarray, eps: np.ndarray) -> float:
    """R² of the least-squares straight line of ``log(eps)`` against ``x``.

    With ``x = alpha`` a straight line is an exponential, ``eps = A exp(-b alpha)``;
    with ``x = log(alpha)`` it is a power law, ``eps = A alpha^(-b)``. Comparing the two
    on the same window tells which shape a curve is closer to.

    Parameters
    ----------
    x : array_like, shape (n,)
        The abscissa (``alpha`` or ``log(alpha)``), n >= 3.
    eps : array_like, shape (n,)
        Positive errors.

    Returns
    -------
    float
        ``1 - SS_res / SS_tot`` of ``log(eps)``.
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(eps, dtype=float).ravel()
    if x.shape != y.shape or x.size < 3:
        raise ValueError(f"need x and eps of the same length >= 3, got {x.shape}, {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all() and (y > 0).all()):
        raise ValueError("x must be finite and eps finite and positive")
    ly = np.log(y)
    fit = fit_power_law(np.exp(x - x.mean()), y, delta=np.inf)  # least squares
    res = ly - np.log(fit.predict(np.exp(x - x.mean())))
    return float(1 - np.sum(res**2) / np.sum((ly - ly.mean()) ** 2))


def crossover_alpha_tot(f: float, *, bracket: tuple[float, float] = (1.5, 40.0)) -> float:
    """Pool size :math:`\\alpha_{\\rm tot}` where keep-hard and keep-easy tie (theta = 0).

    Below it keeping the easy examples gives the lower error, above it keeping the hard
    ones does (Sorscher et al. 2022). Solved with :func:`scipy.optimize.brentq`.

    Raises
    ------
    ValueError
        If ``f`` is not in (0, 1) or the difference does not change sign in ``bracket``.
    """
    if not 0.0 < f < 1.0:
        raise ValueError(f"f must lie in (0, 1) (at f = 1 both rules keep everything), got {f}")

    def gap(alpha_tot: float) -> float:
        a = alpha_tot * f
        return float(theory_error(a, f, keep="hard") - theory_error(a, f, keep="easy"))

    lo, hi = bracket
    if not gap(lo) > 0 > gap(hi):
        raise ValueError(
            f"keep-hard and keep-easy do not cross in alpha_tot in {bracket} at f = {f}"
        )
    return float(brentq(gap, lo, hi, xtol=1e-6))


def best_fraction(
    alpha_prune: float, *, theta: float, f_min: float = 1e-2, keep: str = "hard"
) -> tuple[float, float]:
    """Kept fraction in [f_min, 1] with the lowest theory error at fixed ``alpha_prune``.

    Minimised over log f with :func:`scipy.optimize.minimize_scalar` (bounded). With an
    imperfect probe (theta > 0) the optimum is interior: pruning harder than it sends the
    error back up (Sorscher et al. 2022, on imperfect pruning metrics).

    Returns
    -------
    (f_opt, eps_opt) : tuple of float
    """
    if not 0.0 < f_min < 1.0:
        raise ValueError(f"f_min must lie in (0, 1), got {f_min}")
    res = minimize_scalar(
        lambda lf: float(theory_error(alpha_prune, np.exp(lf), theta=theta, keep=keep)),
        bounds=(np.log(f_min), 0.0),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(np.exp(res.x)), float(res.fun)


def compare_with_theory(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard error and theory for Monte-Carlo runs, one row per grid point.

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`helpers.sweeps.sweep` over :func:`simulate_pruning`: columns
        ``n_dim, alpha_prune, f, theta, keep, seed, eps`` (``theta``/``keep`` optional).

    Returns
    -------
    pandas.DataFrame
        ``alpha_prune, f, theta, keep, alpha_tot, n_seeds, eps_mc, sem, eps_theory, diff, z``
        with ``z = |diff| / sem``.
    """
    need = {"alpha_prune", "f", "eps"}
    if not need <= set(runs.columns):
        raise ValueError(f"runs needs columns {sorted(need)}, got {list(runs.columns)}")
    runs = runs.assign(
        theta=runs["theta"] if "theta" in runs else 0.0,
        keep=runs["keep"] if "keep" in runs else "hard",
    )
    keys = ["alpha_prune", "f", "theta", "keep"]
    out = (
        runs.groupby(keys, sort=False)["eps"]
        .agg(n_seeds="count", eps_mc="mean", sd="std")
        .reset_index()
    )
    out["sem"] = out.pop("sd") / np.sqrt(out["n_seeds"])
    out.insert(4, "alpha_tot", out["alpha_prune"] / out["f"])
    theory = np.empty(len(out))
    for keep in KEEP_RULES:
        m = (out["keep"] == keep).to_numpy()
        if m.any():
            theory[m] = theory_error(
                out.loc[m, "alpha_prune"].to_numpy(),
                out.loc[m, "f"].to_numpy(),
                theta=out.loc[m, "theta"].to_numpy(),
                keep=keep,
            )
    out["eps_theory"] = theory
    out["diff"] = out["eps_mc"] - out["eps_theory"]
    out["z"] = out["diff"].abs() / out["sem"]
    return out


def seed_bootstrap(
    runs: pd.DataFrame,
    statistic,
    *,
    n_boot: int = 2000,
    rng: int | np.random.Generator,
    level: float = 0.95,
    keys: tuple[str, ...] = ("alpha_prune", "f", "theta", "keep"),
) -> tuple[float, float, float]:
    """A statistic of Monte-Carlo grid points with its bootstrap interval over seeds.

    The independent unit of a pruning simulation is the seed (one pool, one teacher,
    one trained student per grid point). Whole seeds are resampled with replacement
    (the same resampled seeds at every grid point), each grid point's mean error is
    recomputed, and ``statistic`` is evaluated on those means; the interval is the
    percentile interval of the resamples, widened if needed to contain the estimate
    (a statistic such as a mean absolute gap is biased upward under resampling).

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`helpers.sweeps.sweep` over :func:`simulate_pruning`, with columns
        ``keys``, ``seed`` and ``eps``; every grid point must have the same seeds.
    statistic : callable
        ``statistic(index, means) -> ndarray of shape (B,)``: ``index`` is the
        :class:`pandas.MultiIndex` of the grid points (``keys``), ``means`` their
        mean errors, shape ``(n_points, B)``.
    n_boot : int, default 2000
        Resamples.
    rng : int or numpy.random.Generator
        Seed of the resampling (required).
    level : float, default 0.95
        Coverage of the interval.
    keys : tuple of str
        Columns that identify a grid point.

    Returns
    -------
    (estimate, low, high) : tuple of float
        The statistic on all seeds and its interval.
    """
    need = {*keys, "seed", "eps"}
    if not need <= set(runs.columns):
        raise ValueError(f"runs needs columns {sorted(need)}, got {list(runs.columns)}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive int, got {n_boot!r}")
    table = runs.pivot_table(index=list(keys), columns="seed", values="eps", sort=False)
    if table.isna().any().any() or table.shape[1] < 2:
        raise ValueError("every grid point needs the same seeds (at least two)")
    eps = table.to_numpy()
    idx = np.random.default_rng(rng).integers(0, eps.shape[1], size=(n_boot, eps.shape[1]))
    est = float(np.asarray(statistic(table.index, eps.mean(axis=1, keepdims=True))).ravel()[0])
    boot = np.asarray(statistic(table.index, eps[:, idx].mean(axis=2)), dtype=float)
    if boot.shape != (n_boot,):
        raise ValueError(f"statistic must return shape ({n_boot},), got {boot.shape}")
    low, high = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return est, min(float(low), est), max(float(high), est)
