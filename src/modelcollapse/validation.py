"""Argument checks shared by the package: each raises ``ValueError`` naming the argument and
the rule it broke, so bad input never turns into a silent NaN further down."""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from functools import lru_cache

import numpy as np

#: How far a row of probabilities may sum from one before it is rejected (float rounding of
#: a normalised vector is ~1e-16 per entry; anything larger is a caller's mistake).
SUM_TOLERANCE = 1e-9


def positive_int(name: str, value) -> int:
    """``value`` as an ``int`` >= 1; bools and non-integral numbers are rejected."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def nonnegative_int(name: str, value) -> int:
    """``value`` as an ``int`` >= 0 (a context length, a seed); bools and non-integral numbers
    are rejected."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


@lru_cache(maxsize=None)
def _interval(interval: str) -> tuple[float, float, bool, bool]:
    """``"(0, 1/2]"`` as ``(0.0, 0.5, low_closed=False, high_closed=True)``; ends are numbers,
    fractions ``a/b`` or ``inf``."""
    opening, closing = interval[0], interval[-1]
    if opening not in "([" or closing not in ")]" or interval.count(",") != 1:
        raise ValueError(f"interval must look like '(0, 1]', got {interval!r}")
    ends = [end.strip() for end in interval[1:-1].split(",")]
    low, high = (float(end) if "inf" in end else float(Fraction(end)) for end in ends)
    return low, high, opening == "[", closing == "]"


def real_in(name: str, value, interval: str) -> float:
    """``value`` as a ``float`` in ``interval``, written as the message shows it (``"[0, 1]"``,
    ``"(0, 1/2]"``, ``"(0, inf)"``); bools, NaN and anything that is not a real number are
    rejected."""
    low, high, low_closed, high_closed = _interval(interval)
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value)
            or not (low <= value if low_closed else low < value)
            or not (value <= high if high_closed else value < high)):
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    return float(value)


def instance_of(name: str, value, kinds):
    """``value`` unchanged if it is an instance of one of the classes ``kinds`` (a class or a
    tuple of them), e.g. a scheme (one of the engine's ``SCHEMES``)."""
    if not isinstance(value, kinds):
        if isinstance(kinds, tuple):
            rule = "one of " + ", ".join(kind.__name__ for kind in kinds)
        else:
            rule = f"a {kinds.__name__}"
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return value


#: The largest sample size a scheme accepts. Counts up to 2**53 are exact in float64, so a
#: model's frequencies count / n are exact, and sums of a few such sizes stay inside numpy's
#: int64 draws (a larger n passes int checks, then overflows inside numpy).
MAX_SAMPLES = 2**53


def sample_size(name: str, value) -> int:
    """``value`` as a sample size: an ``int`` from 1 to :data:`MAX_SAMPLES`."""
    value = positive_int(name, value)
    if value > MAX_SAMPLES:
        raise ValueError(f"{name} must be at most 2**53 = {MAX_SAMPLES} samples (exact in float64, "
                         f"drawable by numpy), got {value}")
    return value


def probability_rows(name: str, p) -> np.ndarray:
    """``p`` as a float array whose last axis is a probability vector (finite, >= 0, sums to 1).

    Leading axes (contexts) are allowed. Rows are renormalised after the check so that the
    sampler sees sums of exactly one up to rounding.
    """
    arr = np.asarray(p, dtype=float)
    if arr.ndim < 1 or arr.shape[-1] < 1:
        raise ValueError(f"{name} must have a last axis of at least one token, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, min is {arr.min()}")
    sums = arr.sum(axis=-1)
    worst = float(np.max(np.abs(sums - 1.0)))
    if worst > SUM_TOLERANCE:
        raise ValueError(
            f"{name} must sum to 1 along its last axis; the worst row is off by {worst:.3g}"
        )
    return arr / sums[..., None]


def one_distribution(name: str, p) -> np.ndarray:
    """``p`` as one probability vector (1-D): :func:`probability_rows` without context axes."""
    p = probability_rows(name, p)
    if p.ndim != 1:
        raise ValueError(f"{name} must be one distribution (1-D), got shape {p.shape}")
    return p


def seed_sequence(name: str, seed) -> np.random.SeedSequence:
    """``seed`` (a non-negative int or a SeedSequence) as a SeedSequence, whose children give
    independent streams. A Generator is refused: it cannot be split reproducibly."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"{name} must be a non-negative int or a SeedSequence, got {seed!r}")
    return np.random.SeedSequence(int(seed))


def as_generator(name: str, rng) -> np.random.Generator:
    """A seeded ``numpy.random.Generator`` from a Generator, an int seed or a SeedSequence.

    ``None`` is refused: every random number in the book must be reproducible.
    """
    if rng is None:
        raise ValueError(f"{name} must be a seed (int or SeedSequence) or a numpy Generator, not None")
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral) or rng < 0:
        raise ValueError(f"{name} must be a non-negative int seed, a SeedSequence or a Generator, got {rng!r}")
    return np.random.default_rng(int(rng))
