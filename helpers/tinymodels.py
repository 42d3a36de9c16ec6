r"""Two tiny generative paradigms on 8×8 digits, trained in numpy, batched over seeds.

Ding et al. (2025) compare *diffusion-style* image generators (continuous pixels,
iterative denoising) with *language-style* ones (discrete tokens predicted one after
another). This module builds a miniature of each on scikit-learn's digits, whose pixels
take 17 grey levels (0..16), a natural 17-token vocabulary, so that one data set serves both
paradigms without a learned tokenizer:

``"diffusion"``
    A class-conditional DDPM (Ho et al. 2020) whose network predicts the clean image
    :math:`x_0` from :math:`(x_t, t, c)` (x0-prediction, clipped to [-1, 1] when
    sampling), with a linear :math:`\beta` schedule and ancestral sampling.
``"autoregressive"``
    A class-conditional autoregressive model over the 64 pixel tokens in raster order:
    the network sees the image with future pixels zeroed, a one-hot position and the class,
    and outputs 17 logits for the pixel at that position (teacher forcing at random
    positions in training; token by token when sampling).

Both networks are the same 3-hidden-layer ReLU MLP of width ``W``; their parameter counts
differ by at most about 1% at equal width (:func:`n_params`). Every array carries a leading
**member** axis: the seeds of one width train together as one batched array program, and
the quantized copies of a model are sampled together, with the same noise for every
precision (paired comparisons).

Weights are the matrices; biases stay in full precision and are counted at 16 bits
(:func:`weight_bits`). Quantization-aware training uses the straight-through estimator:
the forward pass uses quantized weights, the gradient updates the latent float weights.

Why NumPy and not JAX: a jit-compiled JAX version of the same training step (``vmap``-free,
the same batched arrays, Adam) was timed against this one on the project's 2-core machine;
per step it was no faster at these widths (within about 10%, either way), and it adds
about a second of compilation per model shape and a large dependency. Manual backprop
through a 3-layer MLP is also short enough to read.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import quantization as Q
from .quality import Judge, fit_judge

__all__ = [
    "FAMILIES",
    "PRECISIONS",
    "VOCAB",
    "Digits",
    "TrainConfig",
    "bucket_kl_grad",
    "digits_and_judge",
    "layer_sizes",
    "load_digits_split",
    "n_params",
    "ptq_point",
    "qat_suite",
    "quantize_params",
    "sample",
    "train",
    "weight_bits",
]

FAMILIES = ("diffusion", "autoregressive")
VOCAB = 17  # grey levels 0..16
N_CLASSES = 10
N_PIX = 64
T_EMB = 16  # sinusoidal time-embedding size (diffusion)


@dataclass(frozen=True)
class Digits:
    """scikit-learn's digits, split once (immutable). Pixels are integers 0..16."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits_split(n_test: int = 397, seed: int = 0) -> Digits:
    """The 1,797 digits (bundled with scikit-learn, no download), split train/test.

    Parameters
    ----------
    n_test : int, default 397
        Held-out images (the rest, 1,400 by default, are for training).
    seed : int, default 0
        Seed of the random split.
    """
    from sklearn.datasets import load_digits

    d = load_digits()
    x, y = d.data.astype(np.int64), d.target.astype(np.int64)
    if not 0 < n_test < len(x):
        raise ValueError(f"n_test must be in 1..{len(x) - 1}, got {n_test}")
    perm = np.random.default_rng(seed).permutation(len(x))
    te, tr = perm[:n_test], perm[n_test:]
    return Digits(x[tr], y[tr], x[te], y[te])


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; allowed: {FAMILIES}")


def layer_sizes(family: str, width: int, depth: int = 3) -> list[int]:
    """Input, hidden and output sizes of a family's MLP."""
    _check_family(family)
    if width < 1 or depth < 1:
        raise ValueError(f"width and depth must be positive, got {width}, {depth}")
    d_in = N_PIX + T_EMB + N_CLASSES if family == "diffusion" else N_PIX + N_PIX + N_CLASSES
    d_out = N_PIX if family == "diffusion" else VOCAB
    return [d_in, *([width] * depth), d_out]


def n_params(family: str, width: int, depth: int = 3) -> int:
    """Number of parameters (weights and biases) of one model."""
    s = layer_sizes(family, width, depth)
    return sum(a * b + b for a, b in itertools.pairwise(s))


# ---------------------------------------------------------------- the batched MLP


