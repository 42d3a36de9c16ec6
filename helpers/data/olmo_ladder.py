"""The OLMo model ladder (Bhagia et al. 2024): ladder runs and target models."""

from __future__ import annotations

import re

import pandas as pd

from .resolve import read_csv, read_json
from .tidy import with_compute

__all__ = ["load_olmo_ladder_runs", "load_olmo_ladder_targets"]

OLMO_LADDER = "OLMo-ladder/"
OLMO_CONFIG_KEY = OLMO_LADDER + "src/scripts/paper/configs/final.json"


def _olmo_ladder(mode: str) -> pd.DataFrame:
    """Concatenate the ladder CSVs whose config entry has ``mode`` ('train' or 'eval')."""
    renamed = ["_step", "throughput/total_tokens", "throughput/total_training_Gflops"]
    frames = []
    for spec in read_json(OLMO_CONFIG_KEY).values():
        if spec["mode"] != mode:
            continue
        for rel in spec["paths"]:
            raw = read_csv(OLMO_LADDER + rel)
            multiple = re.search(r"-(\d+)xC\.csv$", rel)
            if "throughput/total_tokens" in raw:
                tokens = raw["throughput/total_tokens"].astype(float)
            else:
                # peteish13_eval_final.csv logs no token count: tokens = step x batch size
                # in tokens (8,388,608; 596,057 steps x 8.4M = 5.0T tokens, "13B-5T").
                tokens = raw["_step"] * raw["batch_size_in_tokens"].astype(float)
            front = pd.DataFrame(
                {
                    "size": spec["label"],
                    "params_N": float(spec["n"]),  # PROVENANCE: N only in configs/final.json
                    "chinchilla_multiple": int(multiple.group(1)) if multiple else pd.NA,
                    # peteish7_eval_anneal.csv: one final row without a step
                    "step": raw["_step"] if "_step" in raw else pd.NA,
                    "tokens_D": tokens,
                },
                index=raw.index,
            )
            front = with_compute(front)
            if "throughput/total_training_Gflops" in raw:
                front["flops_logged"] = raw["throughput/total_training_Gflops"] * 1e9
            rest = raw.drop(columns=[c for c in renamed if c in raw])
            frames.append(pd.concat([front, rest], axis=1))
    table = pd.concat(frames, ignore_index=True)
    return table.astype({"chinchilla_multiple": "Int64", "step": "Int64"})


def load_olmo_ladder_runs() -> pd.DataFrame:
    """Load the 16 OLMo ladder runs (Bhagia et al. 2024, arXiv:2412.04403) in long form.

    Sizes 190M, 370M, 760M, 1.3B, each trained to 1, 2, 5 and 10 x Chinchilla tokens
    (k x 20 tokens per parameter); one row per evaluated checkpoint.

    Returns
    -------
    pandas.DataFrame
        ``size`` (label), ``params_N`` (from ``configs/final.json``),
        ``chinchilla_multiple`` (k), ``step``, ``tokens_D`` (tokens seen),
        ``flops_C`` (= 6 N D), ``flops_logged`` (cumulative training FLOPs as logged,
        which count attention: about 1.3-1.7 x 6 N D), then the upstream metric columns
        unchanged: ``eval/<set>-validation/CrossEntropyLoss`` (nats/token),
        ``eval/downstream_bpb/*`` (bits per byte), ``eval/downstream/*`` (accuracy),
        ``eval/downstream_soft*/*``, learning-rate and batch-size columns.
    """
    return _olmo_ladder("train")


def load_olmo_ladder_targets() -> pd.DataFrame:
    """Load the two OLMo ladder prediction targets, 7B-4T and 13B-5T.

    Returns
    -------
    pandas.DataFrame
        Same leading columns as :func:`load_olmo_ladder_runs` (without ``flops_logged``;
        ``chinchilla_multiple`` is NaN; ``step`` is missing for the single annealed 7B
        row), then the metric columns, including the ``mc_5shot`` accuracies. 7B-4T:
        1 row; 13B-5T: 12 late checkpoints (the paper targets the mean of the last 5).
    """
    return _olmo_ladder("eval")
