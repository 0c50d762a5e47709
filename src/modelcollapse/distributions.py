"""Ground-truth next-token distributions ``p = p^(0)`` used by the book's experiments."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from .validation import MAX_ELEMENTS, as_generator, bounded_int, memory, positive_int, real_in

# ``S0`` may sit this close below 1/support (the uniform law) and still be read as uniform:
# a caller who writes ``S0=1/52`` should not be refused over the last bit of a float.
_UNIFORM_SLACK = 1e-12


def _tokens(name, value) -> int:
    """A number of tokens: one float64 each must fit in MAX_ELEMENTS."""
    return bounded_int(name, value, MAX_ELEMENTS, "one float64 a token within MAX_BYTES",
                       "use fewer tokens")


def zipf_weights(support: int, exponent: float) -> np.ndarray:
    """Probabilities ``p_i ∝ i^(-exponent)``, ``i = 1..support`` (a Zipf law, as in text);
    ``support`` a whole number of tokens up to ``MAX_ELEMENTS``, ``exponent`` finite and ``>= 0``."""
    support = _tokens("support", support)
    exponent = real_in("exponent", exponent, "[0, inf)")
    log_w = -exponent * np.log(np.arange(1, support + 1))
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def with_support_and_S0(s: int, support: int, S0: float) -> np.ndarray:
    """A Zipf-shaped ``p`` over ``s`` tokens with exactly ``support`` positive entries and
    collision probability ``||p||² = S0`` (the paper's figures use ``s=600, support=52,
    S0=0.1``).

    The support is tokens ``0..support-1`` in decreasing order of probability; the Zipf
    exponent is solved for numerically. ``S0`` must lie in ``[1/support, 1)``: the uniform law
    on the support has the smallest collision probability, and only a Dirac mass reaches 1.
    """
    s = _tokens("s", s)
    support = _tokens("support", support)
    if support > s:
        raise ValueError(f"support must be <= s (a law on {s} tokens has at most {s} positive entries), got {support}")
    S0 = real_in("S0", S0, "(-inf, inf)")  # its range, [1/support, 1), is checked below
    p = np.zeros(s)
    if support == 1:
        if S0 != 1.0:
            raise ValueError(f"S0 must be 1 when support is 1 (a Dirac mass), got {S0}")
        p[0] = 1.0
        return p
    lowest = 1.0 / support
    if not lowest - _UNIFORM_SLACK <= S0 < 1.0:
        raise ValueError(
            f"S0 must lie in [1/support, 1) = [{lowest:.6g}, 1) for support={support}, got {S0}"
        )
    def excess(a):
        return float(np.sum(zipf_weights(support, a) ** 2)) - S0

    if excess(0.0) >= 0:  # S0 is the uniform law's, up to rounding
        exponent = 0.0
    else:
        hi = 1.0
        while excess(hi) < 0:  # collision probability increases with the exponent, to 1
            hi *= 2.0
        exponent = brentq(excess, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    p[:support] = zipf_weights(support, exponent)
    return p


def random_simplex(s: int, seed, contexts: int | None = None) -> np.ndarray:
    """Uniformly random point(s) of the probability simplex over ``s`` tokens (Dirichlet(1,…,1)).

    With ``contexts`` given, an array ``contexts × s`` of independent conditionals, as in the
    paper's Figure 1. ``seed``: an int, a SeedSequence or a numpy Generator.
    """
    s = _tokens("s", s)
    size = None if contexts is None else positive_int("contexts", contexts)
    memory("s and contexts", 8.0 * s * (size or 1), "draw fewer contexts at a time")
    return as_generator("seed", seed).dirichlet(np.ones(s), size=size)

