"""Where the project's files live, and where caches go.

One small module of settings shared by :mod:`helpers.data` (the registry of released
files) and :mod:`helpers.sweeps` (cached sweeps), so neither imports the other.

Environment variables
---------------------
``SCALING_BOOK_DATA``
    A folder laid out like ``shared/data``, searched first for released files.
``SCALING_BOOK_CACHE``
    The cache folder (downloads, sweep results); default: the OS user cache
    (``pooch.os_cache("scaling-laws-reproduced")``).
``SCALING_BOOK_OFFLINE``
    ``1``/``true``/``yes``/``on`` disables downloads (CI sets it).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "CACHE_ENV_VAR",
    "CACHE_NAME",
    "DATA_ENV_VAR",
    "OFFLINE_ENV_VAR",
    "PROJECT_DATA_DIR",
    "PROJECT_ROOT",
    "REGISTRY_FILE",
    "SHARED_DATA_DIR",
    "cache_dir",
    "offline",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the folder holding ``pyproject.toml``, ``data/`` and ``book/``)."""
PROJECT_DATA_DIR = PROJECT_ROOT / "data"
"""The project's own small data files: the registry and tables transcribed from papers."""
SHARED_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
"""The shared folder of released data beside the project (second place looked)."""
REGISTRY_FILE = PROJECT_DATA_DIR / "registry.csv"
"""The data registry: one row per external file (key, sha256, bytes, url, licence, citation)."""

DATA_ENV_VAR = "SCALING_BOOK_DATA"
CACHE_ENV_VAR = "SCALING_BOOK_CACHE"
OFFLINE_ENV_VAR = "SCALING_BOOK_OFFLINE"
CACHE_NAME = "scaling-laws-reproduced"


def cache_dir() -> Path:
    """Return the cache folder: ``$SCALING_BOOK_CACHE`` or pooch's OS cache folder.

    Returns
    -------
    pathlib.Path
        Not created here; callers create what they write.
    """
    override = os.environ.get(CACHE_ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser()
    import pooch

    return Path(pooch.os_cache(CACHE_NAME))


def offline() -> bool:
    """Whether downloads are disabled (``SCALING_BOOK_OFFLINE`` is set to a true value)."""
    return os.environ.get(OFFLINE_ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}
