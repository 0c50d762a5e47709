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


def real_array(name: str, value) -> np.ndarray:
    """``value`` as a float array of real numbers. Complex numbers (whose imaginary part a cast
    would drop with only a warning), strings, booleans, ``None`` and other objects are refused,
    not converted; NaN and ``±inf`` are left to the caller's rule (see :func:`finite_array`)."""
    try:
        raw = np.asarray(value)
    except ValueError:  # ragged nesting
        raise ValueError(f"{name} must be an array of real numbers, got a ragged sequence") from None
    if raw.dtype == object:  # a list mixing kinds: each element must itself be a real number
        if not all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
                   for v in raw.ravel().tolist()):
            raise ValueError(f"{name} must be an array of real numbers, got {value!r:.80}")
    elif raw.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be an array of real numbers, got dtype {raw.dtype}")
    try:
        return raw.astype(float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be an array of real numbers representable as floats") from None


def finite_array(name: str, value, *, nonnegative: bool = False, min_size: int = 1) -> np.ndarray:
    """``value`` as a float array of at least ``min_size`` finite real numbers (no NaN, no
    ``±inf``), each ``>= 0`` if ``nonnegative``."""
    arr = real_array(name, value)
    if arr.size < min_size:
        raise ValueError(f"{name} must hold at least {min_size} number(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    if nonnegative and np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, min is {arr.min()}")
    return arr


def ids(name: str, value, s: int) -> np.ndarray:
    """``value`` as an int64 array of token ids, each in ``[0, s)`` (a vocabulary of ``s``
    tokens). Floats, even whole ones, and booleans are refused: an id is an index."""
    try:
        arr = np.asarray(value)
    except ValueError:
        raise ValueError(f"{name} must be an array of integer ids, got a ragged sequence") from None
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be an array of integer ids, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= s):
        raise ValueError(f"{name} must hold ids in [0, s) = [0, {s}), got ids from "
                         f"{arr.min()} to {arr.max()}")
    return arr.astype(np.int64)


def smoothing(name: str, value) -> float:
    """A smoothing constant (a Dirichlet prior's weight): a finite real number ``> 0``. Zero would
    give 0/0 at an unseen context, a negative one negative "probabilities"."""
    return real_in(name, value, "(0, inf)")


def flag(name: str, value) -> bool:
    """``value`` as a ``bool``; only ``True`` and ``False`` (numpy's too) are flags: the string
    ``'False'`` is truthy, and ``0``/``1`` are more often a misplaced argument than a flag."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def text(name: str, value) -> str:
    """``value`` as a non-empty ``str`` (a name, a key)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


#: The most memory one call may allocate for its arrays before it starts. Beyond it the call is
#: refused up front (naming the size to reduce) instead of ending in a MemoryError, or in
#: swapping, part way through. Four GiB leaves room on a laptop and far exceeds anything the
#: book asks for.
MAX_BYTES = 2**32
#: The most float64 numbers one array of a call may hold under :data:`MAX_BYTES`.
MAX_ELEMENTS = MAX_BYTES // 8


def bounded_int(name: str, value, maximum: int, why: str, instead: str, minimum: int = 1) -> int:
    """``value`` as an ``int`` from ``minimum`` to ``maximum``; the refusal above ``maximum`` says
    ``why`` the limit is what it is and what to use ``instead``."""
    value = positive_int(name, value) if minimum == 1 else nonnegative_int(name, value)
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum} ({why}), got {value}; {instead}")
    return value


def memory(names: str, nbytes: float, instead: str) -> None:
    """Refuse a call whose arrays would take more than :data:`MAX_BYTES`, naming the arguments
    that set their size and what to do instead."""
    if nbytes > MAX_BYTES:
        raise ValueError(f"{names} ask for {nbytes / 2**30:.3g} GiB of arrays, more than "
                         f"MAX_BYTES = {MAX_BYTES / 2**30:.3g} GiB; {instead}")


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
    arr = real_array(name, p)
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
