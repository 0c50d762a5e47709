"""Gradient descent on the paper's softmax model reaches the counting estimate, at the speed the
curvature predicts; with a zero count it only creeps towards the boundary like 1/t."""

import numpy as np
import pytest

from modelcollapse.model import fit
from modelcollapse.softmax import (
    boundary_gap_constants,
    convergence_factors,
    counting_loss,
    cross_entropy,
    default_learning_rate,
    gradient,
    train_softmax,
)

COUNTS = np.array([[5, 1, 3], [2, 8, 1]])


def test_gradient_matches_finite_differences():
    W = np.random.default_rng(0).normal(size=COUNTS.shape)
    h = 1e-6
    numeric = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[idx] = h
        numeric[idx] = (cross_entropy(W + e, COUNTS) - cross_entropy(W - e, COUNTS)) / (2 * h)
    # Central differences: truncation O(h²) ~ 1e-12, rounding ~ eps/h ~ 1e-10.
    np.testing.assert_allclose(gradient(W, COUNTS), numeric, atol=1e-8)


def test_cross_entropy_is_stable_for_huge_logits():
    W = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    assert np.isfinite(cross_entropy(W, COUNTS))
    assert np.all(np.isfinite(gradient(W, COUNTS)))


def test_counting_loss_is_the_loss_at_the_counting_estimate():
    assert counting_loss(COUNTS) == pytest.approx(cross_entropy(np.log(fit(COUNTS)), COUNTS), abs=1e-15)


def test_gradient_descent_reaches_the_counting_estimate():
    """All counts positive: near the optimum the error contracts by at most ``r`` =
    max(convergence_factors) per step, so after ``t`` steps it is ~ r^t times its size at the
    start (< 1). We run until r^t < 1e-13; what is left is rounding, ~1e-16 times the
    conditioning of the rows (< 1e3 here), so a 1e-10 tolerance has room to spare yet fails at
    once if GD stopped short or converged elsewhere (the initial gap is ~0.4)."""
    r = float(np.max(convergence_factors(COUNTS)))
    assert 0 < r < 1
    steps = int(np.ceil(np.log(1e-13) / np.log(r)))
    result = train_softmax(COUNTS, steps=steps, record_every=steps)
    assert result.gap[0].max() > 0.1
    np.testing.assert_allclose(result.probabilities, fit(COUNTS), rtol=0, atol=1e-10)
    assert result.loss[-1] == pytest.approx(counting_loss(COUNTS), abs=1e-12)


def test_the_geometric_rate_is_the_predicted_one():
    counts = np.array([[40, 1, 20], [10, 10, 10]])
    predicted = convergence_factors(counts)
    result = train_softmax(counts, steps=3000)
    gap = result.gap[:, 0]
    t = np.flatnonzero((gap < 1e-7) & (gap > 1e-12))
    observed = (gap[t[-1]] / gap[t[0]]) ** (1 / (t[-1] - t[0]))
    assert observed == pytest.approx(predicted[0], abs=2e-4)


def test_loss_never_increases_with_the_default_step():
    result = train_softmax(COUNTS, steps=500)
    assert np.all(np.diff(result.loss) <= 1e-15)
    assert result.loss[-1] < result.loss[0]


def test_a_too_large_step_can_make_the_loss_go_up():
    """The default step is a guarantee, not a formality: five times it overshoots."""
    counts = np.array([[90, 10]])
    result = train_softmax(counts, steps=20, lr=5 * default_learning_rate(counts))
    assert np.any(np.diff(result.loss) > 0)


@pytest.mark.parametrize("counts", [[[6, 3, 0]], [[5, 0, 0, 0, 0, 0]], [[7, 0], [2, 9]]])
def test_a_zero_count_is_approached_like_one_over_t(counts):
    """The optimum is on the boundary (W → −∞): the gap stays positive and decays like C/t
    with the predicted constant, i.e. halves when the number of steps doubles."""
    counts = np.array(counts)
    zero = np.flatnonzero(counts.min(axis=1) == 0)[0]
    result = train_softmax(counts, steps=20000, record_every=10000)
    gap = result.gap[:, zero]
    assert np.all(gap > 0)
    assert gap[2] / gap[1] == pytest.approx(0.5, abs=0.01)  # 20000 vs 10000 steps
    assert 20000 * gap[2] == pytest.approx(boundary_gap_constants(counts)[zero], rel=0.01)


def test_rates_are_nan_exactly_where_they_do_not_apply():
    counts = np.array([[7, 0], [2, 9]])
    assert np.isnan(convergence_factors(counts)).tolist() == [True, False]
    assert np.isnan(boundary_gap_constants(counts)).tolist() == [False, True]


def test_default_learning_rate_is_the_inverse_smoothness():
    assert default_learning_rate(COUNTS) == pytest.approx(2 * COUNTS.sum() / 11)


def test_training_is_deterministic_and_its_result_read_only():
    a, b = train_softmax(COUNTS, steps=50), train_softmax(COUNTS, steps=50)
    np.testing.assert_array_equal(a.W, b.W)
    assert a.steps.tolist() == list(range(51))
    with pytest.raises(ValueError):
        a.W[0, 0] = 1.0


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(counts=[1, 2, 3]), "counts"),
        (dict(counts=[[1, 2], [0, 0]]), "counts"),
        (dict(counts=[[1, -2]]), "counts"),
        (dict(counts=[[1.5, 2]]), "counts"),
        (dict(counts=np.zeros((0, 3))), "counts"),
        (dict(steps=0), "steps"),
        (dict(steps=2.5), "steps"),
        (dict(lr=0.0), "lr"),
        (dict(lr=-1.0), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(lr=float("inf")), "lr"),
        (dict(record_every=0), "record_every"),
    ],
)
def test_train_softmax_rejects_bad_input(kwargs, name):
    args = dict(counts=COUNTS, steps=10) | kwargs
    with pytest.raises(ValueError, match=f"^{name}"):
        train_softmax(**args)


@pytest.mark.parametrize(
    "W, name", [(np.zeros((3, 3)), "W"), (np.full(COUNTS.shape, np.nan), "W")]
)
def test_loss_and_gradient_reject_bad_logits(W, name):
    for f in (cross_entropy, gradient):
        with pytest.raises(ValueError, match=f"^{name}"):
            f(W, COUNTS)
