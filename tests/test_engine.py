from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelcollapse import Accumulate, FreshReal, FullySynthetic, MostRecent, PartiallySynthetic, RandomPool, simulate
from modelcollapse import engine
from modelcollapse.distributions import random_simplex

from conftest import assert_within_standard_errors

ALL_SCHEMES = [
    FullySynthetic(6),
    PartiallySynthetic(5, 8),
    MostRecent(6, 3),
    RandomPool(6),
    Accumulate(6),
    FreshReal(4, 6, 0.3),
]
schemes = st.sampled_from(ALL_SCHEMES)


@settings(max_examples=40, deadline=None)
@given(scheme=schemes, s=st.integers(2, 6), contexts=st.integers(1, 3), seed=st.integers(0, 2**31))
def test_outputs_are_consistent(scheme, s, contexts, seed):
    p = random_simplex(s, seed, contexts=contexts)
    r = simulate(p, scheme, generations=7, runs=4, seed=seed, keep_models=True)
    assert r.sigma.shape == r.drift.shape == r.support.shape == (4, contexts, 8)
    assert r.collapse_time.shape == (4, contexts)
    assert r.models.shape == (4, contexts, 8, s)
    models = r.models
    assert np.all(models >= 0)
    np.testing.assert_allclose(models.sum(-1), 1, atol=1e-12)
    np.testing.assert_allclose(models[:, :, 0], np.broadcast_to(p, (4, contexts, s)), rtol=0, atol=1e-15)
    np.testing.assert_allclose(r.sigma, (models**2).sum(-1), atol=1e-12)
    np.testing.assert_allclose(r.drift, np.abs(models - models[:, :, 1:2]).sum(-1), atol=1e-12)
    np.testing.assert_array_equal(r.support, (models > 0).sum(-1))
    assert np.all((r.sigma >= 1 / s - 1e-12) & (r.sigma <= 1 + 1e-12))
    assert np.all((r.drift >= 0) & (r.drift <= 2 + 1e-12))
    # T is the first generation >= 1 with a single token left.
    dirac = r.support[..., 1:] == 1
    first = np.where(dirac.any(-1), dirac.argmax(-1) + 1, -1)
    np.testing.assert_array_equal(r.collapse_time, first)
    # lost_at: the first generation >= 1 at which each token has no mass.
    zero = models[:, :, 1:] == 0
    np.testing.assert_array_equal(r.lost_at, np.where(zero.any(2), zero.argmax(2) + 1, -1))


