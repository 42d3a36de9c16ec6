r"""Self-checks for exercises: right, too high or too low, without showing the answer.

A student works an exercise (predict, compute), then runs one call under it that says
whether the answer is right within a stated tolerance, too high or too low (with an
optional hint), or, for a choice, right or wrong. The expected value is never printed:
:class:`CheckResult` does not even hold it.

Two layers:

* stateless functions, :func:`check` (a number), :func:`check_choice` (a choice or a
  prediction in words) and :func:`checklist` (what a good explanation mentions, shown
  on request), for a check whose expected value is at hand;
* :class:`Exercises`, a chapter's register of its checks. One cell (not tagged
  ``solution``, so it survives in the student edition; tagged ``remove-input`` and
  ``remove-output``, so the site shows neither its code nor its output) registers each
  exercise's expected value as a *callable* of the notebook's current state, its
  tolerance and its hints; the cell under each exercise calls ``ex.check(key, answer)``.
  The expected value is computed when the student checks, from the notebook's knobs and
  results as they are then: a student who changed ``SEED`` is checked against that run.

Example
-------
In the registering cell (hidden)::

    ex = hp.exercises.Exercises("quantization-scaling")
    ex.add_number("ex-qscale-size", lambda: fd_ratio(runs, WIDTHS[-1]), rtol=0.05,
                  hint_high="Divide FD(INT4) by FD(float32) per seed, then average.")
    ex.add_choice("ex-pruning-theta", lambda: hp.exercises.compare(f40, f20, ("down", "up")),
                  choices=("up", "down"))
    ex.add_checklist("ex-primer-mean", ["the stopping test scales with the gradient", ...])

Under an exercise::

    answer = None  # your answer
    ex.check("ex-qscale-size", answer)

A self-check is formative, not an exam: the registering cell's code (collapsed in
JupyterLab, hidden on the site) shows how the expected value is computed. For graded
work, :meth:`Exercises.write_otter_tests` writes one otter-grader test file per check
(otter's exception-based format), so a teacher can autograde submitted notebooks with
``otter run`` (see ``book/teachers.md``).
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

__all__ = [
    "CheckResult",
    "Checklist",
    "Exercises",
    "check",
    "check_choice",
    "checklist",
    "compare",
    "exercise_labels",
    "grade",
]

Verdict = Literal["right", "too high", "too low", "wrong", "no answer"]
KEY_RX = re.compile(r"^ex-[a-z0-9]+(?:-[a-z0-9]+)*$")
EXERCISE_RX = re.compile(r"^(:{3,}|`{3,})\{exercise\}[^\n]*\n(?::[a-z-]+:[^\n]*\n)*", re.M)
LABEL_RX = re.compile(r"^:label:\s*(\S+)\s*$", re.M)
_COLOURS = {
    "right": ("#1b7837", "#e7f4e4"),
    "too high": ("#b35806", "#fdf0e0"),
    "too low": ("#b35806", "#fdf0e0"),
    "wrong": ("#b35806", "#fdf0e0"),
    "no answer": ("#555555", "#f2f2f2"),
}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a self-check; it never holds the expected value.

    Attributes
    ----------
    key : str
        The exercise's label (``"ex-..."``).
    verdict : {"right", "too high", "too low", "wrong", "no answer"}
        ``"right"``: within the tolerance (a number) or the expected choice.
    tolerance : str
        The tolerance in words (``"within 5% of the expected value"``); empty for a
        choice.
    hint : str
        Shown with a verdict other than ``"right"`` (empty if none was given).
    """

    key: str
    verdict: Verdict
    tolerance: str = ""
    hint: str = ""

    @property
    def passed(self) -> bool:
        """Whether the answer is right."""
        return self.verdict == "right"

    @property
    def message(self) -> str:
        """The verdict as one sentence (plus the hint), without the expected value."""
        tol = f" ({self.tolerance})" if self.tolerance else ""
        if self.verdict == "right":
            text = f"Right{tol}."
        elif self.verdict == "no answer":
            text = "No answer yet: put your answer in place of None and run this cell again."
        elif self.verdict == "wrong":
            text = "Not this one: think again, then check another choice."
        else:
            text = f"Too {self.verdict.split()[1]}: not {self.tolerance}."
        if self.hint and self.verdict not in ("right", "no answer"):
            text += f" Hint: {self.hint}"
        return f"{self.key}: {text}"

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__

    def _repr_html_(self) -> str:
        fg, bg = _COLOURS[self.verdict]
        return (
            f'<div class="exercise-check" data-key="{html.escape(self.key)}" '
            f'data-verdict="{html.escape(self.verdict)}" style="border-left: 4px solid {fg}; '
            f'background: {bg}; padding: 0.4em 0.8em; color: #222">'
            f"{html.escape(self.message)}</div>"
        )