def _init(sizes: Sequence[int], seeds: Sequence[int], salt: int) -> list[np.ndarray]:
    """He-normal weights and zero biases, one independent draw per member (seed)."""
    params: list[np.ndarray] = []
    for a, b in itertools.pairwise(sizes):
        w = np.stack(
            [
                np.random.default_rng([s, salt, a, b]).normal(0, np.sqrt(2 / a), (a, b))
                for s in seeds
            ]
        )
        params += [w.astype(np.float32), np.zeros((len(seeds), 1, b), np.float32)]
    return params


def _forward(params: Sequence[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, list]:
    """Members' MLPs on inputs x (M, B, d_in); returns outputs and activations."""
    acts = [x]
    h = x
    n = len(params) // 2
    for i in range(n):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n - 1:
            np.maximum(h, 0, out=h)
        acts.append(h)
    return h, acts


def _backward(params: Sequence[np.ndarray], acts: list, dout: np.ndarray) -> list[np.ndarray]:
    """Gradients of the summed loss with respect to every parameter."""
    n = len(params) // 2
    grads: list[np.ndarray] = [np.empty(0)] * len(params)
    g = dout
    for i in reversed(range(n)):
        grads[2 * i] = np.swapaxes(acts[i], 1, 2) @ g
        grads[2 * i + 1] = g.sum(axis=1, keepdims=True)
        if i > 0:
            g = (g @ np.swapaxes(params[2 * i], 1, 2)) * (acts[i] > 0)
    return grads


def _quantize_matrix(w: np.ndarray, fmt: str, block: int | None) -> np.ndarray:
    """One weight matrix (members, inputs, outputs), absmax scales along the inputs.

    ``block=None``: one scale per output channel (a block of all its inputs). An int: one
    scale per ``block`` consecutive inputs of a channel; the input axis is zero-padded to
    a multiple of ``block`` (zeros change no block's absmax) and cut back.
    """
    if block is None:
        return Q.quantize(w, fmt, granularity="channel", axis=1).astype(np.float32)
    n_in = w.shape[1]
    pad = -n_in % block
    wp = np.pad(w, ((0, 0), (0, pad), (0, 0))) if pad else w
    q = Q.quantize(wp, fmt, granularity=block, axis=1)
    return q[:, :n_in].astype(np.float32)


def quantize_params(
    params: Sequence[np.ndarray], fmt: str | None, *, block: int | None = None
) -> list[np.ndarray]:
    """Quantize every weight matrix with 16-bit absmax scales; biases are kept.

    Parameters
    ----------
    params : list of arrays
        Weights (members, inputs, outputs) and biases, alternating.
    fmt : str or None
        Element format; ``None`` or ``"fp32"`` returns the float weights, ``"fp16"`` is a
        plain cast.
    block : int, optional
        Inputs per scale. ``None`` (default): one scale per output channel, so the block
        grows with the layer's input size (16 to 138 weights here); an int fixes the
        block size across widths (inputs padded to a multiple of it).
    """
    if block is not None and (isinstance(block, bool) or block < 1):
        raise ValueError(f"block must be a positive number of inputs, got {block!r}")
    if fmt is None or fmt == "fp32":
        return list(params)
    return [_quantize_matrix(p, fmt, block) if i % 2 == 0 else p for i, p in enumerate(params)]


def weight_bits(
    family: str, width: int, fmt: str | None, *, bias_bits: int = 16, block: int | None = None
) -> float:
    """Total storage bits of one model: weights at ``fmt`` incl. scales, plus biases.

    One 16-bit absmax scale per output channel of each matrix (block = its input size), or
    per ``block`` inputs (``ceil(inputs / block)`` scales per channel); biases at
    ``bias_bits``. ``fmt=None`` (or ``"fp32"``) counts 32-bit weights and no scales.
    """
    s = layer_sizes(family, width)
    total = 0.0
    for a, b in itertools.pairwise(s):
        if fmt is None or fmt == "fp32":
            total += 32.0 * a * b
        elif fmt == "fp16":
            total += 16.0 * a * b
        elif block is None:
            total += a * b * Q.bits_per_param(fmt, a, scale_bits=16)
        else:
            n_blocks = -(-a // block)
            total += b * (a * Q.bits_per_param(fmt) + 16.0 * n_blocks)
        total += bias_bits * b
    return total


# ---------------------------------------------------------------- the two paradigms


def _schedule(T: int) -> tuple[np.ndarray, np.ndarray]:
    betas = np.linspace(1e-4, 0.25, T)
    return betas, np.cumprod(1 - betas)


def _t_embed(t: np.ndarray, T: int) -> np.ndarray:
    freqs = np.exp(-np.log(100.0) * np.arange(T_EMB // 2) / (T_EMB // 2))
    ang = (t[..., None] / T * 100.0) * freqs
    return np.concatenate([np.sin(ang), np.cos(ang)], axis=-1).astype(np.float32)


def _onehot(idx: np.ndarray, n: int) -> np.ndarray:
    return np.eye(n, dtype=np.float32)[idx]


def _diffusion_batch(x0: np.ndarray, y: np.ndarray, rngs: Sequence[np.random.Generator], T: int):
    """Noised inputs and x0 targets for a batch (M, B, 64) of images in [-1, 1].

    Member m draws its noise levels and noise from its own generator ``rngs[m]``.
    """
    _, abar = _schedule(T)
    t = np.stack([r.integers(0, T, x0.shape[1]) for r in rngs])
    eps = np.stack([r.standard_normal(x0.shape[1:], dtype=np.float32) for r in rngs])
    a = abar[t][..., None].astype(np.float32)
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    inp = np.concatenate([xt, _t_embed(t, T), _onehot(y, N_CLASSES)], axis=-1)
    return inp, x0


def _ar_inputs(tokens: np.ndarray, pos: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Image with pixels at and after ``pos`` zeroed, one-hot position, one-hot class."""
    seen = np.arange(N_PIX) < pos[..., None]
    img = np.where(seen, tokens / 16.0, 0.0).astype(np.float32)
    return np.concatenate([img, _onehot(pos, N_PIX), _onehot(y, N_CLASSES)], axis=-1)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def bucket_kl_grad(p_t: np.ndarray, p_s: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k "bucket" KL and its gradient with respect to the student's logits.

    **Our reconstruction** of the top-k part of TopKLD (Ding et al. 2025 do not publish the
    formula in full): the teacher's k most likely tokens are kept as separate outcomes and
    the rest is merged into one tail bucket,

    .. math:: \\mathrm{KL}_k = \\sum_{j \\in K} p^t_j \\ln \\frac{p^t_j}{p^s_j}
              + P^t_\\text{tail} \\ln \\frac{P^t_\\text{tail}}{P^s_\\text{tail}},

    so the student must match the teacher's confident ("explicit") predictions exactly but
    only the total mass of the rest. Gradient: :math:`p^s_j - p^t_j` on K and
    :math:`p^s_j (1 - P^t_\\text{tail} / P^s_\\text{tail})` on the tail. With k equal to the
    vocabulary size it is the forward KL.

    Parameters
    ----------
    p_t, p_s : arrays (..., V)
        Teacher and student probabilities.
    k : int
        Tokens kept, 1..V.

    Returns
    -------
    kl : array (...)
    grad : array (..., V)
    """
    v = p_t.shape[-1]
    if not 1 <= k <= v:
        raise ValueError(f"k must be in 1..{v}, got {k}")
    top = np.argsort(-p_t, axis=-1)[..., :k]
    in_k = np.zeros(p_t.shape, dtype=bool)
    np.put_along_axis(in_k, top, True, axis=-1)
    eps = 1e-12
    pt_tail = np.where(in_k, 0.0, p_t).sum(-1, keepdims=True)
    ps_tail = np.where(in_k, 0.0, p_s).sum(-1, keepdims=True)
    kl = np.where(in_k, p_t * (np.log(p_t + eps) - np.log(p_s + eps)), 0.0).sum(-1)
    kl = kl + pt_tail[..., 0] * (np.log(pt_tail[..., 0] + eps) - np.log(ps_tail[..., 0] + eps))
    grad = np.where(in_k, p_s - p_t, p_s * (1 - pt_tail / (ps_tail + eps)))
    return kl, grad


@dataclass(frozen=True)
class TrainConfig:
    """Training knobs (immutable).

    Parameters
    ----------
    steps : int
        Adam steps.
    batch : int
        Examples per step per member.
    lr : float
        Adam learning rate; multiplied by 0.3 after 70% of the steps.
    T : int
        Diffusion steps (diffusion family only).
    qat : str, optional
        Element format for quantization-aware training (straight-through estimator).
    loss : {"data", "kl", "topk"}
        ``"data"``: cross-entropy on the data (autoregressive) or MSE to :math:`x_0`
        (diffusion). ``"kl"``: forward KL to the teacher's next-token distribution
        (autoregressive) or MSE to the teacher's :math:`\\hat x_0` (diffusion, the Gaussian
        analogue). ``"topk"``: :math:`(1-\\lambda)\\,\\mathrm{KL} + \\lambda\\,\\mathrm{KL}_k`
        (:func:`bucket_kl_grad`), autoregressive only — our TopKLD reconstruction.
    k, mix : int, float
        Top-k size and the weight :math:`\\lambda` of the bucket KL (``loss="topk"``).
    """

    steps: int = 2000
    batch: int = 128
    lr: float = 2e-3
    T: int = 40
    qat: str | None = None
    loss: str = "data"
    k: int = 3
    mix: float = 0.5


def _loss_grad(
    family: str,
    params: list[np.ndarray],
    inp: np.ndarray,
    target: np.ndarray,
    cfg: TrainConfig,
    teacher: list[np.ndarray] | None,
) -> tuple[np.ndarray, list]:
    """Per-member mean loss and gradients (members x batch)."""
    out, acts = _forward(params, inp)
    b = inp.shape[1]
    t_out = None if teacher is None else _forward(teacher, inp)[0]
    if family == "diffusion":
        ref = target if cfg.loss == "data" else t_out
        diff = out - ref
        loss = np.mean(diff**2, axis=(1, 2))
        dout = 2 * diff / (b * diff.shape[-1])
    else:
        p_s = _softmax(out)
        if cfg.loss == "data":
            tok = target
            loss = -np.mean(np.log(np.take_along_axis(p_s, tok[..., None], -1)[..., 0] + 1e-12), 1)
            dout = p_s.copy()
            picked = np.take_along_axis(dout, tok[..., None], -1)
            np.put_along_axis(dout, tok[..., None], picked - 1, -1)
        else:
            p_t = _softmax(t_out)
            kl_full = np.sum(p_t * (np.log(p_t + 1e-12) - np.log(p_s + 1e-12)), -1)
            g_full = p_s - p_t
            if cfg.loss == "kl":
                kl, dout = kl_full, g_full
            else:
                kl_k, g_k = bucket_kl_grad(p_t, p_s, cfg.k)
                kl = (1 - cfg.mix) * kl_full + cfg.mix * kl_k
                dout = (1 - cfg.mix) * g_full + cfg.mix * g_k
            loss = kl.mean(axis=1)
        dout = dout / b
    return loss, _backward(params, acts, dout.astype(np.float32))


def _train(
    family: str,
    width: int,
    seeds: Sequence[int],
    digits: Digits,
    cfg: TrainConfig = TrainConfig(),
    *,
    init: list[np.ndarray] | None = None,
    teacher: list[np.ndarray] | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Train one model per seed, all seeds as one batched array program.

    BLAS runs single-threaded inside (the matrices are small: threads cost more than they
    gain, and badly so on a busy machine); parallelism comes from running several
    trainings at once through :func:`helpers.sweeps.sweep`.

    Parameters
    ----------
    family : {"diffusion", "autoregressive"}
    width : int
        Hidden width W.
    seeds : sequence of int
        One member per seed; a seed fixes the member's initialisation and batches,
        whichever other seeds train beside it.
    digits : Digits
    cfg : TrainConfig
    init : list of arrays, optional
        Start from these weights (e.g. a trained model, for QAT) instead of a fresh draw.
    teacher : list of arrays, optional
        Full-precision teacher weights (same members) for ``loss="kl"``/``"topk"``.

    Returns
    -------
    params : list of arrays
        Float weights and biases, each with leading member axis ``len(seeds)``.
    losses : array (steps, members)
        Training loss per step.
    """
    _check_family(family)
    if cfg.loss not in ("data", "kl", "topk"):
        raise ValueError(f"loss must be 'data', 'kl' or 'topk', got {cfg.loss!r}")
    if cfg.loss != "data" and teacher is None:
        raise ValueError(f"loss={cfg.loss!r} needs a teacher")
    if cfg.loss == "topk" and family != "autoregressive":
        raise ValueError("the top-k KL needs a token distribution: autoregressive family only")
    if cfg.steps < 1 or cfg.batch < 1:
        raise ValueError("steps and batch must be positive")
    seeds = [int(s) for s in seeds]
    m = len(seeds)
    salt = FAMILIES.index(family)
    params = (
        [p.copy() for p in init]
        if init is not None
        else _init(layer_sizes(family, width), seeds, salt)
    )
    # one generator per member: a member's batches do not depend on its batch-mates
    rngs = [np.random.default_rng([s, salt, width, 7]) for s in seeds]
    mom = [np.zeros_like(p) for p in params]
    vel = [np.zeros_like(p) for p in params]
    b1, b2 = 0.9, 0.999
    n_train = len(digits.x_train)
    x01 = (digits.x_train / 8.0 - 1.0).astype(np.float32)
    losses = np.empty((cfg.steps, m))
    for step in range(cfg.steps):
        idx = np.stack([r.integers(0, n_train, cfg.batch) for r in rngs])
        y = digits.y_train[idx]
        if family == "diffusion":
            inp, target = _diffusion_batch(x01[idx], y, rngs, cfg.T)
        else:
            pos = np.stack([r.integers(0, N_PIX, cfg.batch) for r in rngs])
            tokens = digits.x_train[idx]
            inp = _ar_inputs(tokens, pos, y)
            target = np.take_along_axis(tokens, pos[..., None], -1)[..., 0]
        used = quantize_params(params, cfg.qat) if cfg.qat else params
        loss, grads = _loss_grad(family, used, inp, target, cfg, teacher)
        losses[step] = loss
        lr = cfg.lr * (0.3 if step >= 0.7 * cfg.steps else 1.0)
        c1, c2 = 1 - b1 ** (step + 1), 1 - b2 ** (step + 1)
        for p, g, mo, ve in zip(params, grads, mom, vel, strict=True):
            mo *= b1
            mo += (1 - b1) * g
            ve *= b2
            ve += (1 - b2) * g * g
            p -= (lr / c1) * mo / (np.sqrt(ve / c2) + 1e-8)
    return params, losses


def _sample(
    family: str,
    params: Sequence[np.ndarray],
    labels: np.ndarray,
    noise_seeds: Sequence[int],
    *,
    T: int = 40,
) -> np.ndarray:
    """Class-conditional samples from every member, pixels in [0, 16].

    The noise of member ``i`` comes from ``noise_seeds[i]`` alone, so two members given the
    same noise seed (e.g. one model at two precisions) see identical noise: their samples
    differ only because their weights do (paired comparison).

    Parameters
    ----------
    family : {"diffusion", "autoregressive"}
    params : list of arrays
        Weights with leading member axis M.
    labels : int array (n,)
        Conditioning class of each sample (the same for every member).
    noise_seeds : sequence of int, length M

    Returns
    -------
    numpy.ndarray, shape (M, n, 64)
        Diffusion: continuous pixels; autoregressive: integer tokens (as floats).
    """
    _check_family(family)
    m = params[0].shape[0]
    if len(noise_seeds) != m:
        raise ValueError(f"need one noise seed per member ({m}), got {len(noise_seeds)}")
    labels = np.asarray(labels)
    n = labels.size
    rngs = [np.random.default_rng([int(s), 11]) for s in noise_seeds]
    y = np.broadcast_to(labels, (m, n))
    cls = _onehot(y, N_CLASSES)
    if family == "diffusion":
        betas, abar = _schedule(T)
        noise = np.stack([r.standard_normal((T + 1, n, N_PIX), dtype=np.float32) for r in rngs])
        x = noise[:, T]
        for t in reversed(range(T)):
            temb = np.broadcast_to(_t_embed(np.array(t), T), (m, n, T_EMB))
            inp = np.concatenate([x, temb, cls], -1)
            x0 = np.clip(_forward(params, inp)[0], -1, 1)
            if t == 0:
                x = x0
                break
            ab, ab_prev = abar[t], abar[t - 1]
            c0 = np.sqrt(ab_prev) * betas[t] / (1 - ab)
            ct = np.sqrt(1 - betas[t]) * (1 - ab_prev) / (1 - ab)
            var = (1 - ab_prev) / (1 - ab) * betas[t]
            x = (c0 * x0 + ct * x + np.sqrt(var) * noise[:, t]).astype(np.float32)
        return (x + 1.0) * 8.0
    u = np.stack([r.random((N_PIX, n)) for r in rngs])  # (M, 64, n) uniforms
    tokens = np.zeros((m, n, N_PIX), dtype=np.int64)
    for p in range(N_PIX):
        pos = np.full((m, n), p)
        probs = _softmax(_forward(params, _ar_inputs(tokens, pos, y))[0])
        cdf = np.cumsum(probs, axis=-1)
        tokens[:, :, p] = np.minimum((cdf < u[:, p, :, None]).sum(-1), VOCAB - 1)
    return tokens.astype(np.float64)


def train(*args, **kwargs):
    with threadpool_limits(limits=1, user_api="blas"):
        return _train(*args, **kwargs)


def sample(*args, **kwargs):
    with threadpool_limits(limits=1, user_api="blas"):
        return _sample(*args, **kwargs)


train.__doc__ = _train.__doc__
sample.__doc__ = _sample.__doc__


# ---------------------------------------------------------------- one ladder point

#: Element formats per precision (bits): an integer and a minifloat format each.
PRECISIONS: dict[int, dict[str, str]] = {
    3: {"INT": "int3", "FP": "e2m0"},
    4: {"INT": "int4", "FP": "e2m1"},
    5: {"INT": "int5", "FP": "e2m2"},
    6: {"INT": "int6", "FP": "e2m3"},
    8: {"INT": "int8", "FP": "e4m3fn"},
    16: {"INT": "fp16", "FP": "fp16"},
}


@lru_cache(maxsize=4)
def digits_and_judge(split_seed: int = 0) -> tuple[Digits, Judge]:
    """The data split and its fixed quality judge (cached per process)."""
    d = load_digits_split(seed=split_seed)
    return d, fit_judge(d.x_train, d.y_train, d.x_test, d.y_test)


def _score(family, stacked, seeds, n_per_class, T, judge):
    labels = np.repeat(np.arange(N_CLASSES), n_per_class)
    s = sample(family, stacked, labels, seeds, T=T)
    return judge.fd(s), judge.label_accuracy(s, labels)


def _stack(models: Sequence[Sequence[np.ndarray]]) -> list[np.ndarray]:
    return [np.concatenate(ps, axis=0) for ps in zip(*models, strict=True)]


def ptq_point(
    family: str,
    width: int,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    steps: int = 2000,
    batch: int = 128,
    n_per_class: int = 30,
    T: int = 40,
    split_seed: int = 0,
    block: int | None = None,
    block_formats: Sequence[str] = (),
    formats: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Train one width (all seeds at once), quantize post-training, score every precision.

    Every format of :data:`PRECISIONS` (round to nearest, per-output-channel absmax
    scales) plus the float32 model is sampled with the **same noise** per seed; so are
    the ``block_formats`` quantized with a fixed ``block`` of inputs per scale.
    ``formats`` restricts the per-channel formats to these (the float32 model is always
    scored), e.g. for extra seeds of a few models.

    Returns
    -------
    pandas.DataFrame
        One row per (seed, format, scale block): ``seed, kind ("INT"/"FP"/"FP32"), bits,
        fmt, scales ("channel" or the fixed block, e.g. "16"), n_params, total_bits, fd,
        label_acc``.
    """
    if block_formats and block is None:
        raise ValueError("block_formats need a fixed block size (block=...)")
    _, judge = digits_and_judge(split_seed)
    seeds = [int(s) for s in seeds]
    params = _teacher(family, width, tuple(seeds), steps, batch, T, split_seed)
    conds = [("FP32", 32, None, None)] + [
        (kind, b, f, None) for b, kinds in PRECISIONS.items() for kind, f in kinds.items()
    ]
    conds = [c for i, c in enumerate(conds) if c[2] not in {x[2] for x in conds[:i]}]  # fp16 once
    if formats is not None:
        unknown = set(formats) - {c[2] for c in conds}
        if unknown:
            raise ValueError(f"formats must be formats of PRECISIONS, got {sorted(unknown)}")
        conds = [c for c in conds if c[2] is None or c[2] in formats]
    bits_of = {f: b for b, kinds in PRECISIONS.items() for f in kinds.values()}
    kind_of = {f: k for kinds in PRECISIONS.values() for k, f in kinds.items()}
    for f in block_formats:
        if f not in bits_of or f == "fp16":
            raise ValueError(f"block_formats must be formats of PRECISIONS (not fp16), got {f!r}")
        conds.append((kind_of[f], bits_of[f], f, block))
    stacked = _stack([quantize_params(params, f, block=g) for _, _, f, g in conds])
    fd, acc = _score(family, stacked, seeds * len(conds), n_per_class, T, judge)
    rows = []
    for i, (kind, b, f, g) in enumerate(conds):
        for j, s in enumerate(seeds):
            rows.append(
                {
                    "seed": s,
                    "kind": "FP" if f == "fp16" else kind,
                    "bits": b,
                    "fmt": f or "fp32",
                    "scales": "channel" if g is None else str(g),
                    "n_params": n_params(family, width),
                    "total_bits": weight_bits(family, width, f, block=g),
                    "fd": float(fd[i * len(seeds) + j]),
                    "label_acc": float(acc[i * len(seeds) + j]),
                }
            )
    return pd.DataFrame(rows)


@lru_cache(maxsize=4)
def _teacher(family, width, seeds, steps, batch, T, split_seed):
    """The float model of :func:`ptq_point`, trained once per worker process."""
    digits, _ = digits_and_judge(split_seed)
    cfg = TrainConfig(steps=steps, batch=batch, T=T)
    return train(family, width, list(seeds), digits, cfg)[0]


_METHODS = ("fp32", "ptq", "data", "kl", "topk")


def qat_suite(
    family: str,
    width: int,
    students: Sequence[Mapping[str, Any]],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    steps: int = 2000,
    qat_steps: int = 1000,
    batch: int = 128,
    n_per_class: int = 30,
    T: int = 40,
    split_seed: int = 0,
) -> pd.DataFrame:
    """One teacher per seed and every student of ``students`` from it, all scored.

    The float model (the teacher, all seeds batched) is trained once as in
    :func:`ptq_point`; each student is a copy fine-tuned for ``qat_steps`` with the
    straight-through estimator at its format and loss (Adam, lr 5e-4), or no fine-tuning
    at all. Every model is sampled with the **same noise** per seed, so a student and its
    baselines form a paired comparison per seed (the independent unit: one teacher).

    Parameters
    ----------
    family : {"diffusion", "autoregressive"}
    width : int
    students : sequence of mappings
        Each with ``method`` (``"fp32"``: the teacher itself; ``"ptq"``: round to
        nearest, no fine-tuning; ``"data"``, ``"kl"`` or ``"topk"``: the QAT losses of
        :class:`TrainConfig`), ``fmt`` (element format; ignored for ``"fp32"``) and,
        for ``"topk"``, ``k`` and ``mix``.
    seeds : sequence of int
        One teacher (and one student of each kind) per seed; a seed's models do not
        depend on which other seeds run beside it.

    Returns
    -------
    pandas.DataFrame
        One row per (student, seed): ``method, fmt, k, mix, seed, fd, label_acc``
        (``k``, ``mix`` are NaN except for ``"topk"``).
    """
    if not students:
        raise ValueError("give at least one student")
    specs = []
    for st in students:
        method = st.get("method")
        if method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
        unknown = set(st) - {"method", "fmt", "k", "mix"}
        if unknown:
            raise ValueError(f"unknown student keys {sorted(unknown)}")
        fmt = "fp32" if method == "fp32" else st.get("fmt", "int3")
        topk = (
            (int(st.get("k", 3)), float(st.get("mix", 0.5))) if method == "topk" else (None, None)
        )
        specs.append((method, fmt, *topk))
    digits, judge = digits_and_judge(split_seed)
    seeds = [int(s) for s in seeds]
    teacher = _teacher(family, width, tuple(seeds), steps, batch, T, split_seed)
    models = []
    for method, fmt, k, mix in specs:
        student = teacher  # "fp32" and "ptq": no fine-tuning
        if method in ("data", "kl", "topk"):
            topk = {"k": k, "mix": mix} if method == "topk" else {}
            cfg = TrainConfig(
                steps=qat_steps, batch=batch, lr=5e-4, T=T, qat=fmt, loss=method, **topk
            )
            student, _ = train(family, width, seeds, digits, cfg, init=teacher, teacher=teacher)
        models.append(quantize_params(student, fmt))  # "fp32": the float weights
    fd, acc = _score(family, _stack(models), seeds * len(specs), n_per_class, T, judge)
    rows = [
        {
            "method": method,
            "fmt": fmt,
            "k": np.nan if k is None else k,
            "mix": np.nan if mix is None else mix,
            "seed": s,
            "fd": float(fd[i * len(seeds) + j]),
            "label_acc": float(acc[i * len(seeds) + j]),
        }
        for i, (method, fmt, k, mix) in enumerate(specs)
        for j, s in enumerate(seeds)
    ]
    return pd.DataFrame(rows)
