"""Tests of helpers.exercises: verdicts, tolerances, validation, the register, otter files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import exercises as ex

KEY = "ex-qscale-size"


# --- numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("expected", [1.37, -0.42, 3.2e21, 7])
def test_solution_passes_and_ten_percent_off_fails(expected: float) -> None:
    assert ex.check(KEY, expected, expected, rtol=0.05).verdict == "right"
    high, low = expected + 0.1 * abs(expected), expected - 0.1 * abs(expected)
    assert ex.check(KEY, high, expected, rtol=0.05).verdict == "too high"
    assert ex.check(KEY, low, expected, rtol=0.05).verdict == "too low"


def test_tolerance_edges_are_the_stated_ones() -> None:
    # rtol=0.05 of 2.0 is 0.1: 2.099 is right, 2.101 is too high (a 1% error of the
    # tolerance logic, e.g. comparing with |answer| instead of |expected|, flips these)
    assert ex.check(KEY, 2.099, 2.0, rtol=0.05).passed
    assert ex.check(KEY, 2.101, 2.0, rtol=0.05).verdict == "too high"
    assert ex.check(KEY, 1.901, 2.0, rtol=0.05).passed
    assert ex.check(KEY, 1.899, 2.0, rtol=0.05).verdict == "too low"
    # the relative tolerance is of the expected value, not of the answer
    assert ex.check(KEY, 2.1, 2.0, rtol=0.0499).verdict == "too high"
    # absolute tolerance, and the sum of both (numpy.isclose's convention)
    assert ex.check(KEY, 0.009, 0.0, atol=0.01).passed
    assert ex.check(KEY, -0.011, 0.0, atol=0.01).verdict == "too low"
    assert ex.check(KEY, 1.14, 1.0, rtol=0.1, atol=0.05).passed
    assert ex.check(KEY, 1.16, 1.0, rtol=0.1, atol=0.05).verdict == "too high"
    for a, e in [(2.099, 2.0), (1.16, 1.0), (0.3, 0.0)]:
        assert ex.check(KEY, a, e, rtol=0.05, atol=0.01).passed == bool(
            np.isclose(a, e, rtol=0.05, atol=0.01)
        )


def test_message_states_tolerance_and_hint_but_never_the_expected_value() -> None:
    expected = 1.2345
    right = ex.check(KEY, 1.24, expected, rtol=0.05)
    high = ex.check(KEY, 9.0, expected, rtol=0.05, hint_high="per seed", hint_low="other")
    low = ex.check(KEY, 0.1, expected, rtol=0.05, hint_high="per seed", hint_low="average")
    assert "within 5% of the expected value" in right.message
    assert right.message.startswith(f"{KEY}: Right")
    assert "Too high" in high.message and "Hint: per seed" in high.message
    assert "Too low" in low.message and "Hint: average" in low.message
    for r in (right, high, low):
        shown = repr(r) + str(r) + r._repr_html_()
        assert "1.2345" not in shown and "1.23" not in shown
        assert not any(str(v) == "1.2345" for v in vars(r).values())
    assert 'data-verdict="too high"' in high._repr_html_()
    assert "Hint" not in right.message


def test_html_is_escaped() -> None:
    r = ex.check(KEY, 5.0, 1.0, rtol=0.05, hint_high="<b>x</b> & y")
    assert "<b>x</b>" not in r._repr_html_() and "&lt;b&gt;x&lt;/b&gt; &amp; y" in r._repr_html_()


def test_numpy_scalars_and_one_element_arrays_are_answers() -> None:
    assert ex.check(KEY, np.float32(2.0), np.float64(2.0), rtol=0.01).passed
    assert ex.check(KEY, np.array([2.0]), 2.0, rtol=0.01).passed
    assert ex.check(KEY, np.int64(3), 3, atol=0.5).passed


def test_unanswered_is_a_verdict_not_an_error() -> None:
    r = ex.check(KEY, None, 2.0, rtol=0.05)
    assert r.verdict == "no answer" and not r.passed
    assert "No answer yet" in r.message


@pytest.mark.parametrize(
    ("answer", "error", "match"),
    [
        (float("nan"), ValueError, "finite"),
        (math.inf, ValueError, "finite"),
        ("1.3", TypeError, "real number"),
        (True, TypeError, "real number"),
        (np.array([1.0, 2.0]), TypeError, "one number"),
        (1 + 2j, TypeError, "real number"),
    ],
)
def test_bad_answers_raise_clear_errors(answer: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        ex.check(KEY, answer, 1.0, rtol=0.05)


def test_bad_expected_values_and_tolerances_raise() -> None:
    with pytest.raises(ValueError, match="rerun the chapter"):
        ex.check(KEY, 1.0, float("nan"), rtol=0.05)
    with pytest.raises(ValueError, match="state a tolerance"):
        ex.check(KEY, 1.0, 1.0)
    with pytest.raises(ValueError, match=">= 0"):
        ex.check(KEY, 1.0, 1.0, rtol=-0.1)
    with pytest.raises(ValueError, match="not both 0"):
        ex.check(KEY, 1.0, 1.0, rtol=0.0, atol=0.0)
    for bad in ("qscale-size", "ex_qscale", "Ex-Q", "ex-", 3):
        with pytest.raises(ValueError, match="MyST label"):
            ex.check(bad, 1.0, 1.0, rtol=0.05)  # type: ignore[arg-type]


# --- choices and predictions ---------------------------------------------------------


def test_choice_right_wrong_and_normalised() -> None:
    choices = ("up", "down")
    assert ex.check_choice("ex-pruning-theta", "up", "up", choices).passed
    assert ex.check_choice("ex-pruning-theta", "  UP ", "up", choices).passed
    wrong = ex.check_choice("ex-pruning-theta", "down", "up", choices, hint="the probe is worse")
    assert wrong.verdict == "wrong" and "Hint: the probe is worse" in wrong.message
    assert "up" not in wrong.message.split(":", 1)[1].replace("ex-pruning-theta", "")
    # several accepted choices; a hint per wrong choice
    abc = ("int4", "fp4", "the same")
    assert ex.check_choice("ex-quant-int-fp", "FP4", ["fp4", "the same"], abc).passed
    r = ex.check_choice("ex-quant-int-fp", "int4", "fp4", abc, hint="x", hints={"INT4": "y"})
    assert r.verdict == "wrong" and r.hint == "y"


def test_choice_validation() -> None:
    with pytest.raises(ValueError, match="not a choice here"):
        ex.check_choice("ex-a", "sideways", "up", ("up", "down"))
    with pytest.raises(TypeError, match="as a string"):
        ex.check_choice("ex-a", True, "yes", ("yes", "no"))
    with pytest.raises(ValueError, match="among"):
        ex.check_choice("ex-a", "up", "left", ("up", "down"))
    with pytest.raises(ValueError, match="at least two"):
        ex.check_choice("ex-a", "up", "up", ("up",))
    with pytest.raises(ValueError, match="at least two"):
        ex.check_choice("ex-a", "u", "u", "up")
    with pytest.raises(ValueError, match="distinct"):
        ex.check_choice("ex-a", "up", "up", ("up", "Up"))
    assert ex.check_choice("ex-a", None, "up", ("up", "down")).verdict == "no answer"


def test_compare_gives_the_expected_word() -> None:
    assert ex.compare(0.3, 0.2, ("down", "up")) == "up"
    assert ex.compare(0.1, 0.2, ("down", "up")) == "down"
    assert (
        ex.compare(1.01, 1.0, ("lower", "higher", "about the same"), rtol=0.02) == "about the same"
    )
    assert ex.compare(1.03, 1.0, ("lower", "higher", "about the same"), rtol=0.02) == "higher"
    with pytest.raises(ValueError, match="third word"):
        ex.compare(1.0, 1.0, ("lower", "higher"), rtol=0.1)
    with pytest.raises(ValueError, match="finite"):
        ex.compare(float("nan"), 1.0)


# --- checklists ----------------------------------------------------------------------


def test_checklist_is_shown_only_on_request() -> None:
    items = ["the gradient is divided by n", "gtol is absolute"]
    hidden = ex.checklist("ex-primer-mean", items)
    assert "2 points" in repr(hidden) and "show=True" in repr(hidden)
    assert not any(i in repr(hidden) + hidden._repr_html_() for i in items)
    shown = ex.checklist("ex-primer-mean", items, show=True)
    assert all(i in repr(shown) and i in shown._repr_html_() for i in items)
    with pytest.raises(ValueError, match="non-empty"):
        ex.checklist("ex-primer-mean", [])
    with pytest.raises(TypeError, match="non-empty string"):
        ex.checklist("ex-primer-mean", ["ok", " "])


# --- the register --------------------------------------------------------------------


def make_register(state: dict[str, float]) -> ex.Exercises:
    book = ex.Exercises("test-chapter")
    book.add_number(KEY, lambda: state["ratio"], rtol=0.05, hint_low="per seed")
    book.add_choice(
        "ex-pruning-theta",
        lambda: ex.compare(state["f40"], state["f20"], ("down", "up")),
        choices=("up", "down"),
    )
    book.add_checklist("ex-primer-mean", ["the gradient scales with 1/n"])
    return book


def test_register_checks_against_the_current_state() -> None:
    state = {"ratio": 1.5, "f40": 0.6, "f20": 0.4}
    book = make_register(state)
    assert book.keys == (KEY, "ex-pruning-theta", "ex-primer-mean")
    assert book.check(KEY, 1.5).passed and book.check("ex-pruning-theta", "up").passed
    # the student changes a knob and reruns: the same answers are now wrong
    state.update(ratio=2.0, f40=0.3)
    assert book.check(KEY, 1.5).verdict == "too low"
    assert book.check("ex-pruning-theta", "up").verdict == "wrong"
    assert book.check(KEY, 2.0).passed
    assert book.last_answer(KEY) == 2.0 and book.last_answer("ex-pruning-theta") == "up"
    assert "1.5" not in repr(book) and "2.0" not in repr(book)
    assert "gradient" in repr(book.checklist("ex-primer-mean", show=True))


def test_register_validation() -> None:
    book = make_register({"ratio": 1.5, "f40": 0.6, "f20": 0.4})
    with pytest.raises(ValueError, match="already registered"):
        book.add_number(KEY, 1.0, rtol=0.05)
    with pytest.raises(KeyError, match="no exercise"):
        book.check("ex-unknown", 1.0)
    with pytest.raises(TypeError, match="explanation"):
        book.check("ex-primer-mean", "because")
    with pytest.raises(TypeError, match="number answer"):
        book.checklist(KEY)
    with pytest.raises(ValueError, match="state a tolerance"):
        book.add_number("ex-other", 1.0)
    with pytest.raises(ValueError, match="non-empty"):
        ex.Exercises(" ")


def test_verify_passes_good_checks_and_catches_loose_ones() -> None:
    book = make_register({"ratio": 1.5, "f40": 0.6, "f20": 0.4})
    rows = book.verify()
    assert [r["key"] for r in rows] == [KEY, "ex-pruning-theta"] and all(r["ok"] for r in rows)
    loose = ex.Exercises("loose")
    loose.add_number("ex-loose", 1.0, rtol=0.2)  # 10% off would pass: not a useful check
    with pytest.raises(AssertionError, match="ex-loose"):
        loose.verify()
    zero = ex.Exercises("zero")
    zero.add_number("ex-zero", 0.0, atol=0.05)
    assert zero.verify()[0]["ok"]


def test_grade_rechecks_the_last_answer_in_a_namespace() -> None:
    book = make_register({"ratio": 1.5, "f40": 0.6, "f20": 0.4})
    env = {"ex": book, "x": 1}
    with pytest.raises(AssertionError, match="No answer yet"):
        ex.grade(env, KEY)
    book.check(KEY, 1.2)
    with pytest.raises(AssertionError, match="Too low") as err:
        ex.grade(env, KEY)
    assert "1.5" not in str(err.value)
    book.check(KEY, 1.52)
    assert ex.grade(env, KEY).passed
    with pytest.raises(LookupError, match="one Exercises"):
        ex.grade({"x": 1}, KEY)


def test_write_otter_tests(tmp_path) -> None:
    book = make_register({"ratio": 1.5, "f40": 0.6, "f20": 0.4})
    files = book.write_otter_tests(tmp_path / "tests", points=2)
    assert sorted(p.name for p in files) == ["ex-pruning-theta.py", f"{KEY}.py"]
    text = (tmp_path / "tests" / f"{KEY}.py").read_text()
    assert "OK_FORMAT = False" in text and "@test_case(points=2, hidden=False)" in text
    # the file is valid Python whose test function grades through helpers.exercises
    namespace: dict[str, object] = {"test_case": lambda **kw: lambda f: f}
    code = text.replace("from otter.test_files import test_case\n", "")
    exec(compile(code, "t", "exec"), namespace)
    test = namespace["test_ex_qscale_size"]
    book.check(KEY, 1.0)
    with pytest.raises(AssertionError, match="Too low"):
        test({"ex": book})  # type: ignore[operator]
    book.check(KEY, 1.5)
    test({"ex": book})  # type: ignore[operator]


def test_exercise_labels_reads_myst_blocks() -> None:
    cells = [
        {"cell_type": "code", "source": ":::{exercise}\n:label: ex-not-markdown\n:::"},
        {
            "cell_type": "markdown",
            "source": [
                "## Exercises\n",
                "\n",
                ":::{exercise}\n",
                ":label: ex-first-one\n",
                "\n",
                "Text with :label: inside.\n",
                ":::\n",
                "\n",
                ":::{solution} ex-first-one\n",
                ":class: dropdown\n",
                ":label: sol-x\n",
                ":::\n",
                "::::{exercise} Title\n",
                ":class: note\n",
                ":label: ex-second\n",
                "::::\n",
            ],
        },
    ]
    assert ex.exercise_labels(cells) == ["ex-first-one", "ex-second"]
    with pytest.raises(ValueError, match="no :label:"):
        ex.exercise_labels([{"cell_type": "markdown", "source": ":::{exercise}\nText\n:::"}])


def test_expected_is_computed_now_and_only_for_checks():
    state = {"x": 2.0}
    reg = ex.Exercises("demo")
    reg.add_number("ex-a", lambda: state["x"] * 3, rtol=0.05)
    reg.add_checklist("ex-b", ["a point"])
    assert reg.expected("ex-a") == 6.0
    state["x"] = 1.0
    assert reg.expected("ex-a") == 3.0  # follows the notebook's current state
    with pytest.raises(TypeError, match="explanation"):
        reg.expected("ex-b")
    with pytest.raises(KeyError):
        reg.expected("ex-c")
    reg.add_choice("ex-d", "up", ("up", "down"))
    assert reg.choices("ex-d") == ("up", "down")
    with pytest.raises(TypeError, match="no choices"):
        reg.choices("ex-a")


def test_an_unanswered_check_does_not_compute_the_expected_value():
    calls = []

    def expensive():
        calls.append(1)
        return 2.0

    reg = ex.Exercises("demo")
    reg.add_number("ex-a", expensive, rtol=0.05)
    reg.add_choice("ex-b", lambda: calls.append(1) or "up", ("up", "down"))
    assert reg.check("ex-a", None).verdict == "no answer"
    assert reg.check("ex-b", None).verdict == "no answer"
    assert calls == []  # a chapter's unanswered check cells cost nothing
    assert reg.check("ex-a", 2.0).verdict == "right" and calls == [1]
