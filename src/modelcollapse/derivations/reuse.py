"""Other ways of reusing data (paper §2.2, §4.2; the book's chapter book/reuse): accumulating
every generation's samples, and mixing fresh real data with synthetic data. Derived with sympy
from the binomial moments."""

from __future__ import annotations

from functools import cache

import sympy as sp

from .fully_synthetic import binomial_moments, n as _n_binomial, q as _q

n = sp.Symbol("n", positive=True)  # synthetic samples per generation (Accumulate)
m = sp.Symbol("m", positive=True)  # generation (continuous where limits need it)
k = sp.Symbol("k", integer=True, positive=True)
S0 = sp.Symbol("S_0", positive=True)
x, p = sp.symbols("x p_i", positive=True)  # p_i^(m−1) and p_i
V = sp.Symbol("V", nonnegative=True)  # E||p^(m−1) − p||² (summed over tokens)
a = sp.Symbol("a", positive=True)  # 1/√n
n_real, n_synth = sp.symbols("n_r n_s", positive=True)
w = sp.Symbol("w", nonnegative=True)  # weight of the real data
K = sp.Symbol("K", positive=True)  # n_real = n_synth = K


def _hat_moments(size):
    """E[ĥ | x] and E[ĥ² | x] for one token of ``size`` draws from ``x``."""
    first, second = binomial_moments()
    return (first / _n_binomial).subs({_q: x, _n_binomial: size}), (second / _n_binomial**2).subs({_q: x, _n_binomial: size})


@cache
def accumulate_step():
    """``V_m`` from ``V_{m−1}`` under :class:`~modelcollapse.schemes.Accumulate`.

    The pool at generation ``m`` holds ``m`` batches of ``n``, so
    ``p^(m) = p^(m−1) + (ĥ − p^(m−1))/m`` with ``ĥ`` the empirical law of ``n`` draws from
    ``p^(m−1)``. Per token, ``E[(p_i^(m) − p_i)² | x] − (x − p_i)²`` is ``x(1 − x)/(n m²)``;
    summing over tokens, with ``E Σ x_i² = S_0 + V_{m−1}`` (unbiasedness), gives
    ``V_m = V_{m−1} + (1 − S_0 − V_{m−1})/(n m²)``. Returns the per-token increment and the
    summed right-hand side.
    """
    first, second = _hat_moments(n)
    increment = sp.expand(
        (x - p) ** 2 + 2 * (x - p) * (first - x) / m + (second - 2 * x * first + x**2) / m**2 - (x - p) ** 2
    )
    poly = sp.Poly(increment, x)  # a x + b x², with Σ x = 1 and E Σ x² = S_0 + V
    summed = V + poly.coeff_monomial(x) + poly.coeff_monomial(x**2) * (S0 + V)
    return sp.factor(increment), sp.expand(summed)


@cache
def accumulate_product():
    """``Π_{k≤m} (1 − a²/k²)`` as sympy writes it (rising factorials), the same in gamma
    functions, and its gap from the ratio used for the limit.

    For ``n ≥ 2``, ``a = 1/√n < 1``, so ``1 − a`` is no pole of Γ and each rising factorial
    ``(x)^{(m)}`` is ``Γ(x + m)/Γ(x)``. Returns ``(product, gamma form, gamma form ·
    Γ(1 − a)Γ(1 + a) − Γ(m+1−a)Γ(m+1+a)/Γ(m+1)²)``; the last is 0, which
    :func:`accumulate_limit` relies on."""
    product = sp.product((k - a) * (k + a) / k**2, (k, 1, m))
    gamma_form = sp.refine(product.rewrite(sp.gamma), sp.Q.lt(a, 1))
    gap = sp.simplify(gamma_form * sp.gamma(1 - a) * sp.gamma(1 + a) - _gamma_ratio())
    return product, gamma_form, gap


def _gamma_ratio():
    """``Γ(m + 1 − a)Γ(m + 1 + a)/Γ(m + 1)²``, the part of the product that depends on ``m``."""
    return sp.gamma(m + 1 - a) * sp.gamma(m + 1 + a) / sp.gamma(m + 1) ** 2


