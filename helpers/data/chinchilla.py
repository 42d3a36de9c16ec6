"""Chinchilla: Epoch's reconstruction of Hoffmann et al.'s runs, and published estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .resolve import read_csv

__all__ = ["epoch_bootstrap_indices", "load_chinchilla_estimates", "load_chinchilla_runs"]

CHINCHILLA_KEY = "analyzing-chinchilla/data/svg_extracted_data.csv"


def load_chinchilla_runs(drop_highest: int = 5) -> pd.DataFrame:
    """Load the Chinchilla training runs reconstructed by Epoch (Besiroglu et al. 2024).

    Hoffmann et al. (2022, arXiv:2203.15556) Fig. 4 (left), digitised from the SVG by
    Besiroglu, Erdil, Barnett & You (2024, arXiv:2404.10102): 245 runs.

    Parameters
    ----------
    drop_highest : int, default 5
        Drop the runs with the ``drop_highest`` highest losses the way Epoch does:
        keep ``loss < (drop_highest-th largest loss)``. With the default, 240 runs remain.
        Losses are quantised, so for other values ties may drop a few more runs. 0 keeps all.

    Returns
    -------
    pandas.DataFrame
        One row per run: ``params_N`` (parameters), ``tokens_D`` (tokens, = C / (6 N)),
        ``flops_C`` (training FLOPs) and ``loss_nats`` (final training loss, nats/token).
    """
    raw = read_csv(CHINCHILLA_KEY)
    if isinstance(drop_highest, bool) or not isinstance(drop_highest, (int, np.integer)):
        raise TypeError(f"drop_highest must be an int, got {type(drop_highest).__name__}")
    if not 0 <= drop_highest < len(raw):
        raise ValueError(f"drop_highest must be in [0, {len(raw) - 1}], got {drop_highest}")
    # PROVENANCE (analyzing-chinchilla): N and C are decoded from SVG pixel positions, the
    # loss from the colour bar; D is not stored and follows from C = 6 N D.
    runs = pd.DataFrame(
        {
            "params_N": raw["Model Size"],
            "tokens_D": raw["Training FLOP"] / (6.0 * raw["Model Size"]),
            "flops_C": raw["Training FLOP"],
            "loss_nats": raw["loss"],
        }
    )
    if drop_highest:
        threshold = np.sort(runs["loss_nats"].to_numpy())[-drop_highest]
        runs = runs[runs["loss_nats"] < threshold]
    return runs.reset_index(drop=True)


CHINCHILLA_ESTIMATES_KEY = "chinchilla_estimates.csv"


def load_chinchilla_estimates() -> pd.DataFrame:
    """Load published Chinchilla-law estimates, transcribed with table/cell references.

    Hoffmann et al. (2022, arXiv:2203.15556): App. D.2 Eq. 10 (printed parameters),
    Table 2 (allocation exponent ``a`` of the three approaches, with their 10th-90th
    percentile intervals), Sec. 4 (Chinchilla's own size and tokens). Besiroglu et al.
    (2024, arXiv:2404.10102): the plain Huber grid fit and the Huber-likelihood estimates
    with bootstrap standard errors and 95% intervals, as printed by their notebook
    ``data_analysis.ipynb`` (cells 18, 26, 59) at commit 9225883, and Hoffmann et al.'s
    unrounded fit as that notebook prints it (cell 16, estimate ``hoffmann2022_unrounded``:
    ``log_A``, ``log_B``, ``log_E`` as printed, plus ``A``, ``B``, ``E`` = their exponentials
    with an empty ``printed``).

    Returns
    -------
    pandas.DataFrame
        Long form, one row per (``estimate``, ``parameter``): ``value`` (float),
        ``printed`` (the number exactly as printed, a str, for
        :func:`helpers.scorecard.printed_tolerance`), ``se``, ``low``, ``high``,
        ``interval`` (what ``low``/``high`` are), ``source``, ``location``.
    """
    table = read_csv(CHINCHILLA_ESTIMATES_KEY, dtype={"value": str})
    table.insert(2, "printed", table["value"])
    table["value"] = table["value"].astype(float)
    # Epoch's cell 16 prints Hoffmann et al.'s unrounded fit on the log scale (log_A, log_B,
    # log_E); add E, A, B on the natural scale (printed "" : derived, not printed) so every
    # parameter set has the same five names.
    logs = table[table["parameter"].str.startswith("log_")]
    natural = logs.assign(
        parameter=logs["parameter"].str.removeprefix("log_"),
        value=np.exp(logs["value"]),
        printed="",
        location=logs["location"] + "; exp of the printed log value",
    )
    return pd.concat([table, natural], ignore_index=True)


def epoch_bootstrap_indices(n_boot: int = 4000, *, seed: int = 42) -> np.ndarray:
    """The resamples of Epoch's bootstrap, as rows of :func:`load_chinchilla_runs`.

    Besiroglu et al. (2024), ``data_analysis.ipynb`` cell 15 (epoch-research/
    analyzing-chinchilla @ 9225883): after ``np.random.seed(42)``, each of the 4,000
    resamples is ``np.random.choice(indices, size=240, replace=True)``, where ``indices``
    are the positions (in the 245-run file) of the 240 runs kept. This replays that
    legacy-generator stream (``RandomState(seed)`` draws the same numbers as the seeded
    global generator) and maps the positions to the rows of ``load_chinchilla_runs()``.

    Parameters
    ----------
    n_boot : int, default 4000
        Number of resamples (Epoch's first ``n_boot``).
    seed : int, default 42
        Epoch's seed.

    Returns
    -------
    numpy.ndarray of int, shape (n_boot, 240)
        Row positions into ``load_chinchilla_runs()`` (default ``drop_highest=5``).
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive int, got {n_boot!r}")
    losses = read_csv(CHINCHILLA_KEY)["loss"].to_numpy()
    keep = np.flatnonzero(losses < np.sort(losses)[-5])  # Epoch's `indices` (cell 15)
    row_of = np.full(len(losses), -1)
    row_of[keep] = np.arange(keep.size)  # position in the 245 -> row of the 240
    state = np.random.RandomState(seed)
    drawn = np.stack([state.choice(keep, size=keep.size, replace=True) for _ in range(n_boot)])
    return row_of[drawn]
