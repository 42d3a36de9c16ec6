"""Scorecards: the papers' own claims beside what this build computed.

Every chapter ends with a :class:`Scorecard` of the papers' claims, of two kinds:

:class:`Claim` (*numeric*)
    a number the paper (or its authors' released code) prints, beside the value
    the notebook just computed, with a tolerance fixed from the paper's printed
    precision *before* the result is seen.
:class:`Statement`
    something the paper asserts in words ("FP4 beats INT4"), tested by a
    statistic this build computes, with its interval over the independent
    unit (models, seeds, runs). The scorecard shows the paper's words and our
    statistic: never a number the paper did not print.

Only papers are sources: a value from this project's notes, a second solver or
a derivation, a loader fix or an identity is a *test*, not a claim, and a
``source`` naming this project is rejected. Each status is derived, never typed:

``reproduced``
    numeric: ``|reproduced - paper| <= tolerance``; statement: the whole
    interval lies on the side of the threshold that supports the statement.
``differs``
    numeric: outside the tolerance; statement: the whole interval lies on the
    other side. The ``note`` must explain why.
``inconclusive``
    statement only: the interval straddles (or touches) the threshold, or it
    rests on fewer replicates than a verdict needs to survive another
    reader's machine (``replicates < replicates_needed``, from a power
    analysis: :func:`helpers.robustness.replicates_needed`). The ``note`` says
    what it would take to decide.
``not reproducible here``
    no value can be computed on a CPU laptop from released data; the
    ``note`` says what it would take.

:meth:`Scorecard.check` raises if any claim's status is not the one the
chapter declared (``expect``), so a drift in a reproduced number fails the
book build. :func:`printed_tolerance` turns a number as printed in a paper
into half a unit in its last digit.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal

import pandas as pd

__all__ = [
    "DIFFERS",
    "INCONCLUSIVE",
    "NOT_REPRODUCIBLE",
    "REPRODUCED",
    "STATUS_BADGES",
    "Claim",
    "Scorecard",
    "Statement",
    "claim_cells",
    "claim_from_dict",
    "format_tolerance",
    "format_value",
    "paper_value_text",
    "printed_tolerance",
    "statement_text",
    "statistic_text",
    "status_badge_html",
]

REPRODUCED = "reproduced"
DIFFERS = "differs"
INCONCLUSIVE = "inconclusive"
NOT_REPRODUCIBLE = "not reproducible here"
Status = Literal["reproduced", "differs", "inconclusive", "not reproducible here"]
_STATUSES = (REPRODUCED, DIFFERS, INCONCLUSIVE, NOT_REPRODUCIBLE)

#: Words that mark a source as this project's own (notes, solvers, fixes), not a paper's.
_OWN_SOURCE_RX = re.compile(
    r"research note|project|our own|our notes|this build|this book|reference solver|"
    r"second solver|loader fix|derived here|identity",
    re.IGNORECASE,
)


def _check_common(claim: str, source: str, expect: str, note: str, headline: bool = False) -> None:
    """Validation shared by both kinds of claim."""
    if not claim or not source:
        raise ValueError("a claim needs both `claim` text and a `source`")
    if _OWN_SOURCE_RX.search(source):
        raise ValueError(
            f"{claim!r}: the source {source!r} is this project's own, not a paper's. Only what a "
            "paper or its authors' release prints is a claim; make this value a test instead"
        )
    if expect not in _STATUSES:
        raise ValueError(f"expect must be one of {_STATUSES}, got {expect!r}")
    if expect != REPRODUCED and not note.strip():
        raise ValueError(f"{claim!r}: expect={expect!r} needs a `note` saying why")
    if headline and expect in (INCONCLUSIVE, NOT_REPRODUCIBLE):
        raise ValueError(
            f"{claim!r}: a headline is a finding (reproduced or differs), not {expect!r}"
        )


def printed_tolerance(printed: str) -> float:
    """Half a unit in the last printed digit of a number.

    A paper that prints ``0.34`` claims the value lies in ``[0.335, 0.345)``,
    so a reproduction within ``0.005`` agrees at the paper's precision.

    Parameters
    ----------
    printed : str
        The number exactly as printed, e.g. ``"0.34"``, ``"406.4"``, ``"2e-3"``.

    Returns
    -------
    float
        The absolute tolerance.

    Examples
    --------
    >>> printed_tolerance("0.34")
    0.005
    >>> printed_tolerance("406.4")
    0.05
    """
    if not isinstance(printed, str):
        raise TypeError(f"pass the number as printed (a str), got {type(printed).__name__}")
    try:
        d = Decimal(printed.strip())
    except InvalidOperation:
        raise ValueError(f"{printed!r} is not a number") from None
    if not d.is_finite():
        raise ValueError(f"{printed!r} is not finite")
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)
    return 0.5 * 10.0**exponent


@dataclass(frozen=True)
class Claim:
    """One paper claim checked by this build (immutable).

    Parameters
    ----------
    claim : str
        What is claimed, in a few words (``"Huber-fit exponent alpha"``).
    source : str
        Where the paper value is printed (paper, table/figure/section).
    paper_value : float
        The paper's number.
    reproduced : float or None
        The number computed in this build; ``None`` when not reproducible here.
    tolerance : float or None
        Agreement tolerance (absolute, or a fraction of ``|paper_value|`` when
        ``relative``). Fixed from the paper's precision before looking.
    relative : bool, default False
        Whether ``tolerance`` is relative.
    unit : str, default ""
        Unit of the values (``"nats/token"``, ``"x"``...).
    expect : str, default "reproduced"
        The status the chapter asserts (see :meth:`Scorecard.check`).
    note : str, default ""
        Why a value differs, or what reproducing it would take. Required
        when ``expect`` is not ``"reproduced"``.
    chapter : str, default ""
        Chapter slug; filled in by :class:`Scorecard`.
    anchor : str, default ""
        Label of the section that computes the value (for links).
    paper_printed : str, default ""
        The paper value exactly as printed (``"0.50"``), shown instead of the
        float so trailing zeros survive.
    headline : bool, default False
        Show this claim in the book's "findings at a glance" table.
    """

    claim: str
    source: str
    paper_value: float
    reproduced: float | None
    tolerance: float | None
    relative: bool = False
    unit: str = ""
    expect: Status = REPRODUCED
    note: str = ""
    chapter: str = ""
    anchor: str = ""
    paper_printed: str = ""
    headline: bool = False

    kind: ClassVar[str] = "numeric"

    def __post_init__(self) -> None:
        _check_common(self.claim, self.source, self.expect, self.note, self.headline)
        if self.expect == INCONCLUSIVE:
            raise ValueError(
                f"{self.claim!r}: a numeric claim is reproduced or differs; 'inconclusive' is for "
                "a Statement tested with an interval"
            )
        if not isinstance(self.paper_value, (int, float)) or not math.isfinite(self.paper_value):
            raise ValueError(f"paper_value must be a finite number, got {self.paper_value!r}")
        if self.reproduced is None:
            if self.expect != NOT_REPRODUCIBLE:
                raise ValueError(
                    f"{self.claim!r}: no reproduced value, so expect must be {NOT_REPRODUCIBLE!r}"
                )
        else:
            value = float(self.reproduced)
            if not math.isfinite(value):
                raise ValueError(f"{self.claim!r}: reproduced value is {value!r}")
            object.__setattr__(self, "reproduced", value)
            if self.tolerance is None or not self.tolerance >= 0:
                raise ValueError(f"{self.claim!r}: tolerance must be >= 0, got {self.tolerance!r}")

    @property
    def abs_tolerance(self) -> float | None:
        """Tolerance in the units of the values."""
        if self.tolerance is None:
            return None
        return self.tolerance * abs(self.paper_value) if self.relative else self.tolerance

    @property
    def deviation(self) -> float | None:
        """``reproduced - paper_value`` (``None`` when not reproducible)."""
        return None if self.reproduced is None else self.reproduced - self.paper_value

    @property
    def status(self) -> Status:
        """Derived status: reproduced, differs, or not reproducible here."""
        if self.reproduced is None:
            return NOT_REPRODUCIBLE
        assert self.deviation is not None and self.abs_tolerance is not None
        return REPRODUCED if abs(self.deviation) <= self.abs_tolerance else DIFFERS

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Claim:
        """Rebuild a claim from :meth:`to_dict` output (derived fields are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready), including the kind and the derived status."""
        return {
            **asdict(self),
            "kind": self.kind,
            "status": self.status,
            "abs_tolerance": self.abs_tolerance,
        }


_SIDES = {">": "above", "<": "below"}


@dataclass(frozen=True)
class Statement:
    """A paper's claim in words, tested by a statistic with its interval (immutable).

    The paper asserts something without a number to match ("FP4 beats INT4",
    "pruning beats the power law"). This build computes a ``statistic`` whose
    sign relative to ``threshold`` decides it (an FD ratio INT4/FP4 above 1, a
    difference above 0, ...), with a confidence ``interval`` over the
    independent unit (trained models, seeds, runs: never rows derived from
    them). The status is derived from where the interval lies:

    * ``reproduced``: the whole interval lies on the ``supports`` side;
    * ``differs``: the whole interval lies on the other side;
    * ``inconclusive``: it straddles or touches the threshold.

    Parameters
    ----------
    claim : str
        The claim, in a few words (the row's title).
    source : str
        Where the paper says it (paper, section/figure/abstract, or the
        authors' released code). Never this project's notes.
    statement : str
        What the paper says, in its words (shown in quotation marks in the
        scorecard's *Paper* column, instead of a number). A close paraphrase,
        where the paper's words are not at hand, starts with ``"[paraphrase] "``:
        it is shown without quotation marks, marked as a paraphrase.
    statistic : str
        What this build computed to test it, with its unit
        (``"INT4/FP4 FD ratio, mean of 3 seeds"``).
    estimate : float or None
        The statistic's point estimate; ``None`` when the statement cannot be
        tested here (then ``interval`` is ``None``, ``expect`` is
        ``"not reproducible here"`` and the ``note`` says what it would take).
    interval : (float, float) or None
        Its confidence interval (``low <= estimate <= high``). ``None`` for a
        statistic with no sampling noise (a theory curve, a closed form): then
        the estimate alone decides, and the row says "exact".
    threshold : float, default 0.0
        The statement holds when the statistic lies beyond this value.
    supports : {">", "<"}, default ">"
        Which side of ``threshold`` supports the statement.
    level : float, default 0.95
        Confidence level of ``interval``.
    domain : (float, float) or None
        The statistic's possible range (an accuracy: ``(0, 1)``); the estimate
        and interval must lie inside it.
    interval_label : str, default ""
        What the interval is, when it is not a confidence interval at ``level``
        (``"range over bin counts"``: a spread over an analysis choice), or why
        there is none (``"no interval: point estimates"``). Shown instead of
        ``"95%"`` or ``"exact"``.
    replicates : int, optional
        The independent units (seeds, trained models) the interval rests on.
    replicates_needed : int, optional
        How many a verdict needs to come out the same on another reader's
        machine: the power analysis of
        :func:`helpers.robustness.replicates_needed` on a pilot, fixed before
        the build. With fewer ``replicates`` the status is ``inconclusive``
        whatever the interval shows (an interval that excludes the threshold
        on this machine includes it on others), and the criterion says so.
    unit, expect, note, chapter, anchor, headline
        As for :class:`Claim`. ``expect`` is the status the chapter asserts;
        a ``note`` is required unless it is ``"reproduced"``.

    Examples
    --------
    >>> s = Statement("FP4 beats INT4", "Dettmers & Zettlemoyer 2023, Sec. 4",
    ...               "FP4 gives better quality than INT4 at equal bits",
    ...               "INT4/FP4 FD ratio", 1.42, (1.21, 1.67), threshold=1.0)
    >>> s.status
    'reproduced'
    """

    claim: str
    source: str
    statement: str
    statistic: str
    estimate: float | None
    interval: tuple[float, float] | None
    threshold: float = 0.0
    supports: Literal[">", "<"] = ">"
    level: float = 0.95
    domain: tuple[float, float] | None = None
    interval_label: str = ""
    unit: str = ""
    expect: Status = REPRODUCED
    note: str = ""
    chapter: str = ""
    anchor: str = ""
    headline: bool = False
    replicates: int | None = None
    replicates_needed: int | None = None
    kind: ClassVar[str] = "statement"

    def __post_init__(self) -> None:
        _check_common(self.claim, self.source, self.expect, self.note, self.headline)
        if not self.statement.strip() or not self.statistic.strip():
            raise ValueError(
                f"{self.claim!r}: a statement needs the paper's `statement` and our `statistic`"
            )
        if self.supports not in _SIDES:
            raise ValueError(f"{self.claim!r}: supports must be '>' or '<', got {self.supports!r}")
        if not 0 < self.level < 1:
            raise ValueError(f"{self.claim!r}: level must lie in (0, 1), got {self.level!r}")
        threshold = _finite(self.claim, "threshold", self.threshold)
        object.__setattr__(self, "threshold", threshold)
        for name in ("replicates", "replicates_needed"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or int(v) != v or v < 2):
                raise ValueError(f"{self.claim!r}: {name} must be an integer >= 2, got {v!r}")
            if v is not None:
                object.__setattr__(self, name, int(v))
        if self.replicates_needed is not None and (
            self.replicates is None or self.estimate is None or self.interval is None
        ):
            raise ValueError(
                f"{self.claim!r}: replicates_needed applies to an interval over replicates: "
                "give the estimate, its interval and `replicates`"
            )
        if self.estimate is None:
            if self.interval is not None or self.expect != NOT_REPRODUCIBLE:
                raise ValueError(
                    f"{self.claim!r}: no estimate, so no interval and expect must be "
                    f"{NOT_REPRODUCIBLE!r} (the note says what testing it would take)"
                )
            return
        if self.expect == NOT_REPRODUCIBLE:
            raise ValueError(
                f"{self.claim!r}: an estimate was computed, so it is reproducible here"
            )
        estimate = _finite(self.claim, "estimate", self.estimate)
        object.__setattr__(self, "estimate", estimate)
        if self.interval is not None:
            if len(self.interval) != 2:
                raise ValueError(f"{self.claim!r}: interval must be (low, high)")
            low, high = (_finite(self.claim, "interval", v) for v in self.interval)
            if not low <= estimate <= high:
                raise ValueError(
                    f"{self.claim!r}: the interval ({low!r}, {high!r}) must contain the "
                    f"estimate {estimate!r}"
                )
            object.__setattr__(self, "interval", (low, high))
        if self.domain is not None:
            lo, hi = (float(v) for v in self.domain)
            object.__setattr__(self, "domain", (lo, hi))
            if not all(lo <= v <= hi for v in self.bounds):
                raise ValueError(
                    f"{self.claim!r}: the estimate and interval {self.bounds} leave the "
                    f"statistic's range [{lo}, {hi}]; use an interval that respects it "
                    "(a bootstrap over the independent unit, or a transformed scale)"
                )

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)`` of the interval; ``(estimate, estimate)`` when exact."""
        if self.estimate is None:
            raise ValueError(f"{self.claim!r} is not reproducible here: it has no interval")
        return self.interval if self.interval is not None else (self.estimate, self.estimate)

    @property
    def status(self) -> Status:
        """Derived status: reproduced, differs, inconclusive (see the class docstring),
        or not reproducible here (no estimate)."""
        if self.estimate is None:
            return NOT_REPRODUCIBLE
        if self.underpowered:
            return INCONCLUSIVE
        low, high = self.bounds
        if self.supports == "<":
            low, high = -high, -low
            threshold = -self.threshold
        else:
            threshold = self.threshold
        if low > threshold:
            return REPRODUCED
        if high < threshold:
            return DIFFERS
        return INCONCLUSIVE

    @property
    def underpowered(self) -> bool:
        """Too few replicates for a verdict that survives another machine."""
        return self.replicates_needed is not None and self.replicates < self.replicates_needed

    @property
    def criterion(self) -> str:
        """The test in words: ``"supports if > 1"``, and the replicates a verdict needs."""
        out = f"supports if {self.supports} {format_value(self.threshold)}"
        if self.replicates_needed is not None:
            out += (
                f"; a verdict needs ≥ {self.replicates_needed} replicates "
                f"(this build: {self.replicates})"
            )
        return out

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Statement:
        """Rebuild a statement from :meth:`to_dict` output (derived fields are ignored)."""
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in record.items() if k in names}
        for key in ("interval", "domain"):
            if kw.get(key) is not None:
                kw[key] = tuple(kw[key])
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready), including the kind and the derived status."""
        out = asdict(self)
        for key in ("interval", "domain"):
            if out[key] is not None:
                out[key] = list(out[key])
        return {**out, "kind": self.kind, "status": self.status}


AnyClaim = Claim | Statement


def _finite(claim: str, what: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{claim!r}: {what} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{claim!r}: {what} must be finite, got {value!r}")
    return v


def claim_from_dict(record: dict[str, Any]) -> AnyClaim:
    """Rebuild a :class:`Claim` or :class:`Statement` from its ``to_dict`` output."""
    kind = record.get("kind", "numeric")
    if kind == "numeric":
        return Claim.from_dict(record)
    if kind == "statement":
        return Statement.from_dict(record)
    raise ValueError(f"unknown claim kind {kind!r} (numeric or statement)")


def format_value(v: float | None) -> str:
    """A value as the scorecards show it: 6 significant digits, scientific when tiny or huge."""
    if v is None:
        return "—"
    if v == 0:
        return "0"
    mag = abs(v)
    if 1e-3 <= mag < 1e5:
        return f"{v:.6g}"
    return f"{v:.4e}"


def format_tolerance(c: AnyClaim) -> str:
    """A claim's tolerance as the scorecards show it (``±0.005`` or ``±5e-04 (rel.)``);
    for a statement, its criterion (``supports if > 1``)."""
    if isinstance(c, Statement):
        return c.criterion
    if c.tolerance is None:
        return "—"
    return f"±{c.tolerance:.2g} (rel.)" if c.relative else f"±{format_value(c.tolerance)}"


#: Label and colour of each status, as shown in every scorecard table.
STATUS_BADGES = {
    REPRODUCED: ("✔ reproduced", "#1b7837"),
    DIFFERS: ("≠ differs", "#b35806"),
    INCONCLUSIVE: ("? inconclusive", "#4d4d4d"),
    NOT_REPRODUCIBLE: ("∅ not reproducible here", "#5e3c99"),
}


def status_badge_html(status: str) -> str:
    """The coloured status label of a scorecard row, as HTML."""
    label, colour = STATUS_BADGES[status]
    return f'<span style="color:{colour};font-weight:600">{label}</span>'


PARAPHRASE = "[paraphrase] "


def statement_text(s: Statement) -> str:
    """The paper's statement as a row shows it: quoted, or marked as a paraphrase."""
    if s.statement.startswith(PARAPHRASE):
        return f"Paraphrase: {s.statement[len(PARAPHRASE) :].strip()}"
    return f"“{s.statement}”"


def statistic_text(s: Statement) -> str:
    """Our statistic as a statement's row shows it: ``INT4/FP4 FD ratio: 1.42 [1.21, 1.67]``."""
    unit = f" {s.unit}" if s.unit else ""
    if s.estimate is None:
        value = "—"
    elif s.interval is None:
        value = f"{format_value(s.estimate)}{unit} ({s.interval_label or 'exact'})"
    else:
        low, high = s.interval
        level = s.interval_label or f"{100 * s.level:g}%"
        ci = f"[{format_value(low)}, {format_value(high)}] ({level})"
        value = f"{format_value(s.estimate)}{unit} {ci}"
    return f"{s.statistic}: {value}"


def claim_cells(c: AnyClaim) -> dict[str, str]:
    """The HTML cells of a claim's scorecard row, by column name (escaped, in order).

    Columns: ``claim``, ``source``, ``paper`` (a number as printed, or the
    statement in words), ``reproduced`` (our value, or our statistic with its
    interval), ``tolerance`` (or the statement's criterion), ``status``,
    ``note``. Every scorecard table of the book is built from these.
    """
    if isinstance(c, Statement):
        paper, ours = statement_text(c), statistic_text(c)
    else:
        unit = f" {c.unit}" if c.unit else ""
        paper = paper_value_text(c)
        ours = format_value(c.reproduced) + (unit if c.reproduced is not None else "")
    return {
        "claim": html.escape(c.claim),
        "source": html.escape(c.source),
        "paper": html.escape(paper),
        "reproduced": html.escape(ours),
        "tolerance": html.escape(format_tolerance(c)),
        "status": status_badge_html(c.status),
        "note": html.escape(c.note),
    }


def paper_value_text(c: Claim) -> str:
    """The paper value as printed (when known), else formatted, with its unit."""
    unit = f" {c.unit}" if c.unit else ""
    return (c.paper_printed or format_value(c.paper_value)) + unit


@dataclass(frozen=True)
class Scorecard:
    """The claims of one chapter (immutable).

    Parameters
    ----------
    chapter : str
        Chapter slug, e.g. ``"primer"``.
    claims : iterable of Claim
        The claims; their ``chapter`` field is set to ``chapter``.

    Examples
    --------
    >>> card = Scorecard("primer", [Claim("E", "Paper, Table 1", 1.69, 1.691, 0.005)])
    >>> card.check()
    >>> card.to_frame()["status"].tolist()
    ['reproduced']
    """

    chapter: str
    claims: tuple[AnyClaim, ...] = field(default_factory=tuple)

    def __init__(self, chapter: str, claims: Iterable[AnyClaim] = ()):
        if not chapter:
            raise ValueError("chapter slug must be non-empty")
        claims = tuple(claims)
        for c in claims:
            if not isinstance(c, (Claim, Statement)):
                raise TypeError(
                    f"claims must be Claim or Statement objects, got {type(c).__name__}"
                )
        object.__setattr__(self, "chapter", chapter)
        object.__setattr__(
            self,
            "claims",
            tuple(c if c.chapter == chapter else _with_chapter(c, chapter) for c in claims),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per claim: chapter, kind, claim, source, values (a statement's
        estimate and interval), tolerance or criterion, status, note."""
        rows = [c.to_dict() for c in self.claims]
        cols = [
            "chapter",
            "kind",
            "claim",
            "source",
            "paper_value",
            "statement",
            "statistic",
            "estimate",
            "interval",
            "threshold",
            "supports",
            "reproduced",
            "tolerance",
            "relative",
            "abs_tolerance",
            "unit",
            "status",
            "expect",
            "note",
            "anchor",
            "paper_printed",
            "headline",
            "replicates",
            "replicates_needed",
        ]
        return pd.DataFrame(rows, columns=cols)

    def to_json(self) -> str:
        """The scorecard as a JSON array of claims."""
        return json.dumps([c.to_dict() for c in self.claims], indent=2)

    def check(self) -> None:
        """Assert every claim has the status the chapter declared.

        Raises
        ------
        AssertionError
            Listing each claim whose status drifted, with both values.
        """
        bad = [c for c in self.claims if c.status != c.expect]
        if bad:
            lines = [
                f"- {c.claim}: expected {c.expect!r} but got {c.status!r} ({_evidence(c)})"
                for c in bad
            ]
            raise AssertionError(f"scorecard {self.chapter!r} drifted:\n" + "\n".join(lines))

    def counts(self) -> dict[str, int]:
        """Number of claims per status."""
        return {s: sum(c.status == s for c in self.claims) for s in _STATUSES}

    def to_html(self) -> str:
        """An HTML table (what a notebook and the book display).

        The claims are also embedded as JSON (``<script type="application/json"
        class="scorecard-data">``) so the book build can gather every chapter's
        scorecard into ``scorecard.json`` without retyping a number.
        """
        head = ["Claim", "Source", "Paper", "This build", "Tolerance or test", "Status", "Note"]
        classes = ["claim", "source", "value", "value", "num", "status", "note"]
        out = [
            '<div class="scorecard-wrap"><table class="scorecard">',
            "<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>",
        ]
        for c in self.claims:
            cells = list(claim_cells(c).values())
            out.append(
                "<tr>"
                + "".join(f'<td class="{k}">{x}</td>' for k, x in zip(classes, cells, strict=True))
                + "</tr>"
            )
        out.append("</tbody></table>")
        data = self.to_json().replace("</", "<\\/")  # keep the JSON inside its <script>
        out.append(f'<script type="application/json" class="scorecard-data">{data}</script>')
        out.append("</div>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.counts().items() if v)
        return f"Scorecard({self.chapter!r}: {counts or 'no claims'})"


def _evidence(c: AnyClaim) -> str:
    if isinstance(c, Statement):
        return f"{statistic_text(c)}; {c.criterion}"
    return f"paper {c.paper_value!r}, reproduced {c.reproduced!r}, tolerance {format_tolerance(c)}"


def _with_chapter(c: AnyClaim, chapter: str) -> AnyClaim:
    return replace(c, chapter=chapter)
