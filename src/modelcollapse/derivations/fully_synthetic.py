"""Theorem 1 of the paper (fully synthetic training), derived with sympy from the binomial
law of one generation's counts. Each function returns sympy expressions; the book page
displays them and the tests compare them with the paper's printed formulas."""

from __future__ import annotations

from functools import cache

import sympy as sp

from . import sizes

from .counting import N as N_counting, multinomial_moments

n = sp.Symbol("n", positive=True)  # synthetic samples per generation
m = sp.Symbol("m", integer=True, nonnegative=True)  # generation
k = sp.Symbol("k", integer=True, nonnegative=True)  # summation index over generations
S0 = sp.Symbol("S_0", positive=True)  # ||p^(0)||² = S_0
sigma = sp.Symbol("sigma", positive=True)  # σ_{m-1} = ||p^(m-1)||²
q = sp.Symbol("q", positive=True)  # one token's probability under p^(m-1)
t = sp.Symbol("t", real=True)  # argument of the moment generating function
rho = sp.Symbol("rho", nonnegative=True)  # ρ_m = P(p^(m) is a Dirac mass)
support = sp.Symbol("s_tilde", positive=True)  # s̃, the support size of p
S = sp.Function("S")


@cache  # pure and slow-ish: the page and the tests reuse each result
def binomial_moments():
    """First and second moments of ``X ~ Binomial(n, q)`` from its MGF ``(1 − q + q e^t)^n``."""
    mgf = (1 - q + q * sp.exp(t)) ** n
    first = sp.simplify(sp.diff(mgf, t).subs(t, 0))
    second = sp.factor(sp.expand(sp.diff(mgf, t, 2).subs(t, 0)))
    return first, second


@cache
def conditional_step():
    """``E[p_i^(m) | p^(m−1)]`` and ``E[σ_m | p^(m−1)]``.

    Given ``p^(m−1)``, ``n p_i^(m) ~ Binomial(n, q_i)`` with ``q_i = p_i^(m−1)``. The first
    moment shows each coordinate is a martingale. The second, ``E[(X/n)²] = c₁ q + c₂ q²``, is
    summed over tokens with ``Σ q_i = 1`` and ``Σ q_i² = σ_{m−1}``.
    """
    first, second = binomial_moments()
    mean = sp.simplify(first / n)
    per_token = sp.Poly(sp.expand(second / n**2), q)
    c1, c2 = per_token.coeff_monomial(q), per_token.coeff_monomial(q**2)
    assert per_token.degree() == 2 and per_token.coeff_monomial(1) == 0
    return {"mean": mean, "per_token": per_token.as_expr(), "sigma": sp.expand(c1 * 1 + c2 * sigma)}


@cache
def expected_sigma():
    """``S_m`` from the recursion ``S_m = E[E[σ_m | p^(m−1)]]``, ``S_0`` given, via rsolve."""
    step = conditional_step()["sigma"]
    recursion = S(m) - step.subs(sigma, S(m - 1))
    solution = sp.rsolve(recursion, S(m), {S(0): S0})
    return sp.simplify(solution)


@cache
def collapse_probability_bounds():
    """Bounds on ``ρ_m`` from the sandwich ``ρ + (1 − ρ)/s̃ ≤ S_m ≤ ρ + (1 − 1/n)(1 − ρ)``.

    Left: a Dirac has ``σ = 1`` and any other model on ``s̃`` tokens has ``σ ≥ 1/s̃``. Right:
    ``σ ≤ ||p||_∞``, and a model on the ``1/n`` grid that is not a Dirac has
    ``||p||_∞ ≤ 1 − 1/n``. Both sides are linear in ``ρ``; solving each gives one bound.
    """
    S_m = expected_sigma()
    upper = sp.solve(sp.Eq(rho + (1 - rho) / support, S_m), rho)[0]
    lower = sp.solve(sp.Eq(S_m, rho + (1 - 1 / n) * (1 - rho)), rho)[0]
    return sp.simplify(lower), sp.simplify(upper)


@cache
def collapse_time_bounds():
    """Bounds on ``E[T] = Σ_{k≥0} P(T > k)`` with ``P(T > k) = 1 − ρ_k`` (Diracs absorb).

    ``P(T > 0) = 1``; for ``k ≥ 1`` the bounds on ``ρ_k`` bound each term, and the geometric
    sums are done by sympy. The upper bound uses ``1 − ρ_k ≤ n(1 − S_0)(1 − 1/n)^k``, valid
    (if loose) for every ``k``.
    """
    lower_rho, upper_rho = collapse_probability_bounds()
    r = sp.Symbol("r", positive=True)  # n = 1 + r keeps the geometric ratio inside (0, 1)

    def total(term):
        series = sp.summation(sp.expand((1 - term).subs(m, k)).subs(n, 1 + r), (k, 1, sp.oo))
        return sp.simplify(1 + series.subs(r, n - 1))

    return total(upper_rho), total(lower_rho)


