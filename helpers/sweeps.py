"""Parameter sweeps: a function over a grid x seeds, in parallel, cached.

Every Monte-Carlo experiment and training ladder in the book runs through
:func:`sweep` (or its primitive :func:`parallel_map`). Both hand the work to
:class:`joblib.Parallel` **without fixing a backend**, so the engine is the
reader's choice and needs no code change::

    import joblib
    with joblib.parallel_config(backend="loky", n_jobs=2):      # local cores
        df = hp.sweeps.sweep(simulate, {"n": [100, 1000]}, seeds=range(5))

    # On a cluster (after ``pip install dask distributed``):
    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    with joblib.parallel_config(backend="dask"):
        df = hp.sweeps.sweep(simulate, grid, seeds=range(100))

    # Or Ray (after ``pip install ray``):
    from ray.util.joblib import register_ray
    register_ray()
    with joblib.parallel_config(backend="ray"):
        df = hp.sweeps.sweep(simulate, grid, seeds=range(100))

``n_jobs=None`` (the default) defers to the active ``parallel_config`` (one
worker when none is active); pass ``n_jobs=-1`` for every local core.

Results are returned in grid order whatever the backend, and each call
receives its seed explicitly, so a sweep is deterministic.

Caching uses :class:`joblib.Memory`, keyed on the function's source code and
its arguments, in a folder outside the repository: ``cache_dir() / "sweeps" /
<fingerprint>``, where `helpers.paths.cache_dir` is ``$SCALING_BOOK_CACHE`` or the OS
user cache and the fingerprint (:func:`code_fingerprint`) hashes the source of every
``helpers`` module. joblib sees only the swept function's own code, so without the
fingerprint an edit to a helper it calls (or a ``git pull``) would be served stale
results; with it, any change to ``helpers`` starts a fresh cache. The folder also
names the numerical environment (:func:`numerics_key`: the BLAS kernel and numpy SIMD
settings forced by environment variables), so a run "on another machine"
(`helpers.robustness`) computes its sweeps afresh instead of reading this machine's.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from .paths import CACHE_ENV_VAR, cache_dir

__all__ = [
    "CACHE_ENV_VAR",
    "cache_dir",
    "code_fingerprint",
    "grid_points",
    "numerics_key",
    "parallel_map",
    "seed_chunks",
    "sweep",
]

PACKAGE_DIR = Path(__file__).resolve().parent


def code_fingerprint(package_dir: Path = PACKAGE_DIR) -> str:
    """A short hash of the source of every module of a package.

    Parameters
    ----------
    package_dir : pathlib.Path, default the ``helpers`` package
        Folder whose ``*.py`` files (recursively, in sorted path order) are hashed
        with their relative paths.

    Returns
    -------
    str
        The first 16 hex digits of the sha256; it changes when any module changes.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(package_dir).rglob("*.py")):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def numerics_key(env: Mapping[str, str] | None = None) -> str:
    """A short name for the numerical environment forced by environment variables.

    ``OPENBLAS_CORETYPE`` picks OpenBLAS's kernel and ``NPY_DISABLE_CPU_FEATURES``
    narrows numpy's SIMD dispatch: both change the last bits of results, so sweeps
    computed under different settings must not share a cache.

    Parameters
    ----------
    env : mapping, optional
        The environment (``os.environ`` by default).

    Returns
    -------
    str
        ``"native"`` when neither is set, else ``"blas-<kernel>_simd-<hash>"``.
    """
    env = os.environ if env is None else env
    kernel = env.get("OPENBLAS_CORETYPE", "").strip()
    simd = " ".join(sorted(env.get("NPY_DISABLE_CPU_FEATURES", "").replace(",", " ").split()))
    if not kernel and not simd:
        return "native"
    simd_hash = hashlib.sha256(simd.encode()).hexdigest()[:8] if simd else "all"
    return f"blas-{(kernel or 'auto').lower()}_simd-{simd_hash}"


def parallel_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    n_jobs: int | None = None,
    progress: bool = False,
    desc: str | None = None,
) -> list[Any]:
    """Apply ``fn`` to every item through :class:`joblib.Parallel`, in order.

    Parameters
    ----------
    fn : callable
        Function of one argument. It must be picklable (defined at module
        level) for process- or cluster-based backends.
    items : iterable
        Arguments, one call each.
    n_jobs : int, optional
        joblib's ``n_jobs``; ``None`` defers to ``joblib.parallel_config``.
    progress : bool, default False
        Show a tqdm progress bar (results stream back as they finish).
    desc : str, optional
        Label of the progress bar.

    Returns
    -------
    list
        ``[fn(item) for item in items]``, in input order.
    """
    items = list(items)
    if not items:
        return []
    parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator")
    results = parallel(joblib.delayed(fn)(item) for item in items)
    if progress:
        from tqdm.auto import tqdm

        results = tqdm(results, total=len(items), desc=desc)
    return list(results)


