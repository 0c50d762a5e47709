import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from modelcollapse.model import collision_probability, fit, l1_distance, sample_counts, squared_distance, support_size

from conftest import assert_within_standard_errors

probability_rows = st.integers(1, 8).flatmap(
    lambda s: arrays(float, (3, s), elements=st.floats(0.0, 1.0)).filter(lambda a: np.all(a.sum(-1) > 0))
).map(lambda a: a / a.sum(-1, keepdims=True))


@settings(max_examples=60, deadline=None)
@given(p=probability_rows, n=st.integers(1, 500), seed=st.integers(0, 2**32 - 1))
def test_sample_counts_are_counts_of_n_draws(p, n, seed):
    counts = sample_counts(p, n, seed)
    assert counts.shape == p.shape
    assert np.issubdtype(counts.dtype, np.integer)
    assert np.all(counts >= 0)
    assert np.all(counts.sum(-1) == n)
    assert np.all(counts[p == 0] == 0), "a zero-probability token was drawn"


@settings(max_examples=60, deadline=None)
@given(counts=arrays(np.int64, (4, 5), elements=st.integers(0, 1000)).filter(lambda c: np.all(c.sum(-1) > 0)))
def test_fit_is_on_the_simplex_and_inverts_counting(counts):
    p = fit(counts)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p * counts.sum(-1, keepdims=True), counts, rtol=1e-12)


def test_sampling_is_deterministic_per_seed(p_small):
    assert np.array_equal(sample_counts(p_small, 100, 7), sample_counts(p_small, 100, 7))
    assert not np.array_equal(sample_counts(p_small, 100, 7), sample_counts(p_small, 100, 8))


def test_fitted_model_is_unbiased(p_small):
    """E p̂ = p for the counting estimator, within 4 standard errors at a fixed seed."""
    draws = fit(sample_counts(np.broadcast_to(p_small, (4000, 5)), 20, 3))
    assert_within_standard_errors(draws, p_small)


def test_expected_collision_probability_after_counting(p_small):
    """E σ_1 = 1/N + (1 − 1/N) S0 (paper §3.1, the step behind eq. (6)), within 4 standard errors."""
    N, S0 = 20, float(np.sum(p_small**2))
    sigma1 = collision_probability(fit(sample_counts(np.broadcast_to(p_small, (4000, 5)), N, 4)))
    assert_within_standard_errors(sigma1, 1 / N + (1 - 1 / N) * S0)


def test_quantities():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([1.0, 0.0, 0.0])
    assert collision_probability(p) == 0.5
    assert l1_distance(p, q) == 1.0
    assert squared_distance(p, q) == 0.5
    assert squared_distance(np.stack([p, q]), q).tolist() == [0.5, 0.0]
    assert support_size(p) == 2 and support_size(q) == 1


@pytest.mark.parametrize(
    "p, message",
    [
        ([0.5, 0.6], "sum to 1"),
        ([1.2, -0.2], "non-negative"),
        ([np.nan, 1.0], "finite"),
        ([], "at least one token"),
        (0.5, "at least one token"),
    ],
)
def test_sample_counts_rejects_bad_p(p, message):
    with pytest.raises(ValueError, match=f"p .*{message}|p must.*{message}"):
        sample_counts(p, 10, 0)


@pytest.mark.parametrize("n", [0, -3, 2.5, True, "10"])
def test_sample_counts_rejects_bad_n(n):
    with pytest.raises(ValueError, match="^n must"):
        sample_counts([0.5, 0.5], n, 0)


def test_sample_counts_requires_a_seed():
    with pytest.raises(ValueError, match="^seed must"):
        sample_counts([0.5, 0.5], 10, None)


@pytest.mark.parametrize(
    "counts, message",
    [([[1, 2], [0, 0]], "at least one sample"), ([1, -1], "non-negative whole"), ([0.5, 1], "whole numbers"), ([], "non-empty")],
)
def test_fit_rejects_bad_counts(counts, message):
    with pytest.raises(ValueError, match=f"^counts.*{message}"):
        fit(counts)
