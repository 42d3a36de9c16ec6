"""Tests of helpers.overtraining: Gadre et al.'s error averages, fitting sets and targets."""

import numpy as np
import pytest

import helpers as hp
from helpers import overtraining as O


@pytest.fixture(scope="module")
def tables():
    tb, ds = hp.data.load_gadre_testbed(), hp.data.load_gadre_downstream()
    return tb, ds, O.with_errors(tb, ds)


def test_error_averages(tables):
    _, ds, table = tables
    row = table.iloc[0]
    accs = ds[ds["model"] == row["model"]]
    assert row["err_46"] == pytest.approx(1 - accs["accuracy"].mean(), rel=1e-12)
    sub = accs[accs["in_17_task_subset"]]
    assert len(sub) == 17 and row["err_17"] == pytest.approx(1 - sub["accuracy"].mean(), rel=1e-12)


@pytest.mark.parametrize("dataset", O.DATASETS)
def test_default_fit_sets(tables, dataset):
    table = tables[2]
    loss_set, error_set, targets = O.fit_sets(table, dataset)
    assert sorted(loss_set["token_multiplier_M"]) == [20, 20, 20, 20, 320]
    assert loss_set["params_N"].max() < 0.5e9
    extra = error_set.drop(loss_set.index)
    assert len(extra) == 1 and extra["params_N"].iloc[0] == pytest.approx(1.44e9, rel=0.01)
    assert np.allclose(sorted(targets["params_N"] / 1e9), [1.44, 6.89], rtol=0.01)
    assert len(O.fit_sets(table, dataset, error_extra=False)[1]) == 5


def test_seventeen_task_rule_recovers_the_released_subset(tables):
    tb, ds, _ = tables
    assert O.subset_by_chance_margin(ds, tb) == sorted(hp.data.GADRE_17_TASKS)


def test_unknown_dataset_lists_the_known_ones(tables):
    with pytest.raises(ValueError, match="known datasets"):
        O.fit_sets(tables[2], "pile")
    with pytest.raises(ValueError, match="lacks columns"):
        O.with_errors(tables[0], tables[1].drop(columns="accuracy"))
