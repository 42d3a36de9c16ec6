"""Tests of helpers.scorecard: status is derived, drift fails, rendering."""

import json

import pytest

from helpers.scorecard import Claim, Scorecard, Statement, claim_from_dict, printed_tolerance


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


def _statement(**kw):
    base = dict(
        claim="FP4 beats INT4",
        source="Dettmers & Zettlemoyer 2023, Sec. 4",
        statement="FP4 gives better quality than INT4",
        statistic="INT4/FP4 FD ratio",
        estimate=1.4,
        interval=(1.2, 1.7),
        threshold=1.0,
    )
    return Statement(**{**base, **kw})


def test_statement_status_follows_where_the_interval_lies():
    assert _statement().status == "reproduced"
    assert _statement(estimate=0.8, interval=(0.7, 0.9), expect="differs", note="why").status == (
        "differs"
    )
    straddles = _statement(estimate=1.05, interval=(0.95, 1.2), expect="inconclusive", note="n")
    assert straddles.status == "inconclusive"
    touching = _statement(estimate=1.1, interval=(1.0, 1.2), expect="inconclusive", note="n")
    assert (
        touching.status == "inconclusive"
    )  # an interval that reaches the threshold decides nothing
    # "<": the statement holds below the threshold
    below = _statement(estimate=0.8, interval=(0.7, 0.9), supports="<")
    assert below.status == "reproduced"
    assert _statement(supports="<", expect="differs", note="n").status == "differs"
    # exact statistics (a theory curve): the estimate alone decides
    assert _statement(interval=None).status == "reproduced"
    assert _statement(estimate=1.0, interval=None, expect="inconclusive", note="n").status == (
        "inconclusive"
    )


def test_statement_check_fails_on_a_flip():
    card = Scorecard("demo", [_statement(estimate=1.05, interval=(0.99, 1.2))])
    with pytest.raises(AssertionError, match="expected 'reproduced' but got 'inconclusive'"):
        card.check()


def test_statement_validates_its_evidence():
    with pytest.raises(ValueError, match="contain the estimate"):
        _statement(estimate=2.0)
    with pytest.raises(ValueError, match="range"):
        _statement(estimate=0.9, interval=(0.8, 1.05), domain=(0, 1), threshold=0.5)
    with pytest.raises(ValueError, match="supports"):
        _statement(supports=">=")
    with pytest.raises(ValueError, match="finite"):
        _statement(interval=(float("nan"), 1.7))
    with pytest.raises(ValueError, match="note"):
        _statement(expect="inconclusive")
    with pytest.raises(ValueError, match="statement"):
        _statement(statement=" ")


def test_numeric_claims_cannot_be_inconclusive():
    with pytest.raises(ValueError, match="Statement"):
        Claim("x", "paper", 1.0, 1.0, 0.1, expect="inconclusive", note="n")


@pytest.mark.parametrize(
    "source",
    [
        "Research note §2",
        "research note, reference solver",
        "Project research notes",
        "figure cell only; read by the project research notes",
        "This build (loader fix)",
    ],
)
def test_only_papers_are_sources(source):
    with pytest.raises(ValueError, match="not a paper's"):
        Claim("x", source, 1.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="not a paper's"):
        _statement(source=source)


def test_statement_renders_words_not_numbers_and_round_trips():
    s = _statement(unit="×", headline=True)
    card = Scorecard("demo", [s, Claim("alpha", "Paper, Table 1", 0.34, 0.3412, 0.005)])
    html = card.to_html()
    assert "“FP4 gives better quality than INT4”" in html
    assert "INT4/FP4 FD ratio: 1.4 × [1.2, 1.7] (95%)" in html
    assert "supports if &gt; 1" in html
    rows = json.loads(card.to_json())
    assert [r["kind"] for r in rows] == ["statement", "numeric"]
    rebuilt = tuple(claim_from_dict(r) for r in rows)
    assert rebuilt == card.claims
    frame = card.to_frame()
    assert frame.loc[0, "estimate"] == 1.4 and frame.loc[1, "paper_value"] == 0.34
    with pytest.raises(ValueError, match="kind"):
        claim_from_dict({**rows[0], "kind": "vibe"})


def test_a_statement_not_testable_here_has_no_estimate_and_says_why():
    s = _statement(estimate=None, interval=None, expect="not reproducible here", note="needs X")
    assert s.status == "not reproducible here"
    assert "—" in Scorecard("demo", [s]).to_html()
    assert claim_from_dict(s.to_dict()) == s
    with pytest.raises(ValueError, match="no estimate"):
        _statement(estimate=None, interval=None)  # expect must say so
    with pytest.raises(ValueError, match="no estimate"):
        _statement(estimate=None, expect="not reproducible here", note="n")  # an interval alone
    with pytest.raises(ValueError, match="reproducible here"):
        _statement(expect="not reproducible here", note="n")  # computed, so it is reproducible


def test_a_paraphrase_is_shown_without_quotation_marks():
    quoted = Scorecard("demo", [_statement()]).to_html()
    para = Scorecard("demo", [_statement(statement="[paraphrase] FP4 is better")]).to_html()
    assert "“FP4 gives better quality than INT4”" in quoted
    assert "Paraphrase: FP4 is better" in para and "“" not in para.split("<script")[0]


def test_a_headline_is_a_finding():
    with pytest.raises(ValueError, match="headline is a finding"):
        _statement(
            estimate=1.0, interval=(0.9, 1.1), expect="inconclusive", note="n", headline=True
        )
    with pytest.raises(ValueError, match="headline is a finding"):
        Claim(
            "x", "paper", 1.0, None, None, expect="not reproducible here", note="n", headline=True
        )
    assert _statement(headline=True).headline


def test_an_interval_that_is_not_a_confidence_interval_says_what_it_is():
    spread = _statement(interval_label="range over bin counts")
    assert "[1.2, 1.7] (range over bin counts)" in Scorecard("d", [spread]).to_html()
    point = _statement(interval=None, interval_label="no interval: point estimates")
    assert "1.4 (no interval: point estimates)" in Scorecard("d", [point]).to_html()
    assert claim_from_dict(spread.to_dict()) == spread


def test_too_few_replicates_for_a_stable_verdict_is_inconclusive():
    # the interval excludes 1 on this machine, but the power analysis says a verdict
    # needs 13 seeds to come out the same on another: with 8 it is inconclusive
    weak = _statement(replicates=8, replicates_needed=13, expect="inconclusive", note="n")
    assert weak.underpowered and weak.status == "inconclusive"
    assert "needs ≥ 13 replicates (this build: 8)" in weak.criterion
    enough = _statement(replicates=13, replicates_needed=13)
    assert not enough.underpowered and enough.status == "reproduced"
    assert _statement(replicates=3).status == "reproduced"  # no requirement declared
    back = claim_from_dict(json.loads(json.dumps(weak.to_dict())))
    assert back == weak and back.status == "inconclusive"
    frame = Scorecard("demo", [weak]).to_frame()
    assert frame.loc[0, ["replicates", "replicates_needed"]].tolist() == [8, 13]
    with pytest.raises(ValueError, match="replicates_needed applies"):
        _statement(replicates_needed=13)
    with pytest.raises(ValueError, match="replicates_needed applies"):
        _statement(interval=None, replicates=8, replicates_needed=13)
    with pytest.raises(ValueError, match="integer >= 2"):
        _statement(replicates=1)
    with pytest.raises(ValueError, match="integer >= 2"):
        _statement(replicates=8, replicates_needed=2.5)
