"""Theorem 1 (paper §3.1; book/fully_synthetic): the sympy derivation reaches the paper's printed formulas, and the
numpy functions in ``theory`` agree with the derivation."""

import numpy as np
import pytest
import sympy as sp

from modelcollapse import theory
from modelcollapse.derivations import fully_synthetic as d

n, m, S0, s_tilde = d.n, d.m, d.S0, d.support


def is_zero(expr):
    return sp.simplify(expr) == 0


def test_binomial_moments():
    first, second = d.binomial_moments()
    assert is_zero(first - n * d.q)
    assert is_zero(second - (n * d.q * (1 - d.q) + (n * d.q) ** 2))


def test_each_coordinate_is_a_martingale():
    assert d.conditional_step()["mean"] == d.q


def test_conditional_collision_step():
    assert is_zero(d.conditional_step()["sigma"] - (1 / n + (1 - 1 / n) * d.sigma))


def test_expected_sigma_is_eq6():
    derived = d.expected_sigma()
    assert is_zero(derived - (1 - (1 - 1 / n) ** m * (1 - S0)))
    # It solves the recursion it came from, and is not, say, the one-step formula.
    assert is_zero(derived.subs(m, 0) - S0)
    assert not is_zero(derived - (1 / n + (1 - 1 / n) * S0))


def test_collapse_probability_bounds_are_eq7():
    lower, upper = d.collapse_probability_bounds()
    assert is_zero(lower - (1 - n * (1 - S0) * (1 - 1 / n) ** m))
    assert is_zero(upper - (1 - (1 - S0) / (1 - 1 / s_tilde) * (1 - 1 / n) ** m))


def test_collapse_time_bounds_are_eq8():
    lower, upper = d.collapse_time_bounds()
    assert is_zero(lower - (1 + (1 - S0) / (1 - 1 / s_tilde) * (n - 1)))
    assert is_zero(upper - (1 + (1 - S0) * n * (n - 1)))


@pytest.mark.parametrize("n_, S0_, support_", [(10, 0.1, 52), (3, 0.5, 2), (400, 0.02, 600)])
def test_theory_functions_match_the_derivation(n_, S0_, support_):
    values = {n: n_, S0: S0_, s_tilde: support_}
    ms = np.arange(1, 40, 7)
    S_expr = d.expected_sigma()
    lower_rho, upper_rho = d.collapse_probability_bounds()
    lo, hi = theory.collapse_probability_bounds(ms, n_, S0_, support_)
    for i, mm in enumerate(ms):
        at = values | {m: int(mm)}
        assert theory.S_fully_synthetic(mm, n_, S0_) == pytest.approx(float(S_expr.subs(at)), rel=1e-12)
        assert lo[i] == pytest.approx(float(lower_rho.subs(at)), rel=1e-12, abs=1e-12)
        assert hi[i] == pytest.approx(float(upper_rho.subs(at)), rel=1e-12, abs=1e-12)
    lower_T, upper_T = d.collapse_time_bounds()
    assert theory.collapse_time_bounds(n_, S0_, support_) == pytest.approx(
        (float(lower_T.subs(values)), float(upper_T.subs(values))), rel=1e-12
    )


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: theory.S_fully_synthetic(-1, 10, 0.1), "m"),
        (lambda: theory.S_fully_synthetic(1.5, 10, 0.1), "m"),
        (lambda: theory.S_fully_synthetic(1, 0, 0.1), "n"),
        (lambda: theory.S_fully_synthetic(1, 10, 1.2), "S0"),
        (lambda: theory.S_fully_synthetic(1, 10, float("nan")), "S0"),
        (lambda: theory.collapse_probability_bounds(1, 10, 0.1, 1), "support"),
        # Eq. (7) bounds models fitted on n samples: at m = 0, p = (0.99, 0.01) and n = 10 its
        # lower bound would be 0.802 while ρ_0 = 0.
        (lambda: theory.collapse_probability_bounds(np.array([0, 1]), 10, 0.9802, 2), "m"),
        # A Dirac mass has already collapsed: no diffusion time, and no NaN.
        (lambda: theory.diffusion_collapse_time([1.0, 0.0], 10), "p"),
        (lambda: theory.collapse_time_bounds(10, 0.0, 52), "S0"),
    ],
)
def test_theory_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()


@pytest.mark.parametrize("K", [2, 3, 4])
def test_fixation_time_solves_the_backward_equation(K):
    t_mean, generator, vertex, faces = d.fixation_time(K)
    assert generator == -1
    assert vertex == 0
    assert faces == [0] * K


@pytest.mark.parametrize("K", [2, 3, 4])
def test_the_generator_comes_from_the_chains_moments(K):
    """Zero drift and covariance (diag x − xxᵀ)/n, from the multinomial MGF."""
    xs, drift, covariance = d.diffusion_coefficients(K)
    assert drift == sp.zeros(K, 1)
    expected = (sp.diag(*xs) - sp.Matrix(xs) * sp.Matrix(xs).T) / n
    assert (covariance - expected).applyfunc(sp.simplify) == sp.zeros(K, K)


def test_fixation_time_is_not_solved_by_a_wrong_constant():
    """The check has teeth: doubling the formula breaks L t = −1."""
    xs = list(sp.symbols("x1:4", positive=True))
    t_mean, _, _, _ = d.fixation_time(3)
    wrong = d.diffusion_generator(2 * t_mean, 3).subs(xs[-1], 1 - xs[0] - xs[1])
    assert sp.simplify(wrong) == -2


