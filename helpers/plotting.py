"""One look for every figure: a seaborn theme and standard log-log shapes.

Call :func:`set_theme` once in a chapter's imports cell. Figures come from
:func:`new_figure` (standard sizes), scaling-law axes from :func:`loglog`, and
"data + fitted law" panels from :func:`plot_fit`. The palette is seaborn's
``"colorblind"`` (Wong 2011), safe for the common colour-vision deficiencies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["PALETTE", "WIDTH_IN", "loglog", "new_figure", "plot_fit", "set_theme"]

#: Colour-blind-safe seaborn palette used everywhere.
PALETTE = "colorblind"
#: Width of a full-width figure, inches (fits the book's text column).
WIDTH_IN = 7.0


def set_theme(context: str = "notebook") -> None:
    """Apply the book's seaborn theme (white grid, colour-blind palette).

    In a notebook it also registers IPython's PNG formatter for figures, so that
    displayed and glued figures render as images whatever matplotlib backend the
    environment selects (with ``MPLBACKEND=Agg`` IPython would otherwise show
    ``<Figure size ...>`` as text).

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}
        seaborn scaling context.
    """
    _register_png_formatter()
    sns.set_theme(
        context=context,
        style="whitegrid",
        palette=PALETTE,
        rc={
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "axes.titleweight": "semibold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "grid.linewidth": 0.6,
            "legend.frameon": False,
        },
    )


def _register_png_formatter() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to register
        return
    if get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png")


def new_figure(
    ncols: int = 1, nrows: int = 1, *, aspect: float = 0.62
) -> tuple[Figure, np.ndarray]:
    """A figure of the book's standard width with a grid of panels.

    Parameters
    ----------
    ncols, nrows : int
        Panel grid.
    aspect : float, default 0.62
        Height of one panel row over the figure width divided by ``ncols``.

    Returns
    -------
    (matplotlib.figure.Figure, numpy.ndarray of Axes)
        The axes array always has shape ``(nrows, ncols)`` flattened to 1-D.
    """
    if ncols < 1 or nrows < 1:
        raise ValueError(f"ncols and nrows must be >= 1, got {ncols}, {nrows}")
    height = WIDTH_IN / ncols * aspect * nrows
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH_IN, height), squeeze=False)
    fig.set_layout_engine("constrained")
    return fig, axes.ravel()


def loglog(
    ax: Axes, xlabel: str, ylabel: str, *, title: str | None = None, logy: bool = True
) -> Axes:
    """Put ``ax`` on log-log (or log-x) scales with labelled axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    xlabel, ylabel : str
        Axis labels, **with units** (e.g. ``"parameters N"``, ``"loss (nats/token)"``).
    title : str, optional
    logy : bool, default True
        Log scale on y as well (set False for accuracies).

    Returns
    -------
    matplotlib.axes.Axes
        The same axes, for chaining.
    """
    if not xlabel or not ylabel:
        raise ValueError("label both axes, with units")
    ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.6)
    ax.grid(True, which="minor", alpha=0.15)
    return ax


def plot_fit(
    ax: Axes,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    predict: Callable[[np.ndarray], np.ndarray],
    *,
    x_extend: tuple[float, float] | None = None,
    data_label: str = "observed",
    fit_label: str = "fitted law",
    color: str | None = None,
    n_points: int = 200,
) -> Axes:
    """Scatter observations and draw a fitted curve over (an extension of) their range.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x, y : array_like, shape (n,)
        Observations.
    predict : callable
        Maps an array of ``x`` to predicted ``y`` (e.g. ``fit.predict``).
    x_extend : (float, float), optional
        Draw the curve from ``x_extend[0]`` to ``x_extend[1]`` instead of the
        data range (to show extrapolation).
    data_label, fit_label : str
        Legend entries.
    color : str, optional
        Matplotlib colour; defaults to the next palette colour.
    n_points : int
        Points on the curve (log-spaced).

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of equal length, got {x.shape} and {y.shape}")
    lo, hi = x_extend if x_extend is not None else (x.min(), x.max())
    if not 0 < lo < hi:
        raise ValueError(f"curve range must satisfy 0 < lo < hi, got {(lo, hi)}")
    grid = np.geomspace(lo, hi, n_points)
    points = ax.scatter(x, y, s=22, alpha=0.8, label=data_label, color=color, zorder=3)
    ax.plot(grid, predict(grid), lw=2, label=fit_label, color=points.get_facecolor()[0])
    return ax