@pytest.mark.parametrize("scheme", ALL_SCHEMES, ids=lambda s: type(s).__name__)
def test_same_seed_is_bit_identical(scheme, p_small):
    a = simulate(p_small, scheme, 20, 5, seed=11, keep_models=True)
    b = simulate(p_small, scheme, 20, 5, seed=11, keep_models=True)
    c = simulate(p_small, scheme, 20, 5, seed=12)
    for name in ("sigma", "drift", "support", "collapse_time", "lost_at", "models"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert not np.array_equal(a.sigma, c.sigma)
    # Keeping the models must not change the random stream.
    assert np.array_equal(a.sigma, simulate(p_small, scheme, 20, 5, seed=11).sigma)


@pytest.mark.parametrize("scheme", ALL_SCHEMES, ids=lambda s: type(s).__name__)
def test_every_generation_is_unbiased(scheme, p_small):
    """E p^(m) = p under every scheme (paper §2.1), generations 1..4, within 4 standard errors."""
    r = simulate(p_small, scheme, 4, 3000, seed=5, keep_models=True)
    for m in range(1, 5):
        assert_within_standard_errors(r.models[:, m], p_small)


def test_first_generation_collision_probability(p_small):
    """E σ_1 = 1/N + (1 − 1/N) S0, for the real samples of both main schemes."""
    S0 = float(np.sum(p_small**2))
    for scheme, N in [(FullySynthetic(7), 7), (PartiallySynthetic(12, 3), 12)]:
        r = simulate(p_small, scheme, 1, 5000, seed=6)
        assert_within_standard_errors(r.sigma[:, 1], 1 / N + (1 - 1 / N) * S0)


def test_fully_synthetic_expected_sigma_recursion(p_small):
    """E σ_m = 1 − (1 − 1/n)^m (1 − S0) (the paper's eq. 6) at m = 3 and 10."""
    n, S0 = 6, float(np.sum(p_small**2))
    r = simulate(p_small, FullySynthetic(n), 10, 5000, seed=8)
    for m in (3, 10):
        assert_within_standard_errors(r.sigma[:, m], 1 - (1 - 1 / n) ** m * (1 - S0))


def test_random_pool_matches_its_definition(p_small):
    """The engine draws RandomPool samples from the average of past models; a naive
    implementation picks a generation per sample. Both must give the exact
    E σ_2 = 1/n + (1 − 1/n) E||(p^(0) + p^(1))/2||²."""
    n, runs, S0 = 4, 6000, float(np.sum(p_small**2))
    E_sigma1 = 1 / n + (1 - 1 / n) * S0
    exact = 1 / n + (1 - 1 / n) * (S0 + 2 * S0 + E_sigma1) / 4
    engine = simulate(p_small, RandomPool(n), 2, runs, seed=9).sigma[:, 2]
    assert_within_standard_errors(engine, exact)

    rng = np.random.default_rng(10)
    naive = np.empty(runs)
    for r in range(runs):
        models = [p_small, rng.multinomial(n, p_small) / n]
        which = rng.integers(0, 2, size=n)
        tokens = [rng.choice(5, p=models[g]) for g in which]
        naive[r] = np.sum((np.bincount(tokens, minlength=5) / n) ** 2)
    assert_within_standard_errors(naive, exact)


def test_most_recent_uses_the_last_K_models():
    """With K >= m, model m averages floor(n/K) draws from each of p^(0..m-1): starting from a
    Dirac-free p whose first model is forced, E σ_2 has a closed form we check here."""
    p = np.array([0.5, 0.5])
    n, K = 4, 2  # two samples from p^(0) and two from p^(1)
    r = simulate(p, MostRecent(n, K), 2, 20000, seed=13, keep_models=True)
    # p^(1) = 2 samples from p; p^(2) = (2 from p + 2 from p^(1)) / 4. Enumerated exactly:
    a = np.arange(3)  # count of token 0 among 2 draws
    w = np.array([0.25, 0.5, 0.25])
    exact = 0.0
    for i, x1 in enumerate(a):  # p^(1) = x1/2
        for j, xa in enumerate(a):  # from p^(0)
            q = x1 / 2
            wb = np.array([(1 - q) ** 2, 2 * q * (1 - q), q**2])
            for k, xb in enumerate(a):  # from p^(1)
                t = (xa + xb) / 4
                exact += w[i] * w[j] * wb[k] * (t**2 + (1 - t) ** 2)
    assert_within_standard_errors(r.sigma[:, 2], exact)


def test_fully_synthetic_collapse_is_absorbing(p_small):
    r = simulate(p_small, FullySynthetic(3), 60, 200, seed=1, keep_models=True)
    collapsed = r.collapse_time >= 0
    assert collapsed.mean() > 0.9  # n = 3: collapse within 60 generations is near certain
    for run in np.flatnonzero(collapsed):
        T = r.collapse_time[run]
        assert np.all(r.support[run, T:] == 1)
        assert np.all(r.sigma[run, T:] == 1)
        assert np.all(r.models[run, T:] == r.models[run, T])  # the Dirac never moves


def test_partially_synthetic_keeps_the_real_support(p_small):
    r = simulate(p_small, PartiallySynthetic(5, 50), 30, 200, seed=2)
    assert np.all(r.support[:, 1:] == r.support[:, 1:2])
    assert np.all(r.collapse_time[r.support[:, 1] > 1] == -1)


def test_contexts_are_independent_chains():
    p = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    r = simulate(p, FullySynthetic(5), 10, 300, seed=3, keep_models=True)
    assert np.all(r.models[:, 0, :, 0] == 1.0), "a Dirac context must stay put"
    assert r.collapse_time.shape == (300, 2)
    assert np.all(r.collapse_time[:, 0] == 1)
    assert_within_standard_errors(r.models[:, 1, 5], p[1])


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: FullySynthetic(0), "n"),
        (lambda: FullySynthetic(2.0), "n"),
        (lambda: PartiallySynthetic(0, 5), "N"),
        (lambda: PartiallySynthetic(5, -1), "n"),
        (lambda: MostRecent(5, 0), "K"),
        (lambda: MostRecent(5, 6), "K"),
        (lambda: RandomPool(0), "n"),
        (lambda: Accumulate(0), "n"),
        (lambda: FreshReal(0, 5, 0.5), "n_real"),
        (lambda: FreshReal(5, 0, 0.5), "n_synth"),
        (lambda: FreshReal(5, 5, 1.5), "weight"),
        (lambda: FreshReal(5, 5, -0.1), "weight"),
        (lambda: FreshReal(5, 5, "half"), "weight"),
        # Sizes numpy cannot draw, or whose frequencies float64 cannot hold exactly.
        (lambda: FullySynthetic(2**63), "n"),
        (lambda: PartiallySynthetic(2**53 + 1, 5), "N"),
        (lambda: MostRecent(2**60, 2), "n"),
        (lambda: RandomPool(2**54), "n"),
        (lambda: Accumulate(2**54), "n"),
        (lambda: FreshReal(5, 2**64, 0.5), "n_synth"),
    ],
)
def test_schemes_reject_bad_sizes(make, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        make()


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(p=[0.5, 0.4]), "p"),
        (dict(p=[[0.5, 0.5], [0.1, 0.2]]), "p"),
        (dict(p=[-0.1, 1.1]), "p"),
        (dict(p=[np.nan, 1.0]), "p"),
        (dict(p=np.float64(1.0)), "p"),
        (dict(scheme="fully synthetic"), "scheme"),
        (dict(generations=0), "generations"),
        (dict(runs=0), "runs"),
        (dict(runs=1.5), "runs"),
        (dict(seed=None), "seed"),
        (dict(seed=-1), "seed"),
    ],
)
def test_simulate_rejects_bad_input(kwargs, name):
    args = dict(p=[0.5, 0.5], scheme=FullySynthetic(3), generations=3, runs=2, seed=0) | kwargs
    with pytest.raises(ValueError, match=f"^{name} must"):
        simulate(**args)


