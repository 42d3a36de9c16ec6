"""Scorecards: the paper's number beside the number this build computed.

Every chapter ends with a :class:`Scorecard` of :class:`Claim` objects. A
claim carries the paper's value and source, the value the notebook just
computed, and a tolerance fixed from the paper's own precision *before* the
result is seen. Its status is derived, never typed:

``reproduced``
    ``|reproduced - paper| <= tolerance``.
``differs``
    outside the tolerance; the claim's ``note`` must explain why.
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
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import pandas as pd

__all__ = [
    "DIFFERS",
    "NOT_REPRODUCIBLE",
    "REPRODUCED",
    "STATUS_BADGES",
    "Claim",
    "Scorecard",
    "claim_cells",
    "format_tolerance",
    "format_value",
    "paper_value_text",
    "printed_tolerance",
    "status_badge_html",
]

REPRODUCED = "reproduced"
DIFFERS = "differs"
NOT_REPRODUCIBLE = "not reproducible here"
Status = Literal["reproduced", "differs", "not reproducible here"]
_STATUSES = (REPRODUCED, DIFFERS, NOT_REPRODUCIBLE)


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

    def __post_init__(self) -> None:
        if not self.claim or not self.source:
            raise ValueError("a claim needs both `claim` text and a `source`")
        if not isinstance(self.paper_value, (int, float)) or not math.isfinite(self.paper_value):
            raise ValueError(f"paper_value must be a finite number, got {self.paper_value!r}")
        if self.expect not in _STATUSES:
            raise ValueError(f"expect must be one of {_STATUSES}, got {self.expect!r}")
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
        if self.expect != REPRODUCED and not self.note.strip():
            raise ValueError(f"{self.claim!r}: expect={self.expect!r} needs a `note` saying why")

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
        """Plain dict (JSON-ready), including the derived status."""
        return {**asdict(self), "status": self.status, "abs_tolerance": self.abs_tolerance}


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


def format_tolerance(c: Claim) -> str:
    """A claim's tolerance as the scorecards show it (``±0.005`` or ``±5e-04 (rel.)``)."""
    if c.tolerance is None:
        return "—"
    return f"±{c.tolerance:.2g} (rel.)" if c.relative else f"±{format_value(c.tolerance)}"


#: Label and colour of each status, as shown in every scorecard table.
STATUS_BADGES = {
    REPRODUCED: ("✔ reproduced", "#1b7837"),
    DIFFERS: ("≠ differs", "#b35806"),
    NOT_REPRODUCIBLE: ("∅ not reproducible here", "#5e3c99"),
}


def status_badge_html(status: str) -> str:
    """The coloured status label of a scorecard row, as HTML."""
    label, colour = STATUS_BADGES[status]
    return f'<span style="color:{colour};font-weight:600">{label}</span>'


def claim_cells(c: Claim) -> dict[str, str]:
    """The HTML cells of a claim's scorecard row, by column name (escaped, in order).

    Columns: ``claim``, ``source``, ``paper``, ``reproduced``, ``tolerance``,
    ``status``, ``note``. Every scorecard table of the book is built from these.
    """
    unit = f" {html.escape(c.unit)}" if c.unit else ""
    return {
        "claim": html.escape(c.claim),
        "source": html.escape(c.source),
        "paper": html.escape(paper_value_text(c)),
        "reproduced": format_value(c.reproduced) + (unit if c.reproduced is not None else ""),
        "tolerance": format_tolerance(c),
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
    claims: tuple[Claim, ...] = field(default_factory=tuple)

    def __init__(self, chapter: str, claims: Iterable[Claim] = ()):
        if not chapter:
            raise ValueError("chapter slug must be non-empty")
        claims = tuple(claims)
        for c in claims:
            if not isinstance(c, Claim):
                raise TypeError(f"claims must be Claim objects, got {type(c).__name__}")
        object.__setattr__(self, "chapter", chapter)
        object.__setattr__(
            self,
            "claims",
            tuple(c if c.chapter == chapter else _with_chapter(c, chapter) for c in claims),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per claim: chapter, claim, source, values, tolerance, status, note."""
        rows = [c.to_dict() for c in self.claims]
        cols = [
            "chapter",
            "claim",
            "source",
            "paper_value",
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
                f"- {c.claim}: expected {c.expect!r} but got {c.status!r} "
                f"(paper {c.paper_value!r}, reproduced {c.reproduced!r}, "
                f"tolerance {format_tolerance(c)})"
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
        head = ["Claim", "Source", "Paper", "This build", "Tolerance", "Status", "Note"]
        classes = ["claim", "source", "num", "num", "num", "status", "note"]
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


def _with_chapter(c: Claim, chapter: str) -> Claim:
    return Claim(**{**asdict(c), "chapter": chapter})
