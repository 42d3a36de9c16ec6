"""helpers.prose: computed numbers that print as formatted text."""

import pickle

import numpy as np
import pytest

from helpers import prose


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        (0.34231, ".3f", "0.342"),
        (0.0371, ".1%", "3.7%"),
        (240, None, "240"),
        (np.int64(4000), ",d", "4,000"),
        (np.float64(0.123456), None, "0.123"),
        (5.88e23, ".2e", "5.88×10²³"),
        (1.5e-3, ".1e", "1.5×10⁻³"),
        (-0.4, ".2f", "−0.40"),
        (np.array(2.5), ".1f", "2.5"),
    ],
)
def test_num_formats_like_format_with_typography(value, spec, text):
    out = prose.num(value, spec)
    assert repr(out) == str(out) == text
    assert float(out) == pytest.approx(float(value))


def test_num_is_still_a_number_and_pickles():
    x = prose.num(0.5, ".1f")
    assert x * 2 == 1.0 and x < 1
    y = pickle.loads(pickle.dumps(x))
    assert repr(y) == "0.5" and float(y) == 0.5


def test_num_units():
    assert repr(prose.num(12.34, ".1f", unit="s")) == "12.3\u202fs"
    assert repr(prose.num(3.0, ".0f", unit="%")) == "3%"


@pytest.mark.parametrize("bad", [float("nan"), np.inf, -np.inf])
def test_num_rejects_non_finite(bad):
    with pytest.raises(ValueError, match="finite"):
        prose.num(bad)


@pytest.mark.parametrize("bad", ["0.3", 1 + 2j, np.arange(3), True, None])
def test_num_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="real number"):
        prose.num(bad)


def test_num_rejects_bad_spec():
    with pytest.raises(ValueError, match="format spec"):
        prose.num(2.5, "d")


def test_prose_numbers_have_only_a_plain_text_repr():
    """jupyterlab-myst renders a text/plain result inline, but a rich one as a block."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(prose.num(0.34231, ".3f"))
    assert data == {"text/plain": "0.342"}


@pytest.mark.parametrize(
    ("items", "kwargs", "text"),
    [
        ([4, 5, 6], {}, "4, 5 and 6"),
        ((np.int64(3),), {}, "3"),
        ([0.5, 0.25], {"spec": ".0%", "conjunction": "or"}, "50% or 25%"),
        (["INT4", "FP4"], {}, "INT4 and FP4"),
        ([], {}, "none"),
        ([], {"empty": "no bit width"}, "no bit width"),
    ],
)
def test_listing_reads_as_a_sentence(items, kwargs, text):
    from IPython.core.formatters import DisplayFormatter

    got = prose.listing(items, **kwargs)
    assert got == text and repr(got) == text
    assert DisplayFormatter().format(got)[0] == {"text/plain": text}  # no quotes
    assert pickle.loads(pickle.dumps(got)) == text


def test_listing_rejects_a_bare_string():
    with pytest.raises(TypeError, match="iterable"):
        prose.listing("456")
