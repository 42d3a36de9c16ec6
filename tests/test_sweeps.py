"""Tests of helpers.sweeps: tidy output, determinism, caching, backend switching."""

import joblib
import numpy as np
import pandas as pd
import pytest

from helpers import sweeps


def noisy_mean(n, scale, seed):
    return np.random.default_rng(seed).normal(0, scale, n).mean()


def two_outputs(n):
    return {"n2": n * n, "half": n / 2}


def frame_output(n, seed):
    return pd.DataFrame({"step": [1, 2], "loss": [n + seed, n + seed - 1]})


CALLS = []


def counted(n):
    CALLS.append(n)
    return n + 1


def test_grid_points_are_the_cartesian_product():
    points = sweeps.grid_points({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(points) == 6 and points[0] == {"a": 1, "b": "x"} and points[-1] == {"a": 2, "b": "z"}
    with pytest.raises(ValueError, match="empty"):
        sweeps.grid_points({"a": []})
    with pytest.raises(ValueError, match="sequence"):
        sweeps.grid_points({"a": "abc"})


def test_a_sweep_over_explicit_points_runs_them_in_order():
    points = [{"n": 100, "scale": 2.0}, {"n": 10, "scale": 1.0}]
    df = sweeps.sweep(noisy_mean, points, seeds=[0, 1], n_jobs=2)
    assert df[["n", "scale", "seed"]].values.tolist() == [
        [100, 2.0, 0],
        [100, 2.0, 1],
        [10, 1.0, 0],
        [10, 1.0, 1],
    ]
    product = sweeps.sweep(noisy_mean, {"n": [10], "scale": [1.0]}, seeds=[0, 1])
    assert df["value"].iloc[2:].tolist() == product["value"].tolist()
    with pytest.raises(ValueError, match="same parameters"):
        sweeps.grid_points([{"n": 1}, {"n": 1, "scale": 2.0}])
    with pytest.raises(ValueError, match="non-empty list of mappings"):
        sweeps.grid_points([])
    with pytest.raises(ValueError, match="non-empty list of mappings"):
        sweeps.grid_points([{"n": 1}, 3])


def test_seed_chunks_split_in_order_and_lose_no_seed():
    assert sweeps.seed_chunks(range(6)) == [(0, 1, 2), (3, 4, 5)]
    assert sweeps.seed_chunks((0, 1, 2, 3, 4)) == [(0, 1, 2), (3, 4)]
    assert sweeps.seed_chunks(range(10, 17), parts=3) == [(10, 11, 12), (13, 14), (15, 16)]
    assert sweeps.seed_chunks((5,), parts=2) == [(5,)]
    with pytest.raises(ValueError, match="empty"):
        sweeps.seed_chunks(())
    with pytest.raises(ValueError, match="positive integer"):
        sweeps.seed_chunks((1, 2), parts=0)


def test_sweep_is_tidy_ordered_and_deterministic():
    grid = {"n": [10, 100], "scale": [1.0, 2.0]}
    a = sweeps.sweep(noisy_mean, grid, seeds=[0, 1, 2])
    b = sweeps.sweep(noisy_mean, grid, seeds=[0, 1, 2], n_jobs=2)
    assert list(a.columns) == ["n", "scale", "seed", "value"]
    assert len(a) == 12
    assert a[["n", "scale", "seed"]].iloc[:3].to_dict("list") == {
        "n": [10, 10, 10],
        "scale": [1.0, 1.0, 1.0],
        "seed": [0, 1, 2],
    }
    pd.testing.assert_frame_equal(a, b)


def test_mapping_and_frame_outputs():
    df = sweeps.sweep(two_outputs, {"n": [2, 4]})
    assert df.to_dict("list") == {"n": [2, 4], "n2": [4, 16], "half": [1.0, 2.0]}
    df = sweeps.sweep(frame_output, {"n": [10]}, seeds=[0, 1])
    assert len(df) == 4 and list(df.columns) == ["n", "seed", "step", "loss"]


def test_backend_is_switchable_without_code_change():
    grid = {"n": [10, 20], "scale": [1.0]}
    reference = sweeps.sweep(noisy_mean, grid, seeds=[3])
    for backend in ["threading", "loky", "sequential"]:
        with joblib.parallel_config(backend=backend, n_jobs=2):
            pd.testing.assert_frame_equal(sweeps.sweep(noisy_mean, grid, seeds=[3]), reference)


def test_cache_reuses_results(tmp_path):
    CALLS.clear()
    first = sweeps.sweep(counted, {"n": [1, 2]}, cache=tmp_path)
    second = sweeps.sweep(counted, {"n": [1, 2]}, cache=tmp_path)
    pd.testing.assert_frame_equal(first, second)
    assert CALLS == [1, 2]  # second sweep served from the cache, in this process


def test_cache_dir_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv(sweeps.CACHE_ENV_VAR, str(tmp_path))
    assert sweeps.cache_dir() == tmp_path


def test_parallel_map_with_progress_bar_keeps_order():
    assert sweeps.parallel_map(abs, [-3, 2, -1], progress=True) == [3, 2, 1]
    assert sweeps.parallel_map(abs, []) == []


def test_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        sweeps.sweep(42, {"n": [1]})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seeds is empty"):
        sweeps.sweep(noisy_mean, {"n": [1], "scale": [1.0]}, seeds=[])


def test_cache_is_keyed_on_the_helpers_source(tmp_path, monkeypatch):
    """An edit to any helpers module (not only the swept function) starts a fresh cache."""
    CALLS.clear()
    sweeps.sweep(counted, {"n": [1]}, cache=tmp_path)
    monkeypatch.setattr(sweeps, "code_fingerprint", lambda: "edited")
    sweeps.sweep(counted, {"n": [1]}, cache=tmp_path)
    assert CALLS == [1, 1]
    monkeypatch.undo()
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "sub" / "b.py").write_text("y = 2\n")
    before = sweeps.code_fingerprint(pkg)
    assert len(before) == 16 and before == sweeps.code_fingerprint(pkg)
    (pkg / "sub" / "b.py").write_text("y = 3\n")
    assert sweeps.code_fingerprint(pkg) != before


def test_cache_is_keyed_on_the_numerical_environment(tmp_path, monkeypatch):
    """A run under another BLAS kernel or SIMD path computes afresh (helpers.robustness)."""
    CALLS.clear()
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    monkeypatch.delenv("NPY_DISABLE_CPU_FEATURES", raising=False)
    sweeps.sweep(counted, {"n": [1]}, cache=tmp_path)
    sweeps.sweep(counted, {"n": [1]}, cache=tmp_path)  # same environment: cached
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Sandybridge")
    sweeps.sweep(counted, {"n": [1]}, cache=tmp_path)
    monkeypatch.setenv("NPY_DISABLE_CPU_FEATURES", "X86_V3")
    sweeps.sweep(counted, {"n": [1]}, cache=tmp_path)
    assert CALLS == [1, 1, 1]
    assert sweeps.numerics_key({}) == "native"
    a = sweeps.numerics_key({"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4"})
    assert a == sweeps.numerics_key({"NPY_DISABLE_CPU_FEATURES": "X86_V4,X86_V3"})
    assert a != sweeps.numerics_key({"NPY_DISABLE_CPU_FEATURES": "X86_V3"})
