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

import decimal
import math
import numbers

import numpy as np

from .validation import positive_int, real_array, text

#: Significant digits a stored float keeps unless its caller says fewer. Last-bit differences
#: between CPUs are around 1e-16 relative (1e-13 after an ill-conditioned solve); ten digits
#: leave a margin of a thousand or more, and more digits than any format spec in the prose shows.
DIGITS = 10
#: The most significant digits any stored float may have (tests/test_notebook_outputs.py).
MAX_DIGITS = 12


def significant(value, digits: int = DIGITS):
    """``value`` rounded to ``digits`` significant digits, as a Python float (or a list of them,
    for an array or a sequence; a dict with its values rounded).

    Every float is rounded wherever it sits: in a list, a tuple, an array, a dict's values, at any
    depth, beside strings or not. Integers, booleans and strings pass unchanged (numpy's as
    Python's): they are exact. So do sympy expressions (shown exactly, with ``{glue:math}``) and
    display objects (IPython's ``Math``).
    ``±inf`` passes too (an unbounded answer is an answer); NaN is refused, since it would print
    as "nan" in the prose. A float near the largest one rounds towards zero, so that rounding
    never turns it into ``inf``. A number that cannot be rounded is refused, not stored as it is:
    complex numbers, ``Decimal`` and ``Fraction`` (convert to ``float`` first); so is a dict
    whose keys are not strings.
    """
    if positive_int("digits", digits) > MAX_DIGITS:
        raise ValueError(f"digits must be an integer from 1 to {MAX_DIGITS}, got {digits!r}")
    return _rounded(value, digits)


def _rounded(value, digits):
    if isinstance(value, np.ndarray):
        value = value.tolist()  # Python scalars, nested lists
    if isinstance(value, (list, tuple)):
        return [_rounded(v, digits) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise ValueError(f"value: a dict to store must have string keys, got {list(value)[:5]!r}")
        return {key: _rounded(v, digits) for key, v in value.items()}
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return value.item() if isinstance(value, np.generic) else value  # numpy's repr is no literal
    if type(value).__module__.split(".")[0] == "sympy":
        return value  # exact, shown with {glue:math}
    if isinstance(value, numbers.Number) and not isinstance(value, (float, np.floating)):
        # A number that is neither an int nor a float (complex, Decimal, Fraction) cannot be
        # rounded to significant digits, and would be stored at whatever precision it has.
        raise ValueError(f"value must be real numbers (int or float) where it holds numbers; a "
                         f"{type(value).__name__} cannot be rounded ({value!r:.60})"
                         + ("; convert it to float first" if isinstance(value, (numbers.Real, decimal.Decimal)) else ""))
    if not isinstance(value, (float, np.floating)):
        return value  # strings, sympy expressions and display objects (Math, Markdown): exact
    value = float(value)
    if math.isnan(value):
        raise ValueError("value is NaN: a number to store must be a number")
    if math.isinf(value) or value == 0:
        return value
    rounded = float(f"{value:.{digits}g}")
    if math.isinf(rounded):  # rounded up past the largest float: round towards zero instead
        down = decimal.Context(prec=digits, rounding=decimal.ROUND_DOWN)
        rounded = float(down.create_decimal(value))
    return rounded


def _has_inf(stored) -> bool:
    if isinstance(stored, list):
        return any(_has_inf(v) for v in stored)
    if isinstance(stored, dict):
        return any(_has_inf(v) for v in stored.values())
    return isinstance(stored, float) and math.isinf(stored)


def glue(name: str, value, digits: int = DIGITS) -> None:
    """Glue ``value`` under ``name`` (a non-empty string) for the prose (myst-nb), rounded by
    :func:`significant`.

    Nothing is displayed at the cell: the prose quotes the value with ``{glue:text}``. An
    infinite float is refused as NaN is: a format spec in the prose would print it as "inf".
    An unbounded answer is glued as words (a string), which the sentence around it can read.
    """
    from myst_nb import glue as myst_glue  # only notebooks glue; the package works without it

    name = text("name", name)
    try:
        stored = significant(value, digits)
        if _has_inf(stored):
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
        values = real_array(name, values)  # a string or a complex number is refused, not cast
        if values.ndim != 1 or values.size < 2 or not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must be a 1-D sample of at least two finite values, "
                             f"got shape {values.shape}")
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below
            samples[name] = (values.mean(), values.std(ddof=1) / np.sqrt(values.size))
    (x, se_x), (y, se_y) = samples["numerator"], samples["denominator"]
    if y == 0:
        raise ValueError("denominator must have a nonzero mean")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ratio = x / y
        se = np.hypot(se_x, ratio * se_y) / abs(y)
    if not (np.isfinite([x, y, se_x, se_y, ratio, se]).all()):
        raise ValueError("numerator and denominator give a ratio or standard error beyond float's "
                         "range; rescale them (divide both samples by a common unit) first")
    return float(ratio), float(se)
