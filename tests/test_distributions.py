import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelcollapse.distributions import random_simplex, with_support_and_S0, zipf_weights
from modelcollapse.model import collision_probability, support_size


def test_paper_setting_is_hit_exactly():
    p = with_support_and_S0(s=600, support=52, S0=0.1)
    assert p.shape == (600,)
    assert support_size(p) == 52
    assert abs(collision_probability(p) - 0.1) < 1e-12
    assert abs(p.sum() - 1) < 1e-12
    assert np.all(np.diff(p[:52]) < 0), "support should be in decreasing order"


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_with_support_and_S0_hits_its_targets(data):
    support = data.draw(st.integers(2, 300))
    s = data.draw(st.integers(support, 700))
    S0 = data.draw(st.floats(1 / support, 0.999))
    p = with_support_and_S0(s, support, S0)
    assert support_size(p) == support
    assert abs(collision_probability(p) - S0) < 1e-12
    assert abs(p.sum() - 1) < 1e-12


def test_lowest_S0_is_the_uniform_law():
    p = with_support_and_S0(10, 4, 0.25)
    np.testing.assert_array_equal(p[:4], 0.25)


def test_zipf_weights_are_a_power_law():
    w = zipf_weights(5, 2.0)
    np.testing.assert_allclose(w / w[0], 1 / np.arange(1, 6) ** 2)


@pytest.mark.parametrize(
    "args, name",
    [
        ((10, 11, 0.5), "support"),
        ((10, 4, 0.2), "S0"),  # below 1/support
        ((10, 4, 1.0), "S0"),  # only a Dirac reaches 1
        ((10, 1, 0.5), "S0"),
        ((10, 4, float("nan")), "S0"),
        ((0, 1, 1.0), "s"),
        ((10, 0, 0.5), "support"),
    ],
)
def test_with_support_and_S0_rejects_impossible_targets(args, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        with_support_and_S0(*args)


def test_random_simplex():
    p = random_simplex(3, 0, contexts=81)
    assert p.shape == (81, 3)
    np.testing.assert_allclose(p.sum(-1), 1)
    assert np.array_equal(p, random_simplex(3, 0, contexts=81))
    # Uniform on the simplex: each coordinate is Beta(1, s-1), mean 1/s.
    many = random_simplex(3, 1, contexts=20000)
    se = many.std(0, ddof=1) / np.sqrt(len(many))
    assert np.all(np.abs(many.mean(0) - 1 / 3) < 4 * se)
    with pytest.raises(ValueError, match="^contexts must"):
        random_simplex(3, 0, contexts=0)
    with pytest.raises(ValueError, match="^seed must"):
        random_simplex(3, None)