@cache
def accumulate_limit():
    """``1 − S_0 − V_m = (1 − S_0) Π_{k≤m} (1 − a²/k²)`` with ``a = 1/√n``. By
    :func:`accumulate_product` the product is ``Γ(m+1−a)Γ(m+1+a)/Γ(m+1)²`` over
    ``Γ(1 − a)Γ(1 + a)``; the ratio tends to 1, and Euler's reflection formula gives
    ``S_∞ = 1 − (1 − S_0) sin(π/√n)/(π/√n)`` (at ``n = 1``, ``sin π = 0`` and ``S_∞ = 1``, as the
    product's ``k = 1`` factor ``1 − a²`` is 0). Returns ``(product, limit of the ratio, S_∞)``."""
    product, _, gap = accumulate_product()
    if gap != 0:
        raise ArithmeticError(f"the product is not the gamma ratio over Γ(1 − a)Γ(1 + a): {gap}")
    ratio_limit = sp.limit(_gamma_ratio(), m, sp.oo)
    tail = sp.gammasimp(ratio_limit / (sp.gamma(1 - a) * sp.gamma(1 + a)))
    S_inf = sp.simplify(1 - (1 - S0) * tail.subs(a, 1 / sp.sqrt(n)))
    return product, ratio_limit, S_inf


@cache
def fresh_real_step():
    """``V_m`` from ``V_{m−1}`` under :class:`~modelcollapse.schemes.FreshReal`, from the
    binomial moments.

    Per token, ``p_i^(m) = w r + (1 − w) ĥ`` with ``r`` the frequency of ``n_r`` fresh draws from
    ``p_i`` and ``ĥ`` that of ``n_s`` draws from ``x = p_i^(m−1)``, independent given ``x``. The
    conditional ``E[(p_i^(m) − p_i)² | x]`` is a polynomial in ``x``; over ``x``, ``E x = p_i`` and
    ``E x² = p_i² + V_i`` (unbiasedness). Summing over tokens (``Σ p_i = 1``, ``Σ p_i² = S_0``,
    ``Σ V_i = V``) gives ``V_m``. Returns the summed right-hand side, linear in ``V = V_{m−1}``."""
    first, second = binomial_moments()

    def frequency(size, prob):  # E f and E f² for f = X/size, X ~ Binomial(size, prob)
        at = {_q: prob, _n_binomial: size}
        return (first / _n_binomial).subs(at), (second / _n_binomial**2).subs(at)

    r1, r2 = frequency(n_real, p)
    h1, h2 = frequency(n_synth, x)
    conditional = sp.expand(w**2 * r2 + 2 * w * (1 - w) * r1 * h1 + (1 - w) ** 2 * h2
                            - 2 * p * (w * r1 + (1 - w) * h1) + p**2)
    in_x = sp.Poly(conditional, x)
    V_i = sp.Symbol("V_i", nonnegative=True)
    per_token = sp.expand(in_x.coeff_monomial(x**2) * (p**2 + V_i)
                          + in_x.coeff_monomial(x) * p + in_x.coeff_monomial(1))
    in_p = sp.Poly(per_token, p, V_i)
    if in_p.coeff_monomial(1) != 0:  # a token-free constant would be multiplied by s
        raise ArithmeticError(f"per-token step has a constant term: {per_token}")
    summed = (in_p.coeff_monomial(p) + in_p.coeff_monomial(p**2) * S0
              + in_p.coeff_monomial(V_i) * V)
    return sp.expand(summed)


@cache
def fresh_real_stationary():
    """Stationary ``V* = lim E||p^(m) − p||²`` under :class:`~modelcollapse.schemes.FreshReal`:
    the fixed point of :func:`fresh_real_step`, ``V_m = w²(1 − S_0)/n_r + (1 − w)²(1 − S_0 −
    V_{m−1})/n_s + (1 − w)² V_{m−1}``. Returns ``(recursion's right-hand side, V*)``."""
    step = fresh_real_step()
    (stationary,) = sp.solve(sp.Eq(V, step), V)
    return step, sp.factor(stationary)


@cache
def fresh_real_optimal_weight():
    """With ``n_r = n_s = K``, the weight ``w*`` that minimises ``V*``, its ``K → ∞`` limit,
    and ``V*`` at ``w = 1`` (fresh real data only) for comparison."""
    _, stationary = fresh_real_stationary()
    V_K = sp.simplify(stationary.subs({n_real: K, n_synth: K}))
    candidates = sp.solve(sp.diff(V_K, w), w)
    # The minimiser is the root inside [0, 1] for K > 1 (checked at K = 10 in the tests).
    (best,) = [c for c in candidates if 0 <= float(c.subs(K, 10)) <= 1]
    return sp.simplify(best), sp.limit(best, K, sp.oo), sp.simplify(V_K.subs(w, 1)), V_K
