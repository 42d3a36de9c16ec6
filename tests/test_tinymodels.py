"""helpers.tinymodels, helpers.quality, helpers.bitscaling: gradients, pairing, metrics."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import linalg, stats

from helpers import bitscaling as bs
from helpers import quality as ql
from helpers import tinymodels as tm

# ------------------------------------------------------------------ tinymodels


def test_families_have_matched_parameter_counts():
    for w in (16, 32, 64, 128):
        a, b = (tm.n_params(f, w) for f in tm.FAMILIES)
        assert abs(a - b) / a < 0.011
    assert tm.n_params("diffusion", 2, depth=1) == 90 * 2 + 2 + 2 * 64 + 64


def _numeric_grad(f, x, eps=1e-3):
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


@pytest.mark.parametrize("family", tm.FAMILIES)
@pytest.mark.parametrize("loss", ["data", "kl"])
def test_backprop_matches_finite_differences(family, loss):
    rng = np.random.default_rng(0)
    sizes = tm.layer_sizes(family, 5, depth=2)
    params = [p.astype(np.float64) for p in tm._init(sizes, [0, 1], 0)]
    for p in params[1::2]:
        p += rng.normal(0, 0.1, p.shape)
    teacher = [p + rng.normal(0, 0.3, p.shape) for p in params]
    inp = rng.normal(size=(2, 6, sizes[0]))
    target = rng.normal(size=(2, 6, 64)) if family == "diffusion" else rng.integers(0, 17, (2, 6))
    cfg = tm.TrainConfig(loss=loss)

    def total():
        return tm._loss_grad(family, params, inp, target, cfg, teacher)[0].sum()

    grads = tm._loss_grad(family, params, inp, target, cfg, teacher)[1]
    for p, g in zip(params, grads, strict=True):
        np.testing.assert_allclose(g, _numeric_grad(total, p), rtol=1e-4, atol=1e-6)


def test_bucket_kl_gradient_and_limits():
    rng = np.random.default_rng(1)
    zt, zs = rng.normal(size=(4, 17)), rng.normal(size=(4, 17))
    pt = tm._softmax(zt)

    z = zs.copy()

    def kl_of():
        return tm.bucket_kl_grad(pt, tm._softmax(z), 3)[0].sum()

    _, grad = tm.bucket_kl_grad(pt, tm._softmax(zs), 3)
    np.testing.assert_allclose(grad, _numeric_grad(kl_of, z, 1e-5), rtol=1e-5, atol=1e-8)
    ps = tm._softmax(zs)
    full = np.sum(pt * np.log(pt / ps), -1)
    kl17, g17 = tm.bucket_kl_grad(pt, ps, 17)
    np.testing.assert_allclose(kl17, full, rtol=1e-9)
    np.testing.assert_allclose(g17, ps - pt, atol=1e-12)
    assert np.all(tm.bucket_kl_grad(pt, ps, 1)[0] <= full + 1e-12)  # coarser -> smaller KL
    with pytest.raises(ValueError, match=r"1\.\.17"):
        tm.bucket_kl_grad(pt, ps, 0)


@pytest.fixture(scope="module")
def digits():
    return tm.load_digits_split()


def test_training_is_deterministic_and_learns(digits):
    cfg = tm.TrainConfig(steps=60, batch=32)
    a, la = tm.train("autoregressive", 8, [3, 4], digits, cfg)
    b, _ = tm.train("autoregressive", 8, [3, 4], digits, cfg)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert la[-10:].mean() < la[:10].mean()  # the loss falls
    # a member does not depend on which other members train beside it
    for family in tm.FAMILIES:
        pair, _ = tm.train(family, 8, [3, 4], digits, cfg)
        alone, _ = tm.train(family, 8, [4], digits, cfg)
        for x, y in zip(pair, alone, strict=True):
            np.testing.assert_allclose(x[1], y[0], rtol=1e-4, atol=1e-6)
        assert not np.allclose(pair[0][0], alone[0][0])


def test_sampling_is_paired_by_noise_seed(digits):
    p, _ = tm.train("diffusion", 8, [0, 1], digits, tm.TrainConfig(steps=5, batch=8, T=6))
    labels = np.arange(10)
    s = tm.sample("diffusion", p, labels, [7, 7], T=6)
    same = [q[:1] for q in p]  # member 0 alone, same noise seed
    np.testing.assert_allclose(tm.sample("diffusion", same, labels, [7], T=6)[0], s[0], rtol=1e-6)
    pa, _ = tm.train("autoregressive", 8, [0], digits, tm.TrainConfig(steps=5, batch=8))
    two = [np.concatenate([q, q]) for q in pa]
    t = tm.sample("autoregressive", two, labels, [5, 5])
    np.testing.assert_array_equal(t[0], t[1])
    assert t.min() >= 0 and t.max() <= 16 and np.all(t == np.round(t))


def test_qat_suite_trains_one_teacher_and_pairs_its_students():
    kw = dict(steps=60, qat_steps=30, n_per_class=3, T=5)
    students = [
        {"method": "fp32"},
        {"method": "ptq", "fmt": "int4"},
        {"method": "kl", "fmt": "int3"},
        {"method": "topk", "fmt": "int3", "k": 1, "mix": 1.0},
    ]
    both = tm.qat_suite("autoregressive", 8, students, seeds=(0, 1), **kw)
    assert both[["method", "seed"]].values.tolist() == [
        [m, s] for m in ["fp32", "ptq", "kl", "topk"] for s in (0, 1)
    ]
    assert both["k"].isna().tolist() == [True] * 6 + [False] * 2
    # a student's result depends neither on the students beside it nor on the other seeds
    alone = tm.qat_suite("autoregressive", 8, [students[2]], seeds=(1,), **kw)
    assert alone["fd"].tolist() == both.query("method == 'kl' and seed == 1")["fd"].tolist()
    # the teacher row is the float model and PTQ quantizes it: PTQ at int4 differs from it
    fd = both.set_index(["method", "seed"])["fd"]
    assert fd["ptq", 0] != fd["fp32", 0]
    with pytest.raises(ValueError, match="unknown student keys"):
        tm.qat_suite("diffusion", 4, [{"method": "kl", "lr": 1.0}], **kw)
    with pytest.raises(ValueError, match="at least one student"):
        tm.qat_suite("diffusion", 4, [], **kw)


def test_weight_bits_counts_scales_and_biases():
    s = tm.layer_sizes("diffusion", 16)
    mats = list(itertools.pairwise(s))
    want = sum(a * b * 4 + 16 * b + 16 * b for a, b in mats)  # 4-bit + a 16-bit scale per column
    assert tm.weight_bits("diffusion", 16, "int4") == pytest.approx(want)
    assert tm.weight_bits("diffusion", 16, "fp16") == sum(16 * (a * b + b) for a, b in mats)


def test_quantize_params_keeps_biases_and_quantizes_per_channel():
    rng = np.random.default_rng(2)
    params = [rng.normal(size=(2, 10, 4)).astype(np.float32), rng.normal(size=(2, 1, 4))]
    q = tm.quantize_params(params, "int3")
    assert q[1] is params[1]
    for m in range(2):
        for col in range(4):
            assert np.unique(q[0][m, :, col]).size <= 7


def test_clear_errors(digits):
    with pytest.raises(ValueError, match="unknown family"):
        tm.layer_sizes("gan", 8)
    with pytest.raises(ValueError, match="needs a teacher"):
        tm.train("diffusion", 8, [0], digits, tm.TrainConfig(steps=1, loss="kl"))
    with pytest.raises(ValueError, match="autoregressive family only"):
        tm.train("diffusion", 8, [0], digits, tm.TrainConfig(steps=1, loss="topk"), teacher=[])
    with pytest.raises(ValueError, match="noise seed"):
        p, _ = tm.train("diffusion", 4, [0], digits, tm.TrainConfig(steps=1, batch=2, T=3))
        tm.sample("diffusion", p, np.arange(3), [0, 1], T=3)
    with pytest.raises(ValueError, match="method"):
        tm.qat_suite("diffusion", 4, [{"method": "gptq"}])


# ------------------------------------------------------------------ quality


def test_frechet_distance_matches_scipy_sqrtm_and_closed_form():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(50, 6)), rng.normal(size=(40, 6)) * 1.5 + 0.3
    m1, m2 = a.mean(0), b.mean(0)
    c1, c2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    ref = np.sum((m1 - m2) ** 2) + np.trace(c1 + c2 - 2 * linalg.sqrtm(c1 @ c2).real)
    assert ql.frechet_distance(m1, c1, m2, c2) == pytest.approx(ref, rel=1e-8)
    # 1-d: FD(N(0,1), N(mu, s^2)) = mu^2 + (1 - s)^2
    fd = ql.frechet_distance(np.zeros(1), np.eye(1), np.array([0.5]), np.array([[4.0]]))
    assert fd == pytest.approx(0.25 + 1.0)


def test_judge_scores_real_images_well(digits):
    _, judge = tm.digits_and_judge()
    assert judge.real_accuracy > 0.9
    assert judge.fd(digits.x_test) < 1e-9  # the reference set itself
    noise = np.random.default_rng(0).integers(0, 17, (300, 64))
    assert judge.fd(noise) > 20 * judge.real_fd
    with pytest.raises(ValueError, match="shape"):
        ql.fit_judge(digits.x_train[:, :10], digits.y_train, digits.x_test, digits.y_test)


# ------------------------------------------------------------------ bitscaling


def test_mean_ci_is_the_t_interval():
    v = np.array([1.0, 2.0, 4.0])
    m, lo, hi = bs.mean_ci(v)
    half = stats.t.ppf(0.975, 2) * v.std(ddof=1) / np.sqrt(3)
    assert (m, lo, hi) == pytest.approx((7 / 3, 7 / 3 - half, 7 / 3 + half))
    with pytest.raises(ValueError):
        bs.mean_ci([1.0])


def test_pareto_front():
    bits = np.array([1, 2, 3, 4, 4])
    fd = np.array([5.0, 6.0, 3.0, 3.5, 2.0])
    assert bs.pareto_front(bits, fd).tolist() == [True, False, True, False, True]
    assert bs.pareto_front(bits, -fd, lower_is_better=False).tolist() == [
        True, False, True, False, True,
    ]  # fmt: skip


def test_optimal_precision_on_known_curves():
    # precision 4 is better everywhere it exists; precision 8 covers larger budgets only
    curves = pd.DataFrame(
        {"bits": [4, 4, 8, 8], "total_bits": [10, 100, 50, 1000], "fd": [2.0, 1.0, 3.0, 0.5]}
    )
    out = bs.optimal_precision(curves, np.array([5.0, 20.0, 70.0, 500.0]))
    assert out["best"].tolist()[1:] == [4.0, 4.0, 8.0]
    assert np.isnan(out["best"].iloc[0]) and out["n_curves"].tolist() == [0, 1, 2, 1]
    # at budget 70 the interpolated fd of 4-bit is 2 - log(7)/log(10) ~ 1.155
    assert out["quality"].iloc[2] == pytest.approx(2 - np.log(7) / np.log(10))


def test_kumar_law_pieces():
    assert bs.n_eff(1000, 4, 2.0) == pytest.approx(1000 * (1 - np.exp(-2)))
    p = {"E": np.array([[0.1], [0.2]]), "A": np.array([[10.0], [10.0]]),
         "alpha": np.array([[0.5], [0.5]]), "gamma": np.array([[1.0], [2.0]])}  # fmt: skip
    x = np.array([[100.0, 3.0], [400.0, 8.0]])
    out = bs.kumar_predict(p, x)
    assert out.shape == (2, 2)
    assert out[0, 1] == pytest.approx(0.1 + 10 * (400 * (1 - np.exp(-8))) ** -0.5)


def test_fixed_block_quantization_pads_and_counts_its_scales():
    rng = np.random.default_rng(3)
    w = rng.normal(size=(2, 20, 3)).astype(np.float32)  # 20 inputs: blocks of 8, 8, 4
    q = tm.quantize_params([w, np.zeros((2, 1, 3))], "int3", block=8)[0]
    assert q.shape == w.shape
    for lo, hi in [(0, 8), (8, 16), (16, 20)]:  # each block's absmax is kept exactly
        np.testing.assert_allclose(
            np.abs(q[:, lo:hi]).max(axis=1), np.abs(w[:, lo:hi]).max(axis=1), rtol=1e-6
        )
    per_channel = tm.quantize_params([w, np.zeros((2, 1, 3))], "int3")[0]
    assert np.sum((q - w) ** 2) < np.sum((per_channel - w) ** 2)
    s = tm.layer_sizes("diffusion", 16)  # 90 inputs: ceil(90/16) = 6 scales per channel
    want = sum(b * (a * 4 + 16 * -(-a // 16)) + 16 * b for a, b in itertools.pairwise(s))
    assert tm.weight_bits("diffusion", 16, "int4", block=16) == pytest.approx(want)
    with pytest.raises(ValueError, match="block"):
        tm.quantize_params([w], "int3", block=0)
