"""Observational scaling laws (Ruan, Maddison & Hashimoto 2024): public models' benchmarks."""

from __future__ import annotations

import pandas as pd

from .resolve import read_csv

__all__ = ["load_obsscaling"]

_OBSSCALING_FILES = {
    "base": "base_llm_benchmark_eval.csv",
    "base_sub_10b": "base_llm_benchmark_eval_sub_10b.csv",
    "emergent": "base_llm_emergent_capability_eval.csv",
    "post_training": "base_llm_post_training_eval.csv",
    "leaderboard_v2": "base_llm_leaderboard_v2_eval.csv",
    "instruct": "instruct_llm_benchmark_eval.csv",
    "instruct_agent": "instruct_llm_agent_eval.csv",
}
_OBSSCALING_META = {  # column -> (new name, factor to absolute units)
    "Model": ("model", None),
    "Model Family": ("family", None),
    "Model Size (B)": ("params_N", 1e9),
    "Pretraining Data Size (T)": ("tokens_D", 1e12),
    "FLOPs (1E21)": ("flops_C", 1e21),
}


def load_obsscaling(which: str = "base") -> pd.DataFrame:
    """Load one ObsScaling table (Ruan, Maddison & Hashimoto 2024, arXiv:2405.10938).

    Parameters
    ----------
    which : str, default "base"
        ``"base"`` (148 base models x 8 benchmarks), ``"base_sub_10b"`` (92 models of at
        most 10B parameters), ``"emergent"`` (BIG-bench emergent tasks),
        ``"post_training"``, ``"leaderboard_v2"``, ``"instruct"`` (instruction-tuned
        models) or ``"instruct_agent"`` (agent benchmarks).

    Returns
    -------
    pandas.DataFrame
        ``model`` and, where present, ``family``, ``params_N`` (parameters),
        ``tokens_D`` (pretraining tokens) and ``flops_C`` (training FLOPs = 6 N D; NaN
        when the data size is unknown), then the score columns unchanged (fractions in
        [0, 1] unless PROVENANCE says otherwise).
    """
    if which not in _OBSSCALING_FILES:
        raise ValueError(f"which must be one of {sorted(_OBSSCALING_FILES)}, got {which!r}")
    raw = read_csv(f"ObsScaling/eval_results/{_OBSSCALING_FILES[which]}")
    if "Pretraining Data Size (T)" in raw:
        # PROVENANCE (ObsScaling): btlm-3b-8k-base has data size 627 "T" and FLOPs 11286e21,
        # i.e. 627 billion tokens entered as trillions (FLOPs 1000x too large). Fixed here
        # only while the bad values are present, so an upstream fix is not applied twice.
        bad = (raw["Model"] == "cerebras/btlm-3b-8k-base") & (
            raw["Pretraining Data Size (T)"] == 627.0
        )
        raw.loc[bad, ["Pretraining Data Size (T)", "FLOPs (1E21)"]] /= 1000.0
    table = raw.rename(columns={col: new for col, (new, _) in _OBSSCALING_META.items()})
    for new, factor in _OBSSCALING_META.values():
        if factor is not None and new in table:
            table[new] = table[new] * factor
    return table
