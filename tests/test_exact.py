"""Exact collapse time of the fully synthetic chain: hand-computed cases, Monte Carlo, and the
paper's bounds (8)."""

import itertools

import numpy as np
import pytest
from scipy.stats import multinomial

from modelcollapse import FullySynthetic, simulate, theory
from modelcollapse.distributions import random_simplex, with_support_and_S0
from conftest import assert_within_standard_errors
from modelcollapse.exact import (
    MAX_SAMPLES_EXACT,
    collapse_probability,
    partition_count,
    _partition_law,
    _transition_matrix,
    expected_collapse_time,
    expected_time_to_tokens_left,
    partitions,
)


def test_two_tokens_two_samples_by_hand():
    """From p = (1/2, 1/2) with n = 2 each generation is a Dirac with probability 1/2, so T is
    geometric: mean 2, variance (1 − 1/2)/(1/2)² = 2. From p = (a, 1 − a) the first generation
    is a Dirac with probability a² + (1 − a)², otherwise it is at (1, 1): E[T] = 1 + 2·2a(1 − a)."""
    assert expected_collapse_time([0.5, 0.5], 2).mean == pytest.approx(2.0, abs=1e-12)
    assert expected_collapse_time([0.5, 0.5], 2).std == pytest.approx(np.sqrt(2), abs=1e-12)
    for a in (0.5, 0.3, 0.9):
        assert expected_collapse_time([a, 1 - a], 2).mean == pytest.approx(1 + 4 * a * (1 - a), abs=1e-12)


def test_two_tokens_three_samples_by_hand():
    """From (2/3, 1/3) the chance to stay off a Dirac is 1 − (2/3)³ − (1/3)³ = 2/3, and a
    Dirac-free generation of two tokens with n = 3 is always (2, 1) again: a geometric time with
    success 1/3, mean 3, standard deviation √6."""
    r = expected_collapse_time([2 / 3, 1 / 3], 3)
    assert r.mean == pytest.approx(3.0, abs=1e-12)
    assert r.std == pytest.approx(np.sqrt(6), abs=1e-12)


def test_a_dirac_collapses_at_once():
    r = expected_collapse_time([0.0, 1.0, 0.0], 7)
    assert (r.mean, r.std) == (1.0, 0.0)


def test_the_two_ways_to_get_the_first_generation_agree():
    q = np.array([0.5, 0.3, 0.2])
    index = {state: i for i, state in enumerate(partitions(6, 3))}
    enumerated = _partition_law(6, q, index, max_compositions=10**6)
    dynamic = _partition_law(6, q, index, max_compositions=27)  # forces the token-by-token route
    np.testing.assert_allclose(dynamic, enumerated, atol=1e-15)
    assert enumerated.sum() == pytest.approx(1.0, abs=1e-12)


