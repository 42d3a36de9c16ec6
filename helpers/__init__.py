"""Shared helpers for *Scaling Laws, Reproduced*.

The package is grouped by idea, never by chapter:

``helpers.fitting``
    One fitting engine for every law in the book (a registry of ``Law`` forms:
    power laws, Chinchilla, Gadre's L(C, M), exponential error, sigmoid links, or
    your own), robust Huber fits from a grid of starts, and a batched bootstrap.
``helpers.frontiers``
    Compute-optimal frontiers L*(C) and their inverse, compute multipliers
    between two recipes (at a target value, or averaged over a stated range).
``helpers.data``
    The data registry: resolve a released file (env var, ``../shared/data``,
    pooch cache), verify its sha256, and load it as a tidy table.
``helpers.scorecard``
    The papers' claims beside this build's values: numeric claims (tolerance from
    the printed precision) and statements (a statistic with its interval), their
    status (reproduced / differs / inconclusive), rendered as a table.
``helpers.exercises``
    Self-checks for students: an exercise's answer checked against the value the
    notebook's current run computes (right within a stated tolerance, too high,
    too low, the wrong choice), never showing it; checklists for explanations.
``helpers.robustness``
    Another reader's machine: a lower BLAS kernel, numpy's SIMD narrowed, every
    seed knob moved; a chapter rerun that way must reach the same verdicts.
``helpers.plotting``
    One seaborn theme and the standard log-log figure shapes.
``helpers.pruning``
    Data pruning in the teacher-student perceptron: replica theory (vectorised
    saddle-point solver) and the Monte-Carlo experiment with an exact max-margin solver.
``helpers.curation``
    Data curation on real data: difficulty scores (EL2N, self-supervised
    prototypes), pruned subsets of image pools, and the data-filtering law.
``helpers.prose``
    Computed numbers formatted for sentences (``{eval}`` in the prose).
``helpers.scores``
    Benchmark scores as transforms of log-likelihoods (the multiple-choice chain, exact
    match) and per-item correlations with scale.
``helpers.evalsim``
    Seeded simulations of evaluations: multiple-choice log-likelihoods along a compute
    sweep, pass@n and PassUntil sampling.
``helpers.pca``
    PCA by SVD and iterative low-rank imputation of score tables.
``helpers.ladder``
    Per-task metrics of model-ladder runs (OLMo ladder), prepared for prediction.
``helpers.links``
    Sigmoid links from a loss or capabilities to a task score, as fitting laws.
``helpers.overtraining``
    The over-training testbed (Gadre et al. 2024): error averages, fitting sets, targets.
``helpers.quantization``
    Number formats for weight quantization: minifloat casts bit-exact with
    ``ml_dtypes``, k-bit integers, codebooks (NF4), absmax block scaling, bits per weight.
``helpers.tinymodels``
    Tiny diffusion-style and language-style generators on 8×8 digits, trained in
    NumPy with all seeds batched; post-training and quantization-aware training.
``helpers.quality``
    Sample quality: a Fréchet distance in a fixed feature space, a fixed label classifier.
``helpers.bitscaling``
    Quality against total model bits: Pareto frontier, optimal precision, seed CIs,
    Kumar et al.'s effective-parameter law.
``helpers.sweeps``
    Evaluate a function over a parameter grid x seeds through joblib, with
    optional on-disk caching and a progress bar.

Chapters import it as ``import helpers as hp``.
"""

from importlib.metadata import PackageNotFoundError, version

from . import (
    bitscaling,
    curation,
    data,
    evalsim,
    exercises,
    fitting,
    frontiers,
    ladder,
    links,
    overtraining,
    pca,
    plotting,
    prose,
    pruning,
    quality,
    quantization,
    robustness,
    scorecard,
    scores,
    sweeps,
    tinymodels,
)

try:
    __version__ = version("scaling-laws-reproduced")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "bitscaling",
    "curation",
    "data",
    "evalsim",
    "exercises",
    "fitting",
    "frontiers",
    "ladder",
    "links",
    "overtraining",
    "pca",
    "plotting",
    "prose",
    "pruning",
    "quality",
    "quantization",
    "robustness",
    "scorecard",
    "scores",
    "sweeps",
    "tinymodels",
]
