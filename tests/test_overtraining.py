"""Tests of helpers.overtraining: Gadre et al.'s error averages, fitting sets and targets."""

import numpy as np
import pandas as pd
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


def test_slopes_by_multiplier_recovers_the_shared_exponent():
    # runs that follow Gadre et al.'s law exactly: every M has slope eta
    E, a, b, eta = 1.8, 200.0, 350.0, 0.136
    C = np.geomspace(1e17, 1e21, 5)
    rows = [
        {
            "flops_C": c,
            "token_multiplier_M": m,
            "c4_eval_loss": E + (a * m**eta + b * m**-eta) * c**-eta,
        }
        for m in (5.0, 20.0, 640.0)
        for c in C
    ]
    table = pd.DataFrame(rows)
    slopes = O.slopes_by_multiplier(table, E)
    assert list(slopes.index) == [5.0, 20.0, 640.0]
    assert np.allclose(slopes, eta, rtol=1e-6)
    # a wrong E bends the lines: the slopes no longer equal eta
    assert not np.allclose(O.slopes_by_multiplier(table, E - 0.1), eta, rtol=1e-2)
    with pytest.raises(ValueError, match="exceed E"):
        O.slopes_by_multiplier(table, 5.0)
    with pytest.raises(ValueError, match="at least 3"):
        O.slopes_by_multiplier(table.iloc[[0, 1, 5, 6, 7]], E)


def test_training_set_multipliers_reverse_with_the_metric(tables):
    # On C4-eval loss C4 beats RedPajama (CM < 1); on 17-task error RedPajama beats C4 (CM > 1),
    # at each training set's own compute-optimal M* (the book's definition)
    table = tables[2]
    fronts = {}
    for ds in ("c4", "redpajama"):
        loss_set, err_set, _ = O.fit_sets(table, ds)
        lf = hp.fitting.fit_law(
            loss_set[["flops_C", "token_multiplier_M"]].to_numpy(),
            loss_set["c4_eval_loss"].to_numpy(),
            law="gadre_loss_linear",
            delta=np.inf,
        )
        ef = hp.fitting.fit_law(
            err_set["c4_eval_loss"].to_numpy(),
            err_set["err_17"].to_numpy(),
            law="exponential_error",
            delta=np.inf,
        )
        m_star = hp.frontiers.gadre_optimal_token_multiplier(a=lf["a"], b=lf["b"], eta=lf["eta"])
        loss_front = hp.frontiers.gadre_frontier(**lf.params, M=m_star)
        err_front = hp.frontiers.TabulatedFrontier.from_function(
            lambda c, f=loss_front, e=ef: e.predict(f.value(c)), (1e19, 1e22)
        )
        fronts[ds] = (loss_front, err_front)
    cm_loss = hp.frontiers.average_compute_multiplier(fronts["c4"][0], fronts["redpajama"][0])[0]
    cm_err = hp.frontiers.average_compute_multiplier(fronts["c4"][1], fronts["redpajama"][1])[0]
    assert cm_loss < 1 < cm_err