def test_batched_transition_rows_are_the_multinomial_laws():
    """The solver builds all rows with k parts in one matrix product; each must be the law of the
    sorted counts of Multinomial(n, state/n) summed by brute force, and agree with the
    token-by-token route."""
    n = 9
    states = partitions(n, 4)
    index = {state: i for i, state in enumerate(states)}
    batched = _transition_matrix(n, states, index, max_compositions=10**6)
    # C(12, 3) = 220 count vectors on 4 tokens: below that cap, rows with four parts go
    # token by token
    token_by_token = _transition_matrix(n, states, index, max_compositions=219)
    for row, state in zip(batched, states):
        by_brute_force = np.zeros(len(index))
        for counts in itertools.product(range(n + 1), repeat=len(state)):
            if sum(counts) == n:
                key = tuple(sorted((c for c in counts if c), reverse=True))
                by_brute_force[index[key]] += multinomial.pmf(counts, n, np.array(state) / n)
        np.testing.assert_allclose(row, by_brute_force, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(token_by_token, batched, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(batched.sum(axis=1), 1.0, rtol=1e-12)
    assert batched[0, index[(n,)]] == 1.0  # the Dirac stays a Dirac

def test_partitions():
    assert partitions(4, 2) == [(4,), (3, 1), (2, 2)]
    assert len(partitions(10, 10)) == 42


@pytest.mark.parametrize(
    "p, n, seed",
    [
        (with_support_and_S0(5, 4, 0.4), 6, 1),
        (random_simplex(3, 2), 10, 2),
        (with_support_and_S0(600, 52, 0.1)[:52], 10, 3),  # Figure 2's p at n = 10 (its support)
    ],
)
def test_agrees_with_monte_carlo(p, n, seed):
    exact = expected_collapse_time(p, n)
    runs = 4000
    r = simulate(p, FullySynthetic(n), generations=40 * n, runs=runs, seed=seed)
    assert np.all(r.collapse_time > 0), "horizon too short for the test"
    # The exact standard deviation gives the standard error of the simulated mean.
    assert abs(r.collapse_time.mean() - exact.mean) < 4 * exact.std / np.sqrt(runs)
    assert r.collapse_time.std() == pytest.approx(exact.std, rel=0.1)


@pytest.mark.parametrize("K, n", [(2, 10), (3, 12), (4, 8), (52, 10)])
def test_lies_within_the_papers_bounds(K, n):
    p = with_support_and_S0(K, K, min(0.4, 1.5 / K)) if K > 2 else np.array([0.7, 0.3])
    S0 = float(np.sum(p**2))
    lower, upper = theory.collapse_time_bounds(n, S0, K)
    exact = expected_collapse_time(p, n).mean
    assert lower <= exact <= upper


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(p=[0.5, 0.4], n=3), "p"),
        (dict(p=[[0.5, 0.5]], n=3), "p"),
        (dict(p=[0.5, 0.5], n=0), "n"),
        (dict(p=[0.5, 0.5], n=MAX_SAMPLES_EXACT + 1), "n must be at most"),
        (dict(p=[0.5, 0.5], n=10**6), "n must be at most"),  # a dense solve of 7,000 GiB
    ],
)
def test_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        expected_collapse_time(**kwargs)


def test_the_largest_n_refused_points_to_the_diffusion():
    with pytest.raises(ValueError, match=f"at most MAX_SAMPLES_EXACT = {MAX_SAMPLES_EXACT}.*diffusion_collapse_time"):
        expected_collapse_time([0.5, 0.5], 10**6)


def test_the_partition_solver_rejects_bad_input():
    with pytest.raises(ValueError, match="^n and the support"):
        expected_time_to_tokens_left([0.2] * 5, 30, 1, max_states=100)
    with pytest.raises(ValueError, match="^tokens_left"):
        expected_time_to_tokens_left([0.2] * 5, 30, 0)


def test_first_loss_time_agrees_with_monte_carlo():
    """The first generation at which a token is lost: exact chain against the engine's lost_at."""
    p, n, runs = np.array([0.4, 0.35, 0.25]), 12, 4000
    exact = expected_time_to_tokens_left(p, n, tokens_left=2)
    r = simulate(p, FullySynthetic(n), generations=30 * n, runs=runs, seed=4)
    first_loss = np.where(r.lost_at > 0, r.lost_at, np.iinfo(np.int32).max).min(axis=-1)
    assert np.all(first_loss <= 30 * n)
    assert abs(first_loss.mean() - exact.mean) < 4 * exact.std / np.sqrt(runs)
    # Losing one token comes before losing all but one.
    assert exact.mean < expected_collapse_time(p, n).mean


def test_first_loss_on_two_tokens_is_collapse():
    p = np.array([0.6, 0.4])
    assert expected_time_to_tokens_left(p, 9, 1).mean == pytest.approx(expected_collapse_time(p, 9).mean, rel=1e-12)


def test_the_same_input_gives_the_same_bits():
    """On one machine a repeated solve is bit-identical, caches included: the rounding of stored
    values (modelcollapse.report) absorbs differences between CPUs, never between runs."""
    p = with_support_and_S0(s=600, support=52, S0=0.1)
    first, again = expected_collapse_time(p, 10), expected_collapse_time(p, 10)
    assert (first.mean.hex(), first.std.hex()) == (again.mean.hex(), again.std.hex())


