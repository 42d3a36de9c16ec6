"""The data registry: find a released data file, verify its sha256, load it as a tidy table.

Every external file the book reads is a row of ``data/registry.csv`` (key, sha256, bytes,
source URL at a pinned commit, licence, citation). :func:`path` turns a key into a verified
local file, looking in this order:

1. the directory named by the environment variable ``SCALING_BOOK_DATA`` (same layout as
   ``shared/data``: ``$SCALING_BOOK_DATA/<key>``);
2. ``../shared/data`` beside the project root;
3. a download cache (``pooch.os_cache("scaling-laws-reproduced")``, or the directory in
   ``SCALING_BOOK_CACHE``), downloading from the registry URL unless
   ``SCALING_BOOK_OFFLINE=1``.

Files that ship with the project (an empty ``url`` in the registry, e.g. the BETR table
transcribed from a paper) are found in the project's ``data/`` folder only.

Every file found is checked against its sha256. A missing or corrupted file raises
:class:`DataFileError`, whose message names the key, the expected (and actual) sha256,
every place looked and how to fix it. A corrupted file is an error wherever it is found:
it is never skipped in favour of a lower-priority location.

The ``load_*`` functions return tidy :class:`pandas.DataFrame` objects with units in the
column names (``params_N`` in parameters, ``tokens_D`` in tokens, ``flops_C`` in FLOPs,
``*_nats`` in nats per token). Quirks of the released data are fixed in the loaders, each
fix citing the ``PROVENANCE.md`` note of its folder in ``shared/data``.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CACHE_ENV_VAR",
    "DATA_ENV_VAR",
    "OFFLINE_ENV_VAR",
    "PROJECT_ROOT",
    "DataFileError",
    "cache_dir",
    "keys",
    "load_betr_laws",
    "load_chinchilla_estimates",
    "load_chinchilla_runs",
    "load_colpret",
    "load_gadre_downstream",
    "load_gadre_testbed",
    "load_obsscaling",
    "load_olmo_ladder_runs",
    "load_olmo_ladder_targets",
    "path",
    "read_csv",
    "read_json",
    "registry",
    "sha256_of",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the folder holding ``pyproject.toml``, ``data/`` and ``book/``)."""
PROJECT_DATA_DIR = PROJECT_ROOT / "data"
SHARED_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
REGISTRY_FILE = PROJECT_DATA_DIR / "registry.csv"

DATA_ENV_VAR = "SCALING_BOOK_DATA"
CACHE_ENV_VAR = "SCALING_BOOK_CACHE"
OFFLINE_ENV_VAR = "SCALING_BOOK_OFFLINE"
CACHE_NAME = "scaling-laws-reproduced"

# In-process memo of verified hashes, keyed by (path, mtime_ns, size): a file is hashed
# once per process unless it changes on disk.
_HASHES: dict[tuple[str, int, int], str] = {}


