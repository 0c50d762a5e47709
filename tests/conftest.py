"""Shared fixtures and helpers for the unit tests."""

import numpy as np
import pytest


@pytest.fixture
def p_small():
    """A ground truth with a zero entry, so support and collapse have something to show."""
    return np.array([0.5, 0.3, 0.15, 0.05, 0.0])


def assert_within_standard_errors(samples, expected, z=4.0, axis=0):
    """Mean of ``samples`` along ``axis`` within ``z`` estimated standard errors of ``expected``.

    The standard error is estimated from the same samples, so the tolerance follows from the
    data and the number of runs, not from a number chosen to pass.
    """
    samples = np.asarray(samples, dtype=float)
    n = samples.shape[axis]
    mean = samples.mean(axis=axis)
    se = samples.std(axis=axis, ddof=1) / np.sqrt(n)
    gap = np.abs(mean - expected)
    # Where every sample is identical (a zero-probability token) the mean must be exact.
    ok = np.where(se > 0, gap <= z * se, gap <= 1e-12)
    assert np.all(ok), f"mean {mean} vs expected {expected}: gaps {gap} exceed {z} standard errors {se}"
