"""One look for every figure in the book: call :func:`set_style` once per notebook."""

from __future__ import annotations

import matplotlib
import numpy as np
import seaborn as sns

from .validation import bounded_int, probability_rows

#: Figure sizes in inches, so that figures line up across chapters.
WIDE = (9.0, 3.6)
SQUARE = (4.8, 4.2)
PANEL_ROW = (12.0, 3.6)

#: The book's colours. Simulation in the palette's first colour, theory in black dashes,
#: bounds grey.
PALETTE = "colorblind"
THEORY = dict(color="black", linestyle="--", linewidth=1.5)
BOUND = dict(color="0.45", linestyle=":", linewidth=1.5)


def set_style() -> None:
    """Seaborn theme, palette and rc settings shared by every notebook."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    matplotlib.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "axes.titlesize": "medium",
            "legend.frameon": False,
            "figure.constrained_layout.use": True,
        }
    )


def colors(k: int) -> list:
    """The first ``k`` colours of the book's palette (it repeats after its ten)."""
    k = bounded_int("k", k, 10**4, "colours of one figure", "reuse colours")
    return sns.color_palette(PALETTE, k)


def simplex_coordinates(p):
    """Planar coordinates of points of the 3-token simplex: vertices at (0, 0), (1, 0) and
    (1/2, √3/2) for tokens 1, 2, 3 (a ternary plot). ``p``: rows of probabilities (a NaN or a
    negative entry is no point of the simplex)."""
    probability_rows("p", p)
    p = np.asarray(p, dtype=float)
    if p.shape[-1] != 3:
        raise ValueError(f"p must have 3 tokens on its last axis for a ternary plot, got shape {p.shape}")
    return p[..., 1] + p[..., 2] / 2, p[..., 2] * np.sqrt(3) / 2


def simplex_axes(ax, labels=("token 1", "token 2", "token 3")) -> None:
    """Draw the triangle of the 3-token simplex on ``ax`` with its vertices labelled."""
    if (not isinstance(labels, (list, tuple)) or len(labels) != 3
            or not all(isinstance(label, str) for label in labels)):
        raise ValueError(f"labels must be three strings, got {labels!r}")
    if not hasattr(ax, "annotate"):
        raise ValueError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    corners = np.array([[0, 0], [1, 0], [0.5, np.sqrt(3) / 2], [0, 0]])
    ax.plot(corners[:, 0], corners[:, 1], color="0.3", linewidth=1)
    for (x, y), label, align in zip(corners[:3], labels, ("right", "left", "center")):
        ax.annotate(label, (x, y), xytext=(0, -12 if y == 0 else 6), textcoords="offset points",
                    ha=align, fontsize="small")
    ax.set_aspect("equal")
    ax.set_axis_off()
