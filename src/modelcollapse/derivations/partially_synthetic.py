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


def _collected(expr, symbol):
    """``expr`` collected by powers of ``symbol``, each coefficient factored: the form in which
    the paper writes a recursion's terms, produced by sympy rather than typed."""
    return sp.collect(sp.expand(expr), symbol, func=sp.factor)


def _stays_at_start(start, name):
    """A first moment ``μ_m`` with ``μ_m = (1 − α)·start + α μ_{m−1}`` from ``μ_1 = start``,
    the form the conditional mean gives (its coefficients of ``a`` and ``x``), solved by
    rsolve: it stays at ``start``. Raises if it does not."""
    mean, _ = conditional_step()
    mean_poly = sp.Poly(mean, x, a)
    mu = sp.Function("mu")
    from_a, from_x = mean_poly.coeff_monomial(a), mean_poly.coeff_monomial(x)
    recursion = mu(m) - from_a * start - from_x * mu(m - 1)
    solution = sp.rsolve(recursion, mu(m), {mu(1): start})
    if sp.simplify(solution - start) != 0:
        raise ArithmeticError(f"{name} should stay at {start}, got {solution}")
    return solution


@cache
def per_token_recursion():
    """``ν_m = c + b ν_{m−1}`` for ``m ≥ 2``, with the constant written in ``p_i``.

    Taking expectations needs ``E[a x_{m−1}]``: by the conditional mean, ``E[a x_m] =
    (1 − α)E[a²] + α E[a x_{m−1}]``, whose solution from ``E[a x_1] = E[a²] = ν_1`` is ``ν_1``
    at every ``m``. ``ν_1 = p_i/N + (1 − 1/N)p_i²`` is the counting estimator's second moment.
    Returns ``(ν_1, c, b)`` with ``α`` kept as a symbol, ``n`` eliminated by
    ``α/n = (1 − α)/N``, and ``c`` collected by powers of ``p_i``.
    """
    _, second = conditional_step()
    # ν_1: p^(1) counts N real samples, so N p_i^(1) ~ Binomial(N, p_i).
    nu1 = sp.expand(binomial_moments()[1].subs({_q: p, _n_binomial: N}) / N**2)
    # Cross moment E[a x_m] = E[a E[x_m | x_{m−1}, a]]: linear in E[a x_{m−1}] and E[a²] = ν_1,
    # starting from E[a x_1] = E[a²] = ν_1.
    _stays_at_start(nu1, "E[p_i^(1) p_i^(m)]")
    poly = sp.Poly(second, x, a)
    # E of each monomial: a² -> ν_1, a x -> E[a x_{m−1}] = ν_1, x -> p_i, x² -> ν_{m−1}.
    b = poly.coeff_monomial(x**2)
    constant = (poly.coeff_monomial(a**2) + poly.coeff_monomial(a * x)) * nu1 + poly.coeff_monomial(x) * p
    eliminate_n = {n: alpha * N / (1 - alpha)}
    return nu1, _collected(constant.subs(eliminate_n), p), sp.factor(sp.expand(b.subs(eliminate_n)))


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
    if isinstance(sign, bool) or sign not in (-1, 1):
        raise ValueError(f"sign must be -1 (as printed) or +1 (as corrected), got {sign!r}")
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


deviation = sp.Symbol("d", real=True)  # p_i^(m−1) − p_i^(1), given p^(1)
D_token = sp.Symbol("D_i", nonnegative=True)  # E[d² | p^(1)] for one token


@cache
def drift_step():
    """One generation of the drift from ``p^(1)``, per token and summed, from the binomial
    moments.

    Given ``p^(1)`` (so ``a = p_i^(1)`` is fixed) and ``x = p_i^(m−1)``, the conditional step
    gives ``E[(p_i^(m) − a)² | x, a] = second − 2a·mean + a²``. Written in ``d = x − a`` it is a
    quadratic in ``d``; given ``p^(1)``, ``E[d] = 0`` (the conditional mean keeps
    ``E[p_i^(m) | p^(1)]`` at ``a``: rsolve) and ``E[d²] = D_i``, the token's drift at
    ``m − 1``. Summing over tokens (``Σ a = 1``, ``Σ a² = σ_1``, ``Σ D_i = D_{m−1}``) gives
    ``D_m``. Returns ``(per-token D_i(m) in a and D_i, summed D_m in σ_1 and D_{m−1})``."""
    mean, second = conditional_step()
    _stays_at_start(a, "E[p_i^(m) | p^(1)]")
    squared = sp.expand((second - 2 * a * mean + a**2).subs(x, a + deviation))
    in_d = sp.Poly(squared, deviation)
    if in_d.degree() > 2:
        raise ArithmeticError(f"E[(p_i^(m) − a)² | x, a] is not quadratic in x: {squared}")
    # E d = 0 drops the linear term; E d² = D_i.
    per_token = sp.expand(in_d.coeff_monomial(1) + in_d.coeff_monomial(deviation**2) * D_token)
    in_a = sp.Poly(per_token, a, D_token)
    if in_a.coeff_monomial(1) != 0:  # a token-free constant would be multiplied by s
        raise ArithmeticError(f"per-token drift step has a constant term: {per_token}")
    previous = sp.Symbol("D_{m-1}", nonnegative=True)
    summed = (in_a.coeff_monomial(a) * 1 + in_a.coeff_monomial(a**2) * sigma1
              + in_a.coeff_monomial(D_token) * previous)
    return _collected(per_token, D_token), _collected(summed, previous), previous