def test_scheme_objects_are_frozen():
    with pytest.raises(AttributeError):
        FullySynthetic(3).n = 4


def test_first_run_of_diracs():
    from modelcollapse.engine import first_run_of_diracs

    support = np.array([[5, 3, 1, 2, 1, 1, 1], [4, 1, 1, 1, 1, 1, 1], [4, 3, 2, 2, 2, 2, 2]])
    np.testing.assert_array_equal(first_run_of_diracs(support, 1), [2, 1, -1])
    np.testing.assert_array_equal(first_run_of_diracs(support, 3), [4, 1, -1])
    np.testing.assert_array_equal(first_run_of_diracs(support, 7), [-1, -1, -1])
    with pytest.raises(ValueError, match="^length must"):
        first_run_of_diracs(support, 0)


def test_first_run_of_one_is_the_collapse_time(p_small):
    from modelcollapse.engine import first_run_of_diracs

    r = simulate(p_small, FullySynthetic(3), 40, 50, seed=5)
    np.testing.assert_array_equal(first_run_of_diracs(r.support, 1), r.collapse_time)


CONFINED = [s for s in ALL_SCHEMES if s.confined]


@settings(max_examples=40, deadline=None)
@given(scheme=st.sampled_from(CONFINED), s=st.integers(2, 9), contexts=st.integers(1, 3),
       sparse=st.booleans(), seed=st.integers(0, 2**31))
def test_support_only_is_the_full_width_computation(scheme, s, contexts, sparse, seed):
    """Drawing on p^(1)'s support alone gives bit-identical models (the same random stream),
    whether or not the last token is in the support; sums agree to rounding."""
    p = random_simplex(s, seed, contexts=contexts)
    if sparse:  # zero tokens, the last one included, as in the paper's truths
        p[..., 1::2] = 0
        p /= p.sum(-1, keepdims=True)
    fast = simulate(p, scheme, 12, 5, seed=seed, keep_models=True)
    full = simulate(p, scheme, 12, 5, seed=seed, keep_models=True, support_only=False)
    for name in ("models", "support", "collapse_time", "lost_at"):
        assert np.array_equal(getattr(fast, name), getattr(full, name)), name
    np.testing.assert_allclose(fast.sigma, full.sigma, rtol=0, atol=1e-15)
    np.testing.assert_allclose(fast.drift, full.drift, rtol=0, atol=1e-14)