@dataclass(frozen=True)
class Checklist:
    """What a good answer to an explanation exercise mentions, shown on request.

    Attributes
    ----------
    key : str
        The exercise's label.
    items : tuple of str
        The points a good answer mentions.
    shown : bool
        Whether the items are displayed; if not, the repr says how many there are and
        how to show them, so a student writes an answer first.
    """

    key: str
    items: tuple[str, ...]
    shown: bool = False

    @property
    def text(self) -> str:
        """The checklist (or how to show it) as plain text."""
        if not self.shown:
            return (
                f"{self.key}: a good answer mentions {len(self.items)} points. Write yours "
                "first, then rerun this call with show=True to compare."
            )
        lines = [f"{self.key}: a good answer mentions"]
        lines += [f"  [ ] {item}" for item in self.items]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def _repr_html_(self) -> str:
        key = html.escape(self.key)
        head = f'<div class="exercise-checklist" data-key="{key}" data-shown="{self.shown}">'
        if not self.shown:
            return head + html.escape(self.text) + "</div>"
        items = "".join(f"<li>☐ {html.escape(item)}</li>" for item in self.items)
        return (
            f"{head}<strong>{key}</strong>: a good answer mentions"
            f'<ul style="list-style: none">{items}</ul></div>'
        )


def _validate_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_RX.match(key):
        raise ValueError(
            f"an exercise key is its MyST label, 'ex-' then lower-case words joined by "
            f"hyphens (e.g. 'ex-qscale-size'); got {key!r}"
        )
    return key


