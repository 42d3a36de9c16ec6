r"""The over-training testbed of Gadre et al. (2024): error averages, fitting sets, targets.

Gadre et al. (arXiv:2403.08540) train 104 models (0.011B-6.9B parameters, token
multipliers M = D/N from 5 to 640) and predict, from a few small runs, (1) the loss of
larger and over-trained runs with :math:`L(C, M) = E + (a M^\eta + b M^{-\eta}) C^{-\eta}`
and (2) their average top-1 downstream error with :math:`\text{Err}(L) = \epsilon -
k e^{-\gamma L}`. This module prepares the tables for those fits exactly as the released
code does (``scaling/shared.py``, ``fit_ds``, commit a003c49):

* top-1 error of a task is ``1 - accuracy``; the "46-task" error is the mean over all
  tasks, the "17-task" error the mean over the paper's subset;
* the loss law is fitted on 5 runs: the four smallest architectures at M = 20 and the
  smallest at M = 320 (Table 2 defaults);
* the error law is fitted on those 5 plus the 1.4B run at M = 20;
* the targets are the 1.4B model over-trained (M = 640 on RedPajama, 80 on C4, 320 on
  RefinedWeb) and the 6.9B model at M = 20.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from . import fitting

__all__ = [
    "DATASETS",
    "EXPONENTIAL_ERROR_SIGNED",
    "GADRE_LOSS_LINEAR",
    "LOSS_FIT_ARCHITECTURES",
    "TARGETS",
    "fit_sets",
    "slopes_by_multiplier",
    "subset_by_chance_margin",
    "with_errors",
]

#: Training sets of the testbed (as named by :func:`helpers.data.load_gadre_testbed`).
DATASETS = ("c4", "redpajama", "refinedweb")
#: Architectures of the loss-law fitting set (0.011B, 0.079B, 0.154B, 0.411B parameters).
LOSS_FIT_ARCHITECTURES = ("d=96_l=8_h=4", "d=512_l=8_h=4", "d=576_l=24_h=8", "d=1024_l=24_h=8")
#: Prediction targets per training set: (architecture, token multiplier M).
TARGETS = {
    "c4": (("open_lm_1b", 80.0), ("open_lm_7b", 20.0)),
    "redpajama": (("open_lm_1b", 640.0), ("open_lm_7b", 20.0)),
    "refinedweb": (("open_lm_1b", 320.0), ("open_lm_7b", 20.0)),
}


#: The engine's ``"gadre_loss"`` law fitted on *linear* residuals, as the released code fits
#: it (``scaling/laws.py``, ``curve_fit_powlaw_ours``: ``scipy.optimize.curve_fit``, least
#: squares on the loss itself, best of a small grid of starts). Registered as
#: ``"gadre_loss_linear"``; use it with ``delta=np.inf``.
GADRE_LOSS_LINEAR = fitting.register_law(
    dataclasses.replace(
        fitting.get_law("gadre_loss"), name="gadre_loss_linear", residuals="linear"
    ),
    replace=True,
)

#: The engine's ``"exponential_error"`` law with ``k`` and ``gamma`` free in sign, as the
#: released code fits it (``scaling/shared.py``, ``fit_ds``: unconstrained ``curve_fit``
#: from the default start). A task whose error *rises* as loss falls then gets a fitted
#: curve instead of a flat line. Registered as ``"exponential_error_signed"``.
EXPONENTIAL_ERROR_SIGNED = fitting.register_law(
    dataclasses.replace(
        fitting.get_law("exponential_error"), name="exponential_error_signed", positive=("eps",)
    ),
    replace=True,
)


def with_errors(testbed: pd.DataFrame, downstream: pd.DataFrame) -> pd.DataFrame:
    """Add the average top-1 errors to the testbed table.

    Parameters
    ----------
    testbed : pandas.DataFrame
        :func:`helpers.data.load_gadre_testbed` (one row per model).
    downstream : pandas.DataFrame
        :func:`helpers.data.load_gadre_downstream` (one row per model and task).

    Returns
    -------
    pandas.DataFrame
        ``testbed`` with ``err_46`` (mean top-1 error over all tasks), ``err_17`` (over
        the paper's 17-task subset) and one ``err:<task>`` column per task.
    """
    need = {"model", "task", "accuracy", "in_17_task_subset"}
    if not need <= set(downstream.columns):
        raise ValueError(f"downstream lacks columns {sorted(need - set(downstream.columns))}")
    err = 1.0 - downstream.pivot(index="model", columns="task", values="accuracy")
    subset = sorted(downstream.loc[downstream["in_17_task_subset"], "task"].unique())
    table = pd.DataFrame({"err_46": err.mean(axis=1), "err_17": err[subset].mean(axis=1)})
    table = table.join(err.add_prefix("err:"))
    missing = set(testbed["model"]) - set(table.index)
    if missing:
        raise ValueError(f"{len(missing)} testbed models have no evaluations, e.g. {min(missing)}")
    return testbed.join(table, on="model")


def fit_sets(
    table: pd.DataFrame, dataset: str = "redpajama", *, error_extra: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The paper's default fitting sets and prediction targets for one training set.

    Parameters
    ----------
    table : pandas.DataFrame
        Testbed rows (e.g. from :func:`with_errors`), all datasets or one.
    dataset : {"c4", "redpajama", "refinedweb"}
        Training set.
    error_extra : bool, default True
        Add the 1.4B, M = 20 run to the error-law set (the paper's default). ``False``
        fits the error law on the loss set only.

    Returns
    -------
    loss_set, error_set, targets : pandas.DataFrame
        5 rows, 6 rows (5 without the extra run) and 2 rows.

    Raises
    ------
    ValueError
        For an unknown dataset (the known ones are listed) or when a run is missing.
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; known datasets: {DATASETS}")
    rows = table[table["dataset"] == dataset]
    arch, mult = rows["architecture"], rows["token_multiplier_M"]
    loss_set = rows[
        (arch.isin(LOSS_FIT_ARCHITECTURES) & np.isclose(mult, 20.0))
        | ((arch == LOSS_FIT_ARCHITECTURES[0]) & np.isclose(mult, 320.0))
    ]
    extra = rows[(arch == "open_lm_1b") & np.isclose(mult, 20.0)]
    error_set = pd.concat([loss_set, extra]) if error_extra else loss_set
    targets = pd.concat([rows[(arch == a) & np.isclose(mult, m)] for a, m in TARGETS[dataset]])
    for name, frame, n in [
        ("loss", loss_set, 5),
        ("error", error_set, 5 + error_extra),
        ("target", targets, 2),
    ]:
        if len(frame) != n:
            raise ValueError(f"{dataset}: expected {n} runs in the {name} set, found {len(frame)}")
    return loss_set, error_set, targets


def subset_by_chance_margin(
    downstream: pd.DataFrame,
    testbed: pd.DataFrame,
    *,
    params: float = 0.154e9,
    margin: float = 0.10,
) -> list[str]:
    """Tasks where at least one model of a given size beats chance by ``margin``.

    Gadre et al. (Sec. 3.3) pick their 17-task split as the tasks on which some 0.154B
    model is at least 10 points above chance accuracy.

    Parameters
    ----------
    downstream, testbed : pandas.DataFrame
        As loaded by :mod:`helpers.data`.
    params : float, default 0.154e9
        Model size whose runs are checked (matched within 2%).
    margin : float, default 0.10
        Required accuracy above chance (a fraction).

    Returns
    -------
    list of str
        Task names, sorted.
    """
    sizes = testbed.set_index("model")["params_N"]
    near = downstream["model"].map(sizes).between(0.98 * params, 1.02 * params)
    if not near.any():
        raise ValueError(f"no model within 2% of {params:g} parameters")
    rows = downstream[near]
    above = rows["accuracy"] - rows["random_baseline"] >= margin
    return sorted(rows.loc[above, "task"].unique())


def slopes_by_multiplier(table: pd.DataFrame, E: float, *, loss: str = "c4_eval_loss") -> pd.Series:
    r"""Log-log slope of the reducible loss against compute, one per token multiplier.

    Gadre et al. (2024, §2.2) predict that at a fixed token multiplier ``M`` the
    reducible loss :math:`L - E` is :math:`K(M)\,C^{-\eta}`: a straight line in
    log-log axes whose slope :math:`-\eta` is the same for every ``M``. This fits
    :math:`\log(L - E) = \log K - s \log C` by least squares
    (:func:`helpers.fitting.fit_power_law`, ``delta=inf``) to the runs of each ``M``
    separately, so the shared-exponent assumption can be checked run by run.

    Parameters
    ----------
    table : pandas.DataFrame
        Testbed rows of one training set, with ``flops_C`` (FLOPs),
        ``token_multiplier_M`` and the ``loss`` column (nats/token).
    E : float
        Irreducible loss to subtract (nats/token), e.g. the fitted law's ``E``;
        every loss must exceed it.
    loss : str, default "c4_eval_loss"
        Loss column.

    Returns
    -------
    pandas.Series
        The fitted decay exponent ``s`` (positive: loss falls with compute), indexed
        by ``M``; ``s == eta`` for every ``M`` when the law holds exactly.

    Raises
    ------
    ValueError
        If a column is missing, a loss is not above ``E``, or some ``M`` has fewer
        than 3 runs (a slope from two points cannot be checked).
    """
    need = {"flops_C", "token_multiplier_M", loss}
    if not need <= set(table.columns):
        raise ValueError(f"table lacks columns {sorted(need - set(table.columns))}")
    if "dataset" in table.columns and table["dataset"].nunique() > 1:
        raise ValueError("pass the runs of one training set (several datasets found)")
    reducible = table[loss].to_numpy() - float(E)
    if not np.all(reducible > 0):
        raise ValueError(f"every loss must exceed E = {E!r}; the smallest is {table[loss].min()!r}")
    slopes = {}
    for m, g in table.assign(_red=reducible).groupby("token_multiplier_M"):
        if len(g) < 3:
            raise ValueError(f"M = {m:g} has {len(g)} runs; need at least 3 for a slope")
        fit = fitting.fit_power_law(g["flops_C"].to_numpy(), g["_red"].to_numpy(), delta=np.inf)
        slopes[float(m)] = fit["alpha"]
    return pd.Series(slopes, name="slope").rename_axis("token_multiplier_M")