def test_feller_extinction_probability_solves_its_backward_equation():
    extinct, residual = d.feller_extinction()
    assert residual == 0
    assert sp.limit(extinct, d.time, sp.oo) == 1  # a lone diffusing token is lost eventually
    # Boundary conditions: lost at once from x = 0, and not yet at t = 0 from x > 0.
    assert extinct.subs(d.x, 0) == 1
    assert sp.limit(extinct, d.time, 0, "+") == 0


def test_diffusion_collapse_time_matches_the_derivation():
    p = np.array([0.5, 0.3, 0.2, 0.0])
    t_mean, _, _, _ = d.fixation_time(3)
    xs = sp.symbols("x1:4", positive=True)
    expected = float(t_mean.subs(dict(zip(xs, (0.5, 0.3, 0.2)))).subs(n, 40))
    assert theory.diffusion_collapse_time(p, 40) == pytest.approx(expected, rel=1e-12)
    # Two equal tokens: the classical 2n log 2.
    assert theory.diffusion_collapse_time([0.5, 0.5], 100) == pytest.approx(200 * np.log(2), rel=1e-12)


def test_diffusion_first_loss_time():
    p = np.full(20, 0.05)
    t1 = theory.diffusion_first_loss_time(p, 50)
    assert theory.diffusion_first_loss_time(p, 100) == pytest.approx(2 * t1, rel=1e-8)
    assert 0 < t1 < theory.diffusion_collapse_time(p, 50)
    # Rarer tokens are lost sooner.
    assert theory.diffusion_first_loss_time(np.r_[np.full(19, 0.05) - 0.0005, 0.0595], 50) > 0
    assert theory.diffusion_first_loss_time(np.r_[0.01, np.full(19, 0.99 / 19)], 50) < t1


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: theory.diffusion_collapse_time([0.5, 0.6], 10), "p"),
        (lambda: theory.diffusion_collapse_time([[0.5, 0.5]], 10), "p"),
        (lambda: theory.diffusion_collapse_time([0.5, 0.5], 0), "n"),
        (lambda: theory.diffusion_first_loss_time([1.0, 0.0], 10), "p"),
    ],
)
def test_diffusion_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()


def test_feller_median_loss_time():
    assert sp.simplify(d.feller_median_loss_time() - 2 * n * d.x / sp.log(2)) == 0


def test_exact_collapse_time_by_tokens_in_closed_form():
    """Small n, exactly: polynomials in the power sums; E[T] = 3 − 2 S_0 and E[T²] = 11 − 10 S_0
    at n = 2; 1 at a Dirac; E[T] and E[T²] equal to the chain on partitions (which computes its
    second moment by its own solve) and to the numpy solver for a concrete p."""
    from modelcollapse.exact import expected_collapse_time, expected_time_to_tokens_left

    ET2, ETT2, P2 = d.collapse_time_by_tokens(2)
    assert sp.simplify(ET2 - (3 - 2 * P2[1])) == 0
    assert sp.simplify(ETT2 - (11 - 10 * P2[1])) == 0
    p = np.array([0.5, 0.3, 0.15, 0.05])
    for samples in (2, 3, 4, 5):
        ET, ETT, P = d.collapse_time_by_tokens(samples)
        at_p = {P[k - 1]: float(np.sum(p**k)) for k in range(1, samples + 1)}
        assert ET.subs({Pk: 1 for Pk in P}) == 1
        assert ETT.subs({Pk: 1 for Pk in P}) == 1
        joint, by_tokens = expected_time_to_tokens_left(p, samples, 1), expected_collapse_time(p, samples)
        assert float(ET.subs(at_p)) == pytest.approx(joint.mean, rel=1e-12)
        assert float(ET.subs(at_p)) == pytest.approx(by_tokens.mean, rel=1e-12)
        assert float(ETT.subs(at_p)) == pytest.approx(joint.std**2 + joint.mean**2, rel=1e-10)
        assert float(ETT.subs(at_p)) == pytest.approx(by_tokens.std**2 + by_tokens.mean**2, rel=1e-10)


def test_collapse_time_series_give_the_second_moment():
    """T² = Σ_{k<T} (2k + 1), Σ_{k≥1} Q^{k−1} = F and Σ_{k≥1} (2k + 1) Q^{k−1} = 2F² + F, and
    the matrix identity at a concrete transient block (n = 6), summed numerically."""
    squares, first, second = d.collapse_time_series()
    assert squares == sp.Symbol("T", integer=True, positive=True) ** 2
    assert (first, second) == (0, 0)
    from scipy.stats import binom

    states = np.arange(1, 6)
    Q = binom.pmf(states[None, :], 6, states[:, None] / 6)
    F = np.linalg.inv(np.eye(5) - Q)
    series = sum((2 * k + 1) * np.linalg.matrix_power(Q, k - 1) for k in range(1, 2000))
    np.testing.assert_allclose(series, 2 * F @ F + F, rtol=1e-10)

def test_the_upper_bound_on_the_collapse_time_is_quadratic():
    """The book names (8)'s upper bound at n = 400 by its value over n and by its slope, which
    differ because it is quadratic: the notebook's central difference is sympy's derivative."""
    _, upper = d.collapse_time_bounds()
    assert sp.degree(sp.expand(upper), n) == 2
    values = {n: 400, S0: 0.1, s_tilde: 52}
    slope = float(sp.diff(upper, n).subs(values))
    upper_at = [theory.collapse_time_bounds(k, 0.1, 52)[1] for k in (399, 401)]
    central = (upper_at[1] - upper_at[0]) / 2
    assert central == pytest.approx(slope, rel=1e-12)
    assert slope == pytest.approx(2 * float(upper.subs(values)) / 400, rel=0.01)  # about twice