# --- the diffusion (Wright–Fisher) approximation for large n ---------------------------------

x = sp.Symbol("x", positive=True)  # one token's frequency
time = sp.Symbol("t", positive=True)  # time in generations


@sizes(K=(2, 8))
@cache
def diffusion_coefficients(K: int = 3):
    """One generation's conditional drift ``E[x' − x | x]`` and covariance ``Cov[x' | x]`` of the
    ``K`` token frequencies, ``x' = X/n`` with ``X ~ Multinomial(n, x)``: the multinomial moments
    derived from its MGF (``counting.multinomial_moments``), at sample size ``n``. Returns
    ``(x, drift, covariance)``; the drift is zero and the covariance ``(diag x − xxᵀ)/n``."""
    moments = multinomial_moments(K)
    xs = list(sp.symbols(f"x1:{K + 1}", positive=True))
    to_x = dict(zip(moments.p, xs)) | {N_counting: n}
    drift = (moments.mean.subs(to_x) - sp.Matrix(xs)).applyfunc(sp.simplify)
    covariance = moments.covariance.subs(to_x).applyfunc(sp.factor)
    return xs, drift, covariance


@sizes(K=(2, 8))
def diffusion_generator(f, K: int = 3):
    """Backward generator of the diffusion with the chain's first two conditional moments per
    generation: ``L f = Σ_i b_i ∂_i f + ½ Σ_ij a_ij ∂_i∂_j f`` with ``b`` and ``a`` from
    :func:`diffusion_coefficients` (the neutral Wright–Fisher diffusion, ``b = 0``)."""
    xs, drift, covariance = diffusion_coefficients(K)
    first = sum(drift[i] * sp.diff(f, xs[i]) for i in range(K))
    second = sum(covariance[i, j] * sp.diff(f, xs[i], xs[j]) for i in range(K) for j in range(K))
    return first + second / 2


def _fixation_formula(xs):
    return -2 * n * sum((1 - xi) * sp.log(1 - xi) for xi in xs)


@sizes(K=(2, 6))
@cache
def fixation_time(K: int = 3):
    """Mean time until one of ``K`` tokens is left, ``t(x) = −2n Σ_i (1 − x_i) log(1 − x_i)``
    (Kimura & Ohta's two-type formula in its classical ``K``-type form). The formula is stated,
    then checked against the generator derived from the chain's moments: it solves ``L t = −1``
    on the simplex, vanishes at the vertices, and on every face ``x_i = 0`` (token ``i`` lost,
    a face the diffusion never leaves) it is the same formula for the ``K − 1`` other tokens.
    Returns ``(t, L t simplified, t at a vertex, t on each face minus the face's formula)``."""
    xs = list(sp.symbols(f"x1:{K + 1}", positive=True))
    t_mean = _fixation_formula(xs)
    on_simplex = {xs[-1]: 1 - sum(xs[:-1])}
    generator = sp.simplify(diffusion_generator(t_mean, K).subs(on_simplex))
    vertex = sp.limit(t_mean.subs({xs[0]: 1 - x} | {xi: x / (K - 1) for xi in xs[1:]}), x, 0)
    faces = [sp.simplify(t_mean.subs(xi, 0) - _fixation_formula([xj for xj in xs if xj != xi]))
             for xi in xs]
    return t_mean, generator, vertex, faces


@cache
def collapse_time_series():
    """The two sums behind the token-by-token ``E[T]`` and ``E[T²]``.

    ``T² = Σ_{k=0}^{T−1} (2k + 1)``, so ``E[T²] = Σ_{k≥0} (2k + 1) P(T > k)``, as
    ``E[T] = Σ_{k≥0} P(T > k)``. With ``P(T > 0) = 1`` and ``P(T > k) = Σ_i π_i Q^{k−1} h`` for
    ``k ≥ 1``, the matrix series are ``Σ_{k≥1} Q^{k−1}`` and ``Σ_{k≥1} (2k + 1) Q^{k−1}``: power
    series in the one matrix ``Q`` (spectral radius below 1, a transient block), so they are the
    scalar series at ``z = Q``. Sympy sums them for ``0 < z < 1`` (``z = 1/(1 + r)``, ``r > 0``)
    and writes them with ``F = 1/(1 − z)``, that is ``(I − Q)^{−1}``. Returns
    ``(Σ_{k<T}(2k + 1), first series − F, second series − (2F² + F))``: ``T²``, 0 and 0."""
    T, j = sp.symbols("T j", integer=True, positive=True)
    z, r = sp.symbols("z r", positive=True)
    squares = sp.factor(sp.summation(2 * k + 1, (k, 0, T - 1)))

    def series(term):  # Σ_{j≥1} term(j) for 0 < z < 1, written in z again
        return sp.summation(term.subs(z, 1 / (1 + r)), (j, 1, sp.oo)).subs(r, 1 / z - 1)

    first, second = series(z ** (j - 1)), series((2 * j + 1) * z ** (j - 1))
    F = 1 / (1 - z)
    return squares, sp.simplify(first - F), sp.simplify(second - (2 * F**2 + F))


