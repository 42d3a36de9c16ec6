"""Tests of helpers.ladder: task metrics of the OLMo-ladder logs as the released code reads them."""

import numpy as np
import pandas as pd
import pytest

import helpers as hp
from helpers import ladder as L


@pytest.fixture(scope="module")
def runs():
    return hp.data.load_olmo_ladder_runs()


def test_moving_average_is_upstreams_trailing_mean():
    np.testing.assert_allclose(L.moving_average([1, 2, 3, 4, 5], 3), [1, 1.5, 2, 3, 4])
    np.testing.assert_allclose(L.moving_average([2.0, 4.0], 5), [2.0, 3.0])


def test_mmlu_is_the_subject_weighted_mean(runs):
    row = runs.iloc[[-1]]
    cols = [
        f"eval/downstream/mmlu_{s}_test_rc_5shot_len_norm"
        for s in ("stem", "humanities", "social_sciences", "other")
    ]
    expected = np.dot(row[cols].to_numpy()[0], [0.215, 0.335, 0.219, 0.231]) / 1.0
    assert L.task_metric(row, "mmlu", "accuracy").iloc[0] == pytest.approx(expected, rel=1e-12)


def test_13b_target_accuracy_matches_the_stored_actual_values():
    """figures/chained_main.csv 'Actual' = mean of the last five 13B-5T evaluations."""
    targets = hp.data.load_olmo_ladder_targets()
    stored = hp.data.read_csv("OLMo-ladder/src/scripts/paper/figures/chained_main.csv")
    names = {
        "mmlu_avg_test_5shot": "mmlu",
        "arc_challenge_test_5shot": "arc_challenge",
        "hellaswag_val_5shot": "hellaswag",
        "openbookqa_test_5shot": "openbookqa",
    }
    big = targets[targets["size"] == "13B-5T"]
    for upstream, task in names.items():
        ours = L.final_values(big, task, ("accuracy",), moving_avg=5)["accuracy"].iloc[0]
        actual = stored.set_index("Task").loc[upstream, "Actual"]
        assert ours == pytest.approx(actual, rel=1e-9), task


def test_final_values_has_one_row_per_run(runs):
    final = L.final_values(runs, "hellaswag")
    assert len(final) == 16 and final["params_N"].nunique() == 4
    assert set(final.columns) >= {"bpb", "accuracy", "p_choices", "flops_C"}


def test_step2_points_skip_and_smooth(runs):
    pts = L.step2_points(runs, "piqa", skip_perc=0.1, moving_avg=5)
    one = runs[(runs["size"] == "190M") & (runs["chinchilla_multiple"] == 1)]
    n_kept = len(one) - int(np.ceil(0.1 * len(one)))
    assert (pts["size"] == "190M").sum() > n_kept  # four 190M runs
    first = pts[(pts["size"] == "190M") & (pts["chinchilla_multiple"] == 1)]
    assert len(first) == n_kept


def test_unknown_task_or_metric_lists_the_known_ones(runs):
    with pytest.raises(ValueError, match=r"known tasks: .*hellaswag"):
        L.task_metric(runs, "mmlu_pro")
    with pytest.raises(ValueError, match="known metrics"):
        L.task_metric(runs, "mmlu", "brier")
    with pytest.raises(ValueError, match="no column"):
        L.task_metric(pd.DataFrame({"x": [1]}), "mmlu")


def test_two_step_prediction_recomputes_the_stored_tables(runs):
    """figures/step2_main.csv and chained_main.csv (13B-5T), to 4 significant digits."""
    big = hp.data.load_olmo_ladder_targets().query("size == '13B-5T'")
    stored = {
        k: hp.data.read_csv(f"OLMo-ladder/src/scripts/paper/figures/{k}_main.csv").set_index("Task")
        for k in ("step1", "step2", "chained")
    }
    for task, upstream in [
        ("mmlu", "mmlu_avg_test_5shot"),
        ("arc_challenge", "arc_challenge_test_5shot"),
    ]:
        r = L.two_step_prediction(runs, big, task)
        acc = r["accuracy"]
        assert (r["bpb_pred"] - r["bpb"]) / r["bpb"] == pytest.approx(
            stored["step1"].loc[upstream, "Rel Error"], rel=1e-3
        )
        assert (r["step2_pred"] - acc) / acc == pytest.approx(
            stored["step2"].loc[upstream, "Rel Error"], rel=1e-3
        )
        assert abs(r["chained_pred"] - acc) / acc == pytest.approx(
            stored["chained"].loc[upstream, "Rel Error"], rel=1e-3
        )
    with pytest.raises(ValueError, match="one model"):
        L.two_step_prediction(runs, hp.data.load_olmo_ladder_targets(), "mmlu")


def test_two_step_predictions_match_one_target_at_a_time(runs):
    targets = hp.data.load_olmo_ladder_targets()
    both = L.two_step_predictions(runs, targets, "arc_easy")
    assert list(both.index) == ["7B-4T", "13B-5T"]
    for size in both.index:
        one = L.two_step_prediction(runs, targets[targets["size"] == size], "arc_easy")
        for key, value in one.items():
            assert both.loc[size, key] == pytest.approx(value, rel=1e-12), (size, key)
    # the two targets differ, so a mix-up of rows would fail
    assert both.loc["7B-4T", "accuracy"] != pytest.approx(both.loc["13B-5T", "accuracy"])
    with pytest.raises(ValueError, match="empty"):
        L.two_step_predictions(runs, targets.iloc[:0], "mmlu")


def test_step1_on_csqa_has_another_optimum_than_upstreams_start(runs):
    """The claim in ladder.STEP1_START's comment (and the chapter's text): on 16 points
    the law has several local optima; from the Hoffmann grid CSQA's fit lands elsewhere."""
    final = L.final_values(runs, "csqa", ("bpb",), moving_avg=5)
    args = (final["params_N"].to_numpy(), final["tokens_D"].to_numpy(), final["bpb"].to_numpy())
    upstream = hp.fitting.fit_chinchilla(*args, init=L.STEP1_START, max_nfev=2000)
    grid = hp.fitting.fit_chinchilla(*args)
    target = hp.data.load_olmo_ladder_targets().query("size == '13B-5T'")
    actual = L.final_values(target, "csqa", ("bpb",), moving_avg=5).iloc[0]
    at = (actual["params_N"], actual["tokens_D"])
    pred_up, pred_grid = float(upstream.predict(*at)), float(grid.predict(*at))
    stored = hp.data.read_csv("OLMo-ladder/src/scripts/paper/figures/step1_main.csv")
    stored_pred = float(stored.set_index("Task").loc["csqa_val_5shot", "Pred"])
    assert pred_up == pytest.approx(stored_pred, rel=1e-4)
    assert abs(pred_grid - stored_pred) > 0.01 * stored_pred  # a different optimum