@cache
def drift_recursion():
    """``D_m = E[||p^(m) − p^(1)||² | p^(1)]``: the summed step of :func:`drift_step` as a
    recursion, solved by rsolve from ``D_1 = 0``, and its fixed point (the limit, the rate
    ``α²(1 − 1/n)`` being below 1). Returns ``(D_m, limit)``, the limit written with ``N`` and
    ``n``."""
    _, summed, previous = drift_step()
    solution = sp.rsolve(D(m) - summed.subs(previous, D(m - 1)), D(m), {D(1): 0})
    (limit,) = sp.solve(sp.Eq(previous, summed), previous)
    return sp.simplify(solution), sp.factor(sp.simplify(limit.subs(alpha, ALPHA)))


@cache
def drift_limit_per_token():
    """The per-token step's fixed point, ``lim E[(p_i^(m) − p_i^(1))² | p^(1)]``, written with
    ``N`` and ``n`` (``a = p_i^(1)``): the tokens' share of :func:`drift_recursion`'s limit."""
    per_token, _, _ = drift_step()
    (limit,) = sp.solve(sp.Eq(D_token, per_token), D_token)
    return sp.factor(sp.simplify(limit.subs(alpha, ALPHA)))


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


# --- Theorem 3 from the exact drift -----------------------------------------------------------

@cache
def theorem3_from_drift():
    """Theorem 3 proved from the exact drift, for every ``N``, ``n``, ``s ≥ 2``
    and ``m ≥ 2`` (at ``s = 1`` nothing drifts and ``G_n(1) = 0``):
    ``E||p^(m) − p^(1)||_1 ≤ √(s̃ D_∞) < √(s̃ n)/N ≤ (1/N)√(πn/2) G_n(s)``.

    First link: Cauchy–Schwarz on the ``s̃`` tokens of the support and Jensen give
    ``E||d||_1 ≤ √(s̃ D_m)``; rsolve's ``D_m`` is ``D_∞(1 − r^{m−1})`` with
    ``r = α²(1 − 1/n) ∈ [0, 1)``, so ``D_m ≤ D_∞``. Second link: ``n/N² − D_∞`` factored has
    only positive factors (``1 − σ_1 ≤ 1`` and ``N² + 2Nn + n > N²``). Third link: it holds
    exactly when ``G_n(s) ≥ √(2s̃/π)``, and ``s̃ ≤ s``. Where ``G_n(s) ≥ C_1 s`` that is
    ``s ≥ π²/(18e²)``, below 1, so always: in Lemma 1's first regime, and in its second as soon
    as the base ``C_0 n/s`` is at least 1, which the regime's ``s < C_0 n/e + 2`` ensures for
    ``s ≥ 2e/(e − 1)``, below 4; in the third, ``G = 2^s − 2`` is ahead of ``√(2s/π)`` at
    ``s = 2`` and grows faster from there. What is left, the second regime at ``s ≤ 3`` (only
    ``s = 3, n = 1``), and the whole link as the book computes ``G``
    (:func:`modelcollapse.theory.G`), are checked on a grid on the derivation page and in the
    tests.

    Returns a dict: ``D_m/D_∞`` and the rate ``r``; ``n/N² − D_∞`` factored; the ratio of the
    last link's two sides squared, ``πG²/(2s̃)``, with ``G`` a symbol; the ``s`` above which
    ``C_1 s ≥ √(2s/π)``; the ``s`` above which the second regime's base is at least 1; the third
    regime's lead at ``s = 2`` and its slope there."""
    D_m, _ = drift_recursion()
    _, summed, previous = drift_step()
    (limit,) = sp.solve(sp.Eq(previous, summed), previous)  # D_∞ in α and n
    rate = sp.factor(sp.diff(summed, previous))
    share = sp.simplify(D_m / limit)
    # sympy merges (α²(n − 1))^m with its (m − 1)th power only once n − 1 is known positive;
    # at n = 1 the rate is 0 and D_m = D_∞ from m = 2 on.
    above_one = sp.Symbol("k", positive=True)
    if sp.simplify((share - (1 - rate ** (m - 1))).subs(n, above_one + 1)) != 0:
        raise ArithmeticError(f"D_m/D_∞ should be 1 − r^(m−1), got {share}")
    D_inf = drift_recursion()[1]  # in N and n
    gap = sp.factor(sp.simplify(n / N**2 - D_inf))
    support, G_ = sp.symbols("s_tilde G", positive=True)
    s_ = sp.Symbol("s", positive=True)
    ratio = sp.simplify((sp.sqrt(sp.pi * n / 2) * G_ / N) ** 2 / (sp.sqrt(support * n) / N) ** 2)
    (C1_enough,) = sp.solve(sp.Eq((C1 * s_) ** 2, 2 * s_ / sp.pi), s_)
    (base_one,) = sp.solve(sp.Eq(sp.E * (s_ - 2) / s_, 1), s_)  # C_0 n/s > e(s − 2)/s there
    # The third regime, 2^s − 2 against √(2s/π) from s = 2 (its least s): ahead there, and its
    # slope 2^s log 2 grows while that of √(2s/π) falls, so it stays ahead.
    third = 2**s_ - 2 - sp.sqrt(2 * s_ / sp.pi)
    return {"D_m/D_inf": 1 - rate ** (m - 1), "rate": rate, "n/N^2 - D_inf": gap,
            "last link squared": ratio, "C1 s enough from": sp.simplify(C1_enough),
            "base at least 1 from": sp.simplify(base_one),
            "third regime at s = 2": sp.simplify(third.subs(s_, 2)),
            "its slope at s = 2": sp.simplify(sp.diff(third, s_).subs(s_, 2))}