@pytest.mark.parametrize("p, n", [
    ([0.5, 0.3, 0.2], 2), ([0.5, 0.3, 0.2], 17), ([0.9, 0.1], 40), ([0.25] * 4, 12),
    ([0.4, 0.3, 0.2, 0.1, 0.0], 9), (list(np.ones(10) / 10), 10),
    (list(with_support_and_S0(600, 52, 0.1)), 10),
])
def test_the_token_by_token_solver_is_the_partition_solver(p, n):
    """P(T > m) = Σ_i (p_i − P(X_i(m) = n)): one two-allele chain per token gives the joint
    chain's E[T] and sd(T), to 1e-10."""
    joint, by_tokens = expected_time_to_tokens_left(p, n, 1), expected_collapse_time(p, n)
    assert by_tokens.mean == pytest.approx(joint.mean, rel=1e-10)
    assert by_tokens.std == pytest.approx(joint.std, rel=1e-10)


def test_the_token_by_token_solver_at_the_papers_sizes():
    """n = 400 on the book's 52 tokens and n = 1000 on ten: within the paper's bounds (8), and
    near the diffusion value, which it should approach as n grows."""
    for p, n in [(with_support_and_S0(600, 52, 0.1), 400), (np.ones(10) / 10, 1000)]:
        exact = expected_collapse_time(p, n)
        lower, upper = theory.collapse_time_bounds(n, float(np.sum(p**2)), int(np.sum(p > 0)))
        assert lower < exact.mean < upper
        assert exact.mean == pytest.approx(theory.diffusion_collapse_time(p, n), rel=0.01)
    dirac = expected_collapse_time([1.0, 0.0], 50)  # a Dirac mass already
    assert (dirac.mean, dirac.std, dirac.states) == (1.0, 0.0, 0)


def test_the_partition_solver_refuses_before_enumerating():
    for n, parts in [(10, 3), (12, 5), (7, 10), (20, 20)]:
        assert partition_count(n, parts) == len(partitions(n, parts))
    with pytest.raises(ValueError, match="6292068 transient states.*expected_collapse_time has no such limit"):
        expected_time_to_tokens_left(np.ones(10) / 10, 100, 1)  # would take minutes to enumerate


def test_collapse_probability_sums_to_the_expected_collapse_time():
    """E[T] = Σ_{m ≥ 0} P(T > m): the exact ρ_m and the exact E[T] agree."""
    p = with_support_and_S0(600, 52, 0.1)
    rho = np.array([collapse_probability(p, 10, m) for m in range(1, 800)])
    assert abs(1 + np.sum(1 - rho) - expected_collapse_time(p, 10).mean) < 1e-9
    assert np.all(np.diff(rho) >= 0) and rho[-1] <= 1


def test_collapse_probability_against_simulation():
    """Three tokens, n = 6: a simulation gives the same ρ_4, one context or many at once, and a
    Dirac mass is collapsed from the start."""
    contexts = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [1.0, 0.0, 0.0]])
    rho = collapse_probability(contexts, 6, 4)
    assert rho.shape == (3,) and rho[2] == 1.0
    assert rho[0] == collapse_probability(contexts[0], 6, 4)
    r = simulate(contexts[:2], FullySynthetic(6), generations=4, runs=20_000, seed=9)
    collapsed = (r.collapse_time > 0).astype(float)  # runs × contexts
    for j in range(2):
        assert_within_standard_errors(collapsed[:, j], rho[j])


@pytest.mark.parametrize("call, name", [
    (lambda: collapse_probability([0.5, 0.6], 5, 2), "p"),
    (lambda: collapse_probability([0.5, 0.5], 0, 2), "n"),
    (lambda: collapse_probability([0.5, 0.5], 5, 0), "m"),
])
def test_collapse_probability_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
