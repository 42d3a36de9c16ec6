"""Resolve a registered data file, verify its sha256, read it.

Every external file the book reads is a row of ``data/registry.csv`` (key, sha256, bytes,
source URL at a pinned commit, licence, citation). :func:`path` turns a key into a verified
local file, looking in this order:

1. the directory named by the environment variable ``SCALING_BOOK_DATA`` (same layout as
   ``shared/data``: ``$SCALING_BOOK_DATA/<key>``);
2. ``../shared/data`` beside the project root;
3. the download cache (:func:`helpers.paths.cache_dir`), downloading from the registry URL
   unless ``SCALING_BOOK_OFFLINE=1``.

Files that ship with the project (an empty ``url`` in the registry, e.g. the BETR table
transcribed from a paper) are found in the project's ``data/`` folder only.

The registry is read once per process and handed out read-only (:func:`registry` returns
a copy; the rows behind :func:`path` are immutable mappings).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

import pandas as pd

from .. import paths as _paths

__all__ = ["DataFileError", "keys", "path", "read_csv", "read_json", "registry", "sha256_of"]

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


@lru_cache(maxsize=1)
def _registry_table() -> pd.DataFrame:
    if not _paths.REGISTRY_FILE.is_file():
        raise FileNotFoundError(
            f"the data registry {_paths.REGISTRY_FILE} is missing: helpers.data needs the "
            "project's source tree (install it with `pip install -e .` from a clone)"
        )
    table = pd.read_csv(_paths.REGISTRY_FILE, dtype=str, keep_default_na=False)
    table["bytes"] = pd.array([int(b) if b else None for b in table["bytes"]], dtype="Int64")
    table.flags.allows_duplicate_labels = False
    return table


@lru_cache(maxsize=1)
def _entries() -> Mapping[str, Mapping[str, Any]]:
    """The registry as a read-only mapping key -> read-only row (cached; never mutated)."""
    rows = _registry_table().to_dict("records")
    return MappingProxyType({row["key"]: MappingProxyType(row) for row in rows})


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


def _entry(key: str) -> Mapping[str, Any]:
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
        f"unknown data key {key!r}{hint}. Registered keys are listed in {_paths.REGISTRY_FILE} "
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


def _locations(key: str, entry: Mapping[str, Any]) -> Iterator[tuple[str, Path | None]]:
    """Yield (description, candidate file) in priority order; None = location not set."""
    if not entry["url"]:
        yield "the project's data/ folder", _paths.PROJECT_DATA_DIR / key
        return
    env = os.environ.get(_paths.DATA_ENV_VAR, "").strip()
    yield f"${_paths.DATA_ENV_VAR}", (Path(env).expanduser() / key) if env else None
    yield "../shared/data beside the project", _paths.SHARED_DATA_DIR / key
    yield f"download cache (${_paths.CACHE_ENV_VAR} or pooch.os_cache)", _paths.cache_dir() / key


def _fail(
    key: str,
    entry: Mapping[str, Any],
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


def _fix_missing(key: str, entry: Mapping[str, Any], why_no_download: str) -> str:
    if not entry["url"]:
        return (
            f"this file ships with the project: restore {_paths.PROJECT_DATA_DIR / key} "
            f"(e.g. `git checkout -- data/{key}`)"
        )
    return (
        f"set {_paths.DATA_ENV_VAR} to a directory laid out like shared/data "
        f"(it must contain {key}), or\n"
        f"put the shared data folder beside the project, at {_paths.SHARED_DATA_DIR}, or\n"
        f"allow the download ({why_no_download}): "
        f"it fetches {entry['url']} into {_paths.cache_dir()}"
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
    if _paths.offline():
        why = (
            f"unset {_paths.OFFLINE_ENV_VAR}, currently {os.environ.get(_paths.OFFLINE_ENV_VAR)!r}"
        )
        raise _fail(key, entry, looked, "is missing", _fix_missing(key, entry, why))
    return _download(key, entry, looked, downloader)


def _download(
    key: str, entry: Mapping[str, Any], looked: list[str], downloader: Callable[..., Any] | None
) -> Path:
    import pooch

    target = _paths.cache_dir() / key
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
            f"pinned commit by other means and set {_paths.DATA_ENV_VAR}"
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
