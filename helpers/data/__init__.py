"""The data registry: find a released data file, verify its sha256, load it as a tidy table.

:mod:`helpers.data.resolve` turns a registry key (a row of ``data/registry.csv``: sha256,
source URL at a pinned commit, licence, citation) into a verified local file, looking in
``$SCALING_BOOK_DATA``, then ``../shared/data``, then the download cache; a missing or
corrupted file raises :class:`DataFileError`, which names the key, the expected (and
actual) sha256, every place looked and how to fix it.

Files that ship with the project (an empty ``url`` in the registry, e.g. the BETR table
transcribed from a paper) are found in the project's ``data/`` folder only.

A corrupted file is an error wherever it is found: it is never skipped in favour of a
lower-priority location.

The ``load_*`` functions return tidy :class:`pandas.DataFrame` objects with units in the
column names (``params_N`` in parameters, ``tokens_D`` in tokens, ``flops_C`` in FLOPs,
``*_nats`` in nats per token). Quirks of the released data are fixed in the loaders, each
fix citing the ``PROVENANCE.md`` note of its folder in ``shared/data``.
"""

from ..paths import (
    CACHE_ENV_VAR,
    DATA_ENV_VAR,
    OFFLINE_ENV_VAR,
    PROJECT_DATA_DIR,
    PROJECT_ROOT,
    REGISTRY_FILE,
    SHARED_DATA_DIR,
    cache_dir,
)
from .betr import load_betr_compute_multipliers, load_betr_laws
from .chinchilla import load_chinchilla_estimates, load_chinchilla_runs
from .colpret import load_colpret
from .gadre import (
    GADRE_17_TASKS,
    load_gadre_downstream,
    load_gadre_extrapolation_errors,
    load_gadre_testbed,
)
from .obsscaling import load_obsscaling
from .olmo_ladder import load_olmo_ladder_runs, load_olmo_ladder_targets
from .resolve import DataFileError, keys, path, read_csv, read_json, registry, sha256_of

__all__ = [
    "CACHE_ENV_VAR",
    "DATA_ENV_VAR",
    "GADRE_17_TASKS",
    "OFFLINE_ENV_VAR",
    "PROJECT_DATA_DIR",
    "PROJECT_ROOT",
    "REGISTRY_FILE",
    "SHARED_DATA_DIR",
    "DataFileError",
    "cache_dir",
    "keys",
    "load_betr_compute_multipliers",
    "load_betr_laws",
    "load_chinchilla_estimates",
    "load_chinchilla_runs",
    "load_colpret",
    "load_gadre_downstream",
    "load_gadre_extrapolation_errors",
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
