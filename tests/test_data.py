"""Tests of helpers.data: the registry, file resolution and verification, tidy loaders.

No test uses the network: downloads go through fake ``downloader`` callables. Tests that
read the real released files need ``../shared/data`` beside the project (or
``$SCALING_BOOK_DATA``) and are skipped, with the reason shown, without it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import data as hd
from helpers import paths
from helpers.data import resolve as data_resolve

HAVE_DATA = hd.SHARED_DATA_DIR.is_dir() or bool(os.environ.get(hd.DATA_ENV_VAR))
# The shared-data root in effect: the documented override first, as helpers.data resolves.
DATA_ROOT = Path(os.environ.get(hd.DATA_ENV_VAR) or hd.SHARED_DATA_DIR).expanduser()
needs_data = pytest.mark.skipif(
    not HAVE_DATA, reason=f"no {hd.SHARED_DATA_DIR} and {hd.DATA_ENV_VAR} not set"
)
CHINCHILLA = "analyzing-chinchilla/data/svg_extracted_data.csv"
SMALL = "scaling/exp_data/eval_metadata.csv"


def isolate(monkeypatch, tmp_path: Path) -> Path:
    """No env override, no shared data, an empty cache in tmp_path, downloads allowed."""
    monkeypatch.delenv(hd.DATA_ENV_VAR, raising=False)
    monkeypatch.delenv(hd.OFFLINE_ENV_VAR, raising=False)
    monkeypatch.setenv(hd.CACHE_ENV_VAR, str(tmp_path / "cache"))
    monkeypatch.setattr(paths, "SHARED_DATA_DIR", tmp_path / "no-shared-data")
    return tmp_path


def write_into(root: Path, key: str, content: bytes) -> Path:
    target = root / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


def flipped(content: bytes, at: int = 10) -> bytes:
    out = bytearray(content)
    out[at] ^= 0x01
    return bytes(out)


# ----------------------------------------------------------------------------- registry


def test_registry_integrity():
    reg = hd.registry()
    assert list(reg.columns) == ["key", "sha256", "bytes", "url", "licence", "citation"]
    assert reg["key"].is_unique
    assert reg["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert (reg["bytes"] > 0).all()
    assert (reg["licence"].str.len() > 0).all() and (reg["citation"].str.len() > 0).all()
    project = reg["url"] == ""
    assert sorted(reg.loc[project, "key"]) == [
        "betr_compute_multipliers.csv",
        "betr_nemotron_cc_laws.csv",
        "chinchilla_estimates.csv",
        "gadre_extrapolation_errors.csv",
    ]
    assert all((hd.PROJECT_DATA_DIR / k).is_file() for k in reg.loc[project, "key"])
    raw = r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[0-9a-f]{40}/\S+"
    assert reg.loc[~project, "url"].str.fullmatch(raw).all()
    folders = reg["key"].str.split("/").str[0].value_counts()
    assert folders["scaling"] == 209 and folders["OLMo-ladder"] == 29
    assert folders["ObsScaling"] == 7 and folders["ColPret"] == 5
    assert len(reg) == 209 + 29 + 7 + 5 + 1 + 4  # + Epoch file + 4 project tables
    assert not reg["key"].str.contains("LICENSE|PROVENANCE").any()
    reg.loc[0, "sha256"] = "x"  # registry() hands out a copy
    assert hd.registry().loc[0, "sha256"] != "x"


def test_betr_copy_is_registered_with_the_shared_hash():
    entry = hd.registry().set_index("key").loc["betr_nemotron_cc_laws.csv"]
    assert entry["sha256"].startswith("4d9b257b")
    assert "2507.12466" in entry["citation"] and "Table" in entry["citation"]


@needs_data
def test_registry_is_up_to_date_with_shared_provenance():
    spec = importlib.util.spec_from_file_location(
        "make_registry", hd.PROJECT_ROOT / "data" / "make_registry.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    if not any(DATA_ROOT.glob("*/PROVENANCE.md")):
        pytest.skip(f"no PROVENANCE.md notes under {DATA_ROOT} to rebuild the registry from")
    rows, problems = script.build(DATA_ROOT)
    assert problems == []
    rebuilt = pd.DataFrame(rows, columns=script.COLUMNS)
    committed = pd.read_csv(hd.REGISTRY_FILE, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(rebuilt, committed)


# --------------------------------------------------------------------------- resolution


@needs_data
def test_every_registered_file_resolves_and_verifies():
    for row in hd.registry().itertuples():
        found = hd.path(row.key)
        assert found.is_file()
        assert hd.sha256_of(found) == row.sha256
        assert found.stat().st_size == row.bytes


def test_project_file_resolves_from_project_data_only(monkeypatch, tmp_path):
    key = "betr_nemotron_cc_laws.csv"
    real = hd.PROJECT_ROOT / "data" / key
    write_into(tmp_path, key, b"not the table")  # ignored: project files skip the env var
    monkeypatch.setenv(hd.DATA_ENV_VAR, str(tmp_path))
    assert hd.path(key) == real
    monkeypatch.setattr(paths, "PROJECT_DATA_DIR", tmp_path / "empty")
    with pytest.raises(hd.DataFileError, match="git checkout"):
        hd.path(key)


@needs_data
def test_env_var_override_takes_priority(monkeypatch, tmp_path):
    shared = hd.path(SMALL)  # the real shared copy stays in place, lower in priority
    copy = write_into(tmp_path, SMALL, shared.read_bytes())
    monkeypatch.setenv(hd.DATA_ENV_VAR, str(tmp_path))
    assert hd.path(SMALL) == copy != shared


@needs_data
def test_corrupted_file_is_a_clear_error_and_not_skipped(monkeypatch, tmp_path):
    content = hd.path(CHINCHILLA).read_bytes()  # the good shared copy stays in place
    bad = write_into(tmp_path, CHINCHILLA, flipped(content))
    monkeypatch.setenv(hd.DATA_ENV_VAR, str(tmp_path))
    expected = hd.registry().set_index("key").loc[CHINCHILLA, "sha256"]
    with pytest.raises(hd.DataFileError) as info:
        hd.path(CHINCHILLA)
    err, message = info.value, str(info.value)
    assert isinstance(err, FileNotFoundError)
    assert err.key == CHINCHILLA and err.expected_sha256 == expected
    assert err.actual_sha256 == hashlib.sha256(bad.read_bytes()).hexdigest()
    for text in (CHINCHILLA, expected, err.actual_sha256, "corrupted", str(bad), hd.DATA_ENV_VAR):
        assert text in message
    assert "delete" in message


def test_missing_file_offline_is_a_clear_error(monkeypatch, tmp_path):
    isolated = isolate(monkeypatch, tmp_path)
    monkeypatch.setenv(hd.OFFLINE_ENV_VAR, "1")
    with pytest.raises(hd.DataFileError) as info:
        hd.path(SMALL)
    message = str(info.value)
    expected = hd.registry().set_index("key").loc[SMALL, "sha256"]
    for text in (
        SMALL,
        expected,
        f"${hd.DATA_ENV_VAR}: not set",
        str(paths.SHARED_DATA_DIR / SMALL),
        str(isolated / "cache" / SMALL),
        hd.OFFLINE_ENV_VAR,
        "raw.githubusercontent.com",
    ):
        assert text in message
    assert info.value.actual_sha256 is None and len(info.value.looked) == 3
    again = pickle.loads(pickle.dumps(info.value))  # survives joblib/loky workers
    assert str(again) == message and again.key == SMALL and again.looked == info.value.looked


@needs_data
def test_download_through_pooch_with_a_fake_downloader(monkeypatch, tmp_path):
    content = hd.path(SMALL).read_bytes()
    isolated = isolate(monkeypatch, tmp_path)
    calls = []

    def fake(url, output_file, pooch=None, check_only=False):
        calls.append(url)
        Path(output_file).write_bytes(content)

    found = hd.path(SMALL, downloader=fake)
    assert found == isolated / "cache" / SMALL
    assert found.read_bytes() == content and len(calls) == 1
    assert calls[0] == hd.registry().set_index("key").loc[SMALL, "url"]

    def must_not_download(*args, **kwargs):
        raise AssertionError("the cached copy should be used")

    monkeypatch.setenv(hd.OFFLINE_ENV_VAR, "1")
    assert hd.path(SMALL, downloader=must_not_download) == found


def test_download_of_wrong_bytes_is_an_error(monkeypatch, tmp_path):
    isolated = isolate(monkeypatch, tmp_path)

    def wrong(url, output_file, pooch=None, check_only=False):
        Path(output_file).write_bytes(b"something else entirely")

    with pytest.raises(hd.DataFileError) as info:
        hd.path(SMALL, downloader=wrong)
    assert info.value.actual_sha256 == hashlib.sha256(b"something else entirely").hexdigest()
    assert info.value.expected_sha256 in str(info.value)
    assert not (isolated / "cache" / SMALL).exists()


def test_failed_download_is_a_clear_error(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)

    def offline(url, output_file, pooch=None, check_only=False):
        raise ConnectionError("no route to host")

    with pytest.raises(hd.DataFileError, match="no route to host") as info:
        hd.path(SMALL, downloader=offline)
    assert hd.DATA_ENV_VAR in str(info.value)


def test_unknown_key_suggests_close_matches():
    with pytest.raises(ValueError, match=re.escape(repr(SMALL))):
        hd.path("scaling/exp_data/eval_metadata.cvs")
    with pytest.raises(ValueError, match=re.escape(repr(CHINCHILLA))):
        hd.path("svg_extracted_data.csv")
    with pytest.raises(ValueError, match="opt_trajectories"):
        hd.path("ColPret/opt.csv")
    with pytest.raises(TypeError, match="str"):
        hd.path(Path(SMALL))


def test_sha256_is_memoised_per_path_mtime_and_size(tmp_path):
    file = tmp_path / "f.bin"
    file.write_bytes(b"abc")
    assert hd.sha256_of(file) == hashlib.sha256(b"abc").hexdigest()
    assert any(memo[0] == str(file.resolve()) for memo in data_resolve._HASHES)
    file.write_bytes(b"abd")
    os.utime(file, ns=(1, 1))  # a different mtime, even on coarse filesystem clocks
    assert hd.sha256_of(file) == hashlib.sha256(b"abd").hexdigest()


# ------------------------------------------------------------------------------ loaders


@needs_data
def test_chinchilla_runs():
    runs = hd.load_chinchilla_runs()
    assert list(runs.columns) == ["params_N", "tokens_D", "flops_C", "loss_nats"]
    assert len(runs) == 240 and len(hd.load_chinchilla_runs(drop_highest=0)) == 245
    np.testing.assert_allclose(runs["flops_C"], 6 * runs["params_N"] * runs["tokens_D"])
    assert runs["loss_nats"].between(1.8, 3.5).all()
    with pytest.raises(ValueError, match="drop_highest"):
        hd.load_chinchilla_runs(drop_highest=-1)
    with pytest.raises(TypeError, match="int"):
        hd.load_chinchilla_runs(drop_highest=2.0)


@needs_data
def test_gadre_testbed():
    models = hd.load_gadre_testbed()
    assert len(models) == 104 and models["model"].is_unique
    assert set(models["dataset"]) == {"c4", "redpajama", "refinedweb"}
    assert models["architecture"].nunique() == 6
    np.testing.assert_allclose(models["token_multiplier_M"], models.tokens_D / models.params_N)
    np.testing.assert_allclose(models["flops_C"], 6 * models.params_N * models.tokens_D)
    assert models["token_multiplier_M"].min() == 5 and models["token_multiplier_M"].max() == 640
    losses = [c for c in models.columns if c.endswith("_loss")]
    assert len(losses) == 8 and losses[0] == "c4_eval_loss" and "val_de-en_100_loss" in losses
    assert models["c4_eval_loss"].between(2.0, 7.0).all()


@needs_data
def test_gadre_downstream():
    evals = hd.load_gadre_downstream()
    assert len(evals) == 104 * 46 and evals["task"].nunique() == 46
    assert set(evals["model"]) == set(hd.load_gadre_testbed()["model"])
    assert evals["accuracy"].between(0, 1).all()
    assert evals["random_baseline"].between(0, 0.5).all() and evals["random_baseline"].notna().all()
    assert evals.loc[evals["in_17_task_subset"], "task"].nunique() == 17


@needs_data
def test_obsscaling_btlm_fixed_and_compute_consistent():
    base = hd.load_obsscaling()
    assert base.shape == (148, 13)
    assert list(base.columns[:5]) == ["model", "family", "params_N", "tokens_D", "flops_C"]
    btlm = base.set_index("model").loc["cerebras/btlm-3b-8k-base"]
    assert btlm["tokens_D"] == pytest.approx(627e9) and btlm["flops_C"] == pytest.approx(1.1286e22)
    known = base.dropna(subset=["flops_C"])
    np.testing.assert_allclose(known.flops_C, 6 * known.params_N * known.tokens_D, rtol=1e-9)
    assert base["tokens_D"].max() == pytest.approx(15e12)  # Llama 3: 15T tokens
    sizes = {"base_sub_10b": 92, "emergent": 84, "post_training": 96, "instruct": 27}
    for which, rows in sizes.items():
        table = hd.load_obsscaling(which)
        assert len(table) == rows and table.columns[0] == "model"
    with pytest.raises(ValueError, match="base_sub_10b"):
        hd.load_obsscaling("nope")


@needs_data
def test_olmo_ladder_runs_and_targets():
    runs = hd.load_olmo_ladder_runs()
    lead = ["size", "params_N", "chinchilla_multiple", "step", "tokens_D", "flops_C"]
    assert list(runs.columns[:6]) == lead and "flops_logged" in runs
    assert runs.groupby(["size", "chinchilla_multiple"]).ngroups == 16
    assert set(runs["size"]) == {"190M", "370M", "760M", "1.3B"}
    assert runs.loc[runs["size"] == "190M", "params_N"].eq(190_354_176).all()
    final = runs.groupby(["size", "chinchilla_multiple"]).agg(
        D=("tokens_D", "max"), N=("params_N", "first")
    )
    k = final.index.get_level_values("chinchilla_multiple").astype(float)
    np.testing.assert_allclose(final["D"] / final["N"], 20 * k, rtol=0.01)
    assert "eval/c4_en-validation/CrossEntropyLoss" in runs
    targets = hd.load_olmo_ladder_targets()
    assert targets["size"].value_counts().to_dict() == {"13B-5T": 12, "7B-4T": 1}
    assert targets["tokens_D"].max() == pytest.approx(5.0e12, rel=0.01)
    assert targets.loc[targets["size"] == "7B-4T", "tokens_D"].item() == pytest.approx(
        3.945e12, rel=1e-3
    )


@needs_data
def test_colpret_quirks_fixed():
    opt = hd.load_colpret("opt")
    assert opt["tokens_D"].min() >= 1e9 and opt["tokens_D"].max() < 3e11  # not log10
    np.testing.assert_allclose(opt["loss_nats"], np.log(opt["perplexity"]))
    np.testing.assert_allclose(opt["flops_C"], 6 * opt.params_N * opt.tokens_D, rtol=1e-9)

    dbl = hd.load_colpret("datablations")
    assert set(dbl["params_N"]) == {2.8e9, 4.2e9, 8.7e9}
    np.testing.assert_allclose(dbl["flops_C"], 6 * dbl.params_N * dbl.tokens_D)
    assert dbl.groupby("run")["flops_C"].apply(lambda f: f.is_monotonic_increasing).all()

    gpt3 = hd.load_colpret("gpt3")
    assert gpt3["params_N"].notna().all() and gpt3["tokens_D"].max() == pytest.approx(
        3e11, rel=0.01
    )
    assert (gpt3["train_loss_nats"].notna() ^ gpt3["val_loss_nats"].notna()).all()

    olmo = hd.load_colpret("olmo")
    assert set(olmo["model"]) == {"OLMo-1B", "OLMo-7B", "OLMo-7B-Twin-2T"}
    twin = olmo[olmo["model"] == "OLMo-7B-Twin-2T"]
    assert twin["tokens_D"].max() == pytest.approx(2e12, rel=0.01)
    assert len(hd.load_colpret("datablations_contour")) == 229
    with pytest.raises(ValueError, match="gpt3"):
        hd.load_colpret("GPT3")


def test_betr_laws():
    laws = hd.load_betr_laws()
    assert laws.shape == (44, 12)
    assert set(laws["filter"]) == {"none", "top3", "top10", "top30"}
    assert laws.groupby("filter").size().eq(11).all()
    assert laws.loc[laws["task"] == "ValLoss", "c1"].isna().all()
    assert laws.loc[laws["filter"] == "top10", "keep_fraction"].eq(0.10).all()


def test_registry_is_handed_out_read_only():
    entries = data_resolve._entries()
    with pytest.raises(TypeError):
        entries["new-key"] = {}  # type: ignore[index]
    row = next(iter(entries.values()))
    with pytest.raises(TypeError):
        row["sha256"] = "0" * 64  # type: ignore[index]
    table = hd.registry()
    table.loc[0, "sha256"] = "edited"
    assert hd.registry().loc[0, "sha256"] != "edited"  # a copy, not the cached table


def test_sweeps_and_paths_do_not_import_data():
    import ast
    import inspect

    from helpers import sweeps

    for module in (sweeps, paths):
        tree = ast.parse(inspect.getsource(module))
        imported = {
            node.module or ""
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level >= 1
        }
        assert "data" not in imported, module.__name__


def test_betr_compute_multipliers():
    table = hd.load_betr_compute_multipliers()
    assert len(table) == 17
    core = table.query("pool == 'Nemotron-CC' and method == 'BETR Target-Core'")
    assert set(core["task"]) == {"Core"} | set(hd.load_betr_laws()["task"]) - {"ValLoss"}
    assert core.set_index("task").loc["Core", "printed"] == "4.7"
    assert (table["compute_multiplier"] > 1).all()


def test_gadre_extrapolation_errors():
    table = hd.load_gadre_extrapolation_errors()
    # only cells with a text or released-notebook source (the RedPajama targets)
    assert len(table) == 4
    assert set(table["train_set"]) == {"redpajama"}
    assert not table["checked_against"].str.contains("figure cell only").any()
    testbed = hd.load_gadre_testbed()
    joined = table.merge(
        testbed,
        left_on=["train_set", "architecture", "token_multiplier_M"],
        right_on=["dataset", "architecture", "token_multiplier_M"],
    )
    assert len(joined) == 4  # every transcribed cell is a model of the testbed
