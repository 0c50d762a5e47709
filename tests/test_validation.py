"""The package's argument checks: each accepts what its rule allows and refuses the rest with a
message naming the argument and the rule."""

import math
import re

import numpy as np
import pytest

from modelcollapse.schemes import SCHEMES, FullySynthetic
from modelcollapse.validation import instance_of, one_distribution, real_in, seed_sequence


@pytest.mark.parametrize("value, interval", [
    (0.0, "[0, 1]"), (1, "[0, 1]"), (np.float64(0.5), "(0, 1/2]"), (0.25, "[0, 1/4]"),
    (1e300, "(0, inf)"), (np.int64(3), "(0, inf)"), (0.999, "[0, 1)"),
])
def test_real_in_accepts_the_interval(value, interval):
    out = real_in("x", value, interval)
    assert type(out) is float and out == value


@pytest.mark.parametrize("value, interval", [
    (0.0, "(0, 1]"), (1.0, "[0, 1)"), (0.5000001, "(0, 1/2]"), (-1e-300, "[0, 1]"),
    (math.inf, "(0, inf)"), (math.nan, "[0, 1]"), (True, "[0, 1]"), ("0.5", "[0, 1]"),
    (None, "[0, 1]"), (1 + 0j, "[0, 1]"),
])
def test_real_in_refuses_and_names_the_argument_and_the_interval(value, interval):
    with pytest.raises(ValueError, match=f"^zeta must be a number in {re.escape(interval)}, got"):
        real_in("zeta", value, interval)


def test_real_in_refuses_a_malformed_interval():
    with pytest.raises(ValueError, match="^interval"):
        real_in("x", 0.5, "0..1")


def test_instance_of_names_the_kinds():
    scheme = FullySynthetic(5)
    assert instance_of("scheme", scheme, SCHEMES) is scheme
    with pytest.raises(ValueError, match="^scheme must be one of FullySynthetic, PartiallySynthetic"):
        instance_of("scheme", "nope", SCHEMES)
    with pytest.raises(ValueError, match="^config must be a FullySynthetic, got 3"):
        instance_of("config", 3, FullySynthetic)


def test_one_distribution():
    np.testing.assert_array_equal(one_distribution("p", [0.25, 0.75]), [0.25, 0.75])
    with pytest.raises(ValueError, match=r"^p must be one distribution \(1-D\)"):
        one_distribution("p", [[0.5, 0.5]])
    with pytest.raises(ValueError, match="^p must sum to 1"):
        one_distribution("p", [0.5, 0.4])


def test_seed_sequence():
    root = np.random.SeedSequence(4)
    assert seed_sequence("seed", root) is root
    assert seed_sequence("seed", 4).entropy == 4
    for bad in (-1, True, 1.5, np.random.default_rng(1), None):
        with pytest.raises(ValueError, match="^seed must be a non-negative int or a SeedSequence"):
            seed_sequence("seed", bad)
