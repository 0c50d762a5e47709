"""Theorem 2 of the paper (partially synthetic training), derived with sympy, and the exact
long-run drift from the first model that the paper bounds only through Lemma 1.

Model: ``p^(1)`` is fitted on ``N`` real samples; for ``m ≥ 2``,
``p^(m) = (1 − α) p^(1) + α p̂^(m−1)`` with ``α = n/(N + n)`` and ``p̂^(m−1)`` the empirical law
of ``n`` draws from ``p^(m−1)``. One token at a time: ``a = p_i^(1)``, ``x_m = p_i^(m)``.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .fully_synthetic import binomial_moments, q as _q, n as _n_binomial

N = sp.Symbol("N", positive=True)  # real samples, reused every generation
n = sp.Symbol("n", positive=True)  # synthetic samples per generation
m = sp.Symbol("m", integer=True, positive=True)  # generation
alpha = sp.Symbol("alpha", positive=True)  # n/(N + n)
p = sp.Symbol("p_i", positive=True)  # one token's true probability
S0 = sp.Symbol("S_0", positive=True)
sigma1 = sp.Symbol("sigma_1", positive=True)  # ||p^(1)||², known when conditioning on p^(1)
a, x = sp.symbols("a x", positive=True)  # p_i^(1) and p_i^(m−1)
S = sp.Function("S")
D = sp.Function("D")  # E[||p^(m) − p^(1)||² | p^(1)]

#: β = α[(1 + 1/N)α − 1/N], the paper's rate; results are written with the symbol ``beta``
#: and the tests check that the recursion's coefficient equals ``BETA``.
beta = sp.Symbol("beta", positive=True)
BETA = alpha * ((1 + 1 / N) * alpha - 1 / N)
ALPHA = n / (N + n)


def _synthetic_moments():
    """E[p̂ | x] and E[p̂² | x] for one token of ``n`` draws from ``x``: the binomial moments."""
    first, second = binomial_moments()
    return (first / _n_binomial).subs({_q: x, _n_binomial: n}), (second / _n_binomial**2).subs({_q: x, _n_binomial: n})


@cache
def conditional_step():
    """``E[x_m | x_{m−1}, a]`` and ``E[x_m² | x_{m−1}, a]`` for ``x_m = (1 − α)a + α p̂``."""
    mean_hat, second_hat = _synthetic_moments()
    mean = sp.expand((1 - alpha) * a + alpha * mean_hat)
    second = sp.expand((1 - alpha) ** 2 * a**2 + 2 * alpha * (1 - alpha) * a * mean_hat + alpha**2 * second_hat)
    return mean, second


@cache
def per_token_recursion():
    """``ν_m = c + b ν_{m−1}`` for ``m ≥ 2``, with the constant written in ``p_i``.

    Taking expectations needs ``E[a x_{m−1}]``: by the conditional mean, ``E[a x_m] =
    (1 − α)E[a²] + α E[a x_{m−1}]``, whose solution from ``E[a x_1] = E[a²] = ν_1`` is ``ν_1``
    at every ``m``. ``ν_1 = p_i/N + (1 − 1/N)p_i²`` is the counting estimator's second moment.
    Returns ``(ν_1, c, b)`` with ``α`` kept as a symbol and ``n`` eliminated by
    ``α/n = (1 − α)/N``.
    """
    mean, second = conditional_step()
    # ν_1: p^(1) counts N real samples, so N p_i^(1) ~ Binomial(N, p_i).
    nu1 = sp.expand(binomial_moments()[1].subs({_q: p, _n_binomial: N}) / N**2)
    # Cross moment c_m = E[a x_m] = E[a E[x_m | x_{m−1}, a]]: linear in c_{m−1} and E[a²] = ν_1,
    # starting from c_1 = E[a²] = ν_1.
    mean_poly = sp.Poly(mean, x, a)
    c = sp.Function("c")
    cross = sp.rsolve(c(m) - mean_poly.coeff_monomial(a) * nu1 - mean_poly.coeff_monomial(x) * c(m - 1), c(m), {c(1): nu1})
    if sp.simplify(cross - nu1) != 0:
        raise ArithmeticError(f"E[p_i^(1) p_i^(m)] should stay at ν_1, got {cross}")
    poly = sp.Poly(second, x, a)
    # E of each monomial: a² -> ν_1, a x -> E[a x_{m−1}] = ν_1, x -> p_i, x² -> ν_{m−1}.
    b = poly.coeff_monomial(x**2)
    constant = (poly.coeff_monomial(a**2) + poly.coeff_monomial(a * x)) * nu1 + poly.coeff_monomial(x) * p
    eliminate_n = {n: alpha * N / (1 - alpha)}
    return nu1, sp.factor(sp.expand(constant.subs(eliminate_n))), sp.factor(sp.expand(b.subs(eliminate_n)))


@cache
def expected_sigma():
    """``S_m`` for ``m ≥ 1``: sum the per-token recursion over tokens (``Σ p_i = 1``,
    ``Σ p_i² = S_0``) and solve ``S_m = K + β S_{m−1}`` with rsolve from
    ``S_1 = 1/N + (1 − 1/N)S_0``. Returns ``(S_m, K, b)``, ``S_m`` written with the symbol
    ``beta`` for the recursion's coefficient ``b`` (which equals ``BETA``)."""
    _, _, b = per_token_recursion()
    K = _summed_constant()
    S1 = 1 / N + (1 - 1 / N) * S0
    solution = sp.rsolve(S(m) - K - beta * S(m - 1), S(m), {S(1): S1})
    return sp.simplify(solution), K, b


