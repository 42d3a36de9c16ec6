"""Another reader's machine: rerun a chapter under other numerics and other seeds.

A verdict is a finding only if it survives another reader's machine. Two
things differ between machines without anyone choosing them:

* the BLAS kernel (OpenBLAS picks one per CPU: SkylakeX on AVX-512, Haswell on
  AVX2, ...; Apple silicon uses Accelerate), which changes the order of
  floating-point sums and so the last bits of every matrix product;
* numpy's SIMD path (numpy dispatches its loops to the widest instruction set
  the CPU has), with the same effect on reductions and transcendental functions.

:func:`other_machine_env` returns environment variables that move both for a
process started with them: ``OPENBLAS_CORETYPE`` set to a kernel one level
below the CPU's own (one the CPU can run), and ``NPY_DISABLE_CPU_FEATURES``
naming every dispatchable feature above numpy's baseline. :func:`move_seeds`
moves every seed knob of a chapter's ``parameters`` cell, and
:func:`run_elsewhere` executes a chapter with both, so that its
``card.check()`` runs on "another machine" with other seeds.
``scripts/check-robustness`` runs it from the shell; CI runs the same change in
its JupyterLab test.

No design makes every verdict survive every machine: a statement whose effect
is small beside the noise between seeds decides on some seed sets and not on
others, however the interval is built. :func:`replicates_needed` is the power
analysis that says how many seeds a verdict needs to come out the same on
another machine, from a pilot's per-seed values; a scorecard row with fewer
is *inconclusive* by design (``Statement(replicates=, replicates_needed=)``).
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "SEED_OFFSET",
    "lower_openblas_coretype",
    "move_seeds",
    "narrowed_simd_features",
    "other_machine_env",
    "replicates_needed",
    "run_elsewhere",
    "verdict_stability",
]

#: How far every seed knob is moved (10: a knob whose seeds span fewer than 10 values
#: shares none with the book's; a chapter keeps its knobs 10 apart so that they do not meet).
SEED_OFFSET = 10

# OpenBLAS x86-64 kernels, newest first, with the CPU flag that each needs.
_KERNELS = (
    ("SkylakeX", "avx512f"),
    ("Haswell", "avx2"),
    ("Sandybridge", "avx"),
    ("Nehalem", "sse4_2"),
    ("Prescott", "sse3"),
)


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    match = re.search(r"^flags\s*:\s*(.*)$", text, re.M)
    return set(match.group(1).split()) if match else set()


def lower_openblas_coretype(flags: set[str] | None = None) -> str | None:
    """The OpenBLAS kernel one level below the one this CPU would pick.

    Parameters
    ----------
    flags : set of str, optional
        CPU flags as in ``/proc/cpuinfo`` (read from there by default).

    Returns
    -------
    str or None
        ``"Haswell"`` on an AVX-512 CPU, ``"Sandybridge"`` on AVX2, ... ;
        ``None`` where no lower x86-64 kernel applies (another architecture,
        or flags unknown): the BLAS is then left as it is.

    Examples
    --------
    >>> lower_openblas_coretype({"sse3", "sse4_2", "avx", "avx2"})
    'Sandybridge'
    """
    flags = _cpu_flags() if flags is None else set(flags)
    own = next((i for i, (_, flag) in enumerate(_KERNELS) if flag in flags), None)
    if own is None or own + 1 >= len(_KERNELS):
        return None
    return _KERNELS[own + 1][0]


def narrowed_simd_features() -> str:
    """numpy's dispatchable CPU features that this CPU has, as one string.

    Passed as ``NPY_DISABLE_CPU_FEATURES``, it sends every numpy loop to its
    baseline implementation (numpy refuses to disable a baseline feature, so
    only dispatched ones are named). Empty where there is nothing to narrow.
    """
    from numpy._core import _multiarray_umath as mu

    have = mu.__cpu_features__
    return " ".join(f for f in mu.__cpu_dispatch__ if have.get(f))


def other_machine_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a process that computes as another reader's machine would.

    Parameters
    ----------
    base : mapping, optional
        The environment to start from (``os.environ`` by default).

    Returns
    -------
    dict
        ``base`` with ``OPENBLAS_CORETYPE`` (see :func:`lower_openblas_coretype`)
        and ``NPY_DISABLE_CPU_FEATURES`` (see :func:`narrowed_simd_features`)
        set, where they apply, and ``SCALING_BOOK_OTHER_MACHINE=1``.
    """
    env = dict(os.environ if base is None else base)
    kernel = lower_openblas_coretype()
    if kernel:
        env["OPENBLAS_CORETYPE"] = kernel
    features = narrowed_simd_features()
    if features:
        env["NPY_DISABLE_CPU_FEATURES"] = features
    env["SCALING_BOOK_OTHER_MACHINE"] = "1"
    return env


