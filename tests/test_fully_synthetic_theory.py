"""Theorem 1 (NOTES §4): the sympy derivation reaches the paper's printed formulas, and the
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
    ms = np.arange(0, 40, 7)
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
        (lambda: theory.collapse_time_bounds(10, 0.0, 52), "S0"),
    ],
)
def test_theory_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()