def printed_eq9(sign: int = -1):
    """The paper's eq. (9) for ``S_{m+1}``, with ``sign`` in front of ``(α/N)β^m`` in the second
    bracket: ``−1`` as printed in v1, ``+1`` as corrected."""
    denominator = 1 + (1 + 1 / N) * alpha
    first = (1 / N) * (1 + 2 * alpha - (1 - 1 / N) * alpha * beta**m) / denominator
    second = (1 - 1 / N) * S0 * (1 + alpha + sign * (alpha / N) * beta**m) / denominator
    return first + second


@cache
def limit_and_gamma():
    """``S_∞``, the fixed point of ``S = K + β S`` (the limit, since ``0 ≤ β < 1``), and the
    paper's ``γ = (1 − 1/N)(1 + α)(1 − S_0)/(1 + (1 + 1/N)α)``; the tests check
    ``S_∞ = 1 − γ``."""
    _, K, b = expected_sigma()
    limit = sp.factor(sp.simplify(K / (1 - b)))
    gamma = (1 - 1 / N) * (1 + alpha) * (1 - S0) / (1 + (1 + 1 / N) * alpha)
    return limit, gamma


def _summed_constant():
    _, constant, _ = per_token_recursion()
    summed = sp.Poly(sp.expand(constant), p)
    return summed.coeff_monomial(p) + summed.coeff_monomial(p**2) * S0


@cache
def drift_recursion():
    """``D_m = E[||p^(m) − p^(1)||² | p^(1)]``: since ``p^(m) − p^(1) = α(p̂^(m−1) − p^(m−1)) +
    α(p^(m−1) − p^(1))`` and the sampling error has mean zero given ``p^(m−1)``,
    ``D_m = α²(E[1 − σ_{m−1} | p^(1)]/n + D_{m−1})``; with ``E[σ_{m−1} | p^(1)] = σ_1 + D_{m−1}``
    (unbiasedness given ``p^(1)``) this closes: ``D_m = α²((1 − σ_1)/n + (1 − 1/n) D_{m−1})``.
    Returns the solved ``D_m`` (``D_1 = 0``) and its limit, written with ``N`` and ``n``."""
    recursion = D(m) - alpha**2 * ((1 - sigma1) / n + (1 - 1 / n) * D(m - 1))
    solution = sp.rsolve(recursion, D(m), {D(1): 0})
    limit = sp.solve(sp.Eq(D(m), alpha**2 * ((1 - sigma1) / n + (1 - 1 / n) * D(m))), D(m))[0]
    return sp.simplify(solution), sp.factor(sp.simplify(limit.subs(alpha, ALPHA)))


@cache
def max_synthetic_from_drift():
    """Largest ``n`` for which the Cauchy–Schwarz bound ``E||p^(m) − p^(1)||_1 ≤
    √(s̃ · D_∞)`` with ``1 − σ_1 ≤ 1`` stays below ``ε``: solve ``s̃ n = ε² (N² + 2Nn + n)``."""
    support, eps = sp.symbols("s_tilde epsilon", positive=True)
    _, limit = drift_recursion()
    bound = support * limit.subs(sigma1, 0)
    (n_max,) = sp.solve(sp.Eq(bound, eps**2), n)
    return sp.simplify(n_max), support, eps


B_m = sp.Symbol("B_m", positive=True)  # stands for β^m when comparing closed forms


def with_rate(expr):
    """``expr`` with ``β^m`` kept as the symbol ``B_m`` and every other ``β`` replaced by its
    value ``α[(1 + 1/N)α − 1/N]``: the form in which two closed forms of ``S_m`` can be compared
    (sympy cannot cancel ``(α(…))^m`` against ``β^m`` on its own)."""
    return sp.expand_power_exp(sp.sympify(expr)).subs(beta**m, B_m).subs(beta, BETA)


@cache
def eq9_check():
    """``S_{m+1}`` from the derivation minus eq. (9), with the sign as printed (−) and corrected
    (+), and ``S_m`` for a Dirac ``p`` (``S_0 = 1``) under each."""
    S_m, _, _ = expected_sigma()
    derived_next = with_rate(S_m.subs(m, m + 1))
    printed, corrected = (with_rate(printed_eq9(sign)) for sign in (-1, +1))
    return {
        "derived - printed": sp.factor(sp.simplify(derived_next - printed)),
        "derived - corrected": sp.simplify(derived_next - corrected),
        "printed at a Dirac": sp.factor(sp.simplify(printed.subs(S0, 1))),
        "derived at a Dirac": sp.simplify(derived_next.subs(S0, 1)),
    }