def test_support_only_is_refused_for_schemes_that_draw_from_the_truth_again(p_small):
    assert [type(s).__name__ for s in ALL_SCHEMES if not s.confined] == ["MostRecent", "RandomPool", "FreshReal"]
    with pytest.raises(ValueError, match="support_only=True needs a scheme confined"):
        simulate(p_small, RandomPool(5), 5, 2, seed=0, support_only=True)
    with pytest.raises(ValueError, match="support_only must be None"):
        simulate(p_small, FullySynthetic(5), 5, 2, seed=0, support_only="yes")


@settings(max_examples=30, deadline=None)
@given(scheme=schemes, length=st.integers(1, 5), generations=st.integers(2, 13), seed=st.integers(0, 2**31))
def test_summaries_do_not_depend_on_the_block_of_generations(scheme, length, generations, seed):
    """The engine summarises blocks of generations at once; a block of one generation is the
    plain loop. Every block length, horizons that end mid-block included, gives the same
    result: a loss that falls on a block boundary or a short last block is not missed."""
    p = random_simplex(5, seed, contexts=2)
    p[..., 0] = 0  # a token that is never drawn: lost at generation 1, not later
    p /= p.sum(-1, keepdims=True)
    plain = engine.simulate(p, scheme, generations, 4, seed=seed, keep_models=True)
    with patch.object(engine, "_block_length", lambda size: length):
        blocked = engine.simulate(p, scheme, generations, 4, seed=seed, keep_models=True)
    for name in ("models", "sigma", "drift", "support", "collapse_time", "lost_at"):
        assert np.array_equal(getattr(blocked, name), getattr(plain, name)), name


def test_the_block_of_generations_is_bounded_in_bytes():
    assert engine._block_length(10) == 64
    assert engine._block_length(10**9) == 1
    assert engine._block_length(1000 * 401) * 1000 * 401 * 8 <= engine._BLOCK_BYTES


def test_most_recent_uses_floor_n_over_K_samples_from_each_model():
    """As the paper defines it: generation 1 sees floor(n/K) real samples (one at K = n = 10, so
    a Dirac mass in every run), and a full window K·floor(n/K) samples (9 at n = 10, K = 3)."""
    p = random_simplex(8, 0, contexts=1)[0]
    r = simulate(p, MostRecent(10, 10), generations=2, runs=200, seed=3)
    assert np.all(r.support[:, 1] == 1)
    r = simulate(p, MostRecent(10, 3), generations=6, runs=50, seed=4, keep_models=True)
    counts = r.models[:, 4:] * 9  # generations 4 and beyond: a full window of three models
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)
    assert not np.allclose(r.models[:, 4:] * 10, np.round(r.models[:, 4:] * 10), atol=1e-9)


@pytest.mark.parametrize("scheme", ALL_SCHEMES, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("zeros", ["inside", "last token", "per context"])
def test_zero_probability_tokens_cost_nothing_and_change_nothing(scheme, zeros):
    """Every scheme leaves out tokens with p_i = 0 and puts them back: the same models, bit for
    bit, as the full-width run, and the same summaries."""
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.ones(9), size=2)
    if zeros == "inside":
        p[:, [1, 4, 5]] = 0
    elif zeros == "last token":
        p[:, [0, 8]] = 0
    else:  # a token absent from one context only is kept for both
        p[0, [2, 3]] = 0
        p[:, 6] = 0
    p /= p.sum(-1, keepdims=True)
    narrow = simulate(p, scheme, 25, 6, seed=3, keep_models=True)
    full = simulate(p, scheme, 25, 6, seed=3, keep_models=True, support_only=False)
    for name in ("models", "support", "collapse_time", "lost_at"):
        assert np.array_equal(getattr(narrow, name), getattr(full, name)), name
    np.testing.assert_allclose(narrow.sigma, full.sigma, rtol=1e-14)
    np.testing.assert_allclose(narrow.drift, full.drift, rtol=1e-13, atol=1e-15)
