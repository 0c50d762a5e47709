"""Closed-form results of the paper, as numpy functions (derived in
:mod:`modelcollapse.derivations`; the tests check each against its sympy derivation)."""

from __future__ import annotations

import numpy as np

from .validation import positive_int


def _collision(name: str, value) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0) or np.any(arr > 1):
        raise ValueError(f"{name} must be a collision probability in (0, 1], got {value!r}")
    return arr


def _generations(m) -> np.ndarray:
    arr = np.asarray(m)
    if not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0):
        raise ValueError(f"m must be a generation index: an integer >= 0, got {m!r}")
    return arr


def _support(value) -> int:
    support = positive_int("support", value)
    if support < 2:
        raise ValueError("support must be >= 2: the paper assumes p is not a Dirac mass")
    return support


def S_fully_synthetic(m, n, S0) -> np.ndarray:
    """``S_m = 1 − (1 − 1/n)^m (1 − S_0)``, the paper's eq. (6)."""
    m, n, S0 = _generations(m), positive_int("n", n), _collision("S0", S0)
    return 1 - (1 - 1 / n) ** m * (1 - S0)


def collapse_probability_bounds(m, n, S0, support):
    """The paper's eq. (7): ``(lower, upper)`` bounds on ``ρ_m = P(p^(m) is a Dirac)``.

    Returned as printed; the lower bound is negative (so vacuous) until
    ``n(1 − S_0)(1 − 1/n)^m < 1``.
    """
    m, n, S0, support = _generations(m), positive_int("n", n), _collision("S0", S0), _support(support)
    decay = (1 - S0) * (1 - 1 / n) ** m
    return 1 - n * decay, 1 - decay / (1 - 1 / support)


def collapse_time_bounds(n, S0, support):
    """The paper's eq. (8): ``(lower, upper)`` bounds on the mean collapse time ``E[T]``."""
    n, S0, support = positive_int("n", n), _collision("S0", S0), _support(support)
    return 1 + (1 - S0) / (1 - 1 / support) * (n - 1), 1 + (1 - S0) * n * (n - 1)
