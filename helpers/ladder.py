r"""Model ladders: per-task metrics of a family of small runs, prepared for prediction.

The OLMo ladder (Bhagia et al. 2024, arXiv:2412.04403) trains 16 small runs (190M to
1.3B parameters, 1 to 10 x Chinchilla tokens) and predicts a large target's task accuracy
in two steps: (N, D) -> task loss (bits per byte of the correct answer) with a
Chinchilla-form law, then task loss -> accuracy with a sigmoid. This module reads the
per-task columns of :func:`helpers.data.load_olmo_ladder_runs` /
:func:`helpers.data.load_olmo_ladder_targets` the way the released code does
(``src/scaling/utils.py``, ``task_utils.py`` at commit 67a3f44):

* a task may average several columns: MMLU is the subject-weighted mean of its four
  subject groups (weights 0.215, 0.335, 0.219, 0.231, ``WEIGHT_BY_KEY``);
* step 1 uses, per run, the mean of the last ``moving_avg`` checkpoints;
* step 2 uses every checkpoint after the first ``skip_perc`` of each run, smoothed by a
  trailing moving average (:func:`moving_average`, upstream's definition).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "LADDER_TASKS",
    "METRICS",
    "STEP1_START",
    "final_values",
    "moving_average",
    "step2_points",
    "task_metric",
    "two_step_prediction",
    "two_step_predictions",
]

_MMLU = ["mmlu_stem_test", "mmlu_humanities_test", "mmlu_social_sciences_test", "mmlu_other_test"]
_MMLU_WEIGHTS = [0.215, 0.335, 0.219, 0.231]

#: Task name -> (column stems, weights, chance accuracy). The eight tasks of the paper's
#: main table (upstream ``v2_main``) plus BoolQ and WinoGrande (logged, not predicted).
LADDER_TASKS: dict[str, tuple[list[str], list[float], float]] = {
    "mmlu": (_MMLU, _MMLU_WEIGHTS, 0.25),
    "hellaswag": (["hellaswag_val"], [1.0], 0.25),
    "arc_challenge": (["arc_challenge_test"], [1.0], 0.25),
    "arc_easy": (["arc_easy_test"], [1.0], 0.25),
    "piqa": (["piqa_val"], [1.0], 0.5),
    "csqa": (["csqa_val"], [1.0], 0.2),
    "socialiqa": (["socialiqa_val"], [1.0], 1 / 3),
    "openbookqa": (["openbookqa_test"], [1.0], 0.25),
    "boolq": (["boolq_val"], [1.0], 0.5),
    "winogrande": (["winogrande_val"], [1.0], 0.5),
}
#: Metrics: task loss (bits per byte of the correct continuation), accuracy, and
#: p_choices(correct) (the probability of the correct option renormalised over options).
METRICS = ("bpb", "accuracy", "p_choices")

Metric = Literal["bpb", "accuracy", "p_choices"]


#: Upstream's start for step 1 (``src/scripts/step1.py``: ``p0 = [3.0, 6.0, 0.1, 0.2, 1.0]``
#: for ``ln A, ln B, alpha, beta, E``). The 16 task-loss points leave the law with several
#: local optima; from Hoffmann et al.'s grid, 16 refinements end elsewhere for CSQA.
STEP1_START = {
    "A": float(np.exp(3.0)),
    "B": float(np.exp(6.0)),
    "alpha": 0.1,
    "beta": 0.2,
    "E": 1.0,
}


def _columns(task: str, metric: str) -> tuple[list[str], list[float]]:
    if task not in LADDER_TASKS:
        raise ValueError(f"unknown ladder task {task!r}; known tasks: {sorted(LADDER_TASKS)}")
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; known metrics: {METRICS}")
    stems, weights, _ = LADDER_TASKS[task]
    if metric == "bpb":
        cols = [f"eval/downstream_bpb/{s}_rc_5shot_bpb" for s in stems]
    elif metric == "p_choices":
        cols = [f"eval/downstream_soft/{s}_rc_5shot_soft" for s in stems]
    else:
        suffix = "acc" if task == "boolq" else "len_norm"
        cols = [f"eval/downstream/{s}_rc_5shot_{suffix}" for s in stems]
    return cols, weights


def task_metric(table: pd.DataFrame, task: str, metric: Metric = "bpb") -> pd.Series:
    """One task's metric for every row (checkpoint) of a ladder table.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`helpers.data.load_olmo_ladder_runs` or ``load_olmo_ladder_targets``.
    task : str
        A key of :data:`LADDER_TASKS`.
    metric : {"bpb", "accuracy", "p_choices"}
        See :data:`METRICS`.

    Returns
    -------
    pandas.Series
        The (weighted) mean over the task's columns, aligned with ``table``.

    Raises
    ------
    ValueError
        For an unknown task or metric (the known ones are listed), or when the table
        lacks a column the task needs.
    """
    cols, weights = _columns(task, metric)
    missing = [c for c in cols if c not in table]
    if missing:
        raise ValueError(f"table has no column {missing[0]!r}; is it an OLMo-ladder table?")
    values = table[cols].to_numpy(dtype=float)
    return pd.Series(values @ np.asarray(weights) / np.sum(weights), index=table.index, name=task)


def moving_average(values: ArrayLike, n: int) -> np.ndarray:
    """Trailing moving average over ``n`` points, partial at the start (upstream's definition).

    Element ``i`` is the mean of elements ``max(0, i - n + 1) .. i``.
    """
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"values must be 1-D, got shape {arr.shape}")
    if int(n) < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    c = np.cumsum(arr)
    out = c.copy()
    out[n:] = c[n:] - c[:-n]
    return out / np.minimum(np.arange(1, arr.size + 1), n)


def _runs(table: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    keys = ["size", "chinchilla_multiple"]
    return list(table.groupby(keys, sort=False, dropna=False))


def final_values(
    table: pd.DataFrame, task: str, metrics: tuple[str, ...] = METRICS, *, moving_avg: int = 1
) -> pd.DataFrame:
    """Per run, the mean of each metric over its last ``moving_avg`` checkpoints.

    Parameters
    ----------
    table : pandas.DataFrame
        A ladder table (one row per checkpoint).
    task : str
        A key of :data:`LADDER_TASKS`.
    metrics : tuple of str
        Metrics to return (default all of :data:`METRICS`).
    moving_avg : int, default 1
        Checkpoints averaged at the end of each run (the paper's step 1 uses 5).

    Returns
    -------
    pandas.DataFrame
        One row per run: ``size``, ``chinchilla_multiple``, ``params_N``, ``tokens_D``
        and ``flops_C`` of the last checkpoint, then one column per metric.
    """
    if int(moving_avg) < 1:
        raise ValueError(f"moving_avg must be >= 1, got {moving_avg}")
    values = {m: task_metric(table, task, m) for m in metrics}
    rows = []
    for (size, mult), run in _runs(table):
        last = run.index[-int(moving_avg) :]
        rows.append(
            {
                "size": size,
                "chinchilla_multiple": mult,
                "params_N": float(run["params_N"].iloc[-1]),
                "tokens_D": float(run["tokens_D"].iloc[-1]),
                "flops_C": float(run["flops_C"].iloc[-1]),
                **{m: float(v.loc[last].mean()) for m, v in values.items()},
            }
        )
    return pd.DataFrame(rows)


def step2_points(
    table: pd.DataFrame, task: str, *, skip_perc: float = 0.1, moving_avg: int = 5
) -> pd.DataFrame:
    """Task loss and accuracy of every checkpoint, prepared as the ladder's step 2 does.

    Per run: drop the first ``ceil(skip_perc * n)`` checkpoints, then smooth both series
    with :func:`moving_average`.

    Returns
    -------
    pandas.DataFrame
        Columns ``size``, ``chinchilla_multiple``, ``bpb``, ``accuracy``.
    """
    if not 0 <= skip_perc < 1:
        raise ValueError(f"skip_perc must be in [0, 1), got {skip_perc}")
    bpb, acc = task_metric(table, task, "bpb"), task_metric(table, task, "accuracy")
    frames = []
    for (size, mult), run in _runs(table):
        keep = run.index[int(np.ceil(skip_perc * len(run))) :]
        frames.append(
            pd.DataFrame(
                {
                    "size": size,
                    "chinchilla_multiple": mult,
                    "bpb": moving_average(bpb.loc[keep].to_numpy(), moving_avg),
                    "accuracy": moving_average(acc.loc[keep].to_numpy(), moving_avg),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def two_step_prediction(
    runs: pd.DataFrame,
    target: pd.DataFrame,
    task: str,
    *,
    moving_avg: int = 5,
    skip_perc: float = 0.1,
) -> dict[str, float]:
    r"""The ladder's two-step prediction of one task for one target model.

    Step 1 fits :math:`L(N, D) = E + A N^{-\alpha} + B D^{-\beta}` to each ladder run's
    final task loss (mean of its last ``moving_avg`` checkpoints) with the engine's
    Chinchilla law (Huber, :math:`\delta = 10^{-3}`, log residuals: upstream's
    ``get_coefficients_huber``), from upstream's single start :data:`STEP1_START`. Step 2
    fits :data:`helpers.links.LADDER_SIGMOID` by least
    squares to the smoothed (task loss, accuracy) points of every run
    (:func:`step2_points`) plus upstream's "ideal" point (loss 0, accuracy 1). The
    prediction chains them at the target's (N, D).

    Parameters
    ----------
    runs : pandas.DataFrame
        Ladder runs (:func:`helpers.data.load_olmo_ladder_runs`).
    target : pandas.DataFrame
        The target model's checkpoints (one ``size`` of
        :func:`helpers.data.load_olmo_ladder_targets`); its "actual" values are the
        means of its last ``moving_avg`` checkpoints, as upstream reports them.
    task : str
        A key of :data:`LADDER_TASKS`.
    moving_avg : int, default 5
        Checkpoints averaged (step 1, target) and smoothing window (step 2).
    skip_perc : float, default 0.1
        Share of each run's early checkpoints left out of step 2.

    Returns
    -------
    dict of str to float
        ``bpb`` and ``accuracy`` of the target; ``bpb_pred`` (step 1), ``step2_pred``
        (step 2 at the true task loss), ``chained_pred`` (step 2 at the predicted loss).
    """
    if target["size"].nunique() != 1:
        raise ValueError(f"target must hold one model, got sizes {sorted(target['size'].unique())}")
    out = two_step_predictions(runs, target, task, moving_avg=moving_avg, skip_perc=skip_perc)
    return {k: float(v) for k, v in out.iloc[0].items()}


def two_step_predictions(
    runs: pd.DataFrame,
    targets: pd.DataFrame,
    task: str,
    *,
    moving_avg: int = 5,
    skip_perc: float = 0.1,
) -> pd.DataFrame:
    """:func:`two_step_prediction` for every model in ``targets``, fitting each step once.

    Parameters
    ----------
    runs, task, moving_avg, skip_perc
        As for :func:`two_step_prediction`.
    targets : pandas.DataFrame
        Checkpoints of one or more target models (``size`` tells them apart), e.g. all
        of :func:`helpers.data.load_olmo_ladder_targets`.

    Returns
    -------
    pandas.DataFrame
        One row per target ``size`` (in order of appearance), with the columns of the
        dict :func:`two_step_prediction` returns.
    """
    from . import fitting
    from .links import LADDER_SIGMOID

    if len(targets) == 0:
        raise ValueError("targets is empty")
    final = final_values(runs, task, ("bpb",), moving_avg=moving_avg)
    step1 = fitting.fit_chinchilla(
        final["params_N"].to_numpy(),
        final["tokens_D"].to_numpy(),
        final["bpb"].to_numpy(),
        init=STEP1_START,
        max_nfev=2000,
    )
    pts = step2_points(runs, task, skip_perc=skip_perc, moving_avg=moving_avg)
    x2 = np.append(pts["bpb"].to_numpy(), 0.0)
    y2 = np.append(pts["accuracy"].to_numpy(), 1.0)  # upstream's "ideal" point
    step2 = fitting.fit_law(x2, y2, law=LADDER_SIGMOID, delta=np.inf)
    rows = {}
    for size, target in targets.groupby("size", sort=False):
        actual = final_values(target, task, ("bpb", "accuracy"), moving_avg=moving_avg).iloc[0]
        bpb_pred = float(step1.predict(actual["params_N"], actual["tokens_D"]))
        rows[size] = {
            "bpb": float(actual["bpb"]),
            "bpb_pred": bpb_pred,
            "accuracy": float(actual["accuracy"]),
            "step2_pred": float(step2.predict(actual["bpb"])),
            "chained_pred": float(step2.predict(bpb_pred)),
        }
    return pd.DataFrame(rows).T