def seed_chunks(seeds: Sequence[int], parts: int = 2) -> list[tuple[int, ...]]:
    """Split seeds into ``parts`` consecutive, non-empty chunks of near-equal size.

    For a sweep whose calls train every seed of a chunk as one batched program
    (:mod:`helpers.tinymodels`): one task per chunk keeps every core busy, and
    since a seed's result does not depend on the seeds beside it, the chunks
    give the same numbers as one call with all the seeds.

    Examples
    --------
    >>> seed_chunks((0, 1, 2, 3, 4))
    [(0, 1, 2), (3, 4)]
    >>> seed_chunks((7,), parts=2)
    [(7,)]
    """
    if isinstance(parts, bool) or int(parts) != parts or parts < 1:
        raise ValueError(f"parts must be a positive integer, got {parts!r}")
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds is empty")
    size, extra = divmod(len(seeds), int(parts))
    bounds = [i * size + min(i, extra) for i in range(int(parts) + 1)]
    return [seeds[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def grid_points(
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Cartesian product of a parameter grid, as a list of keyword dicts.

    Parameters
    ----------
    grid : mapping of str to sequence, or sequence of mappings
        Parameter name to the values it takes; or the points themselves, one
        mapping of keyword arguments each (runs that are not a product, e.g.
        different students per model family), all with the same names.

    Returns
    -------
    list of dict
        One dict per grid point; the last parameter varies fastest.

    Raises
    ------
    ValueError
        If a parameter has no values or is given as a bare string/scalar, or
        explicit points are empty or name different parameters.
    """
    if isinstance(grid, Sequence) and not isinstance(grid, (str, bytes)):
        points = [dict(p) for p in grid if isinstance(p, Mapping)]
        if not points or len(points) != len(grid):
            raise ValueError("explicit grid points must be a non-empty list of mappings")
        names = set(points[0])
        if any(set(p) != names for p in points):
            raise ValueError("explicit grid points must all name the same parameters")
        return points
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a mapping of name -> values, got {type(grid).__name__}")
    names = list(grid)
    values = []
    for name in names:
        v = grid[name]
        if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
            raise ValueError(f"grid[{name!r}] must be a sequence of values, got {v!r}")
        v = list(v)
        if not v:
            raise ValueError(f"grid[{name!r}] is empty")
        values.append(v)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


class _Call:
    """Picklable wrapper: call ``fn(**params, seed=seed)`` and tidy its output."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn

    def __call__(self, job: tuple[dict[str, Any], int | None]) -> list[dict[str, Any]]:
        params, seed = job
        kwargs = dict(params) if seed is None else {**params, "seed": seed}
        out = self.fn(**kwargs)
        base = dict(params) if seed is None else {**params, "seed": seed}
        if isinstance(out, pd.DataFrame):
            return [{**base, **row} for row in out.to_dict("records")]
        if isinstance(out, Mapping):
            return [{**base, **out}]
        return [{**base, "value": out}]


def sweep(
    fn: Callable[..., Any],
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    seeds: Iterable[int] | None = None,
    n_jobs: int | None = None,
    cache: bool | str | os.PathLike[str] = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Evaluate ``fn`` over a parameter grid x seeds; return a tidy DataFrame.

    Parameters
    ----------
    fn : callable
        ``fn(**point)`` or, with ``seeds``, ``fn(**point, seed=seed)``. It
        returns a scalar (column ``value``), a mapping (one column per key) or
        a DataFrame (one output row per row). Randomness must come from the
        ``seed`` argument (e.g. ``np.random.default_rng(seed)``).
    grid : mapping of str to sequence, or sequence of mappings
        Parameter values; the sweep covers their Cartesian product. Or the
        points themselves (:func:`grid_points`), run in the order given.
    seeds : iterable of int, optional
        Seeds; every grid point runs once per seed.
    n_jobs : int, optional
        Workers (joblib semantics). ``None`` defers to ``joblib.parallel_config``.
    cache : bool or path, default False
        ``True`` caches each call in :func:`cache_dir` ``/ "sweeps"``; a path
        caches there, in a subfolder named by :func:`code_fingerprint`. Keyed on
        ``fn``'s code and arguments by :class:`joblib.Memory`, so editing ``fn`` or
        any ``helpers`` module invalidates its entries.
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        One row per call (or per returned row): grid parameters, ``seed``
        (when seeds are given), then the outputs. Rows follow grid order,
        seeds fastest.

    Examples
    --------
    >>> import numpy as np
    >>> def mean_of_draws(n, seed):
    ...     return np.random.default_rng(seed).normal(size=n).mean()
    >>> df = sweep(mean_of_draws, {"n": [10, 1000]}, seeds=[0, 1])
    >>> list(df.columns)
    ['n', 'seed', 'value']
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    points = grid_points(grid)
    seed_list: list[int | None] = [None] if seeds is None else [int(s) for s in seeds]
    if not seed_list:
        raise ValueError("seeds is empty; pass None to run each grid point once without a seed")
    target = fn
    if cache:
        root = cache_dir() / "sweeps" if cache is True else Path(cache)
        location = root / f"{code_fingerprint()}-{numerics_key()}"
        target = joblib.Memory(location=location, verbose=0).cache(fn)
    jobs = [(p, s) for p in points for s in seed_list]
    chunks = parallel_map(_Call(target), jobs, n_jobs=n_jobs, progress=progress, desc="sweep")
    return pd.DataFrame([row for chunk in chunks for row in chunk])