def _as_real(value: Any, what: str, key: str) -> float:
    """A finite float from a Python/NumPy real scalar or a one-element array."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise TypeError(
                f"{key}: {what} must be one number; got an array of shape {value.shape}"
            )
        value = value.reshape(()).item()
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{key}: {what} must be a real number; got {type(value).__name__} {value!r}"
        )
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{key}: {what} must be finite; got {out}")
    return out


def _tolerance_text(rtol: float, atol: float) -> str:
    parts = []
    if rtol > 0:
        parts.append(f"{100 * rtol:g}% of the expected value")
    if atol > 0:
        parts.append(f"±{atol:g}")
    return "within " + " + ".join(parts)


def _validate_tolerance(key: str, rtol: float | None, atol: float | None) -> tuple[float, float]:
    if rtol is None and atol is None:
        raise ValueError(f"{key}: state a tolerance (rtol=, atol= or both), fixed before checking")
    r = 0.0 if rtol is None else _as_real(rtol, "rtol", key)
    a = 0.0 if atol is None else _as_real(atol, "atol", key)
    if r < 0 or a < 0 or r + a == 0:
        raise ValueError(f"{key}: rtol and atol must be >= 0 and not both 0; got {rtol}, {atol}")
    return r, a


def check(
    key: str,
    answer: Any,
    expected: float,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    hint_high: str = "",
    hint_low: str = "",
) -> CheckResult:
    """Check a numeric answer: right within ``atol + rtol * |expected|``, too high or too low.

    Parameters
    ----------
    key : str
        The exercise's MyST label, e.g. ``"ex-qscale-size"``.
    answer : real number, one-element array or None
        The student's answer. ``None`` (not answered yet) gives the verdict
        ``"no answer"`` rather than an error, so a chapter executes with its check cells
        unanswered.
    expected : real number
        The expected value, computed from the notebook's current state. It is never
        shown.
    rtol, atol : float, optional
        Relative and absolute tolerance (at least one), fixed when the exercise is
        written. The answer is right if ``|answer - expected| <= atol + rtol*|expected|``
        (the convention of :func:`numpy.isclose`).
    hint_high, hint_low : str, optional
        Shown when the answer is too high / too low.

    Returns
    -------
    CheckResult
        The verdict, the tolerance in words and the hint; never the expected value.

    Raises
    ------
    TypeError
        If the answer is not a real number (a string, a bool, an array of several values).
    ValueError
        If the answer or the expected value is NaN or infinite, if the key is not an
        exercise label, or if no tolerance is given.
    """
    _validate_key(key)
    rt, at = _validate_tolerance(key, rtol, atol)
    tolerance = _tolerance_text(rt, at)
    if answer is None:
        return CheckResult(key, "no answer", tolerance)
    a = _as_real(answer, "your answer", key)
    try:
        e = _as_real(expected, "the expected value", key)
    except ValueError as err:
        raise ValueError(
            f"{err}: the notebook's state is incomplete or broken; rerun the chapter from the top"
        ) from None
    if abs(a - e) <= at + rt * abs(e):
        return CheckResult(key, "right", tolerance)
    if a > e:
        return CheckResult(key, "too high", tolerance, hint_high)
    return CheckResult(key, "too low", tolerance, hint_low)


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def check_choice(
    key: str,
    answer: Any,
    expected: str | Iterable[str],
    choices: Sequence[str],
    *,
    hint: str = "",
    hints: Mapping[str, str] | None = None,
) -> CheckResult:
    """Check a choice or a prediction in words ("up" / "down", "INT4" / "FP4", ...).

    Parameters
    ----------
    key : str
        The exercise's MyST label.
    answer : str or None
        The student's choice; case and surrounding/extra spaces are ignored. ``None``
        gives the verdict ``"no answer"``.
    expected : str or iterable of str
        The right choice (or several accepted ones), computed from the notebook's current
        state (see :func:`compare`). Never shown.
    choices : sequence of str
        Every allowed choice (at least two, distinct after normalisation); ``expected``
        must be among them.
    hint : str, optional
        Shown with any wrong choice.
    hints : mapping of str to str, optional
        A hint per wrong choice (overrides ``hint`` for that choice).

    Returns
    -------
    CheckResult
        ``"right"`` or ``"wrong"`` (or ``"no answer"``), with the hint.

    Raises
    ------
    TypeError
        If the answer is not a string (e.g. ``True``: answer ``"yes"``).
    ValueError
        If the answer is not one of ``choices`` (the message lists them), or if the
        choices or the expected choice are malformed.
    """
    _validate_key(key)
    if isinstance(choices, str) or len(choices) < 2:
        raise ValueError(
            f"{key}: choices must be a sequence of at least two strings; got {choices!r}"
        )
    allowed = {_normalise(c): c for c in choices}
    if len(allowed) != len(choices):
        raise ValueError(f"{key}: choices must be distinct (ignoring case); got {list(choices)}")
    wanted = [expected] if isinstance(expected, str) else list(expected)
    wanted_n = {_normalise(w) for w in wanted if isinstance(w, str)}
    if not wanted or len(wanted_n) != len(wanted) or not wanted_n <= allowed.keys():
        raise ValueError(f"{key}: the expected choice must be among {list(choices)}")
    if answer is None:
        return CheckResult(key, "no answer")
    if not isinstance(answer, str):
        raise TypeError(
            f"{key}: answer with one of {list(choices)} as a string; got {type(answer).__name__} "
            f"{answer!r}"
        )
    a = _normalise(answer)
    if a not in allowed:
        raise ValueError(f"{key}: {answer!r} is not a choice here; choose one of {list(choices)}")
    if a in wanted_n:
        return CheckResult(key, "right")
    per_choice = {_normalise(k): v for k, v in (hints or {}).items()}
    return CheckResult(key, "wrong", hint=per_choice.get(a, hint))


def checklist(key: str, items: Sequence[str], *, show: bool = False) -> Checklist:
    """What a good answer to an explanation exercise mentions, shown when ``show=True``.

    Parameters
    ----------
    key : str
        The exercise's MyST label.
    items : sequence of str
        The points a good answer mentions (at least one, non-empty).
    show : bool, default False
        Display the items; by default only their number and how to show them.

    Returns
    -------
    Checklist
    """
    _validate_key(key)
    if isinstance(items, str) or not items:
        raise ValueError(f"{key}: items must be a non-empty sequence of strings")
    if not all(isinstance(i, str) and i.strip() for i in items):
        raise TypeError(f"{key}: every checklist item must be a non-empty string")
    return Checklist(key, tuple(items), bool(show))


def compare(
    value: float,
    reference: float,
    words: Sequence[str] = ("lower", "higher"),
    *,
    rtol: float = 0.0,
) -> str:
    """The word for how ``value`` compares with ``reference``: an expected choice.

    Parameters
    ----------
    value, reference : float
        The quantity after the change the exercise asks for, and before it.
    words : sequence of 2 or 3 str, default ("lower", "higher")
        The words for lower and higher, and optionally a third for "about the same"
        (``|value - reference| <= rtol * |reference|``).
    rtol : float, default 0
        The band of the third word; must be > 0 exactly when a third word is given.

    Returns
    -------
    str
        One of ``words``.
    """
    v, r = _as_real(value, "value", "compare"), _as_real(reference, "reference", "compare")
    if len(words) not in (2, 3) or isinstance(words, str):
        raise ValueError(f"words must hold 2 or 3 strings (lower, higher[, same]); got {words!r}")
    if (len(words) == 3) != (rtol > 0):
        raise ValueError("give a third word ('about the same') exactly when rtol > 0")
    if len(words) == 3 and abs(v - r) <= rtol * abs(r):
        return words[2]
    return words[1] if v > r else words[0]


@dataclass(frozen=True)
class _Spec:
    kind: Literal["number", "choice", "checklist"]
    expected: Callable[[], Any] | None
    options: dict[str, Any]


def _lazy(expected: Any) -> Callable[[], Any]:
    return expected if callable(expected) else (lambda: expected)


class Exercises:
    """A chapter's register of self-checks: expected values, tolerances, hints.

    Register each exercise once, in a cell that survives in the student edition (see the
    module docstring); students then call :meth:`check` or :meth:`checklist` by key. An
    expected value may be given as a zero-argument callable, evaluated at each check from
    the notebook's current state. Every answer checked is remembered, so an autograder
    (:func:`grade`, otter-grader) can re-check the last one after running the notebook.

    Parameters
    ----------
    chapter : str
        A name for the register (shown in its repr), e.g. the notebook's slug.
    """

    def __init__(self, chapter: str) -> None:
        if not isinstance(chapter, str) or not chapter.strip():
            raise ValueError("chapter must be a non-empty string")
        self.chapter = chapter
        self._specs: dict[str, _Spec] = {}
        self._answers: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Exercises({self.chapter!r}: {', '.join(self._specs) or 'none registered'})"

    @property
    def keys(self) -> tuple[str, ...]:
        """The registered exercise labels, in registration order."""
        return tuple(self._specs)

    def kind(self, key: str) -> str:
        """``"number"``, ``"choice"`` or ``"checklist"``."""
        return self._spec(key).kind

    def _add(self, key: str, spec: _Spec) -> None:
        _validate_key(key)
        if key in self._specs:
            raise ValueError(f"{key} is already registered in {self.chapter}")
        self._specs[key] = spec

    def _spec(self, key: str) -> _Spec:
        if key not in self._specs:
            raise KeyError(f"no exercise {key!r} in {self.chapter}; known: {list(self._specs)}")
        return self._specs[key]

    def add_number(
        self,
        key: str,
        expected: float | Callable[[], float],
        *,
        rtol: float | None = None,
        atol: float | None = None,
        hint_high: str = "",
        hint_low: str = "",
    ) -> None:
        """Register a numeric exercise (arguments as in :func:`check`)."""
        _validate_tolerance(key, rtol, atol)
        opts = {"rtol": rtol, "atol": atol, "hint_high": hint_high, "hint_low": hint_low}
        self._add(key, _Spec("number", _lazy(expected), opts))

    def add_choice(
        self,
        key: str,
        expected: str | Iterable[str] | Callable[[], str | Iterable[str]],
        choices: Sequence[str],
        *,
        hint: str = "",
        hints: Mapping[str, str] | None = None,
    ) -> None:
        """Register a choice or prediction exercise (arguments as in :func:`check_choice`)."""
        if isinstance(choices, str) or len(choices) < 2:
            raise ValueError(f"{key}: choices must be a sequence of at least two strings")
        opts = {"choices": tuple(choices), "hint": hint, "hints": dict(hints or {})}
        self._add(key, _Spec("choice", _lazy(expected), opts))

    def add_checklist(self, key: str, items: Sequence[str]) -> None:
        """Register an explanation exercise's checklist (see :func:`checklist`)."""
        checklist(key, items)  # validates
        self._add(key, _Spec("checklist", None, {"items": tuple(items)}))

    def check(self, key: str, answer: Any) -> CheckResult:
        """Check ``answer`` against the expected value computed now; remember the answer."""
        spec = self._spec(key)
        if spec.kind == "checklist":
            raise TypeError(f"{key} asks for an explanation: call checklist({key!r}, show=True)")
        self._answers[key] = answer
        if answer is None:  # not answered yet: say so without computing the expected value
            if spec.kind == "number":
                return check(key, None, 0.0, **spec.options)
            return CheckResult(key, "no answer")
        if spec.kind == "number":
            return check(key, answer, spec.expected(), **spec.options)
        return check_choice(key, answer, spec.expected(), **spec.options)

    def checklist(self, key: str, *, show: bool = False) -> Checklist:
        """The checklist of an explanation exercise (its items only with ``show=True``)."""
        spec = self._spec(key)
        if spec.kind != "checklist":
            raise TypeError(f"{key} has a {spec.kind} answer: call check({key!r}, answer)")
        return checklist(key, spec.options["items"], show=show)

    def expected(self, key: str) -> Any:
        """The value (or choice) a check compares with, computed from the current state.

        For tests and teachers: a student who prints it sees the answer, which is why
        :meth:`check` never does.
        """
        spec = self._spec(key)
        if spec.kind == "checklist":
            raise TypeError(f"{key} asks for an explanation: it has no expected value")
        return spec.expected()

    def choices(self, key: str) -> tuple[str, ...]:
        """The choices a choice exercise offers (in the order registered)."""
        spec = self._spec(key)
        if spec.kind != "choice":
            raise TypeError(f"{key} is a {spec.kind} exercise: it offers no choices")
        return spec.options["choices"]

    def last_answer(self, key: str) -> Any:
        """The last answer checked for ``key`` (``None`` if it was never checked)."""
        self._spec(key)
        return self._answers.get(key)

    def verify(self, offset: float = 0.1) -> list[dict[str, Any]]:
        """Test every check on the current state: the solution passes, wrong answers fail.

        For a number, the expected value itself must be right and the expected value
        moved by ``offset`` (relative, both ways; absolute if the expected value is 0)
        must be too high / too low. For a choice, the expected choice must be right and
        every other choice wrong. Checklists are skipped. Answers are not remembered.

        Parameters
        ----------
        offset : float, default 0.1
            The relative error a check must reject (the issue's "10% off fails").

        Returns
        -------
        list of dict
            One row per check: ``key``, ``kind``, ``ok`` and ``detail`` (the verdicts).

        Raises
        ------
        AssertionError
            Listing every check that accepts a wrong answer or rejects the solution.
        """
        rows, bad = [], []
        for key, spec in self._specs.items():
            if spec.kind == "checklist":
                continue
            expected = spec.expected()
            if spec.kind == "number":
                e = _as_real(expected, "the expected value", key)
                step = offset * abs(e) if e != 0 else offset
                got = [check(key, v, e, **spec.options).verdict for v in (e, e + step, e - step)]
                ok = got == ["right", "too high", "too low"]
            else:
                opts = spec.options
                listed = [expected] if isinstance(expected, str) else list(expected)
                wanted = {_normalise(w) for w in listed}
                got = [check_choice(key, c, expected, **opts).verdict for c in opts["choices"]]
                want = ["right" if _normalise(c) in wanted else "wrong" for c in opts["choices"]]
                ok = got == want
            rows.append({"key": key, "kind": spec.kind, "ok": ok, "detail": ", ".join(got)})
            if not ok:
                bad.append(f"{key} ({spec.kind}): {', '.join(got)}")
        if bad:
            raise AssertionError(f"{self.chapter}: checks that fail their own test: {bad}")
        return rows

    def write_otter_tests(self, directory: str | Path, *, points: float = 1.0) -> list[Path]:
        """Write one otter-grader test file per numeric or choice check.

        The files use otter's exception-based format (``OK_FORMAT = False`` and a
        ``@test_case`` function taking ``env``): each re-checks the last answer the
        executed notebook gave (:func:`grade`), so the test passes exactly when the
        student's own check said "right", against the expected value of the student's
        run. Point ``otter.Notebook(tests_dir=...)`` or ``otter generate`` at
        ``directory``.

        Parameters
        ----------
        directory : str or Path
            Created if missing; one ``<key>.py`` per check is (over)written.
        points : float, default 1
            Points per exercise.

        Returns
        -------
        list of Path
            The files written.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for key, spec in self._specs.items():
            if spec.kind == "checklist":
                continue
            func = "test_" + key.replace("-", "_")
            text = (
                f'"""otter-grader test of {key} ({self.chapter}), written by '
                'helpers.exercises.Exercises.write_otter_tests."""\n\n'
                "from otter.test_files import test_case\n\n"
                "from helpers.exercises import grade\n\n"
                "OK_FORMAT = False\n\n"
                f"name = {key!r}\n"
                f"points = {points!r}\n\n\n"
                f"@test_case(points={points!r}, hidden=False)\n"
                f"def {func}(env):\n"
                f"    grade(env, {key!r})\n"
            )
            path = out / f"{key}.py"
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written


