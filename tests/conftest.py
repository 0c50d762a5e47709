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


# The files that take longest under `make test`, longest first (notebook 06 alone is over half of
# a serial run: benchmarks/RESULTS.md). pytest-xdist hands out whole files in collection order
# (pyproject.toml: --dist loadfile --no-loadscope-reorder), so these start at once and the wall
# time approaches the longest of them rather than the sum. Serially the order changes nothing.
SLOWEST_FIRST = (
    "notebooks/06-transformer.ipynb",
    "notebooks/07-fit-direction.ipynb",
    "notebooks/05-real-text.ipynb",
    "notebooks/02-fully-synthetic.ipynb",
    "notebooks/03-partially-synthetic.ipynb",
    "notebooks/04-data-reuse.ipynb",
    "tests/test_neural.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {path: i for i, path in enumerate(SLOWEST_FIRST)}
    # A stable sort: each file's items keep their order, so a notebook's cells stay in sequence.
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