class DataFileError(FileNotFoundError):
    """A registered data file is missing everywhere, or corrupted where it was found.

    Attributes
    ----------
    key : str
        Registry key of the file.
    expected_sha256 : str
        sha256 recorded in the registry.
    actual_sha256 : str or None
        sha256 of the corrupted file (None when the file is missing).
    looked : list of str
        Every place looked, in order, with what was found there.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str = "",
        expected_sha256: str = "",
        actual_sha256: str | None = None,
        looked: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.key = key
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256
        self.looked = list(looked or [])

    def __str__(self) -> str:
        return str(self.args[0])


# --------------------------------------------------------------------------------------
# Registry and resolution
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _registry_table() -> pd.DataFrame:
    if not REGISTRY_FILE.is_file():
        raise FileNotFoundError(
            f"the data registry {REGISTRY_FILE} is missing: helpers.data needs the project's "
            "source tree (install it with `pip install -e .` from a clone)"
        )
    table = pd.read_csv(REGISTRY_FILE, dtype=str, keep_default_na=False)
    table["bytes"] = pd.array([int(b) if b else None for b in table["bytes"]], dtype="Int64")
    return table


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in _registry_table().to_dict("records")}


def registry() -> pd.DataFrame:
    """Return the data registry as a table (a copy; one row per registered file).

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` (path relative to ``shared/data``, or the file name in the
        project's ``data/`` for files that ship with the project), ``sha256`` (64 hex
        digits), ``bytes`` (file size, nullable int), ``url`` (raw file at the pinned
        commit; empty for project files), ``licence`` and ``citation``.
    """
    return _registry_table().copy()


def keys(prefix: str = "") -> list[str]:
    """Return the sorted registry keys that start with ``prefix``.

    Examples
    --------
    >>> len(keys("scaling/exp_data/models/"))
    104
    """
    return sorted(k for k in _entries() if k.startswith(prefix))


def _entry(key: str) -> dict[str, Any]:
    if not isinstance(key, str):
        raise TypeError(f"key must be a str (a registry key), got {type(key).__name__}")
    entries = _entries()
    if key in entries:
        return entries[key]
    stem = PurePosixPath(key).stem.lower()
    close = difflib.get_close_matches(key, list(entries), n=5, cutoff=0.6)
    if len(stem) >= 3:  # also keys whose file name contains the one asked for
        close += [k for k in entries if stem in PurePosixPath(k).name.lower() and k not in close]
    hint = "; did you mean: " + ", ".join(repr(k) for k in close[:8]) if close else ""
    raise ValueError(
        f"unknown data key {key!r}{hint}. Registered keys are listed in {REGISTRY_FILE} "
        f"(helpers.data.registry() or helpers.data.keys(prefix))."
    )


def sha256_of(file: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of ``file``, memoised per (path, mtime, size) in this process."""
    file = Path(file)
    stat = file.stat()
    memo = (str(file.resolve()), stat.st_mtime_ns, stat.st_size)
    if memo not in _HASHES:
        digest = hashlib.sha256()
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _HASHES[memo] = digest.hexdigest()
    return _HASHES[memo]


def cache_dir() -> Path:
    """Return the download cache: ``$SCALING_BOOK_CACHE`` or pooch's OS cache folder."""
    override = os.environ.get(CACHE_ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser()
    import pooch

    return Path(pooch.os_cache(CACHE_NAME))


def _offline() -> bool:
    return os.environ.get(OFFLINE_ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def _locations(key: str, entry: dict[str, Any]) -> Iterator[tuple[str, Path | None]]:
    """Yield (description, candidate file) in priority order; None = location not set."""
    if not entry["url"]:
        yield "the project's data/ folder", PROJECT_DATA_DIR / key
        return
    env = os.environ.get(DATA_ENV_VAR, "").strip()
    yield f"${DATA_ENV_VAR}", (Path(env).expanduser() / key) if env else None
    yield "../shared/data beside the project", SHARED_DATA_DIR / key
    yield f"download cache (${CACHE_ENV_VAR} or pooch.os_cache)", cache_dir() / key


def _fail(
    key: str,
    entry: dict[str, Any],
    looked: list[str],
    problem: str,
    fix: str,
    actual: str | None = None,
) -> DataFileError:
    lines = [f"data file {key!r} {problem}", f"  expected sha256: {entry['sha256']}"]
    if actual:
        lines.append(f"  actual sha256:   {actual}")
    lines.append("Places looked, in order:")
    lines += [f"  {i}. {where}" for i, where in enumerate(looked, 1)]
    lines.append("How to fix:")
    lines += [f"  * {item}" for item in fix.split("\n")]
    return DataFileError(
        "\n".join(lines),
        key=key,
        expected_sha256=entry["sha256"],
        actual_sha256=actual,
        looked=looked,
    )


def _fix_missing(key: str, entry: dict[str, Any], why_no_download: str) -> str:
    if not entry["url"]:
        return (
            f"this file ships with the project: restore {PROJECT_DATA_DIR / key} "
            f"(e.g. `git checkout -- data/{key}`)"
        )
    return (
        f"set {DATA_ENV_VAR} to a directory laid out like shared/data "
        f"(it must contain {key}), or\n"
        f"put the shared data folder beside the project, at {SHARED_DATA_DIR}, or\n"
        f"allow the download ({why_no_download}): it fetches {entry['url']} into {cache_dir()}"
    )


def path(key: str, *, downloader: Callable[..., Any] | None = None) -> Path:
    """Return the local path of a registered data file, verified against its sha256.

    Parameters
    ----------
    key : str
        Registry key: the path relative to ``shared/data`` (for example
        ``"analyzing-chinchilla/data/svg_extracted_data.csv"``), or the file name of a
        file that ships with the project (``"betr_nemotron_cc_laws.csv"``).
    downloader : callable, optional
        Passed to :func:`pooch.retrieve` when the file must be downloaded (signature
        ``downloader(url, output_file, pooch)``). Tests use it to avoid the network.

    Returns
    -------
    pathlib.Path
        The first existing file among ``$SCALING_BOOK_DATA/<key>``,
        ``../shared/data/<key>`` and the download cache (downloading into the cache if
        needed and allowed); for project files, ``<project>/data/<key>``.

    Raises
    ------
    ValueError
        Unknown key (the message suggests close matches).
    DataFileError
        The file is corrupted where found (sha256 mismatch), missing everywhere with the
        download disabled (``SCALING_BOOK_OFFLINE=1``), or the download failed.
    """
    entry = _entry(key)
    expected = entry["sha256"]
    looked: list[str] = []
    for where, candidate in _locations(key, entry):
        if candidate is None:
            looked.append(f"{where}: not set")
            continue
        if not candidate.is_file():
            looked.append(f"{where}: {candidate} (not found)")
            continue
        actual = sha256_of(candidate)
        if actual == expected:
            return candidate
        looked.append(f"{where}: {candidate} (sha256 mismatch)")
        fix = (
            f"replace or delete the corrupted file {candidate} (a lower-priority location "
            f"is not used while it is there)"
            + (f"; the registered version is {entry['url']}" if entry["url"] else "")
            + "\nif the data changed on purpose, rerun data/make_registry.py and commit"
        )
        raise _fail(key, entry, looked, f"is corrupted at {candidate}", fix, actual)
    if not entry["url"]:
        raise _fail(key, entry, looked, "is missing", _fix_missing(key, entry, ""))
    if _offline():
        why = f"unset {OFFLINE_ENV_VAR}, currently {os.environ.get(OFFLINE_ENV_VAR)!r}"
        raise _fail(key, entry, looked, "is missing", _fix_missing(key, entry, why))
    return _download(key, entry, looked, downloader)


def _download(
    key: str, entry: dict[str, Any], looked: list[str], downloader: Callable[..., Any] | None
) -> Path:
    import pooch

    target = cache_dir() / key
    looked.append(f"download of {entry['url']} into {target}")
    try:
        fetched = pooch.retrieve(
            entry["url"],
            known_hash=f"sha256:{entry['sha256']}",
            fname=target.name,
            path=target.parent,
            downloader=downloader,
            progressbar=False,
        )
    except ValueError as err:  # pooch: hash of the downloaded file does not match
        found = [h for h in re.findall(r"[0-9a-f]{64}", str(err)) if h != entry["sha256"]]
        fix = (
            "the source no longer serves the registered bytes: get the file from the "
            f"pinned commit by other means and set {DATA_ENV_VAR}"
        )
        raise _fail(
            key, entry, looked, "was downloaded corrupted", fix, found[0] if found else None
        ) from err
    except Exception as err:  # network errors, HTTP errors, unwritable cache, ...
        why = f"it failed: {type(err).__name__}: {err}"
        raise _fail(key, entry, looked, "is missing", _fix_missing(key, entry, why)) from err
    return Path(fetched)


def read_csv(key: str, **kwargs: Any) -> pd.DataFrame:
    """Read a registered CSV file (resolved and verified by :func:`path`) with pandas."""
    return pd.read_csv(path(key), **kwargs)


def read_json(key: str) -> Any:
    """Read a registered JSON file (resolved and verified by :func:`path`)."""
    return json.loads(path(key).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------
# Shared parsing helpers
# --------------------------------------------------------------------------------------

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def _parse_size(label: str) -> float:
    """'2.8B' -> 2.8e9, '125m' -> 1.25e8 (case-insensitive, surrounding spaces ignored)."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([kmbt])\s*", str(label), flags=re.IGNORECASE)
    if not match:
        raise ValueError(f"cannot parse a model size from {label!r} (expected e.g. '2.8B')")
    return float(match.group(1)) * _SUFFIX[match.group(2).lower()]


def _with_compute(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``flops_C = 6 * params_N * tokens_D`` (the usual training-compute estimate)."""
    return df.assign(flops_C=6.0 * df["params_N"] * df["tokens_D"])


def _front(df: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Put the columns ``first`` first, keep the others in their order."""
    return df[first + [c for c in df.columns if c not in first]]


# --------------------------------------------------------------------------------------
# Chinchilla (Epoch's reconstruction of Hoffmann et al. 2022, Fig. 4)
# --------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# Gadre et al. 2024 testbed (mlfoundations/scaling)
# --------------------------------------------------------------------------------------

GADRE_MODELS = "scaling/exp_data/models/"
GADRE_EVALS = "scaling/exp_data/evals/"
GADRE_METADATA_KEY = "scaling/exp_data/eval_metadata.csv"
_GADRE_DATASETS = {"c4_original": "c4", "rpj": "redpajama", "rw_original": "refinedweb"}
# The paper's "17-task split": tasks where some 0.154B model is >= 10 points above chance.
# Copied from scaling/constants.py::SUBSET of mlfoundations/scaling @ a003c49 (code, not data).
GADRE_17_TASKS = frozenset(
    "bigbench_operators pubmed_qa_labeled hellaswag_zeroshot boolq arc_easy coqa "
    "bigbench_dyck_languages lambada_openai bigbench_novel_concepts winograd "
    "bigbench_cs_algorithms commonsense_qa bigbench_qa_wikidata hellaswag copa squad "
    "piqa".split()
)


def _gadre_val_name(val_data: list[str]) -> str:
    """Name a validation set from its path, as upstream ``scaling/shared.py`` does.

    PROVENANCE (scaling): the set is named by its folder (``.../c4_val/shard-*.tar`` ->
    ``c4_val``), except German C4, named by its file (``.../de-en/val_de-en_100.tar``).
    """
    file = PurePosixPath(val_data[0])
    generic = file.stem.startswith("shard") or file.stem.isdigit()
    return file.parent.name if generic else file.stem


def load_gadre_testbed() -> pd.DataFrame:
    """Load the 104 models of Gadre et al. 2024 (arXiv:2403.08540), one row per model.

    Returns
    -------
    pandas.DataFrame
        104 rows sorted by dataset, size and multiplier. Columns: ``model`` (run name,
        e.g. ``rpj-d=96_l=8_h=4-1.0``), ``dataset`` (``c4``, ``redpajama``,
        ``refinedweb``), ``architecture``, ``params_N``, ``tokens_D``,
        ``chinchilla_multiplier`` (cc), ``token_multiplier_M`` (M = D/N = 20 cc),
        ``flops_C`` (= 6 N D), ``c4_eval_loss`` (the paper's "C4 eval" loss, validation
        set ``c4_val``), then ``<set>_loss`` for the other validation sets: ``openlm``,
        ``paloma_c4_en``, ``paloma_dolma_100_programing_languages``,
        ``paloma_falcon-refinedweb``, ``paloma_ptb``, ``paloma_redpajama``,
        ``val_de-en_100`` (German C4). Losses are mean next-token losses in nats/token.
    """
    rows = []
    for key in keys(GADRE_MODELS):
        run = read_json(key)
        hyper = run["hyperparameters"]
        n_params, n_tokens = float(hyper["params"]), float(hyper["tokens"])
        losses = {_gadre_val_name(r["val_data"]): r["loss"] for r in run["results"]}
        rows.append(
            {
                "model": run["name"],
                "dataset": _GADRE_DATASETS[run["dataset_name"]],
                "architecture": PurePosixPath(hyper["model"]).stem,
                "params_N": n_params,
                "tokens_D": n_tokens,
                "chinchilla_multiplier": float(hyper["chinchilla_multiplier"]),
                "token_multiplier_M": 20.0 * hyper["chinchilla_multiplier"],
                "flops_C": 6.0 * n_params * n_tokens,
                "c4_eval_loss": losses.pop("c4_val"),
                **{f"{name}_loss": loss for name, loss in sorted(losses.items())},
            }
        )
    table = pd.DataFrame(rows)
    order = ["dataset", "params_N", "chinchilla_multiplier"]
    return table.sort_values(order, ignore_index=True)


def load_gadre_downstream() -> pd.DataFrame:
    """Load the downstream accuracies of the Gadre et al. 2024 models, in long form.

    Returns
    -------
    pandas.DataFrame
        One row per (model, task): 104 models x 46 tasks. Columns ``model`` (joins
        :func:`load_gadre_testbed`), ``task``, ``accuracy`` (fraction in [0, 1]; top-1
        error is 1 - accuracy), ``random_baseline`` (chance accuracy as a fraction),
        ``task_category``, ``task_type``, ``n_shots`` and ``in_17_task_subset`` (the
        paper's 17-task split).
    """
    meta = read_csv(GADRE_METADATA_KEY)
    meta = pd.DataFrame(
        {
            "task": meta["Eval Task"],
            # PROVENANCE (scaling): eval_metadata.csv gives "Random baseline" in percent.
            "random_baseline": meta["Random baseline"] / 100.0,
            "task_category": meta["Task Category"],
            "task_type": meta["Task Type"],
            "n_shots": meta["#shots"],
        }
    )
    rows = []
    for key in keys(GADRE_EVALS):
        model = re.fullmatch(r"evaluation_(.+)_heavy\.json", PurePosixPath(key).name).group(1)
        scores = read_json(key)["eval_metrics"]["icl"]
        rows += [(model, task, float(acc)) for task, acc in scores.items()]
    long = pd.DataFrame(rows, columns=["model", "task", "accuracy"])
    long = long.merge(meta, on="task", how="left", validate="many_to_one")
    long["in_17_task_subset"] = long["task"].isin(GADRE_17_TASKS)
    return long.sort_values(["model", "task"], ignore_index=True)


# --------------------------------------------------------------------------------------
# Observational scaling laws (Ruan et al. 2024)
# --------------------------------------------------------------------------------------

_OBSSCALING_FILES = {
    "base": "base_llm_benchmark_eval.csv",
    "base_sub_10b": "base_llm_benchmark_eval_sub_10b.csv",
    "emergent": "base_llm_emergent_capability_eval.csv",
    "post_training": "base_llm_post_training_eval.csv",
    "leaderboard_v2": "base_llm_leaderboard_v2_eval.csv",
    "instruct": "instruct_llm_benchmark_eval.csv",
    "instruct_agent": "instruct_llm_agent_eval.csv",
}
_OBSSCALING_META = {  # column -> (new name, factor to absolute units)
    "Model": ("model", None),
    "Model Family": ("family", None),
    "Model Size (B)": ("params_N", 1e9),
    "Pretraining Data Size (T)": ("tokens_D", 1e12),
    "FLOPs (1E21)": ("flops_C", 1e21),
}


def load_obsscaling(which: str = "base") -> pd.DataFrame:
    """Load one ObsScaling table (Ruan, Maddison & Hashimoto 2024, arXiv:2405.10938).

    Parameters
    ----------
    which : str, default "base"
        ``"base"`` (148 base models x 8 benchmarks), ``"base_sub_10b"`` (92 models of at
        most 10B parameters), ``"emergent"`` (BIG-bench emergent tasks),
        ``"post_training"``, ``"leaderboard_v2"``, ``"instruct"`` (instruction-tuned
        models) or ``"instruct_agent"`` (agent benchmarks).

    Returns
    -------
    pandas.DataFrame
        ``model`` and, where present, ``family``, ``params_N`` (parameters),
        ``tokens_D`` (pretraining tokens) and ``flops_C`` (training FLOPs = 6 N D; NaN
        when the data size is unknown), then the score columns unchanged (fractions in
        [0, 1] unless PROVENANCE says otherwise).
    """
    if which not in _OBSSCALING_FILES:
        raise ValueError(f"which must be one of {sorted(_OBSSCALING_FILES)}, got {which!r}")
    raw = read_csv(f"ObsScaling/eval_results/{_OBSSCALING_FILES[which]}")
    if "Pretraining Data Size (T)" in raw:
        # PROVENANCE (ObsScaling): btlm-3b-8k-base has data size 627 "T" and FLOPs 11286e21,
        # i.e. 627 billion tokens entered as trillions (FLOPs 1000x too large). Fixed here
        # only while the bad values are present, so an upstream fix is not applied twice.
        bad = (raw["Model"] == "cerebras/btlm-3b-8k-base") & (
            raw["Pretraining Data Size (T)"] == 627.0
        )
        raw.loc[bad, ["Pretraining Data Size (T)", "FLOPs (1E21)"]] /= 1000.0
    table = raw.rename(columns={col: new for col, (new, _) in _OBSSCALING_META.items()})
    for new, factor in _OBSSCALING_META.values():
        if factor is not None and new in table:
            table[new] = table[new] * factor
    return table


# --------------------------------------------------------------------------------------
# OLMo model ladder (Bhagia et al. 2024)
# --------------------------------------------------------------------------------------

OLMO_LADDER = "OLMo-ladder/"
OLMO_CONFIG_KEY = OLMO_LADDER + "src/scripts/paper/configs/final.json"


def _olmo_ladder(mode: str) -> pd.DataFrame:
    """Concatenate the ladder CSVs whose config entry has ``mode`` ('train' or 'eval')."""
    renamed = ["_step", "throughput/total_tokens", "throughput/total_training_Gflops"]
    frames = []
    for spec in read_json(OLMO_CONFIG_KEY).values():
        if spec["mode"] != mode:
            continue
        for rel in spec["paths"]:
            raw = read_csv(OLMO_LADDER + rel)
            multiple = re.search(r"-(\d+)xC\.csv$", rel)
            if "throughput/total_tokens" in raw:
                tokens = raw["throughput/total_tokens"].astype(float)
            else:
                # peteish13_eval_final.csv logs no token count: tokens = step x batch size
                # in tokens (8,388,608; 596,057 steps x 8.4M = 5.0T tokens, "13B-5T").
                tokens = raw["_step"] * raw["batch_size_in_tokens"].astype(float)
            front = pd.DataFrame(
                {
                    "size": spec["label"],
                    "params_N": float(spec["n"]),  # PROVENANCE: N only in configs/final.json
                    "chinchilla_multiple": int(multiple.group(1)) if multiple else pd.NA,
                    # peteish7_eval_anneal.csv: one final row without a step
                    "step": raw["_step"] if "_step" in raw else pd.NA,
                    "tokens_D": tokens,
                },
                index=raw.index,
            )
            front = _with_compute(front)
            if "throughput/total_training_Gflops" in raw:
                front["flops_logged"] = raw["throughput/total_training_Gflops"] * 1e9
            rest = raw.drop(columns=[c for c in renamed if c in raw])
            frames.append(pd.concat([front, rest], axis=1))
    table = pd.concat(frames, ignore_index=True)
    return table.astype({"chinchilla_multiple": "Int64", "step": "Int64"})


def load_olmo_ladder_runs() -> pd.DataFrame:
    """Load the 16 OLMo ladder runs (Bhagia et al. 2024, arXiv:2412.04403) in long form.

    Sizes 190M, 370M, 760M, 1.3B, each trained to 1, 2, 5 and 10 x Chinchilla tokens
    (k x 20 tokens per parameter); one row per evaluated checkpoint.

    Returns
    -------
    pandas.DataFrame
        ``size`` (label), ``params_N`` (from ``configs/final.json``),
        ``chinchilla_multiple`` (k), ``step``, ``tokens_D`` (tokens seen),
        ``flops_C`` (= 6 N D), ``flops_logged`` (cumulative training FLOPs as logged,
        which count attention: about 1.3-1.7 x 6 N D), then the upstream metric columns
        unchanged: ``eval/<set>-validation/CrossEntropyLoss`` (nats/token),
        ``eval/downstream_bpb/*`` (bits per byte), ``eval/downstream/*`` (accuracy),
        ``eval/downstream_soft*/*``, learning-rate and batch-size columns.
    """
    return _olmo_ladder("train")


def load_olmo_ladder_targets() -> pd.DataFrame:
    """Load the two OLMo ladder prediction targets, 7B-4T and 13B-5T.

    Returns
    -------
    pandas.DataFrame
        Same leading columns as :func:`load_olmo_ladder_runs` (without ``flops_logged``;
        ``chinchilla_multiple`` is NaN; ``step`` is missing for the single annealed 7B
        row), then the metric columns, including the ``mc_5shot`` accuracies. 7B-4T:
        1 row; 13B-5T: 12 late checkpoints (the paper targets the mean of the last 5).
    """
    return _olmo_ladder("eval")


# --------------------------------------------------------------------------------------
# ColPret (Choshen, Zhang & Andreas 2025)
# --------------------------------------------------------------------------------------

# GPT-3 model labels -> parameters (Brown et al. 2020, Table 2.1).
_GPT3_PARAMS = {
    "small": 125e6,
    "medium": 350e6,
    "large": 760e6,
    "xl": 1.3e9,
    "2.7b": 2.7e9,
    "6.7b": 6.7e9,
    "13b": 13e9,
    "175b": 175e9,
}
# Tokens per optimizer step of the OLMo checkpoints in ColPret's olmo.csv. ColPret's loader
# assumes 4e6 for all; the Hugging Face revision names give 2048 x 2048 tokens for OLMo-1B
# ("step738000-tokens3095B") and 2160 x 2048 for OLMo-7B and 7B-Twin-2T
# ("step557000-tokens2464B"). (The `checkpoint` strings of the OLMo-1B rows repeat the 7B
# revision names, so they are not used.)
_OLMO_TOKENS_PER_STEP = {
    "OLMo-1B": 2048 * 2048,
    "OLMo-7B": 2160 * 2048,
    "OLMo-7B-Twin-2T": 2160 * 2048,
}


def _colpret_datablations(raw: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "run": raw["model_args"].map(lambda s: ast.literal_eval(s)["tensorboard"]),
            "dataset": raw["data"],
            "params_N": raw["num_params"].map(_parse_size),  # stored as '2.8B'
            "epochs": raw["epochs"],
            "unique_tokens": raw["tokens_per_epoch"],
            "tokens_D": raw["token_num"].astype(float),
            "loss_nats": raw["loss"],
            "checkpoint": raw["checkpoint"],
        }
    )
    # PROVENANCE (ColPret): the stored `flops` decrease as tokens grow; recompute 6 N D.
    return _front(_with_compute(table), ["run", "dataset", "params_N", "epochs"])


def _colpret_datablations_contour(raw: pd.DataFrame) -> pd.DataFrame:
    # `flops` here is correct (= 6 N D); `checkpoint` is placeholder text and is dropped.
    return pd.DataFrame(
        {
            "run": raw["model_args"].map(lambda s: ast.literal_eval(s)["name"]),
            "dataset": raw["data"],
            "params_N": raw["num_params"],
            "epochs": raw["epochs"],
            "unique_tokens": raw["tokens_per_epoch"],
            "tokens_D": raw["token_num"],
            "flops_C": raw["flops"],
            "loss_nats": raw["openLM_loss"],
        }
    )


def _colpret_opt(raw: pd.DataFrame) -> pd.DataFrame:
    # PROVENANCE (ColPret): `num_token` and `flops` are log10 values; `ppl` is perplexity.
    return pd.DataFrame(
        {
            "model": "OPT-" + raw["model_size"],
            "params_N": raw["model_size"].map(_parse_size),  # nominal size from the label
            "step": raw["steps"],
            "tokens_D": 10.0 ** raw["num_token"],
            "flops_C": 10.0 ** raw["flops"],
            "perplexity": raw["ppl"],
            "loss_nats": np.log(raw["ppl"]),
        }
    )


def _colpret_olmo(raw: pd.DataFrame) -> pd.DataFrame:
    model = raw["model_name"].str.strip()  # upstream writes 'OLMo-1B ' with a space
    table = raw.drop(columns=["model_name", "num_params", "Step", "checkpoint"]).assign(
        model=model,
        params_N=raw["num_params"].map(_parse_size),  # nominal size ('1B', '7B')
        step=raw["Step"],
        tokens_D=raw["Step"] * model.map(_OLMO_TOKENS_PER_STEP).astype(float),
    )
    return _front(_with_compute(table), ["model", "params_N", "step", "tokens_D", "flops_C"])


def _colpret_gpt3(raw: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "model": "GPT-3-" + raw["model"],
            "params_N": raw["model"].map(_GPT3_PARAMS),
            # PROVENANCE (ColPret): `step` is tokens seen in billions.
            "tokens_D": raw["step"] * 1e9,
            "train_loss_nats": raw["train_loss"],
            "val_loss_nats": raw["val_loss"],
        }
    )
    return _front(_with_compute(table), ["model", "params_N", "tokens_D", "flops_C"])


_COLPRET = {
    "datablations": ("aggregated_eval/datablations_losses.csv", _colpret_datablations),
    "datablations_contour": (
        "aggregated_eval/datablations_contour_losses.csv",
        _colpret_datablations_contour,
    ),
    "opt": ("aggregated_eval/opt_trajectories.csv", _colpret_opt),
    "olmo": ("aggregated_eval/olmo.csv", _colpret_olmo),
    "gpt3": ("raw_data/gpt3/extracted.csv", _colpret_gpt3),
}


def load_colpret(name: str) -> pd.DataFrame:
    """Load one ColPret file (Choshen, Zhang & Andreas 2025, arXiv:2410.11840), fixed.

    Parameters
    ----------
    name : str
        ``"datablations"`` (loss curves of Muennighoff et al. 2023's data-constrained runs,
        2.8B/4.2B/8.7B on C4 or OSCAR, 1-44 epochs), ``"datablations_contour"`` (final
        losses of their smaller C4 runs), ``"opt"`` (OPT training trajectories),
        ``"olmo"`` (OLMo-1B/7B/7B-Twin-2T checkpoints) or ``"gpt3"`` (GPT-3 curves
        digitised from Brown et al. 2020).

    Returns
    -------
    pandas.DataFrame
        Always ``params_N``, ``tokens_D`` (tokens seen) and ``flops_C`` (6 N D, or the
        upstream value where it is right), plus per-file columns: ``loss_nats``
        (datablations, opt), ``train_loss_nats``/``val_loss_nats`` (gpt3, one of them per
        row), ``run``/``dataset``/``epochs``/``unique_tokens`` (datablations), ``model``,
        ``step``, ``perplexity`` (opt) and the wide upstream metric columns (olmo).
        Fixes: datablations ``flops`` recomputed; OPT ``num_token``/``flops`` un-logged and
        loss = ln(ppl); GPT-3 ``step`` (billions of tokens) converted to tokens; OLMo
        tokens from steps with the real batch sizes.
    """
    if name not in _COLPRET:
        raise ValueError(f"name must be one of {sorted(_COLPRET)}, got {name!r}")
    rel, tidy = _COLPRET[name]
    return tidy(read_csv(f"ColPret/{rel}"))


# --------------------------------------------------------------------------------------
# BETR (Mizrahi et al. 2025), transcribed
# --------------------------------------------------------------------------------------

BETR_KEY = "betr_nemotron_cc_laws.csv"
_BETR_KEEP = {"none": 1.0, "top3": 0.03, "top10": 0.10, "top30": 0.30}


def load_betr_laws() -> pd.DataFrame:
    """Load the BETR Nemotron-CC scaling-law parameters (Mizrahi et al. 2025).

    Transcribed from arXiv:2507.12466 v1, Appendix F, Table 12 (loss laws, log space)
    and Table 13 (accuracy-vs-loss sigmoids); see ``data/README.md``.

    Returns
    -------
    pandas.DataFrame
        44 rows = 4 filters x 11 targets. ``filter`` (``none``, ``top3``, ``top10``,
        ``top30``), ``keep_fraction`` (share of tokens kept: 1, 0.03, 0.10, 0.30),
        ``task`` (10 Core benchmarks or ``ValLoss``), ``a, b, e, alpha, beta`` for
        L(N, D) = exp(e) + exp(a) / N**alpha + exp(b) / D**beta (L in bits per byte of
        the correct answer, or the validation loss), and ``c1, c2, k, L0`` for
        Acc(L) = c1 / (1 + exp(-k (L - L0))) + c2 (NaN for ``ValLoss``).
    """
    table = read_csv(BETR_KEY)
    table.insert(1, "keep_fraction", table["filter"].map(_BETR_KEEP))
    return table


# --------------------------------------------------------------------------------------
# Published Chinchilla estimates (Hoffmann et al. 2022; Besiroglu et al. 2024), transcribed
# --------------------------------------------------------------------------------------

CHINCHILLA_ESTIMATES_KEY = "chinchilla_estimates.csv"


def load_chinchilla_estimates() -> pd.DataFrame:
    """Load published Chinchilla-law estimates, transcribed with table/cell references.

    Hoffmann et al. (2022, arXiv:2203.15556): App. D.2 Eq. 10 (printed parameters),
    Table 2 (allocation exponent ``a`` of the three approaches, with their 10th-90th
    percentile intervals), Sec. 4 (Chinchilla's own size and tokens). Besiroglu et al.
    (2024, arXiv:2404.10102): the plain Huber grid fit and the Huber-likelihood estimates
    with bootstrap standard errors and 95% intervals, as printed by their notebook
    ``data_analysis.ipynb`` (cells 18, 26, 59) at commit 9225883.

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
    return table
