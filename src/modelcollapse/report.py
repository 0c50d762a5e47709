"""Numbers as the book stores them: at the precision they mean, the same on every machine.

numpy picks SIMD kernels at run time, so a sum, a mean or a linear solve can differ in its last
bit between CPUs (``NPY_DISABLE_CPU_FEATURES`` shows it on one machine). nbval compares stored
outputs digit for digit, so a float stored at full ``repr`` passes on the machine that executed
the notebook and fails on others. Every number a notebook glues goes through :func:`glue`, which
rounds it with :func:`significant`; a float printed in a table or a line of text goes through
:func:`significant` or a format spec of at most :data:`DIGITS` significant digits.
``tests/test_notebook_outputs.py`` fails on any stored float with more than 12.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import positive_int

#: Significant digits a stored float keeps unless its caller says fewer. Last-bit differences
#: between CPUs are around 1e-16 relative (1e-13 after an ill-conditioned solve); ten digits
#: leave a margin of a thousand or more, and more digits than any format spec in the prose shows.
DIGITS = 10
#: The most significant digits any stored float may have (tests/test_notebook_outputs.py).
MAX_DIGITS = 12


def significant(value, digits: int = DIGITS):
    """``value`` rounded to ``digits`` significant digits, as a Python float (or a list of them,
    for an array or a sequence).

    Integers, booleans and strings pass unchanged (numpy's as Python's): they are exact. So do
    non-float objects such as sympy expressions. ``±inf`` passes too (an unbounded answer is an
    answer); NaN is refused, since it would print as "nan" in the prose.
    """
    if positive_int("digits", digits) > MAX_DIGITS:
        raise ValueError(f"digits must be an integer from 1 to {MAX_DIGITS}, got {digits!r}")
    if isinstance(value, (np.ndarray, list, tuple)):
        return [significant(v, digits) for v in np.asarray(value).tolist()]
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()  # a Python int or bool: numpy 2's repr "np.int64(5)" is no literal
    if not isinstance(value, (float, np.floating)):
        return value  # integers, booleans, strings and sympy results are exact
    value = float(value)
    if math.isnan(value):
        raise ValueError("value is NaN: a number to store must be a number")
    if math.isinf(value) or value == 0:
        return value
    return float(f"{value:.{digits}g}")


def glue(name: str, value, digits: int = DIGITS) -> None:
    """Glue ``value`` under ``name`` for the prose (myst-nb), rounded by :func:`significant`.

    Nothing is displayed at the cell: the prose quotes the value with ``{glue:text}``. An
    infinite float is refused as NaN is: a format spec in the prose would print it as "inf".
    An unbounded answer is glued as words (a string), which the sentence around it can read.
    """
    from myst_nb import glue as myst_glue  # only notebooks glue; the package works without it

    try:
        stored = significant(value, digits)
        if any(isinstance(v, float) and math.isinf(v) for v in np.ravel(np.asarray(stored, dtype=object))):
            raise ValueError("value is infinite: glue an unbounded answer as words (a string)")
    except ValueError as error:
        raise ValueError(f"glue {name!r}: {error}") from None
    myst_glue(name, stored, display=False)


def ratio_of_means(numerator, denominator) -> tuple[float, float]:
    """``mean(numerator) / mean(denominator)`` for two independent samples (say, per-run values
    from two simulations), with its delta-method standard error
    ``√(se_x² + r² se_y²)/|ȳ|``. Each sample needs two or more finite values, and the
    denominator a nonzero mean."""
    samples = {}
    for name, values in (("numerator", numerator), ("denominator", denominator)):
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size < 2 or not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must be a 1-D sample of at least two finite values, "
                             f"got shape {values.shape}")
        samples[name] = (values.mean(), values.std(ddof=1) / np.sqrt(values.size))
    (x, se_x), (y, se_y) = samples["numerator"], samples["denominator"]
    if y == 0:
        raise ValueError("denominator must have a nonzero mean")
    ratio = x / y
    return float(ratio), float(np.hypot(se_x, ratio * se_y) / abs(y))
