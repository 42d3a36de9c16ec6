r"""Numbers for prose: computed values that read well in a sentence.

A chapter never types a number it computed. A code cell stores the value in a
variable through :func:`num`, and the prose refers to the variable with MyST's
inline ``{eval}`` role::

    alpha_sat = hp.prose.num(fit["alpha"], ".3f")

.. code-block:: markdown

    The saturating fit estimates the exponent as {eval}`alpha_sat`.

The same sentence is rendered at build time by myst-nb (``execute_notebooks:
inline``) and live in JupyterLab by ``jupyterlab-myst`` after the cell runs, so a
reader who changes a parameter and reruns sees the sentence change. myst-nb
evaluates bare variable names only, so formatting lives here, in the code cell,
and not in the role.

The object returned by :func:`num` is still a number (a :class:`float`
subclass: arithmetic and comparisons work as usual); only its text
representation is the formatted string, which is what both renderers show.
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["ProseNumber", "ProseText", "listing", "num"]

_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_EXP_RX = re.compile(r"^(?P<mantissa>[^e]+)e(?P<exp>[+-]\d+)(?P<rest>.*)$")


class ProseNumber(float):
    """A float that prints as a fixed, readable string (immutable).

    Created by :func:`num`; its ``repr`` and ``str`` are the formatted text,
    so ``{eval}`` shows exactly that text.

    Attributes
    ----------
    text : str
        The formatted text.
    """

    text: str

    def __new__(cls, value: float, text: str) -> ProseNumber:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    # No _repr_markdown_ (nor any other rich repr), on purpose: with text/plain only,
    # jupyterlab-myst renders the value inline as a plain <span>; a text/markdown result
    # is rendered as its own paragraph, which breaks the sentence.

    def __reduce__(self) -> tuple[type[ProseNumber], tuple[float, str]]:
        return (ProseNumber, (float(self), self.text))


def _scientific(text: str) -> str:
    """``5.88e+23`` -> ``5.88×10²³`` (Unicode, so it reads the same everywhere)."""
    match = _EXP_RX.match(text)
    if match is None:
        return text
    exponent = int(match["exp"])
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return f"{match['mantissa']}×{power}{match['rest']}"


def num(value: numbers.Real, spec: str | None = None, *, unit: str = "") -> ProseNumber:
    """Format a computed number for a sentence.

    Parameters
    ----------
    value : real number
        The computed value (a Python or NumPy scalar; a 0-d array is accepted).
    spec : str, optional
        A :func:`format` specification, e.g. ``".3f"``, ``".1%"``, ``",d"``,
        ``".2e"``. Exponent notation is typeset as ``5.88×10²³``. Default:
        ``"d"`` for integers, ``".3g"`` otherwise.
    unit : str, optional
        Appended after the number with a narrow no-break space (U+202F), e.g.
        ``unit="s"`` gives ``"12.3 s"``. ``%`` is appended without a space.

    Returns
    -------
    ProseNumber
        A float equal to ``value`` whose text is the formatted string.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (e.g. a string, a complex number or
        an array with more than one element).
    ValueError
        If ``value`` is NaN or infinite (a prose number that is not a number
        is a bug upstream), or ``spec`` is not a valid format for it.

    Examples
    --------
    >>> num(0.34231, ".3f")
    0.342
    >>> num(5.88e23, ".2e")
    5.88×10²³
    >>> num(0.0371, ".1%")
    3.7%
    >>> num(240)
    240
    """
    if hasattr(value, "shape") and getattr(value, "shape", ()) == ():
        value = value.item()  # 0-d arrays and NumPy scalars
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"num() takes a real number, got {type(value).__name__}: {value!r}")
    if not math.isfinite(float(value)):
        raise ValueError(f"num() got {value!r}: a number in prose must be finite")
    integral = isinstance(value, numbers.Integral)
    if spec is None:
        spec = "d" if integral else ".3g"
    try:
        text = format(value, spec)
    except ValueError as err:
        raise ValueError(f"invalid format spec {spec!r} for {value!r}: {err}") from None
    if spec.rstrip().endswith(("e", "E")):
        text = _scientific(text.lower())
    text = text.replace("-", "−") if text.startswith("-") else text  # typographic minus
    if unit:
        text = f"{text}{unit}" if unit == "%" else f"{text}\u202f{unit}"
    return ProseNumber(float(value), text)


class ProseText(str):
    """A string that prints without quotes, so ``{eval}`` shows the bare words.

    Created by :func:`listing`. Like :class:`ProseNumber` it has a text/plain
    representation only.
    """

    def __repr__(self) -> str:
        return str.__str__(self)

    def __reduce__(self) -> tuple[type[ProseText], tuple[str]]:
        return (ProseText, (str.__str__(self),))


def listing(
    items: object, spec: str | None = None, *, conjunction: str = "and", empty: str = "none"
) -> ProseText:
    """A computed list for a sentence: ``[4, 5, 6]`` -> ``"4, 5 and 6"``.

    Parameters
    ----------
    items : iterable
        The values, in the order to print. Real numbers are formatted with
        :func:`num` (so ``spec`` applies); anything else with :class:`str`.
    spec : str, optional
        Format of the numbers (see :func:`num`).
    conjunction : str, default "and"
        The word before the last item (``"or"`` for alternatives).
    empty : str, default "none"
        The text when there are no items.

    Returns
    -------
    ProseText
        A string that ``{eval}`` shows without quotes.

    Raises
    ------
    TypeError
        If ``items`` is a string or not iterable.

    Examples
    --------
    >>> listing([4, 5, 6])
    4, 5 and 6
    >>> listing([0.5, 0.25], ".0%", conjunction="or")
    50% or 25%
    >>> listing([])
    none
    """
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        raise TypeError(f"items must be an iterable of values, got {type(items).__name__}")
    words = [
        num(v, spec).text if isinstance(v, numbers.Real) and not isinstance(v, bool) else str(v)
        for v in items
    ]
    if not words:
        return ProseText(empty)
    if len(words) == 1:
        return ProseText(words[0])
    return ProseText(f"{', '.join(words[:-1])} {conjunction} {words[-1]}")