@cache
def large_n_limit():
    """The paper's remark after Theorem 2, "``n ≫ N`` gives ``α ≈ β ≈ 1``", worked out.

    As ``n → ∞`` at fixed ``N``, ``α → 1`` and ``β → 1``. At a fixed generation ``m``, ``S_m``
    is continuous in ``α`` (a recursion of fixed depth), so its limit is the recursion
    ``S_m = K + b S_{m−1}`` run at ``α = 1``. Returns a dict: ``α``'s limit, ``b`` and ``K`` at
    ``α = 1``, eq. (9) as corrected and as printed at ``α = β = 1`` minus ``S_1``, and the limit
    of ``S_∞`` as ``α → 1`` minus ``S_1``."""
    _, K, b = expected_sigma()
    S1 = 1 / N + (1 - 1 / N) * S0
    limit, _ = limit_and_gamma()
    at_one = {alpha: 1, beta: 1}
    return {
        "alpha": sp.limit(ALPHA, n, sp.oo),
        "rate": sp.simplify(b.subs(alpha, 1)),
        "step constant": sp.simplify(K.subs(alpha, 1)),
        "corrected - S_1": sp.simplify(printed_eq9(+1).subs(at_one) - S1),
        "printed - S_1": sp.factor(sp.simplify(printed_eq9(-1).subs(at_one) - S1)),
        "long run - S_1": sp.factor(sp.simplify(sp.limit(limit, alpha, 1) - S1)),
    }


# --- Lemma 1, Theorem 3 and the maximal amount of synthetic data (eq. 11) ---------------------

C0 = sp.E**3 / (2 * sp.pi)
C1 = 6 * sp.E / sp.pi ** sp.Rational(3, 2)


@cache
def phi_at_half():
    """Lemma 1's ``φ(x) = log((1 − x)/x)/(1 − 2x)`` at ``x = 1/2``, where it is 0/0: its limit and
    its series there. ``φ(1/2) = 2`` makes Theorem 4's bound ``(1/N)√(nπ/φ(ζ)) G_n(s)`` at
    ``ζ = 1/2`` Theorem 3's ``(1/N)√(πn/2) G_n(s)``. Returns ``(φ, limit, series to O(u⁴))``
    with ``u = 1/2 − x``."""
    u = sp.Symbol("u", positive=True)
    phi = sp.log((1 - x) / x) / (1 - 2 * x)
    limit = sp.limit(phi, x, sp.Rational(1, 2))
    series = sp.series(phi.subs(x, sp.Rational(1, 2) - u), u, 0, 4).removeO()
    return phi, limit, sp.simplify(series)


@cache
def max_synthetic_derivation():
    """Eq. (11) from Theorem 3 in the regime ``C_0 n/e + 2 ≤ s`` of Lemma 1.

    There ``G_n(s) = C_1 s e^{C_0 n/(2e)}`` and the bound is ``(1/N)√(πn/2) G_n(s)``. The
    factor ``√n`` is absorbed with ``√n ≤ e^{C_0 n/(2e)}`` (true for every ``n ≥ 1``, since
    ``C_0/(2e) = e²/(4π) > 1/(2e)`` bounds ``log(n)/(2n)``), leaving ``(1/N)√(π/2) C_1 s
    e^{C_0 n/e} < ε``; solving for ``n`` rebuilds the logarithm's argument. Returns
    ``(n from the bound, n from the regime, the relaxation's slack exponent)``."""
    N_, s_, eps = sp.symbols("N s epsilon", positive=True)
    relaxed = sp.sqrt(sp.pi / 2) * C1 * s_ * sp.exp(C0 * n / sp.E) / N_
    (n_bound,) = sp.solve(sp.Eq(relaxed, eps), n)
    n_regime = sp.solve(sp.Eq(C0 * n / sp.E + 2, s_), n)[0]
    slack = sp.simplify(C0 / (2 * sp.E))  # √n ≤ e^{slack·n}
    return sp.simplify(sp.expand_log(n_bound, force=True)), sp.simplify(n_regime), slack


@cache
def mean_with_reused_subset():
    """Mean of ``p^(m)`` when later generations reuse only part of the first generation's real
    data, whose model is ``q``: ``E p^(m) = (1 − α) q + α E p^(m−1)`` from ``p^(1)``. rsolve gives
    ``q + α^{m−1}(p^(1) − q)``: the chain forgets ``p^(1)`` and settles around ``q``, so
    ``E||p^(m) − p^(1)||² → ||q − p^(1)||² + lim E||p^(m) − q||²``."""
    q_, p1_ = sp.symbols("q p^{(1)}", positive=True)
    mu = sp.Function("mu")
    solution = sp.rsolve(mu(m) - (1 - alpha) * q_ - alpha * mu(m - 1), mu(m), {mu(1): p1_})
    return sp.simplify(solution), q_, p1_
