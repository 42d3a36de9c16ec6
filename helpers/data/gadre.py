"""Gadre et al. 2024 over-training testbed (mlfoundations/scaling): losses and task scores."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pandas as pd

from .resolve import keys, read_csv, read_json

__all__ = [
    "GADRE_17_TASKS",
    "load_gadre_downstream",
    "load_gadre_extrapolation_errors",
    "load_gadre_testbed",
]

GADRE_MODELS = "scaling/exp_data/models/"
GADRE_EVALS = "scaling/exp_data/evals/"
GADRE_METADATA_KEY = "scaling/exp_data/eval_metadata.csv"
_GADRE_DATASETS = {"c4_original": "c4", "rpj": "redpajama", "rw_original": "refinedweb"}
# The paper's "17-task split": tasks where some 0.154B model is >= 10 points above chance.
# Copied from scaling/constants.py::SUBSET of mlfoundations/scaling @ a003c49 (code, not data).
GADRE_17_TASKS = frozenset(
    "bigbench_operators pubmed_qa_labeled hellaswag_zeroshot boolq arc_easy coqa "
    "bigbench_dyck_languages lambada_openai bigbench_novel_concepts winograd "
    "bigbench_cs_algorithms commonsense_qa bigbench_qa_wikidata hellaswag copa squad "
    "piqa".split()
)


def _gadre_val_name(val_data: list[str]) -> str:
    """Name a validation set from its path, as upstream ``scaling/shared.py`` does.

    PROVENANCE (scaling): the set is named by its folder (``.../c4_val/shard-*.tar`` ->
    ``c4_val``), except German C4, named by its file (``.../de-en/val_de-en_100.tar``).
    """
    file = PurePosixPath(val_data[0])
    generic = file.stem.startswith("shard") or file.stem.isdigit()
    return file.parent.name if generic else file.stem


def load_gadre_testbed() -> pd.DataFrame:
    """Load the 104 models of Gadre et al. 2024 (arXiv:2403.08540), one row per model.

    Returns
    -------
    pandas.DataFrame
        104 rows sorted by dataset, size and multiplier. Columns: ``model`` (run name,
        e.g. ``rpj-d=96_l=8_h=4-1.0``), ``dataset`` (``c4``, ``redpajama``,
        ``refinedweb``), ``architecture``, ``params_N``, ``tokens_D``,
        ``chinchilla_multiplier`` (cc), ``token_multiplier_M`` (M = D/N = 20 cc),
        ``flops_C`` (= 6 N D), ``c4_eval_loss`` (the paper's "C4 eval" loss, validation
        set ``c4_val``), then ``<set>_loss`` for the other validation sets: ``openlm``,
        ``paloma_c4_en``, ``paloma_dolma_100_programing_languages``,
        ``paloma_falcon-refinedweb``, ``paloma_ptb``, ``paloma_redpajama``,
        ``val_de-en_100`` (German C4). Losses are mean next-token losses in nats/token.
    """
    rows = []
    for key in keys(GADRE_MODELS):
        run = read_json(key)
        hyper = run["hyperparameters"]
        n_params, n_tokens = float(hyper["params"]), float(hyper["tokens"])
        losses = {_gadre_val_name(r["val_data"]): r["loss"] for r in run["results"]}
        rows.append(
            {
                "model": run["name"],
                "dataset": _GADRE_DATASETS[run["dataset_name"]],
                "architecture": PurePosixPath(hyper["model"]).stem,
                "params_N": n_params,
                "tokens_D": n_tokens,
                "chinchilla_multiplier": float(hyper["chinchilla_multiplier"]),
                "token_multiplier_M": 20.0 * hyper["chinchilla_multiplier"],
                "flops_C": 6.0 * n_params * n_tokens,
                "c4_eval_loss": losses.pop("c4_val"),
                **{f"{name}_loss": loss for name, loss in sorted(losses.items())},
            }
        )
    table = pd.DataFrame(rows)
    order = ["dataset", "params_N", "chinchilla_multiplier"]
    return table.sort_values(order, ignore_index=True)


def load_gadre_downstream() -> pd.DataFrame:
    """Load the downstream accuracies of the Gadre et al. 2024 models, in long form.

    Returns
    -------
    pandas.DataFrame
        One row per (model, task): 104 models x 46 tasks. Columns ``model`` (joins
        :func:`load_gadre_testbed`), ``task``, ``accuracy`` (fraction in [0, 1]; top-1
        error is 1 - accuracy), ``random_baseline`` (chance accuracy as a fraction),
        ``task_category``, ``task_type``, ``n_shots`` and ``in_17_task_subset`` (the
        paper's 17-task split).
    """
    meta = read_csv(GADRE_METADATA_KEY)
    meta = pd.DataFrame(
        {
            "task": meta["Eval Task"],
            # PROVENANCE (scaling): eval_metadata.csv gives "Random baseline" in percent.
            "random_baseline": meta["Random baseline"] / 100.0,
            "task_category": meta["Task Category"],
            "task_type": meta["Task Type"],
            "n_shots": meta["#shots"],
        }
    )
    rows = []
    for key in keys(GADRE_EVALS):
        model = re.fullmatch(r"evaluation_(.+)_heavy\.json", PurePosixPath(key).name).group(1)
        scores = read_json(key)["eval_metrics"]["icl"]
        rows += [(model, task, float(acc)) for task, acc in scores.items()]
    long = pd.DataFrame(rows, columns=["model", "task", "accuracy"])
    long = long.merge(meta, on="task", how="left", validate="many_to_one")
    long["in_17_task_subset"] = long["task"].isin(GADRE_17_TASKS)
    return long.sort_values(["model", "task"], ignore_index=True)


GADRE_ERRORS_KEY = "gadre_extrapolation_errors.csv"


def load_gadre_extrapolation_errors() -> pd.DataFrame:
    """Load the extrapolation errors Gadre et al. (2024) print for their large targets.

    Transcribed (``data/README.md``): the relative errors of the predicted C4-eval loss of
    the 1.4B over-trained and 6.9B (M = 20) models (Fig. 5, one decimal), and of the
    predicted 17-task top-1 error of the RedPajama targets (the released notebook's
    printed output). Every row says what it was checked against.

    Returns
    -------
    pandas.DataFrame
        ``train_set`` (``c4``, ``redpajama``, ``refinedweb``), ``architecture`` (joins
        :func:`load_gadre_testbed`), ``params_N_label``, ``token_multiplier_M``,
        ``metric`` (``c4_eval_loss`` or ``top1_error_17_tasks``),
        ``relative_error_pct`` (percent, as printed), ``location``, ``checked_against``.
    """
    return read_csv(GADRE_ERRORS_KEY)
