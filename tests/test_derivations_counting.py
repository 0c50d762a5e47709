"""The setup chapter's derivation: training is counting, and the counting estimator's moments."""

import pytest
import sympy as sp

from modelcollapse.derivations import counting as d

SIZES = [2, 3, 4]


def zero_matrix(matrix):
    return all(sp.simplify(entry) == 0 for entry in matrix)


def test_loss_separates_over_contexts():
    sep = d.separation(c=2, s=3)
    W_rows = [[sp.Symbol(f"W_{j}{k}", real=True) for k in (1, 2, 3)] for j in (1, 2)]
    assert list(sep.logits[:, 0]) == W_rows[0] and list(sep.logits[:, 1]) == W_rows[1]
    assert zero_matrix(sep.cross_hessian)


@pytest.mark.parametrize("s", SIZES)
def test_softmax_stationary_point_is_the_empirical_frequency(s):
    opt = d.softmax_optimum(s)
    n = sp.symbols(f"n1:{s + 1}", positive=True)
    sigma = sp.symbols(f"sigma1:{s + 1}", positive=True)
    assert all(r == 0 for r in opt.gradient_residual)
    assert all(sp.simplify(opt.optimum[sk] - nk / sum(n)) == 0 for sk, nk in zip(sigma, n))
    assert zero_matrix(opt.hessian_residual)


def test_gradient_does_not_vanish_away_from_the_counts():
    """At w = 0 (uniform softmax) with unequal counts the gradient is not zero."""
    opt = d.softmax_optimum(3)
    w = sp.symbols("w1:4", real=True)
    n = sp.symbols("n1:4", positive=True)
    at = {x: 0 for x in w} | {n[0]: 5, n[1]: 1, n[2]: 1}
    assert any(sp.simplify(g.subs(at)) != 0 for g in opt.gradient)


def test_hessian_is_positive_semidefinite():
    """diag σ − σσᵀ has eigenvalues >= 0 at a sample point (and one zero: the shift direction)."""
    opt = d.softmax_optimum(3)
    w = sp.symbols("w1:4", real=True)
    H = sp.hessian(opt.loss, w).subs({x: v for x, v in zip(w, (0.3, -1.2, 2.0))})
    H = H.subs({sp.Symbol("M", positive=True): 1} | {sp.Symbol(f"n{k}", positive=True): k for k in (1, 2, 3)})
    eig = sorted(float(e) for e in sp.Matrix(H).evalf().eigenvals(multiple=True))
    assert abs(eig[0]) < 1e-12 and eig[1] > 0 and eig[2] > 0


@pytest.mark.parametrize("s", SIZES)
def test_lagrangian_gives_the_same_optimum(s):
    sol = d.lagrangian_optimum(s)
    n = sp.symbols(f"n1:{s + 1}", positive=True)
    q = sp.symbols(f"q1:{s + 1}", positive=True)
    assert all(sp.simplify(sol[qk] - nk / sum(n)) == 0 for qk, nk in zip(q, n))
    assert sp.simplify(sol[sp.Symbol("lambda")] - sum(n)) == 0


@pytest.mark.parametrize("s", SIZES)
def test_counting_estimator_is_unbiased_with_multinomial_covariance(s):
    mom = d.counting_moments(s)
    p = sp.Matrix(mom.p[:-1] + [1 - sum(mom.p[:-1])])
    assert zero_matrix(mom.mean - p)
    expected = (sp.diag(*p) - p * p.T) / d.N
    assert zero_matrix(mom.covariance - expected)
    # Off the diagonal the covariance is negative, not zero: the counts compete for N draws.
    assert sp.simplify(mom.covariance[0, 1] + p[0] * p[1] / d.N) == 0


@pytest.mark.parametrize("s", SIZES)
def test_expected_collision_probability_after_counting(s):
    assert sp.simplify(d.counting_moments(s).expected_sigma - (1 / d.N + (1 - 1 / d.N) * d.S0)) == 0
