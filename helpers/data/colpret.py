"""ColPret (Choshen, Zhang & Andreas 2025): loss curves of many model families."""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd

from .resolve import read_csv
from .tidy import front, parse_size, with_compute

__all__ = ["load_colpret"]

# GPT-3 model labels -> parameters (Brown et al. 2020, Table 2.1).
_GPT3_PARAMS = {
    "small": 125e6,
    "medium": 350e6,
    "large": 760e6,
    "xl": 1.3e9,
    "2.7b": 2.7e9,
    "6.7b": 6.7e9,
    "13b": 13e9,
    "175b": 175e9,
}
# Tokens per optimizer step of the OLMo checkpoints in ColPret's olmo.csv. ColPret's loader
# assumes 4e6 for all; the Hugging Face revision names give 2048 x 2048 tokens for OLMo-1B
# ("step738000-tokens3095B") and 2160 x 2048 for OLMo-7B and 7B-Twin-2T
# ("step557000-tokens2464B"). (The `checkpoint` strings of the OLMo-1B rows repeat the 7B
# revision names, so they are not used.)
_OLMO_TOKENS_PER_STEP = {
    "OLMo-1B": 2048 * 2048,
    "OLMo-7B": 2160 * 2048,
    "OLMo-7B-Twin-2T": 2160 * 2048,
}


def _colpret_datablations(raw: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "run": raw["model_args"].map(lambda s: ast.literal_eval(s)["tensorboard"]),
            "dataset": raw["data"],
            "params_N": raw["num_params"].map(parse_size),  # stored as '2.8B'
            "epochs": raw["epochs"],
            "unique_tokens": raw["tokens_per_epoch"],
            "tokens_D": raw["token_num"].astype(float),
            "loss_nats": raw["loss"],
            "checkpoint": raw["checkpoint"],
        }
    )
    # PROVENANCE (ColPret): the stored `flops` decrease as tokens grow; recompute 6 N D.
    return front(with_compute(table), ["run", "dataset", "params_N", "epochs"])


def _colpret_datablations_contour(raw: pd.DataFrame) -> pd.DataFrame:
    # `flops` here is correct (= 6 N D); `checkpoint` is placeholder text and is dropped.
    return pd.DataFrame(
        {
            "run": raw["model_args"].map(lambda s: ast.literal_eval(s)["name"]),
            "dataset": raw["data"],
            "params_N": raw["num_params"],
            "epochs": raw["epochs"],
            "unique_tokens": raw["tokens_per_epoch"],
            "tokens_D": raw["token_num"],
            "flops_C": raw["flops"],
            "loss_nats": raw["openLM_loss"],
        }
    )


def _colpret_opt(raw: pd.DataFrame) -> pd.DataFrame:
    # PROVENANCE (ColPret): `num_token` and `flops` are log10 values; `ppl` is perplexity.
    return pd.DataFrame(
        {
            "model": "OPT-" + raw["model_size"],
            "params_N": raw["model_size"].map(parse_size),  # nominal size from the label
            "step": raw["steps"],
            "tokens_D": 10.0 ** raw["num_token"],
            "flops_C": 10.0 ** raw["flops"],
            "perplexity": raw["ppl"],
            "loss_nats": np.log(raw["ppl"]),
        }
    )


def _colpret_olmo(raw: pd.DataFrame) -> pd.DataFrame:
    model = raw["model_name"].str.strip()  # upstream writes 'OLMo-1B ' with a space
    table = raw.drop(columns=["model_name", "num_params", "Step", "checkpoint"]).assign(
        model=model,
        params_N=raw["num_params"].map(parse_size),  # nominal size ('1B', '7B')
        step=raw["Step"],
        tokens_D=raw["Step"] * model.map(_OLMO_TOKENS_PER_STEP).astype(float),
    )
    return front(with_compute(table), ["model", "params_N", "step", "tokens_D", "flops_C"])


def _colpret_gpt3(raw: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "model": "GPT-3-" + raw["model"],
            "params_N": raw["model"].map(_GPT3_PARAMS),
            # PROVENANCE (ColPret): `step` is tokens seen in billions.
            "tokens_D": raw["step"] * 1e9,
            "train_loss_nats": raw["train_loss"],
            "val_loss_nats": raw["val_loss"],
        }
    )
    return front(with_compute(table), ["model", "params_N", "tokens_D", "flops_C"])


_COLPRET = {
    "datablations": ("aggregated_eval/datablations_losses.csv", _colpret_datablations),
    "datablations_contour": (
        "aggregated_eval/datablations_contour_losses.csv",
        _colpret_datablations_contour,
    ),
    "opt": ("aggregated_eval/opt_trajectories.csv", _colpret_opt),
    "olmo": ("aggregated_eval/olmo.csv", _colpret_olmo),
    "gpt3": ("raw_data/gpt3/extracted.csv", _colpret_gpt3),
}


def load_colpret(name: str) -> pd.DataFrame:
    """Load one ColPret file (Choshen, Zhang & Andreas 2025, arXiv:2410.11840), fixed.

    Parameters
    ----------
    name : str
        ``"datablations"`` (loss curves of Muennighoff et al. 2023's data-constrained runs,
        2.8B/4.2B/8.7B on C4 or OSCAR, 1-44 epochs), ``"datablations_contour"`` (final
        losses of their smaller C4 runs), ``"opt"`` (OPT training trajectories),
        ``"olmo"`` (OLMo-1B/7B/7B-Twin-2T checkpoints) or ``"gpt3"`` (GPT-3 curves
        digitised from Brown et al. 2020).

    Returns
    -------
    pandas.DataFrame
        Always ``params_N``, ``tokens_D`` (tokens seen) and ``flops_C`` (6 N D, or the
        upstream value where it is right), plus per-file columns: ``loss_nats``
        (datablations, opt), ``train_loss_nats``/``val_loss_nats`` (gpt3, one of them per
        row), ``run``/``dataset``/``epochs``/``unique_tokens`` (datablations), ``model``,
        ``step``, ``perplexity`` (opt) and the wide upstream metric columns (olmo).
        Fixes: datablations ``flops`` recomputed; OPT ``num_token``/``flops`` un-logged and
        loss = ln(ppl); GPT-3 ``step`` (billions of tokens) converted to tokens; OLMo
        tokens from steps with the real batch sizes.
    """
    if name not in _COLPRET:
        raise ValueError(f"name must be one of {sorted(_COLPRET)}, got {name!r}")
    rel, tidy = _COLPRET[name]
    return tidy(read_csv(f"ColPret/{rel}"))