@sizes(samples=(2, 20))
@cache
def collapse_time_by_tokens(samples: int):
    """Exact ``E[T]`` and ``E[T²]`` at a small sample size ``n = samples``, token by token, as
    polynomials in the power sums ``P_k = Σ_i p_i^k`` of the ground truth (``P_1 = 1``,
    ``P_2 = S_0``).

    ``T > m`` unless one token holds all ``n`` samples at generation ``m``, and those events are
    disjoint, so ``P(T > m) = Σ_i (p_i − P(X_i(m) = n))`` with ``X_i`` token ``i``'s count: on its
    own a two-allele chain with transient block ``Q`` on ``1, …, n − 1`` and absorption
    probability ``h_j = j/n``. Its term is ``π_i Q^{m−1} h`` (``π_i``: the ``Binomial(n, p_i)``
    law of generation 1 on the transient states), and by :func:`collapse_time_series`,
    ``E[T] = 1 + Σ_i π_i F h`` and ``E[T²] = 1 + Σ_i π_i (F + 2F²) h`` with ``F = (I − Q)^{−1}``.
    Sympy solves ``(I − Q) y = h`` and ``(I − Q) y₂ = y`` exactly and sums the binomial laws over
    tokens. Returns ``(E[T], E[T²], P)`` with ``P`` the power-sum symbols."""
    n_ = samples
    states = range(1, n_)
    Q = sp.Matrix(n_ - 1, n_ - 1, lambda a, b: sp.binomial(n_, b + 1)
                  * sp.Rational(a + 1, n_) ** (b + 1) * (1 - sp.Rational(a + 1, n_)) ** (n_ - b - 1))
    h = sp.Matrix([sp.Rational(j, n_) for j in states])
    y = (sp.eye(n_ - 1) - Q).LUsolve(h)  # F h
    y2 = (sp.eye(n_ - 1) - Q).LUsolve(y)  # F² h
    P = sp.symbols(f"P1:{n_ + 1}", positive=True)
    return _summed_over_tokens(y, P), _summed_over_tokens(y + 2 * y2, P), P


def _summed_over_tokens(weights, P):
    """``1 + Σ_i π_i · weights`` with ``π_i`` the ``Binomial(n, p_i)`` law on ``1, …, n − 1``,
    written with the power sums ``P_k``: each ``q^k`` of one token's term becomes ``P_k``."""
    n_ = len(weights) + 1
    q = sp.Symbol("q", positive=True)  # one token's p_i
    per_token = sp.expand(sum(sp.binomial(n_, j) * q**j * (1 - q) ** (n_ - j) * weights[j - 1]
                              for j in range(1, n_)))
    # Σ_i over tokens turns each q^k into the power sum P_k (and a constant term would be
    # multiplied by the number of tokens, so there must be none).
    poly = sp.Poly(per_token, q)
    if poly.coeff_monomial(1) != 0:
        raise ArithmeticError(f"per-token term has a constant: {per_token}")
    summed = sum(poly.coeff_monomial(q**k) * P[k - 1] for k in range(1, n_ + 1))
    return sp.expand(1 + summed.subs(P[0], 1))


@cache
def feller_extinction():
    """A rare token's frequency is close to Feller's diffusion ``dX = √(X/n) dW``, whose
    probability of having hit zero by time ``t`` is ``exp(−2n x / t)``. Returns that
    probability and the residual of Kolmogorov's backward equation ``u_t = (x/2n) u_xx``
    (zero), so the formula is checked rather than quoted."""
    extinct = sp.exp(-2 * n * x / time)
    residual = sp.simplify(sp.diff(extinct, time) - x / (2 * n) * sp.diff(extinct, x, 2))
    return extinct, residual


@cache
def feller_median_loss_time():
    """The generation by which a rare token of frequency ``x`` is lost with probability 1/2:
    ``exp(−2n x/t) = 1/2`` solved for ``t``."""
    extinct, _ = feller_extinction()
    (solution,) = sp.solve(sp.Eq(extinct, sp.Rational(1, 2)), time)
    return sp.simplify(solution)
