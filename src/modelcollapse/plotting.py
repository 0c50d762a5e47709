"""One look for every figure in the book: call :func:`set_style` once per notebook."""

from __future__ import annotations

import matplotlib
import seaborn as sns

#: Figure sizes in inches, so that figures line up across chapters.
WIDE = (9.0, 3.6)
SQUARE = (4.8, 4.2)
PANEL_ROW = (12.0, 3.6)

#: Colours: simulation in the palette's first colour, theory in black dashes, bounds grey.
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
    """The first ``k`` colours of the book's palette."""
    return sns.color_palette(PALETTE, k)