def verdict_stability(effect: float, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """How often a t-interval over ``n`` replicates decides, on either side.

    For replicates drawn from a normal distribution whose mean lies ``effect``
    standard deviations beyond the threshold (Cohen's *d*), the Student-t
    interval at ``level`` lies wholly above the threshold with the first
    probability and wholly below it with the second (the noncentral t
    distribution with ``n - 1`` degrees of freedom and noncentrality
    ``effect * sqrt(n)``; the power of a two-sided one-sample t-test).

    Parameters
    ----------
    effect : float
        (mean - threshold) / standard deviation of one replicate.
    n : int
        Replicates (seeds) per verdict, at least 2.
    level : float, default 0.95

    Returns
    -------
    (above, below) : tuple of float
        Probabilities that the interval lies above / below the threshold.

    Examples
    --------
    >>> above, below = verdict_stability(1.0, 16)
    >>> round(above, 3), below < 1e-6
    (0.962, True)
    """
    from scipy import stats

    if isinstance(n, bool) or int(n) != n or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    if not np.isfinite(effect):
        raise ValueError(f"effect must be finite, got {effect!r}")
    df, nc = int(n) - 1, float(effect) * np.sqrt(n)
    t = stats.t.ppf((1 + level) / 2, df)
    return float(stats.nct.sf(t, df, nc)), float(stats.nct.cdf(-t, df, nc))


def replicates_needed(
    values: Sequence[float] | np.ndarray,
    *,
    threshold: float = 0.0,
    level: float = 0.95,
    stability: float = 0.95,
    max_n: int = 200,
) -> int:
    """Seeds a verdict needs to come out the same on another reader's machine.

    A power analysis from a pilot: ``values`` are per-replicate values of a
    statistic (one per seed, pooled over machines), whose standardised effect
    ``d = (mean - threshold) / sd`` is taken as the truth. The answer is the
    smallest ``n`` for which a ``level`` t-interval over ``n`` new replicates
    lands on the same side of ``threshold`` with probability at least
    ``stability`` (:func:`verdict_stability`). Below it, the interval decides on
    some seed sets (and BLAS kernels, which act like another seed on trained
    models) and not on others: a verdict from it is not a finding.

    Parameters
    ----------
    values : array (m,)
        The pilot's per-replicate values, m >= 3.
    threshold : float, default 0.0
        Where the statement's verdict changes side.
    level : float, default 0.95
        Level of the interval the verdict uses.
    stability : float, default 0.95
        Required probability of the same decided verdict.
    max_n : int, default 200
        Largest design considered.

    Returns
    -------
    int
        The smallest such ``n`` (>= 2); ``max_n + 1`` when none up to ``max_n``
        is stable: the effect is too close to the threshold for any design
        considered, and the verdict stays inconclusive.

    Examples
    --------
    >>> z = np.random.default_rng(0).normal(size=1000)
    >>> z = (z - z.mean()) / z.std(ddof=1)     # mean 0, sd 1 exactly
    >>> replicates_needed(0.5 + z)              # d = 0.5: a t-test at 95% power
    54
    >>> replicates_needed(z)                    # no effect: no design decides
    201
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size < 3:
        raise ValueError(f"need a 1-d pilot of at least 3 replicates, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("pilot values must be finite")
    if not 0 < stability < 1:
        raise ValueError(f"stability must lie in (0, 1), got {stability!r}")
    if isinstance(max_n, bool) or int(max_n) != max_n or max_n < 2:
        raise ValueError(f"max_n must be an integer >= 2, got {max_n!r}")
    sd = v.std(ddof=1)
    if sd == 0:
        return 2 if v[0] != threshold else int(max_n) + 1
    effect = (v.mean() - threshold) / sd
    for n in range(2, int(max_n) + 1):
        if max(verdict_stability(effect, n, level=level)) >= stability:
            return n
    return int(max_n) + 1


class _SeedMover(ast.NodeTransformer):
    def __init__(self, offset: int) -> None:
        self.offset = offset

    def shift(self, node: ast.expr) -> ast.expr | None:
        """The moved value of a literal seed expression; None if it is not one."""
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return ast.Constant(node.value + self.offset)
        if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
            moved = [self.shift(e) for e in node.elts]
            if all(m is not None for m in moved):
                return type(node)(elts=moved, ctx=ast.Load())
            return None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"range", "tuple", "list"}
            and len(node.args) >= 1
            and not node.keywords
        ):
            args = node.args
            if node.func.id == "range" and len(args) == 1:
                if isinstance(args[0], ast.Constant) and type(args[0].value) is int:
                    return ast.Call(
                        func=node.func,
                        args=[ast.Constant(self.offset), ast.Constant(args[0].value + self.offset)],
                        keywords=[],
                    )
                return None
            if node.func.id == "range" and len(args) in (2, 3):
                moved = [self.shift(a) for a in args[:2]]
                if all(m is not None for m in moved):
                    return ast.Call(func=node.func, args=[*moved, *args[2:]], keywords=[])
                return None
            if node.func.id in {"tuple", "list"} and len(args) == 1:
                inner = self.shift(args[0])
                if inner is not None:
                    return ast.Call(func=node.func, args=[inner], keywords=[])
        return None


def _is_seed_knob(name: str) -> bool:
    """An upper-case name with SEED in it, and not a count of seeds (``N_SEEDS``)."""
    return name.isupper() and "SEED" in name and not name.startswith(("N_", "NUM_"))


def move_seeds(source: str, offset: int = SEED_OFFSET) -> tuple[str, list[str]]:
    """Move every seed knob of a ``parameters`` cell by ``offset``.

    A seed knob is a top-level assignment to an upper-case name containing
    ``SEED`` (not a count such as ``N_SEEDS``) whose value is a literal: an
    int (``SEED = 0`` → ``10``), a tuple or list of ints (each moved), or a
    ``range`` of literals (``range(8)`` → ``range(10, 18)``, the same number
    of seeds). A knob computed from another (``SEEDS = range(SEED, SEED + 3)``)
    is left alone: it follows the one it is computed from. Only the value's
    text changes; comments stay.

    Parameters
    ----------
    source : str
        The cell's source.
    offset : int
        How far to move each seed.

    Returns
    -------
    source : str
        The cell with its seeds moved.
    moved : list of str
        ``"NAME: old -> new"`` for every knob moved (empty if none).

    Raises
    ------
    SyntaxError
        If ``source`` is not Python.
    """
    tree = ast.parse(source)
    mover = _SeedMover(offset)
    lines = source.splitlines(keepends=True)
    edits = []  # (line, start column, end column, new text, what moved)
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target, value = node.targets[0], node.value
        if not (isinstance(target, ast.Name) and _is_seed_knob(target.id)):
            continue
        new = mover.shift(value)
        if new is None or value.lineno != value.end_lineno:
            continue  # computed from another knob, or a literal over several lines
        old_text, new_text = ast.get_source_segment(source, value), ast.unparse(new)
        label = f"{target.id}: {old_text} -> {new_text}"
        edits.append((value.lineno - 1, value.col_offset, value.end_col_offset, new_text, label))
    for line, start, end, new_text, _ in reversed(edits):  # right to left keeps offsets valid
        b = lines[line].encode()  # ast offsets count UTF-8 bytes
        lines[line] = (b[:start] + new_text.encode() + b[end:]).decode()
    return "".join(lines), [e[-1] for e in edits]


def run_elsewhere(
    notebook: str | os.PathLike[str],
    offset: int = SEED_OFFSET,
    timeout: int = 900,
) -> dict[str, Any]:
    """Execute a chapter as another reader's machine would, with its seeds moved.

    The chapter's ``parameters`` cell gets :func:`move_seeds`; the kernel
    starts with :func:`other_machine_env`. Every cell runs, so the chapter's
    ``card.check()`` raises (and this function with it) if a verdict flips.
    A last cell, not saved anywhere, runs the chapter's self-checks
    (``ex.verify()``, when the chapter has a register ``ex``) and reports the BLAS
    kernel and numpy SIMD features the kernel really used.

    Parameters
    ----------
    notebook : path
        The chapter (``book/NN_slug.ipynb``); it runs in its own folder.
    offset : int
        How far every seed knob moves.
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    dict
        ``moved`` (the knobs moved), ``env`` (the two variables set),
        ``kernel`` (what the kernel reports: ``blas`` architectures and
        ``simd`` features in use).

    Raises
    ------
    FileNotFoundError
        If the notebook does not exist.
    nbclient.exceptions.CellExecutionError
        If a cell fails: a flipped verdict fails ``card.check()``.
    """
    import json

    import nbformat
    from nbclient import NotebookClient

    path = Path(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {path}")
    nb = nbformat.read(path, as_version=4)
    moved: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source, moved = move_seeds(cell.source, offset)
            break
    probe = (
        "if 'ex' in globals() and hasattr(ex, 'verify'):\n"
        "    ex.verify()  # the chapter's self-checks pass on this machine's state too\n"
        "import json as _j, numpy._core._multiarray_umath as _mu\n"
        "from threadpoolctl import threadpool_info as _ti\n"
        "print(_j.dumps({'blas': sorted({i.get('architecture') or '?' for i in _ti()\n"
        "    if i.get('user_api') == 'blas'}), 'simd': [f for f in _mu.__cpu_dispatch__\n"
        "    if _mu.__cpu_features__.get(f)]}))"
    )
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    env = other_machine_env()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=env)
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return {
        "moved": moved,
        "env": {k: env[k] for k in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES") if k in env},
        "kernel": json.loads(out.strip().splitlines()[-1]),
    }
