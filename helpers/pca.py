r"""Principal components of a score table with missing cells.

Observational scaling laws (Ruan, Maddison & Hashimoto 2024, arXiv:2405.10938, Sec. 3)
summarise each model by a few principal components ("capabilities") of its benchmark
scores. Public score tables have holes, which they fill by iterative low-rank PCA
imputation (released code ``utils/data.py``, ``pca_impute``): standardise each column,
start from the column means, then repeatedly fit a rank-``r`` PCA and replace only the
missing cells by the reconstruction, until the imputed cells stop moving. PCA proper
(:func:`pca`) then runs on the completed, unstandardised table, as in their code.

Plain NumPy (an SVD); no scikit-learn needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["PCAResult", "impute_pca", "pca"]


def _table(X: ArrayLike, allow_nan: bool) -> np.ndarray:
    arr = np.asarray(X, dtype=float)
    if arr.ndim != 2 or min(arr.shape) < 2:
        raise ValueError(
            f"X must be a 2-D table (rows x columns, each >= 2), got shape {arr.shape}"
        )
    if np.isinf(arr).any():
        raise ValueError("X has infinite values")
    if not allow_nan and np.isnan(arr).any():
        raise ValueError("X has missing (NaN) cells; fill them with impute_pca first")
    return arr


def impute_pca(
    X: ArrayLike, n_components: int = 1, *, tol: float = 1e-8, max_iter: int = 1000
) -> np.ndarray:
    """Fill the missing cells of a table by iterative rank-``n_components`` PCA.

    Parameters
    ----------
    X : array_like, shape (n_rows, n_cols)
        Table with NaN for missing cells (e.g. models x benchmarks).
    n_components : int, default 1
        Rank of the reconstruction (Ruan et al. use 1).
    tol : float, default 1e-8
        Stop when the largest change of an imputed (standardised) cell falls below this.
    max_iter : int, default 1000
        Iteration cap (the released code's default).

    Returns
    -------
    numpy.ndarray, shape (n_rows, n_cols)
        ``X`` with the observed cells unchanged and the missing ones filled.

    Raises
    ------
    ValueError
        If a column has fewer than 2 observed values, ``n_components`` is out of range,
        or ``X`` is not a 2-D finite-or-NaN table.
    """
    arr = _table(X, allow_nan=True)
    if not 1 <= int(n_components) < min(arr.shape):
        raise ValueError(f"n_components must be in [1, {min(arr.shape) - 1}], got {n_components}")
    missing = np.isnan(arr)
    if (np.sum(~missing, axis=0) < 2).any():
        raise ValueError("every column needs at least 2 observed values to be standardised")
    mean = np.nanmean(arr, axis=0)
    sd = np.nanstd(arr, axis=0)
    sd[sd == 0] = 1.0
    Z = np.where(missing, 0.0, (arr - mean) / sd)  # mean imputation in standardised units
    if missing.any():
        for _ in range(int(max_iter)):
            centre = Z.mean(axis=0)
            U, s, Vt = np.linalg.svd(Z - centre, full_matrices=False)
            r = int(n_components)
            recon = centre + (U[:, :r] * s[:r]) @ Vt[:r]
            change = np.max(np.abs(recon[missing] - Z[missing]))
            Z[missing] = recon[missing]
            if change < tol:
                break
    out = arr.copy()
    out[missing] = (Z * sd + mean)[missing]  # observed cells are returned bit for bit
    return out


@dataclass(frozen=True)
class PCAResult:
    """Principal components of a complete table (immutable).

    Attributes
    ----------
    scores : numpy.ndarray, shape (n_rows, n_components)
        Coordinates of each row on the components ("capabilities" in Ruan et al.).
    loadings : numpy.ndarray, shape (n_components, n_cols)
        Unit-norm component directions, signed so that each sums to a positive number
        (PC1 then loads positively on benchmarks that improve together).
    explained_variance_ratio : numpy.ndarray, shape (n_components,)
        Share of the total variance carried by each component.
    mean : numpy.ndarray, shape (n_cols,)
        Column means removed before the SVD.
    scale : numpy.ndarray, shape (n_cols,)
        Column divisors applied after centring (ones unless standardised).
    """

    scores: np.ndarray
    loadings: np.ndarray
    explained_variance_ratio: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Project new complete rows on the components, shape (n, n_components)."""
        arr = np.asarray(X, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != self.mean.size:
            raise ValueError(f"X must have shape (n, {self.mean.size}), got {arr.shape}")
        return ((arr - self.mean) / self.scale) @ self.loadings.T

    def __repr__(self) -> str:
        ratios = ", ".join(f"{v:.3f}" for v in self.explained_variance_ratio)
        return f"PCAResult({self.scores.shape[0]} rows, explained variance ratio [{ratios}])"


def pca(X: ArrayLike, n_components: int = 3, *, standardize: bool = False) -> PCAResult:
    """Principal component analysis of a complete table by SVD.

    Parameters
    ----------
    X : array_like, shape (n_rows, n_cols)
        Complete table (no NaN; see :func:`impute_pca`).
    n_components : int, default 3
        Components to keep (Ruan et al. keep 3).
    standardize : bool, default False
        Divide each column by its standard deviation first (Ruan et al. do not).

    Returns
    -------
    PCAResult
    """
    arr = _table(X, allow_nan=False)
    if not 1 <= int(n_components) <= min(arr.shape):
        raise ValueError(f"n_components must be in [1, {min(arr.shape)}], got {n_components}")
    mean = arr.mean(axis=0)
    sd = arr.std(axis=0) if standardize else np.ones(arr.shape[1])
    if np.any(sd == 0):
        raise ValueError("a constant column cannot be standardised")
    Z = (arr - mean) / sd
    _, s, Vt = np.linalg.svd(Z, full_matrices=False)
    r = int(n_components)
    signs = np.where(Vt[:r].sum(axis=1) < 0, -1.0, 1.0)
    loadings = Vt[:r] * signs[:, None]
    ratio = s**2 / np.sum(s**2)
    return PCAResult(
        scores=Z @ loadings.T,
        loadings=loadings,
        explained_variance_ratio=ratio[:r],
        mean=mean,
        scale=sd,
    )
