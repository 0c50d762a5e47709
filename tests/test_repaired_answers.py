"""The three functions that gave wrong answers on valid input (issue 31), each compared with an
independent reference over a range of sizes: the first-loss integral with a fixed-grid
integration, the character model's counts with a plain-Python count, and Lemma 1's ``G`` with
its logarithm written out by hand."""

import math
from collections import Counter

import numpy as np
import pytest

from modelcollapse import charmodel, theory
from modelcollapse.distributions import with_support_and_S0, zipf_weights


def first_loss_reference(p, n, points=8001):
    """``n ∫ Π_i (1 − e^{−2q_i/u}) du`` by the trapezoid rule on a fixed grid of ``x = log u`` from
    −40 to 40: no adaptive step, no scale found from the integrand. The integrand is smooth and
    decays exponentially in ``x`` at both ends, where the trapezoid rule converges fastest."""
    q = np.asarray(p, dtype=float)
    q = q[q > 0]
    x = np.linspace(-40.0, 40.0, points)
    values = np.empty_like(x)
    for start in range(0, points, 400):  # a block of the grid at a time: 400 × tokens numbers
        block = x[start:start + 400]
        u = np.exp(block)[:, None]
        values[start:start + 400] = np.exp(block + np.log(-np.expm1(-2 * q / u)).sum(1))
    return n * np.trapezoid(values, x)


@pytest.mark.parametrize("tokens", [2, 3, 10, 50, 200, 300, 500, 2000])
@pytest.mark.parametrize("shape", ["uniform", "zipf"])
def test_diffusion_first_loss_time_matches_a_fixed_grid_integral(tokens, shape):
    p = np.full(tokens, 1 / tokens) if shape == "uniform" else zipf_weights(tokens, 1.1)
    for n in (10, 100, 10**4):
        got = theory.diffusion_first_loss_time(p, n)
        assert got == pytest.approx(first_loss_reference(p, n), rel=1e-9)


def test_diffusion_first_loss_time_at_the_issue_s_cases():
    # The values an outside check found by quadrature where the old code gave 6.9e-07, 2.3e-37, 0.
    assert theory.diffusion_first_loss_time(np.full(300, 1 / 300), 100) == pytest.approx(0.110, abs=5e-4)
    assert theory.diffusion_first_loss_time(np.full(500, 1 / 500), 100) == pytest.approx(0.0608, abs=5e-5)
    p = with_support_and_S0(600, 600, 0.1)
    assert theory.diffusion_first_loss_time(p, 100) == pytest.approx(0.00348, abs=5e-6)
    assert theory.diffusion_first_loss_time(p, 100) == pytest.approx(first_loss_reference(p, 100), rel=1e-9)


def plain_counts(ids, ell):
    """(context, next id) -> count, by walking the text in Python."""
    ids = [int(i) for i in ids]
    return Counter((tuple(ids[t - ell:t]), ids[t]) for t in range(ell, len(ids)))


def model_counts(model):
    """The same table read back from a fitted CharModel, decoding its base-s context codes."""
    out = Counter()
    for code, row in zip(model.contexts.tolist(), model.counts):
        context = []
        for _ in range(model.ell):
            code, digit = divmod(code, model.s)
            context.append(digit)
        for nxt in np.flatnonzero(row):
            out[(tuple(reversed(context)), int(nxt))] = int(row[nxt])
    return out


@pytest.mark.parametrize("s", [2, 3, 65, 256])
def test_charmodel_counts_match_a_plain_count_up_to_the_largest_order(s):
    rng = np.random.default_rng(s)
    ids = rng.integers(0, s, 2000)
    limit = charmodel.max_order(s)
    assert s ** (limit + 1) - 1 <= np.iinfo(np.int64).max < s ** (limit + 2) - 1
    for ell in sorted({0, 1, 3, limit // 2, limit}):
        assert model_counts(charmodel.fit(ids, ell, s)) == plain_counts(ids, ell)
    with pytest.raises(ValueError, match=rf"^ell must be at most max_order\(s\) = {limit} for s = {s}"):
        charmodel.fit(ids, limit + 1, s)
    with pytest.raises(ValueError, match="^ell must be at most"):
        charmodel.fit_orders(ids, limit + 1, s)


def test_charmodel_sample_writes_strings_of_the_text_at_the_largest_order():
    # At ell = 10 with s = 65 the codes wrapped: none of the written 11-character strings occurred
    # in the text. At the largest accepted order every written string of ell + 1 characters
    # (after the first context) is one the model counted.
    s = 65
    ell = charmodel.max_order(s)
    assert ell == 9
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 5, 3000) * 13  # repetitive enough that contexts recur
    model = charmodel.fit(ids, ell, s)
    written = charmodel.sample(model, 500, 3)
    seen = set(plain_counts(ids, ell))
    grams = [(tuple(written[t - ell:t].tolist()), int(written[t])) for t in range(ell, len(written))]
    assert sum(g in seen for g in grams) / len(grams) > 0.9  # restarts break a few windows


def log_G_by_hand(n, s):
    c0, c1 = math.e**3 / (2 * math.pi), 6 * math.e / math.pi**1.5
    if c0 * n / math.e + 2 <= s:
        return math.log(c1) + math.log(s) + c0 * n / (2 * math.e)
    if c0 * n / 4 + 2 <= s:
        return math.log(c1 * s) + s / 2 * math.log(c0 * n / s)
    return math.log(2**s - 2)  # exact integer, then its log: Python's log takes big ints


@pytest.mark.parametrize("n", [1, 10, 100, 10**3, 10**4, 10**6])
@pytest.mark.parametrize("s", [2, 5, 60, 600, 1100, 10**5, 10**7])
def test_G_in_log_space_and_refused_where_a_float_cannot_hold_it(n, s):
    expected = log_G_by_hand(n, s)
    assert theory.log_G(n, s) == pytest.approx(expected, rel=1e-12)
    if expected < theory.LOG_FLOAT_MAX - 1e-9:
        assert math.log(theory.G(n, s)) == pytest.approx(expected, rel=1e-12)
        bound = theory.deviation_bound(10, n, s)
        assert math.log(bound) == pytest.approx(theory.log_deviation_bound(10, n, s), rel=1e-12)
    elif expected > theory.LOG_FLOAT_MAX + 1e-9:
        with pytest.raises(ValueError, match="^n and s give G_n.s. = e\\^.*log_G"):
            theory.G(n, s)
        with pytest.raises(ValueError, match="^N, n and s give a bound .*log_deviation_bound"):
            theory.deviation_bound(10, n, s)


def test_deviation_bound_at_the_issue_s_case_and_with_a_huge_N():
    with pytest.raises(ValueError, match="log_deviation_bound"):
        theory.deviation_bound(10, 10**4, 10**5)
    expected = 0.5 * math.log(math.pi * 10**4 / 2) + log_G_by_hand(10**4, 10**5) - math.log(10)
    assert theory.log_deviation_bound(10, 10**4, 10**5) == pytest.approx(expected, rel=1e-12)
    # G alone overflows, but divided by N = 10^2600 the bound is a float again.
    big_N = 10**2600
    value = theory.deviation_bound(big_N, 10**4, 10**5)
    assert math.log(value) == pytest.approx(expected + math.log(10) - math.log(big_N), rel=1e-9)
