"""Accumulating data and fresh real data (issue 5): derivations, closed forms, Monte Carlo."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from modelcollapse import Accumulate, FreshReal, simulate, theory
from modelcollapse.derivations import reuse as d
from modelcollapse.distributions import with_support_and_S0

from conftest import assert_within_standard_errors


def test_accumulate_step():
    increment, summed = d.accumulate_step()
    assert sp.simplify(increment - d.x * (1 - d.x) / (d.n * d.m**2)) == 0
    assert sp.simplify(summed - (d.V + (1 - d.S0 - d.V) / (d.n * d.m**2))) == 0


def test_accumulate_limit_is_a_sinc():
    product, ratio_limit, S_inf = d.accumulate_limit()
    assert ratio_limit == 1
    x = sp.pi / sp.sqrt(d.n)
    assert sp.simplify(S_inf - (1 - (1 - d.S0) * sp.sin(x) / x)) == 0
    # The gamma form of the product agrees with the product itself at a sample point.
    at = {d.a: sp.Rational(1, 3), d.m: 6}
    direct = sp.prod([(1 - sp.Rational(1, 9) / kk**2) for kk in range(1, 7)])
    assert sp.simplify(product.subs(at) - direct) == 0


def test_the_rising_factorials_are_the_gamma_ratio():
    """Sympy's product (rising factorials) equals Γ(m+1−a)Γ(m+1+a)/Γ(m+1)² over Γ(1−a)Γ(1+a),
    the ratio whose limit the page takes: symbolically, and at sample points."""
    product, gamma_form, gap = d.accumulate_product()
    assert gap == 0
    assert product.has(sp.RisingFactorial) and not gamma_form.has(sp.RisingFactorial)
    ratio = sp.gamma(d.m + 1 - d.a) * sp.gamma(d.m + 1 + d.a) / sp.gamma(d.m + 1) ** 2
    for a_, m_ in [(sp.Rational(1, 3), 6), (1 / sp.sqrt(7), 11)]:
        at = {d.a: a_, d.m: m_}
        value = ratio.subs(at) / (sp.gamma(1 - a_) * sp.gamma(1 + a_))
        assert sp.N(product.subs(at) - value, 30) == pytest.approx(0, abs=1e-25)


def test_fresh_real_step_is_derived_from_the_binomial_moments():
    stated = (d.w**2 * (1 - d.S0) / d.n_real + (1 - d.w) ** 2 * (1 - d.S0 - d.V) / d.n_synth
              + (1 - d.w) ** 2 * d.V)
    assert sp.simplify(d.fresh_real_step() - stated) == 0


def test_fresh_real_stationary_and_optimal_weight():
    step, stationary = d.fresh_real_stationary()
    expected = (1 - d.S0) * (d.w**2 / d.n_real + (1 - d.w) ** 2 / d.n_synth) / (1 - (1 - d.w) ** 2 * (1 - 1 / d.n_synth))
    assert sp.simplify(stationary - expected) == 0
    best, limit, only_real, V_K = d.fresh_real_optimal_weight()
    assert sp.simplify(limit - (sp.sqrt(5) - 1) / 2) == 0
    # The optimum beats fresh real data alone (w = 1) and an even mix, at K = 10.
    at = {d.K: 10, d.S0: sp.Rational(1, 10)}
    assert float(V_K.subs(d.w, best).subs(at)) < float(only_real.subs(at))
    assert float(V_K.subs(d.w, best).subs(at)) < float(V_K.subs(d.w, sp.Rational(1, 2)).subs(at))


def test_theory_matches_the_derivations():
    _, _, S_inf = d.accumulate_limit()
    assert theory.S_accumulate_limit(10, 0.1) == pytest.approx(float(S_inf.subs({d.n: 10, d.S0: 0.1})), rel=1e-12)
    # The product's tail beyond m is at least 1 − Σ_{k>m} 1/(n k²) ≥ 1 − 1/(n m).
    tail_bound = 0.9 / (10 * 4000)
    assert theory.S_accumulate(np.array([4000]), 10, 0.1)[0] == pytest.approx(theory.S_accumulate_limit(10, 0.1), abs=tail_bound)
    best, _, _, _ = d.fresh_real_optimal_weight()
    assert theory.fresh_real_optimal_weight(10) == pytest.approx(float(best.subs(d.K, 10)), rel=1e-12)
    _, stationary = d.fresh_real_stationary()
    at = {d.n_real: 7, d.n_synth: 12, d.w: sp.Rational(3, 10), d.S0: sp.Rational(1, 5)}
    assert theory.S_fresh_real_limit(7, 12, 0.3, 0.2) == pytest.approx(0.2 + float(stationary.subs(at)), rel=1e-12)


def test_accumulate_monte_carlo():
    p = with_support_and_S0(6, 6, 0.3)
    r = simulate(p, Accumulate(4), generations=30, runs=6000, seed=1)
    for m in (1, 2, 5, 30):
        assert_within_standard_errors(r.sigma[:, m], float(theory.S_accumulate(np.array([m]), 4, 0.3)[0]))


@pytest.mark.parametrize("weight", [0.3, 0.61, 1.0])
def test_fresh_real_monte_carlo(weight):
    """Past the transient, σ_m averages to the stationary S; the generations are correlated,
    so the test averages each run over generations 40..60 and uses the spread across runs."""
    p = with_support_and_S0(6, 6, 0.3)
    r = simulate(p, FreshReal(5, 5, weight), generations=60, runs=3000, seed=2)
    assert_within_standard_errors(r.sigma[:, 40:].mean(1), theory.S_fresh_real_limit(5, 5, weight, 0.3))


def test_accumulate_collapses_exactly_when_the_real_samples_agree():
    """S_∞ < 1 rules out almost-sure collapse only: a model is a Dirac mass at some generation
    exactly when p^(1) is one (the real samples stay in the pool), with probability Σ p_i^n."""
    p, n, runs = np.array([0.7, 0.3]), 3, 20_000
    r = simulate(p, Accumulate(n), generations=30, runs=runs, seed=4)
    assert set(np.unique(r.collapse_time)) == {-1, 1}
    collapsed = (r.collapse_time == 1).astype(float)
    assert_within_standard_errors(collapsed, float(np.sum(p**n)))


def test_one_sample_each_is_best_mixed_half_and_half():
    """At n = 1 the optimal-weight formula is 0/0; its limit 1/2 is the minimiser, and weight 1
    (fresh real data only) is the worst choice but one: S = 0.55 against 1.00 at S_0 = 0.1."""
    best, _, _, _ = d.fresh_real_optimal_weight()
    assert sp.limit(best, d.K, 1) == sp.Rational(1, 2)
    assert theory.fresh_real_optimal_weight(1) == 0.5
    weights = np.linspace(0, 1, 1001)
    S = [theory.S_fresh_real_limit(1, 1, w, 0.1) for w in weights]
    assert weights[int(np.argmin(S))] == 0.5
    assert theory.S_fresh_real_limit(1, 1, 0.5, 0.1) == pytest.approx(0.55, rel=1e-12)
    assert theory.S_fresh_real_limit(1, 1, 1.0, 0.1) == 1.0


@pytest.mark.parametrize("weight", [0.5, 1.0])
def test_fresh_real_monte_carlo_with_one_sample_each(weight):
    p = with_support_and_S0(6, 6, 0.3)
    r = simulate(p, FreshReal(1, 1, weight), generations=60, runs=3000, seed=3)
    assert_within_standard_errors(r.sigma[:, 40:].mean(1), theory.S_fresh_real_limit(1, 1, weight, 0.3))


@settings(max_examples=300, deadline=None)
@given(n_real=st.integers(1, 10**6), n_synth=st.integers(1, 10**6),
       weight=st.one_of(st.just(0.0), st.just(1.0), st.floats(0, 1)),
       S0=st.one_of(st.just(1.0), st.floats(1e-12, 1)))
def test_fresh_real_limit_is_a_collision_probability(n_real, n_synth, weight, S0):
    """S_0 <= S <= 1 for every input, rounding included (S_0 + V* once gave 1 + 4e-16)."""
    S = theory.S_fresh_real_limit(n_real, n_synth, weight, S0)
    assert S0 * (1 - 1e-15) <= S <= 1.0


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: theory.S_accumulate(np.array([1]), 0, 0.1), "n"),
        (lambda: theory.S_accumulate_limit(10, 2.0), "S0"),
        (lambda: theory.S_fresh_real_limit(5, 5, 1.5, 0.1), "weight"),
        (lambda: theory.fresh_real_optimal_weight(0), "n"),
    ],
)
def test_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()


def test_the_golden_ratio_is_the_optimal_weights_limit_not_its_value():
    """The intro's wording: the best weight at 10 and 10 samples is below (√5 − 1)/2, and rises
    to it as the samples grow."""
    golden = (np.sqrt(5) - 1) / 2
    weights = [theory.fresh_real_optimal_weight(k) for k in (2, 10, 100, 10_000)]
    assert np.all(np.diff(weights) > 0) and weights[-1] < golden
    assert golden - weights[1] > 0.005 and golden - weights[-1] < 1e-4
