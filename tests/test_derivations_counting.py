"""The setup chapter's derivation (book/setup/derivation.ipynb; paper §2.1): training is counting, and the counting
estimator's moments. Each derived expression is compared with the formula the book states."""

from itertools import product
from math import factorial

import pytest
import sympy as sp

from modelcollapse.derivations import counting as d

SIZES = [2, 3, 4, 5]


def is_zero(expr) -> bool:
    return sp.simplify(expr) == 0


def is_zero_matrix(matrix) -> bool:
    return all(is_zero(entry) for entry in matrix)


def test_loss_separates_over_contexts():
    sep = d.loss_separation(c=2, s=3)
    W = sp.Matrix(2, 3, lambda j, k: sp.Symbol(f"W_{j + 1}{k + 1}", real=True))
    assert sep.logits == W.T  # column j is Wᵀ e_j = row j of W
    assert is_zero_matrix(sep.cross_hessian)
    # Within one context the rows do interact: the check above is not vacuous.
    assert not is_zero(sp.diff(sep.loss, W[0, 0], W[0, 1]))


@pytest.mark.parametrize("s", SIZES)
def test_gradient_is_n_softmax_minus_counts_over_m(s):
    g = d.softmax_gradient(s)
    sigma, n = d.symbols("sigma", s, positive=True), d.symbols("n", s, positive=True)
    assert g.closed_form == sp.Matrix([(d.N * sk - nk) / d.M for sk, nk in zip(sigma, n)])
    assert all(entry == 0 for entry in g.residual)


def test_gradient_does_not_vanish_away_from_the_counts():
    """At w = 0 (uniform softmax) with unequal counts the gradient is not zero."""
    g = d.softmax_gradient(3)
    w, n = d.symbols("w", 3, real=True), d.symbols("n", 3, positive=True)
    at = {x: 0 for x in w} | dict(zip(n, (5, 1, 1))) | {d.M: 7}
    # (N σ_k − n_k)/M with σ = 1/3, N = 7: (7/3 − 5)/7 and (7/3 − 1)/7.
    assert g.gradient.subs(at).applyfunc(sp.simplify) == sp.Matrix([-8, 4, 4]) / 21


@pytest.mark.parametrize("s", SIZES)
def test_stationary_point_is_the_empirical_frequency(s):
    opt = d.softmax_optimum(s)
    n = d.symbols("n", s, positive=True)
    assert opt.probabilities == sp.Matrix([nk / d.N for nk in n])
    assert all(entry == 0 for entry in opt.gradient_there)
    assert opt.logits[-1] == 0  # the gauge


@pytest.mark.parametrize("s", SIZES)
def test_lagrangian_gives_the_same_optimum(s):
    sol = d.lagrangian_optimum(s)
    q, n = d.symbols("q", s, positive=True), d.symbols("n", s, positive=True)
    assert all(is_zero(sol[qk] - nk / sum(n)) for qk, nk in zip(q, n))
    assert is_zero(sol[d.LAMBDA] - sum(n))


def test_unseen_token_gradient_never_vanishes():
    """With n_s = 0 the s-th gradient component is N σ_s / M > 0 at every finite w."""
    s = 3
    g = d.softmax_gradient(s)
    n = d.symbols("n", s, positive=True)
    assert sp.simplify(g.gradient[-1].subs(n[-1], 0)).is_positive


@pytest.mark.parametrize("s", SIZES)
def test_hessian_is_n_over_m_times_diag_sigma_minus_sigma_sigma_t_and_psd(s):
    h = d.softmax_hessian(s)
    sigma = sp.Matrix(d.symbols("sigma", s, positive=True))
    assert h.closed_form == d.N / d.M * (sp.diag(*sigma) - sigma * sigma.T)
    assert all(entry == 0 for entry in h.residual)
    assert h.psd_residual == 0
    assert h.sum_of_squares.is_nonnegative
    # Flat along (1, ..., 1), the shift of all logits, and only there (rank s − 1).
    on_simplex = {sigma[-1]: 1 - sum(sigma[:-1])}
    C = (h.closed_form * d.M / d.N).subs(on_simplex)
    assert is_zero_matrix(C * sp.ones(s, 1))
    assert C.subs({sk: sp.Rational(1, s) for sk in sigma}).rank() == s - 1


def test_hessian_eigenvalues_at_a_sample_point():
    """Numerically: nonnegative eigenvalues, exactly one of them zero."""
    h = d.softmax_hessian(3)
    w, n = d.symbols("w", 3, real=True), d.symbols("n", 3, positive=True)
    at = dict(zip(w, (0.3, -1.2, 2.0))) | dict(zip(n, (1, 2, 3))) | {d.M: 1}
    eig = sorted(float(e) for e in h.hessian.subs(at).evalf().eigenvals(multiple=True))
    assert abs(eig[0]) < 1e-12 and eig[1] > 1e-3 and eig[2] > 1e-3


@pytest.mark.parametrize("s", SIZES)
def test_counting_estimator_is_unbiased_with_multinomial_covariance(s):
    m = d.multinomial_moments(s)
    p = m.p
    assert is_zero_matrix(m.mean - p)
    assert is_zero_matrix(m.covariance - (sp.diag(*p) - p * p.T) / d.N)
    # Off the diagonal the covariance is negative, not zero: the counts compete for N draws.
    assert is_zero(m.covariance[0, 1] + p[0] * p[1] / d.N)
    assert not is_zero(m.covariance[0, 1])


@pytest.mark.parametrize("s", SIZES)
def test_hessian_and_covariance_are_the_same_matrix(s):
    """(M/N) Hessian at σ = p equals N Cov(p̂): both are diag p − p pᵀ."""
    h, m = d.softmax_hessian(s), d.multinomial_moments(s)
    sigma = d.symbols("sigma", s, positive=True)
    scaled_hessian = (h.closed_form * d.M / d.N).subs(dict(zip(sigma, m.p)))
    assert is_zero_matrix(scaled_hessian - d.N * m.covariance)


@pytest.mark.parametrize("s", SIZES)
def test_expected_collision_probability_after_counting(s):
    expected = d.expected_collision_after_counting(s)
    assert is_zero(expected - (1 / d.N + (1 - 1 / d.N) * d.S0))
    assert not is_zero(expected - d.S0)  # counting inflates the collision probability


@pytest.mark.parametrize("N_", [1, 2, 3])
def test_expected_collision_by_enumeration(N_):
    """Independent of the MGF: sum ||x/N||² over every count vector x, weighted by the
    multinomial probability, for a rational p."""
    p = [sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 6)]
    total = sp.Integer(0)
    for x in product(range(N_ + 1), repeat=len(p)):
        if sum(x) != N_:
            continue
        weight = factorial(N_) * sp.prod(pk**xk / factorial(xk) for pk, xk in zip(p, x))
        total += weight * sum(sp.Rational(xk, N_) ** 2 for xk in x)
    formula = d.expected_collision_after_counting(3).subs({d.N: N_, d.S0: sum(pk**2 for pk in p)})
    assert total == formula
