"""Speed of the vectorised replica-theory solver against a plain per-point solver.

Grid: 40 alpha_prune x 10 f x 4 theta (theta = 0, 10, 20, 30 degrees), keep-hard, the
sweep the data-pruning chapter draws. Target: the whole grid in <= 5 s on 2 cores.

``hp.pruning.theory_error`` solves every point at once (vectorised Newton with an analytic
Jacobian). The reference, ``hp.pruning.theory_error_pointwise``, solves the same equations
with the same quadrature one point at a time with ``scipy.optimize.root``; it is timed on
every 8th grid point (200 points) and its time is scaled to the full grid.

Run: ``.venv/bin/python benchmarks/bench_pruning_theory.py``
"""

import time
import warnings

import numpy as np

import helpers as hp

alpha = np.geomspace(0.5, 10.0, 40)[:, None, None]
f = np.geomspace(0.02, 1.0, 10)[None, :, None]
theta = np.deg2rad([0.0, 10.0, 20.0, 30.0])[None, None, :]
a, fr, th = (v.ravel() for v in np.broadcast_arrays(alpha, f, theta))

t0 = time.perf_counter()
eps = hp.pruning.theory_error(alpha, f, theta=theta).ravel()
t_vec = time.perf_counter() - t0

sub = np.arange(0, a.size, 8)
t0 = time.perf_counter()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ref = hp.pruning.theory_error_pointwise(a[sub], fr[sub], theta=th[sub])
t_ref = (time.perf_counter() - t0) * a.size / sub.size

ok = np.isfinite(ref)
print(f"grid: {a.size} points (40 alpha x 10 f x 4 theta), {int(np.isnan(eps).sum())} unconverged")
print(f"vectorised solver      : {t_vec:7.2f} s  (target <= 5 s on 2 cores)")
print(f"per-point scipy.root   : {t_ref:7.2f} s  (timed on {sub.size} points, scaled)")
print(f"speed-up               : {t_ref / t_vec:7.1f}x")
print(f"per-point unconverged  : {int((~ok).sum())} of {sub.size}")
print(f"max |rel diff| where both converged: {np.max(np.abs(eps[sub][ok] / ref[ok] - 1)):.1e}")
