"""BETR (Mizrahi et al. 2025): law parameters (App. F), compute multipliers (Table 5)."""

from __future__ import annotations

import pandas as pd

from .resolve import read_csv

__all__ = ["load_betr_compute_multipliers", "load_betr_laws"]

BETR_KEY = "betr_nemotron_cc_laws.csv"
_BETR_KEEP = {"none": 1.0, "top3": 0.03, "top10": 0.10, "top30": 0.30}


def load_betr_laws() -> pd.DataFrame:
    """Load the BETR Nemotron-CC scaling-law parameters (Mizrahi et al. 2025).

    Transcribed from arXiv:2507.12466 v1, Appendix F, Table 12 (loss laws, log space)
    and Table 13 (accuracy-vs-loss sigmoids); see ``data/README.md``.

    Returns
    -------
    pandas.DataFrame
        44 rows = 4 filters x 11 targets. ``filter`` (``none``, ``top3``, ``top10``,
        ``top30``), ``keep_fraction`` (share of tokens kept: 1, 0.03, 0.10, 0.30),
        ``task`` (10 Core benchmarks or ``ValLoss``), ``a, b, e, alpha, beta`` for
        L(N, D) = exp(e) + exp(a) / N**alpha + exp(b) / D**beta (L in bits per byte of
        the correct answer, or the validation loss), and ``c1, c2, k, L0`` for
        Acc(L) = c1 / (1 + exp(-k (L - L0))) + c2 (NaN for ``ValLoss``).
    """
    table = read_csv(BETR_KEY)
    table.insert(1, "keep_fraction", table["filter"].map(_BETR_KEEP))
    return table


BETR_MULTIPLIERS_KEY = "betr_compute_multipliers.csv"


def load_betr_compute_multipliers() -> pd.DataFrame:
    """Load the compute multipliers printed by Mizrahi et al. (2025), Table 5, transcribed.

    Returns
    -------
    pandas.DataFrame
        One row per (``pool``, ``method``, ``task``): ``compute_multiplier`` (float),
        ``printed`` (as printed, a str, for :func:`helpers.scorecard.printed_tolerance`),
        ``baseline`` (the recipe the multiplier is relative to: ``no filter``) and
        ``location``. ``task`` is ``Core`` (the 10-task average) or one Core task;
        per-task values are given for BETR Target-Core on Nemotron-CC only.
    """
    table = read_csv(BETR_MULTIPLIERS_KEY, dtype={"compute_multiplier": str})
    table.insert(4, "printed", table["compute_multiplier"])
    table["compute_multiplier"] = table["compute_multiplier"].astype(float)
    return table