def grade(env: Mapping[str, Any], key: str) -> CheckResult:
    """Re-check the last answer to ``key`` in an executed notebook's namespace.

    Used by the otter-grader test files of :meth:`Exercises.write_otter_tests` (and by
    any other runner that executes a submitted notebook and holds its globals).

    Parameters
    ----------
    env : mapping
        The notebook's global namespace; it must hold exactly one :class:`Exercises`
        register with ``key``.
    key : str
        The exercise's label.

    Returns
    -------
    CheckResult
        If the answer is right.

    Raises
    ------
    AssertionError
        With the check's message (never the expected value) if the answer is not right.
    LookupError
        If no register, or several, hold ``key``.
    """
    found = [v for v in env.values() if isinstance(v, Exercises) and key in v.keys]
    if len({id(v) for v in found}) != 1:
        raise LookupError(f"expected one Exercises register holding {key!r} in the notebook")
    book = found[0]
    result = book.check(key, book.last_answer(key))
    if not result.passed:
        raise AssertionError(result.message)
    return result


def exercise_labels(cells: Iterable[Mapping[str, Any]]) -> list[str]:
    """The labels of the MyST ``{exercise}`` blocks in a notebook's markdown cells, in order.

    A chapter's wiring test compares them with its register's :attr:`Exercises.keys`, so an
    exercise added without a check (or a checklist) is caught.

    Parameters
    ----------
    cells : iterable of mapping
        The notebook's cells as in the ``.ipynb`` JSON (``nb["cells"]``): each with
        ``cell_type`` and ``source`` (a string or a list of lines).

    Returns
    -------
    list of str
        Every exercise's ``:label:``, in the order of the notebook.

    Raises
    ------
    ValueError
        If an ``{exercise}`` block has no label.
    """
    labels = []
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = source if isinstance(source, str) else "".join(source)
        for block in EXERCISE_RX.finditer(text):
            found = LABEL_RX.search(block.group(0))
            if found is None:
                raise ValueError(f"an {{exercise}} block has no :label: in {block.group(0)!r}")
            labels.append(found.group(1))
    return labels
