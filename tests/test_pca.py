"""Tests of helpers.pca: PCA by SVD and iterative low-rank imputation."""

import numpy as np
import pytest

import helpers as hp
from helpers import pca as P


def _rank_one(rng, n=60, m=8):
    return np.outer(rng.uniform(0.0, 1.0, n), rng.uniform(0.5, 2.0, m)) + rng.uniform(0, 1, m)


def test_imputation_recovers_missing_cells_of_a_rank_one_table():
    rng = np.random.default_rng(0)
    full = _rank_one(rng)
    holes = full.copy()
    mask = rng.random(full.shape) < 0.1
    holes[mask] = np.nan
    filled = P.impute_pca(holes, 1)
    np.testing.assert_array_equal(filled[~mask], full[~mask])
    np.testing.assert_allclose(filled[mask], full[mask], rtol=1e-5)


def test_pca_matches_the_covariance_eigendecomposition():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5))
    res = P.pca(X, 3)
    eig = np.sort(np.linalg.eigvalsh(np.cov(X, rowvar=False)))[::-1]
    np.testing.assert_allclose(res.explained_variance_ratio, eig[:3] / eig.sum(), rtol=1e-10)
    np.testing.assert_allclose(res.transform(X), res.scores, atol=1e-10)
    np.testing.assert_allclose(res.loadings @ res.loadings.T, np.eye(3), atol=1e-12)
    assert np.all(res.loadings.sum(axis=1) > 0)


def test_rank_one_table_has_all_variance_on_pc1():
    res = P.pca(_rank_one(np.random.default_rng(2)), 2)
    assert res.explained_variance_ratio[0] == pytest.approx(1.0, abs=1e-12)


def test_observational_scaling_variance_on_the_released_table():
    """Recomputed on the released 148-model table: PC1 85.3%, PC1-3 97.4% (research note)."""
    base = hp.data.load_obsscaling("base")
    cols = [
        "MMLU",
        "ARC-C",
        "HellaSwag",
        "Winograd",
        "TruthfulQA",
        "GSM8K",
        "XWinograd",
        "HumanEval",
    ]
    res = P.pca(P.impute_pca(base[cols].to_numpy(), 1), 3)
    assert res.explained_variance_ratio[0] == pytest.approx(0.853, abs=0.0005)
    assert res.explained_variance_ratio.sum() == pytest.approx(0.974, abs=0.0005)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: P.pca([[1.0, np.nan], [2.0, 3.0]]), "impute_pca"),
        (lambda: P.pca(np.ones(4)), "2-D"),
        (lambda: P.pca(np.eye(3), 5), "n_components"),
        (lambda: P.impute_pca([[1.0, np.nan], [2.0, np.nan], [3.0, 1.0]]), "at least 2 observed"),
        (lambda: P.impute_pca(np.eye(3), 3), "n_components"),
        (lambda: P.pca(np.eye(3)).transform(np.ones((2, 2))), "shape"),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
