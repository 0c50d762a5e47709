import numpy as np
import pytest

from modelcollapse.model import fit
from modelcollapse.softmax import cross_entropy, default_learning_rate, gradient, train_softmax

COUNTS = np.array([[5, 1, 3], [2, 8, 1]])


def test_gradient_matches_finite_differences():
    W = np.random.default_rng(0).normal(size=COUNTS.shape)
    h = 1e-6
    numeric = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[idx] = h
        numeric[idx] = (cross_entropy(W + e, COUNTS) - cross_entropy(W - e, COUNTS)) / (2 * h)
    np.testing.assert_allclose(gradient(W, COUNTS), numeric, atol=1e-8)


def test_gradient_descent_reaches_the_counting_estimate():
    """All counts positive: the loss is strongly convex modulo the shift of each row, so GD
    converges linearly and reaches rounding level well within 3000 steps."""
    result = train_softmax(COUNTS, steps=3000, record_every=3000)
    np.testing.assert_allclose(result.probabilities, fit(COUNTS), atol=1e-10)
    assert result.loss[-1] == pytest.approx(cross_entropy(np.log(fit(COUNTS)), COUNTS), abs=1e-12)


def test_loss_never_increases_with_the_default_step():
    result = train_softmax(COUNTS, steps=500)
    assert np.all(np.diff(result.loss) <= 1e-15)
    assert result.loss[-1] < result.loss[0]


def test_a_zero_count_is_approached_like_one_over_t():
    """With a token never seen, the optimum sits on the boundary (W → −∞): the gap to the
    counting estimate stays positive and halves when the number of steps doubles."""
    counts = np.array([[6, 3, 0]])
    result = train_softmax(counts, steps=4000, record_every=1000)
    gap = result.gap[:, 0]
    assert np.all(gap[1:] > 0)
    assert 0.4 < gap[4] / gap[2] < 0.6  # steps 4000 vs 2000


def test_default_learning_rate_is_the_inverse_smoothness():
    assert default_learning_rate(COUNTS) == pytest.approx(2 * COUNTS.sum() / 11)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(counts=[1, 2, 3]), "counts"),
        (dict(counts=[[1, 2], [0, 0]]), "counts"),
        (dict(counts=[[1, -2]]), "counts"),
        (dict(steps=0), "steps"),
        (dict(lr=0.0), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(record_every=0), "record_every"),
    ],
)
def test_train_softmax_rejects_bad_input(kwargs, name):
    args = dict(counts=COUNTS, steps=10) | kwargs
    with pytest.raises(ValueError, match=f"^{name}"):
        train_softmax(**args)
