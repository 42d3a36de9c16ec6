"""Speed of ``hp.fitting.fit_chinchilla`` against plain SciPy loops, in one process.

References (``benchmarks/_reference.py``):

* what Besiroglu et al. (2024) ran (analyzing-chinchilla notebook, cell 18):
  ``scipy.optimize.minimize(method="L-BFGS-B")`` with finite-difference gradients from
  every one of Hoffmann et al.'s 4,500 grid starts, keeping the best;
* the same loop with an analytic gradient (the book's previous engine, per start).

It also compares the two refinements from the same screened starts: L-BFGS-B with an
analytic gradient (the previous engine) and ``scipy.optimize.least_squares(loss="huber",
f_scale=delta)`` (this engine): evaluations, time and objective reached.

All must reach the same optimum; the script prints times and ratios. Target: the helper
is at least 20x faster than the plain loop. Usage::

    .venv/bin/python benchmarks/bench_chinchilla_fit.py              # full grid (minutes)
    .venv/bin/python benchmarks/bench_chinchilla_fit.py --starts 500 # every 9th start
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _reference import lbfgs_refit, theta_from_params

import helpers as hp
from helpers import fitting as F


def plain_loop(starts, logN, logD, logL, *, analytic=False):
    """Best L-BFGS-B result over all starts (theta order e, a, b, alpha, beta)."""
    best = None
    for theta0 in starts:
        theta, fun, ok, _ = lbfgs_refit(theta0, logN, logD, logL, analytic=analytic)
        if ok and (best is None or fun < best[1]):
            best = (theta, fun)
    return best


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=4500, help="grid starts for the references")
    args = parser.parse_args()

    runs = hp.data.load_chinchilla_runs()
    N, D, L = (runs[c].to_numpy() for c in ["params_N", "tokens_D", "loss_nats"])
    logN, logD, logL = np.log(N), np.log(D), np.log(L)
    law = F.get_law("chinchilla")
    grid = law.starts_from(F.HOFFMANN_GRID)  # natural scale, columns E, A, B, alpha, beta
    thetas = np.array([theta_from_params(dict(zip(law.params, g, strict=True))) for g in grid])
    step = max(1, len(thetas) // args.starts)
    starts = thetas[::step]

    fit, t_ours = timed(F.fit_chinchilla, N, D, L)
    fit, t_ours2 = timed(F.fit_chinchilla, N, D, L)  # warm: imports and caches done
    t_ours = min(t_ours, t_ours2)
    ref, t_ref = timed(plain_loop, starts, logN, logD, logL)
    ref_an, t_ref_an = timed(plain_loop, starts, logN, logD, logL, analytic=True)

    print(f"runs: {len(L)}; reference starts: {len(starts)} of {len(thetas)}")
    print(f"{'method':48s} {'time (s)':>9s} {'objective':>14s}  alpha   beta")
    rows = [
        ("helpers.fitting.fit_chinchilla (screened grid)", t_ours, fit.objective, fit.theta),
        ("plain loop, finite-difference gradients", t_ref, ref[1], ref[0][[0, 1, 2, 3, 4]]),
        ("plain loop, analytic gradients", t_ref_an, ref_an[1], ref_an[0]),
    ]
    for name, t, obj, theta in rows:
        print(f"{name:48s} {t:9.2f} {obj:14.10f}  {theta[3]:.4f} {theta[4]:.4f}")
    print(f"speed-up vs plain loop (finite differences): {t_ref / t_ours:7.1f}x  (target >= 20x)")
    print(f"speed-up vs loop with analytic gradients:    {t_ref_an / t_ours:7.1f}x")
    same = fit.objective <= min(ref[1], ref_an[1]) * (1 + 1e-6)
    print(f"same optimum (objective within 1e-6 relative, or better): {same}")

    # Refinement alone, from the same 16 best screened starts.
    prob = F._prepare(np.column_stack([N, D]), L, law)
    values = F._batched_objective(law.to_u(grid), prob, 1e-3)
    best16 = grid[np.argsort(values, kind="stable")[:16]]
    t0 = time.perf_counter()
    lb = [
        lbfgs_refit(theta_from_params(dict(zip(law.params, g, strict=True))), logN, logD, logL)
        for g in best16
    ]
    t_lb = time.perf_counter() - t0
    t0 = time.perf_counter()
    counter = {"n": 0}
    real = law.residual_values

    def counted(u, x, target):
        counter["n"] += 1
        return real(u, x, target)

    object.__setattr__(law, "residual_values", counted)
    try:
        ls = [F._refine(law.to_u(g), prob, 1e-3, None, 200) for g in best16]
    finally:
        object.__delattr__(law, "residual_values")
    t_ls = time.perf_counter() - t0
    print("\nrefinement from the 16 best screened starts:")
    print(
        f"  L-BFGS-B, analytic gradient : {t_lb:6.2f} s, {np.mean([r[3] for r in lb]):5.1f} "
        f"evaluations per start, best objective {min(r[1] for r in lb):.13f}"
    )
    print(
        f"  least_squares (huber, trf)  : {t_ls:6.2f} s, {counter['n'] / 16:5.1f} "
        f"evaluations per start, best objective {min(r[1] for r in ls):.13f}"
    )
    print(f"  ratio (L-BFGS-B / least_squares time): {t_lb / t_ls:5.1f}x")


if __name__ == "__main__":
    main()
