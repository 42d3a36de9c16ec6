r"""Number formats for weight quantization: minifloats, k-bit integers, codebooks.

Three kinds of format, one interface:

* **Minifloats** ``"eXmY"``: a sign bit, X exponent bits (bias :math:`2^{X-1}-1`), Y
  mantissa bits, with subnormals. Three conventions for the top exponent code:

  - ``overflow="saturate"`` (OCP MX FP4/FP6: ``"e2m1"``, ``"e2m3"``, ``"e3m2"``, and the
    extra MX-style ladder formats ``"e2m0"``, ``"e3m0"``, ``"e2m2"``, ``"e3m1"``): every
    code is a finite number; values beyond the largest saturate to :math:`\pm\max`.
  - ``overflow="nan"`` (``"e4m3fn"``): only the all-ones code is NaN; max 448; a value
    that rounds beyond max (:math:`|x| > 464`, max plus half a step) becomes NaN.
  - ``overflow="inf"`` (IEEE-like ``"e5m2"``, ``"fp16"``): the top exponent is reserved for
    inf/NaN; a value that rounds beyond max becomes :math:`\pm\infty`.

  :func:`cast` rounds float32 to these exactly as ``ml_dtypes`` casts do (round to
  nearest, ties to even; signed zeros kept), which ``tests/test_quantization.py``
  checks bit for bit.
* **Integers** ``"int{k}"`` (symmetric: levels :math:`-(2^{k-1}-1)\ldots 2^{k-1}-1`, so
  that 0 is exact and the grid is symmetric) and ``"int{k}_asym"`` (unsigned levels
  :math:`0\ldots 2^k-1` with a zero point), for :math:`2 \le k \le 16`.
* **Codebooks**: a sorted table of values in :math:`[-1, 1]`. ``"nf4"`` is QLoRA's NormalFloat
  (Dettmers et al. 2023, built like bitsandbytes' ``create_normal_map``);
  :func:`quantile_codebook` makes a quantile type from data.

:func:`quantize` adds what weight quantization needs on top of the element format: an
**absmax scale** per tensor, per channel or per group of ``g`` weights, applied in
**saturating** mode (values beyond the format's largest magnitude are clipped to it, the
OCP MX convention), optionally rounded to a power of two (an E8M0 scale, as in MX), and
round-to-nearest or **stochastic rounding** with an explicit ``rng``.
:func:`bits_per_param` counts the storage per weight **including the scale overhead**
(``scale_bits / g``), the accounting Dettmers & Zettlemoyer (2023) use for total model bits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = [
    "FLOAT_FORMATS",
    "MX_ELEMENT_FORMATS",
    "Codebook",
    "FloatFormat",
    "IntFormat",
    "bits_per_param",
    "block_size",
    "cast",
    "format_names",
    "get_format",
    "grid",
    "max_value",
    "nf4",
    "quantile_codebook",
    "quantize",
    "stress_inputs",
]

Overflow = Literal["saturate", "nan", "inf"]


@dataclass(frozen=True)
class FloatFormat:
    """A sign + ``exp_bits`` + ``man_bits`` minifloat with subnormals (immutable).

    Parameters
    ----------
    name : str
        Registered name, e.g. ``"e2m1"``.
    exp_bits, man_bits : int
        Exponent and mantissa widths; the exponent bias is :math:`2^{E-1}-1`.
    overflow : {"saturate", "nan", "inf"}
        What a value that rounds beyond the largest finite number becomes (see the module
        docstring); it also fixes which top codes are finite.
    """

    name: str
    exp_bits: int
    man_bits: int
    overflow: Overflow

    @property
    def bits(self) -> int:
        """Storage bits per element (sign + exponent + mantissa)."""
        return 1 + self.exp_bits + self.man_bits

    @property
    def bias(self) -> int:
        return 2 ** (self.exp_bits - 1) - 1

    @property
    def emin(self) -> int:
        """Exponent of the smallest normal number (subnormals share it)."""
        return 1 - self.bias

    @property
    def emax(self) -> int:
        """Exponent of the largest finite number."""
        top = 2**self.exp_bits - 1 - self.bias
        return top - 1 if self.overflow == "inf" else top

    @property
    def max(self) -> float:
        """Largest finite value (e2m1: 6, e4m3fn: 448, e5m2: 57344)."""
        ulp = 2.0**-self.man_bits
        top_mantissa = 2.0 - (2 * ulp if self.overflow == "nan" else ulp)
        return 2.0**self.emax * top_mantissa


@dataclass(frozen=True)
class IntFormat:
    """A k-bit integer grid (immutable): symmetric signed or asymmetric unsigned.

    Parameters
    ----------
    bits : int
        Bit width k, 2 to 16.
    symmetric : bool
        ``True``: levels :math:`-(2^{k-1}-1) \\ldots 2^{k-1}-1` (2^k − 1 levels, one code
        unused so the grid is symmetric and 0 is exact). ``False``: levels
        :math:`0 \\ldots 2^k - 1`, used with a zero point by :func:`quantize`.
    """

    bits: int
    symmetric: bool = True

    @property
    def name(self) -> str:
        return f"int{self.bits}" if self.symmetric else f"int{self.bits}_asym"

    @property
    def qmin(self) -> int:
        return -(2 ** (self.bits - 1) - 1) if self.symmetric else 0

    @property
    def qmax(self) -> int:
        return 2 ** (self.bits - 1) - 1 if self.symmetric else 2**self.bits - 1


@dataclass(frozen=True)
class Codebook:
    """A lookup-table format: sorted values in [-1, 1], stored as ``bits``-bit indices.

    Parameters
    ----------
    name : str
        Label (``"nf4"``, ``"quantile3"``...).
    values : tuple of float
        Strictly increasing representable values with ``max(|values|) == 1``.
    bits : int
        Index width; ``len(values) <= 2**bits``.
    """

    name: str
    values: tuple[float, ...]
    bits: int

    def __post_init__(self) -> None:
        v = np.asarray(self.values, dtype=np.float64)
        if v.ndim != 1 or v.size < 2 or not np.all(np.isfinite(v)):
            raise ValueError("a codebook needs at least two finite values")
        if np.any(np.diff(v) <= 0):
            raise ValueError("codebook values must be strictly increasing")
        if not np.isclose(np.max(np.abs(v)), 1.0):
            raise ValueError("codebook values must be normalised so that max |value| == 1")
        if not 1 <= self.bits <= 16 or v.size > 2**self.bits:
            raise ValueError(f"{v.size} values do not fit in {self.bits} bits")


Format = FloatFormat | IntFormat | Codebook

#: Registered minifloat formats: name -> (exp_bits, man_bits, overflow).
FLOAT_FORMATS: dict[str, FloatFormat] = {
    f.name: f
    for f in [
        FloatFormat("e2m0", 2, 0, "saturate"),
        FloatFormat("e3m0", 3, 0, "saturate"),
        FloatFormat("e2m1", 2, 1, "saturate"),
        FloatFormat("e2m2", 2, 2, "saturate"),
        FloatFormat("e3m1", 3, 1, "saturate"),
        FloatFormat("e2m3", 2, 3, "saturate"),
        FloatFormat("e3m2", 3, 2, "saturate"),
        FloatFormat("e4m3fn", 4, 3, "nan"),
        FloatFormat("e5m2", 5, 2, "inf"),
        FloatFormat("fp16", 5, 10, "inf"),
    ]
}

_INT_RX = re.compile(r"^int(\d+)(_asym)?$")


def nf4() -> Codebook:
    """QLoRA's 4-bit NormalFloat codebook (Dettmers et al. 2023, App. E).

    Built as bitsandbytes' ``create_normal_map(offset=0.9677083)``: 8 positive values at
    normal quantiles of ``linspace(offset, 0.5, 9)[:-1]``, 7 negative ones at
    ``linspace(offset, 0.5, 8)[:-1]``, and an exact zero; normalised to max 1.
    """
    from scipy.stats import norm

    offset = 0.9677083
    pos = norm.ppf(np.linspace(offset, 0.5, 9)[:-1])
    neg = -norm.ppf(np.linspace(offset, 0.5, 8)[:-1])
    v = np.sort(np.concatenate([pos, [0.0], neg]))
    return Codebook("nf4", tuple(float(t) for t in v / np.max(np.abs(v))), 4)


def quantile_codebook(sample: np.ndarray, bits: int, *, name: str | None = None) -> Codebook:
    """A quantile data type: 2^bits values at equally spaced quantiles of ``sample``.

    The sample is normalised by its absmax; the values sit at the quantiles
    :math:`(i + 1/2)/2^k`, then the table is rescaled so its largest magnitude is 1.

    Parameters
    ----------
    sample : array_like
        Values whose distribution the codebook should follow (e.g. a layer's weights).
    bits : int
        Index width k (1 to 8).

    Returns
    -------
    Codebook
    """
    x = np.asarray(sample, dtype=np.float64).ravel()
    if x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError("sample must hold at least two finite values")
    if not isinstance(bits, (int, np.integer)) or not 1 <= bits <= 8:
        raise ValueError(f"bits must be an integer in 1..8, got {bits!r}")
    levels = 2**bits
    q = np.quantile(x / np.max(np.abs(x)), (np.arange(levels) + 0.5) / levels)
    q = np.unique(q)
    q = q / np.max(np.abs(q))
    return Codebook(name or f"quantile{bits}", tuple(float(t) for t in q), int(bits))


def format_names() -> list[str]:
    """Every format name :func:`get_format` accepts (integers listed by pattern)."""
    return [*FLOAT_FORMATS, "int{k} (2 <= k <= 16)", "int{k}_asym", "nf4"]


def get_format(fmt: str | Format) -> Format:
    """Resolve a format name (or pass a format object through).

    Raises
    ------
    ValueError
        Unknown name, or an integer width outside 2..16; the message lists what is allowed.
    TypeError
        Neither a string nor a format object.
    """
    if isinstance(fmt, (FloatFormat, IntFormat, Codebook)):
        return fmt
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format name or object, got {type(fmt).__name__}")
    key = fmt.strip().lower()
    if key in FLOAT_FORMATS:
        return FLOAT_FORMATS[key]
    if key == "nf4":
        return nf4()
    m = _INT_RX.match(key)
    if m:
        k = int(m.group(1))
        if not 2 <= k <= 16:
            raise ValueError(f"integer bit width must be in 2..16, got {k} (format {fmt!r})")
        return IntFormat(k, symmetric=m.group(2) is None)
    raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(format_names())}")


def max_value(fmt: str | Format) -> float:
    """Largest representable magnitude (the absmax a scale maps to)."""
    f = get_format(fmt)
    if isinstance(f, FloatFormat):
        return f.max
    if isinstance(f, IntFormat):
        return float(f.qmax)
    return float(np.max(np.abs(f.values)))


def grid(fmt: str | Format) -> np.ndarray:
    """Every finite representable value of ``fmt``, sorted, zero once (float64).

    For ``int{k}_asym`` the unsigned codes ``0..2^k-1``; for a codebook its table.

    Examples
    --------
    >>> grid("e2m1")[8:].tolist()
    [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]
    >>> len(grid("int4"))
    15
    """
    f = get_format(fmt)
    if isinstance(f, IntFormat):
        return np.arange(f.qmin, f.qmax + 1, dtype=np.float64)
    if isinstance(f, Codebook):
        return np.asarray(f.values, dtype=np.float64)
    step = 2.0 ** (f.emin - f.man_bits)
    sub = np.arange(2**f.man_bits) * step  # subnormals and zero
    exps = np.arange(f.emin, f.emax + 1)
    mant = 1.0 + np.arange(2**f.man_bits) * 2.0**-f.man_bits
    normals = (2.0 ** exps[:, None] * mant[None, :]).ravel()
    pos = np.concatenate([sub, normals[normals <= f.max]])
    return np.concatenate([-pos[:0:-1], pos])


def _as_float32(x: np.ndarray) -> np.ndarray:
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.floating):
        raise TypeError(f"cast needs floating-point input, got dtype {a.dtype}")
    return a.astype(np.float32, copy=False)


_CHUNK = 1 << 15  # elements per block: keeps the temporaries in cache


def _cast_minifloat(x: np.ndarray, f: FloatFormat) -> np.ndarray:
    """Round float32 to the nearest ``f`` value, ties to even (the ml_dtypes rule).

    Per element: e = clamp(floor(log2|x|), emin, emax + 1) read from the float32 exponent
    field (float32 subnormals are far below every emin here), step = 2^(e - m), and
    q = rint(x / step) * step. Scaling by a power of two is exact and ``rint`` rounds half
    to even, so q is the correctly rounded value; clamping at emin gives the subnormals.
    """
    flat = x.reshape(-1)
    out = np.empty_like(flat)
    for start in range(0, flat.size, _CHUNK):
        xs = flat[start : start + _CHUNK]
        e = (xs.view(np.uint32) >> 23) & 0xFF  # biased float32 exponent
        np.clip(e, f.emin + 127, f.emax + 128, out=e)
        step = ((e - f.man_bits) << 23).view(np.float32)
        inv = ((254 - e + f.man_bits) << 23).view(np.float32)
        q = out[start : start + _CHUNK]
        np.multiply(xs, inv, out=q)
        np.rint(q, out=q)
        q *= step
    out = out.reshape(x.shape)
    if f.overflow == "saturate":
        np.clip(out, -f.max, f.max, out=out)
    else:
        over = np.abs(out) > f.max
        if np.any(over):
            out[over] = np.nan if f.overflow == "nan" else np.copysign(np.inf, out[over])
    return out


def _stochastic_on_grid(x: np.ndarray, g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round each x to one of its two neighbours on grid ``g``, unbiasedly (E[q] = x)."""
    xc = np.clip(x.astype(np.float64), g[0], g[-1])
    hi = np.clip(np.searchsorted(g, xc, side="left"), 1, g.size - 1)
    lo_v, hi_v = g[hi - 1], g[hi]
    p_up = (xc - lo_v) / (hi_v - lo_v)
    up = rng.random(xc.shape) < p_up
    return np.where(up, hi_v, lo_v)


def _nearest_on_grid(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Nearest value of sorted grid ``g`` (a tie goes to the lower value)."""
    mid = 0.5 * (g[1:] + g[:-1])
    return g[np.searchsorted(mid, x, side="left")]


def _check_rng(rounding: str, rng: int | np.random.Generator | None) -> np.random.Generator | None:
    if rounding not in ("nearest", "stochastic"):
        raise ValueError(f"rounding must be 'nearest' or 'stochastic', got {rounding!r}")
    if rounding == "nearest":
        return None
    if rng is None:
        raise ValueError("stochastic rounding needs an explicit rng (int seed or Generator)")
    return np.random.default_rng(rng)


def cast(
    x: np.ndarray,
    fmt: str | Format,
    *,
    rounding: Literal["nearest", "stochastic"] = "nearest",
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Round values to the nearest representable value of ``fmt`` (no scaling).

    Parameters
    ----------
    x : array_like of float
        Values. Minifloat casts work on float32 (other float dtypes are first converted
        to float32, itself a rounding), as ``ml_dtypes``' ``astype`` does.
    fmt : str or format
        A name from :func:`format_names` or a format object.
    rounding : {"nearest", "stochastic"}
        ``"nearest"``: round to nearest, ties to even for minifloats and integers
        (``numpy.rint``), ties to the lower value for codebooks. ``"stochastic"``: round
        to one of the two neighbouring grid values with probabilities that make the result
        unbiased inside the range (values outside saturate).
    rng : int or numpy.random.Generator, optional
        Required for stochastic rounding.

    Returns
    -------
    numpy.ndarray
        Same shape. float32 for minifloats (bit-exact with ``ml_dtypes``: signed zeros kept,
        e2m1/e2m3/e3m2 and the other MX-style formats saturate to ±max, e4m3fn gives NaN
        and e5m2/fp16 give ±inf beyond max plus half a step); float64 integer levels for
        ``int{k}`` (clipped to the level range); float64 table values for codebooks.

    Raises
    ------
    ValueError
        Unknown format; NaN input to a format with no NaN encoding; bad ``rounding``.
    """
    f = get_format(fmt)
    gen = _check_rng(rounding, rng)
    if isinstance(f, FloatFormat):
        x32 = _as_float32(x)
        if f.overflow == "saturate" and np.isnan(x32).any():
            raise ValueError(f"{f.name} has no NaN encoding, and the input contains NaN")
        if gen is not None:
            return _stochastic_on_grid(x32, grid(f), gen).astype(np.float32)
        return _cast_minifloat(x32, f)
    a = np.asarray(x, dtype=np.float64)
    if np.isnan(a).any():
        raise ValueError(f"{f.name} has no NaN encoding, and the input contains NaN")
    if isinstance(f, IntFormat):
        if gen is not None:
            return np.clip(np.floor(a + gen.random(a.shape)), f.qmin, f.qmax)
        return np.clip(np.rint(a), f.qmin, f.qmax)
    g = grid(f)
    if gen is not None:
        return _stochastic_on_grid(a, g, gen)
    return _nearest_on_grid(np.clip(a, g[0], g[-1]), g)


def block_size(shape: tuple[int, ...], granularity: str | int, axis: int = 0) -> int:
    """Number of weights that share one scale.

    Parameters
    ----------
    shape : tuple of int
        Weight shape.
    granularity : "tensor", "channel" or int
        One scale for the tensor; one per slice along ``axis`` (a weight matrix ``W`` used
        as ``x @ W`` with ``axis=0`` gets one scale per output channel, shared by its
        ``shape[0]`` inputs); or one per group of that many consecutive weights along ``axis``.
    axis : int, default 0
        The axis along which weights share a scale.
    """
    if granularity == "tensor":
        return int(np.prod(shape))
    n = shape[axis]
    if granularity == "channel":
        return int(n)
    if isinstance(granularity, (int, np.integer)) and not isinstance(granularity, bool):
        if granularity <= 0 or n % granularity:
            raise ValueError(
                f"group size must be a positive divisor of the axis length {n}, got {granularity}"
            )
        return int(granularity)
    raise ValueError(
        f"granularity must be 'tensor', 'channel' or a group size, got {granularity!r}"
    )


#: The OCP microscaling (MX) element formats: each block carries an 8-bit E8M0 scale.
MX_ELEMENT_FORMATS = ("e2m1", "e2m3", "e3m2", "e4m3fn", "e5m2")


def bits_per_param(
    fmt: str | Format, block: int | None = None, *, scale_bits: int | None = None
) -> float:
    """Storage bits per weight, including the scale overhead.

    .. math::  b = b_\\text{element} + s / g \\;(+\\, k / g \\text{ for a zero point})

    with one ``scale_bits``-bit scale per block of ``g`` weights (16 for fp16/bf16 scales,
    8 for MX's E8M0) and, for ``int{k}_asym``, one k-bit zero point per block
    (Dettmers & Zettlemoyer 2023 count the block scales the same way: 16/64 = 0.25 bit).

    Parameters
    ----------
    fmt : str or format
    block : int, optional
        Weights per scale (see :func:`block_size`); ``None`` for an unscaled cast.
    scale_bits : int, optional
        Bits of one scale. Default: the format's own, 8 (E8M0) for the OCP MX element
        formats (:data:`MX_ELEMENT_FORMATS`: MXFP4 is E2M1 in blocks of 32, 4.25 bits),
        16 (an fp16 absmax scale) for every other format. Pass 16 for a minifloat
        quantized with fp16 absmax scales (``quantize(..., pow2_scale=False)``).
    """
    f = get_format(fmt)
    bits = float(f.bits)
    if block is None:
        return bits
    if block <= 0:
        raise ValueError(f"block must be a positive number of weights, got {block}")
    if scale_bits is None:
        scale_bits = 8 if f.name in MX_ELEMENT_FORMATS else 16
    if scale_bits <= 0:
        raise ValueError(f"scale_bits must be positive, got {scale_bits}")
    extra = scale_bits + (f.bits if isinstance(f, IntFormat) and not f.symmetric else 0)
    return bits + extra / block


def _blocks(w: np.ndarray, granularity: str | int, axis: int) -> tuple[np.ndarray, tuple]:
    """View ``w`` as (n_blocks, block) with the shared-scale axis last; and how to undo it."""
    moved = np.moveaxis(w, axis, -1)
    g = block_size(w.shape, granularity, axis)
    if granularity == "tensor":
        return moved.reshape(1, -1), (moved.shape,)
    return moved.reshape(-1, g), (moved.shape,)


def quantize(
    w: np.ndarray,
    fmt: str | Format,
    *,
    granularity: str | int = "channel",
    axis: int = 0,
    pow2_scale: bool = False,
    rounding: Literal["nearest", "stochastic"] = "nearest",
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Fake-quantize weights: scale blocks by their absmax, round, scale back.

    Symmetric formats (minifloats, ``int{k}``, codebooks): per block,
    :math:`s = \\max|w| / \\max_\\text{fmt}` and :math:`\\hat w = s \\cdot
    \\mathrm{cast}(\\mathrm{clip}(w / s, \\pm\\max_\\text{fmt}))` — the clip is the
    saturating mode. ``int{k}_asym``: :math:`s = (\\max w - \\min w)/(2^k - 1)`, zero point
    :math:`z = \\mathrm{rint}(-\\min w / s)`, :math:`\\hat w = s\\,(\\mathrm{clip}(\\mathrm{rint}
    (w/s) + z, 0, 2^k - 1) - z)`.

    Parameters
    ----------
    w : array_like of float
        Weights (any shape).
    fmt : str or format
        Element format (``"fp16"`` ignores the scale arguments: a plain cast).
    granularity : "tensor", "channel" or int
        Scale sharing (see :func:`block_size`).
    axis : int, default 0
        Axis along which weights share a scale.
    pow2_scale : bool, default False
        Round each scale to a power of two as an E8M0 scale (OCP MX rule:
        :math:`s = 2^{\\lfloor \\log_2 \\max|w| \\rfloor - \\lfloor \\log_2 \\max_\\text{fmt}
        \\rfloor}`); the block maximum may then exceed the format's range and saturate.
        Symmetric formats only.
    rounding, rng
        As in :func:`cast`.

    Returns
    -------
    numpy.ndarray
        The dequantized weights, float64, same shape as ``w``.
    """
    f = get_format(fmt)
    a = np.asarray(w, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError("weights must be finite")
    if isinstance(f, FloatFormat) and f.name == "fp16":
        return cast(a, f, rounding=rounding, rng=rng).astype(np.float64)
    if a.ndim == 0:
        raise ValueError("weights must have at least one dimension")
    axis = axis % a.ndim
    blocks, (moved_shape,) = _blocks(a, granularity, axis)
    asym = isinstance(f, IntFormat) and not f.symmetric
    if asym:
        if pow2_scale:
            raise ValueError("pow2_scale applies to symmetric formats only")
        lo = np.minimum(blocks.min(axis=1, keepdims=True), 0.0)
        hi = np.maximum(blocks.max(axis=1, keepdims=True), 0.0)
        s = (hi - lo) / f.qmax
        s[s == 0] = 1.0
        z = np.rint(-lo / s)
        q = cast(blocks / s + z, f, rounding=rounding, rng=rng)
        out = (q - z) * s
    else:
        top = max_value(f)
        amax = np.abs(blocks).max(axis=1, keepdims=True)
        amax[amax == 0] = 1.0
        if pow2_scale:
            s = np.exp2(np.floor(np.log2(amax)) - np.floor(np.log2(top)))
        else:
            s = amax / top
        y = np.clip(blocks / s, -top, top)
        out = cast(y, f, rounding=rounding, rng=rng).astype(np.float64) * s
    return np.moveaxis(out.reshape(moved_shape), -1, axis)


def stress_inputs(fmt: str | Format, n_random: int = 1_000_000, *, rng: int = 0) -> np.ndarray:
    """float32 test values that stress a minifloat cast, both signs.

    Every grid value; every tie (the midpoint of two neighbours, and max plus half a step);
    the float32 neighbours of each of those; a dense sample of the subnormal range; ±0, ±inf,
    the largest float32 and float32 subnormals; and ``n_random`` log-uniform magnitudes from
    below the smallest subnormal to beyond the overflow threshold.

    Parameters
    ----------
    fmt : str or FloatFormat
        A minifloat format.
    n_random : int, default 1_000_000
    rng : int, default 0
        Seed of the random part.

    Returns
    -------
    numpy.ndarray of float32, length ``2 * (n_random + ...)`` (each magnitude with both signs)
    """
    f = get_format(fmt)
    if not isinstance(f, FloatFormat):
        raise ValueError(f"stress_inputs is for minifloat formats, got {f.name!r}")
    pos = grid(f)
    pos = pos[pos >= 0]
    mids = np.concatenate([0.5 * (pos[1:] + pos[:-1]), [pos[-1] + (pos[-1] - pos[-2]) / 2]])
    special = np.concatenate([pos, mids]).astype(np.float32)
    around = np.concatenate(
        [np.nextafter(special, np.float32(np.inf)), np.nextafter(special, np.float32(0))]
    )
    gen = np.random.default_rng(rng)
    logmag = gen.uniform(f.emin - f.man_bits - 4, f.emax + 4, n_random)
    rand = np.exp2(logmag) * gen.uniform(1, 2, n_random)
    tiny = gen.uniform(0, 2.0 ** (f.emin + 1), 20_000)
    edge = np.array([0.0, np.inf, 3.4e38, 1e-45, 2.0**-130])
    mags = np.concatenate([special, around, rand, tiny, edge]).astype(np.float32)
    return np.concatenate([mags, -mags])
