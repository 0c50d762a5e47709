"""Closed-form results of the paper, as numpy functions (derived in
:mod:`modelcollapse.derivations`; the tests check each against its sympy derivation)."""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad

from .validation import positive_int, probability_rows


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


def _law(p) -> np.ndarray:
    p = probability_rows("p", p)
    if p.ndim != 1:
        raise ValueError(f"p must be one distribution (1-D), got shape {p.shape}")
    return p[p > 0]


def diffusion_collapse_time(p, n) -> float:
    """Wright–Fisher diffusion approximation of ``E[T]`` for fully synthetic training started
    at ``p``: ``−2n Σ_i (1 − p_i) log(1 − p_i)`` generations (derived in
    ``derivations.fully_synthetic.fixation_time``)."""
    q, n = _law(p), positive_int("n", n)
    return float(-2 * n * np.sum((1 - q) * np.log1p(-q)))


def diffusion_first_loss_time(p, n) -> float:
    """Approximate mean generation at which the first token of ``p`` is lost.

    Each token's frequency is treated as an independent Feller diffusion, lost by time ``t``
    with probability ``exp(−2n p_i / t)``, so ``E[τ] ≈ ∫_0^∞ Π_i (1 − exp(−2n p_i/t)) dt``.
    Accurate when every ``p_i`` is small (many tokens); for two tokens use
    :func:`diffusion_collapse_time`, which is then exact in the diffusion limit.
    """
    q, n = _law(p), positive_int("n", n)
    if q.size < 2:
        raise ValueError("p must have at least two tokens with positive probability")

    def survival(u):  # time t = n·u; the integrand is a product of survival probabilities
        return float(np.exp(np.sum(np.log(-np.expm1(-2 * q / u))))) if u > 0 else 0.0

    value, _ = quad(survival, 0, np.inf, limit=200)
    return float(n * value)
