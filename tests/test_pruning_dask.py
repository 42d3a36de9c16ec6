"""Scale-out: the pruning Monte-Carlo sweep runs unchanged on a Dask cluster.

A small sweep of ``hp.pruning.simulate_pruning`` through ``hp.sweeps.sweep`` on a
``dask.distributed.LocalCluster`` (worker processes bound to 127.0.0.1, no dashboard)
via ``joblib.parallel_config(backend="dask")`` must give exactly the table that joblib's
default process backend (loky) gives.
"""

import joblib
import pandas as pd
from dask.distributed import Client, LocalCluster

import helpers as hp

GRID = {"n_dim": [30], "alpha_prune": [1.0, 2.0], "f": [1.0, 0.5], "keep": ["hard", "easy"]}


def test_pruning_sweep_on_a_local_dask_cluster_equals_loky():
    with joblib.parallel_config(backend="loky", n_jobs=2):
        reference = hp.sweeps.sweep(hp.pruning.simulate_pruning, GRID, seeds=[0, 1])
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 2
        assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
        with joblib.parallel_config(backend="dask"):
            on_dask = hp.sweeps.sweep(hp.pruning.simulate_pruning, GRID, seeds=[0, 1])
    assert cluster.status.name == "closed"
    assert len(reference) == 2 * 2 * 2 * 2  # alpha x f x keep x seed
    pd.testing.assert_frame_equal(on_dask, reference)
