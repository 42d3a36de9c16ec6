"""Small parsing helpers shared by the loaders (sizes, compute, column order)."""

from __future__ import annotations

import re

import pandas as pd

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def parse_size(label: str) -> float:
    """'2.8B' -> 2.8e9, '125m' -> 1.25e8 (case-insensitive, surrounding spaces ignored)."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([kmbt])\s*", str(label), flags=re.IGNORECASE)
    if not match:
        raise ValueError(f"cannot parse a model size from {label!r} (expected e.g. '2.8B')")
    return float(match.group(1)) * _SUFFIX[match.group(2).lower()]


def with_compute(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``flops_C = 6 * params_N * tokens_D`` (the usual training-compute estimate)."""
    return df.assign(flops_C=6.0 * df["params_N"] * df["tokens_D"])


def front(df: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Put the columns ``first`` first, keep the others in their order."""
    return df[first + [c for c in df.columns if c not in first]]
