"""Tests of helpers.scorecard: status is derived, drift fails, rendering."""

import json

import pytest

from helpers.scorecard import Claim, Scorecard, printed_tolerance


def test_printed_tolerance_is_half_a_unit_in_the_last_digit():
    assert printed_tolerance("0.34") == pytest.approx(0.005)
    assert printed_tolerance("406.4") == pytest.approx(0.05)
    assert printed_tolerance("20") == pytest.approx(0.5)
    assert printed_tolerance("1.0e-3") == pytest.approx(5e-5)
    with pytest.raises(TypeError):
        printed_tolerance(0.34)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        printed_tolerance("about 3")


def test_status_is_derived_from_tolerance():
    inside = Claim("x", "paper", 1.0, 1.004, 0.005)
    outside = Claim("x", "paper", 1.0, 1.006, 0.005, expect="differs", note="why")
    relative = Claim("x", "paper", 200.0, 200.9, 5e-3, relative=True)
    missing = Claim(
        "x", "paper", 1.0, None, None, expect="not reproducible here", note="needs a GPU"
    )
    assert inside.status == "reproduced"
    assert outside.status == "differs"
    assert relative.status == "reproduced" and relative.abs_tolerance == pytest.approx(1.0)
    assert missing.status == "not reproducible here"


def test_check_fails_on_drift():
    card = Scorecard("demo", [Claim("alpha", "paper", 0.34, 0.40, 0.005)])
    with pytest.raises(AssertionError, match="alpha"):
        card.check()
    Scorecard("demo", [Claim("alpha", "paper", 0.34, 0.341, 0.005)]).check()


def test_claims_need_reasons_and_valid_values():
    with pytest.raises(ValueError, match="note"):
        Claim("x", "paper", 1.0, 2.0, 0.1, expect="differs")
    with pytest.raises(ValueError, match="not reproducible"):
        Claim("x", "paper", 1.0, None, None)
    with pytest.raises(ValueError, match="reproduced value"):
        Claim("x", "paper", 1.0, float("nan"), 0.1)
    with pytest.raises(ValueError, match="tolerance"):
        Claim("x", "paper", 1.0, 1.0, -0.1)
    with pytest.raises(ValueError, match="expect"):
        Claim("x", "paper", 1.0, 1.0, 0.1, expect="maybe")  # type: ignore[arg-type]


def test_rendering_and_json():
    card = Scorecard(
        "demo",
        [
            Claim("alpha", "Paper, Table 1", 0.34, 0.3412, 0.005, anchor="sec"),
            Claim(
                "beta <b>", "Paper", 0.28, None, None, expect="not reproducible here", note="n/a"
            ),
        ],
    )
    html = card.to_html()
    assert "<table" in html and "reproduced" in html and "&lt;b&gt;" in html
    rows = json.loads(card.to_json())
    assert [r["status"] for r in rows] == ["reproduced", "not reproducible here"]
    assert all(r["chapter"] == "demo" for r in rows)
    frame = card.to_frame()
    assert frame.shape[0] == 2 and "status" in frame
    assert card.counts()["reproduced"] == 1
    assert "1 reproduced" in repr(card)


def test_claims_round_trip_through_json():
    card = Scorecard(
        "demo",
        [
            Claim("alpha", "Paper", 0.5, 0.5004, 0.005, paper_printed="0.50", headline=True),
            Claim("beta", "Paper", 0.28, None, None, expect="not reproducible here", note="n/a"),
        ],
    )
    rebuilt = [Claim.from_dict(r) for r in json.loads(card.to_json())]
    assert tuple(rebuilt) == card.claims
    assert [c.status for c in rebuilt] == ["reproduced", "not reproducible here"]
