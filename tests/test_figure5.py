"""The Figure 5 experiment's set-up and its counting chains (the transformer's chains are
tested in tests/test_neural.py, where JAX is at hand)."""

import numpy as np
import pytest

from modelcollapse import charmodel as cm
from modelcollapse import figure5
from modelcollapse.data import decode, encode

TEXT = "abracadabra, abracadabra!" * 40


def test_split_segment_and_probes():
    split = figure5.split_text(TEXT)
    ids, vocabulary = encode(TEXT)
    assert split.vocabulary == vocabulary and len(split.train) == int(0.9 * len(ids))
    np.testing.assert_array_equal(np.concatenate([split.train, split.held_out]), ids)
    segment = figure5.real_segment(split.train, 400, seed=3)
    assert len(segment) >= 400
    np.testing.assert_array_equal(segment, split.train[len(split.train) - len(segment):])
    np.testing.assert_array_equal(segment, figure5.real_segment(split.train, 400, seed=3))
    probes = figure5.probe_contexts(split.train, 2, 7, seed=4)
    assert probes.shape == (7, 2)
    for bad, name in [(dict(text=b"x"), "text"), (dict(train_share=1.0), "train_share")]:
        with pytest.raises(ValueError, match=f"^{name} must"):
            figure5.split_text(**(dict(text=TEXT) | bad))
    with pytest.raises(ValueError, match="^train must hold more than corpus_size"):
        figure5.real_segment(split.train, len(split.train), seed=0)


def test_counting_generations_shapes_and_real_reuse():
    ids, vocabulary = encode(TEXT)
    gens = figure5.counting_generations(ids, vocabulary, 1, 0.5, 3, 400, seed=1)
    assert len(gens) == 3 and gens[-1].synthetic is None
    assert all(len(g.models) == 2 for g in gens)
    assert len(gens[0].synthetic) == 200
    # Generation 2 counts 200 synthetic + 200 real characters (each minus its first context).
    assert gens[1].models[-1].counts.sum() == (200 - 1) + (200 - 1)
    with pytest.raises(ValueError, match=r"^synthetic_fraction must be a number in \[0, 1\]"):
        figure5.counting_generations(ids, vocabulary, 1, 1.5, 3, 400, seed=1)


def test_with_no_synthetic_share_every_generation_is_generation_one():
    ids, vocabulary = encode(TEXT)
    gens = figure5.counting_generations(ids, vocabulary, 1, 0.0, 3, 400, seed=1)
    assert all(g.synthetic is None for g in gens)
    for g in gens[1:]:
        np.testing.assert_array_equal(g.models[-1].counts, gens[0].models[-1].counts)


def test_counting_chains_measure_each_generation_against_the_first():
    """Drift is zero at generation 1 and is the mean L1 distance of the smoothed conditionals
    after; the other arrays are each generation's own counts and cross-entropy; chain k draws
    from the k-th child of the seed."""
    ids, vocabulary = encode(TEXT)
    probes = np.stack([ids[t - 2 : t] for t in range(2, 60, 3)])
    truth = cm.fit_orders(ids, 2, len(vocabulary))
    chains = figure5.counting_chains(ids, vocabulary, 2, [1.0, 0.5], 3, 400, 2,
                                     probes=probes, held_out=ids[:200], truth=truth)
    full, half = chains
    gens = figure5.counting_generations(ids, vocabulary, 2, 1.0, 3, 400,
                                        np.random.SeedSequence(2).spawn(2)[0])
    assert full.drift[0] == 0
    p1, p3 = (cm.smoothed(g.models, probes) for g in (gens[0], gens[2]))
    assert full.drift[2] == pytest.approx(np.abs(p3 - p1).sum(1).mean(), rel=1e-12)
    assert full.drift[2] > 0
    assert full.bits[1] == cm.cross_entropy_bits(gens[1].models, ids[:200])
    assert full.characters[0] == len(set(ids[:400].tolist()))
    entropy = -(p3 * np.log(p3)).sum(1).mean()
    assert full.entropy[2] == pytest.approx(entropy, rel=1e-12)
    assert 0 < full.entropy[2] < np.log(len(vocabulary))
    assert full.truth_entropy == pytest.approx(figure5.mean_entropy(cm.smoothed(truth, probes)))
    assert (full.floor_batches, full.floor_weights) == (0.0, 0.0)
    assert len(full.samples) == 2 and len(full.samples[0][0]) == figure5.SAMPLE_CHARACTERS
    assert full.samples[0][0] == decode(gens[0].synthetic[:figure5.SAMPLE_CHARACTERS], vocabulary)
    assert half.synthetic_fraction == 0.5 and half.drift[0] == 0 and half.bits[0] == full.bits[0]
    with pytest.raises(ValueError, match="^synthetic_fractions must"):
        figure5.counting_chains(ids, vocabulary, 2, [1.0, -0.5], 3, 400, 2,
                                probes=probes, held_out=ids[:200], truth=truth)
    with pytest.raises(ValueError, match="^seed must"):
        figure5.counting_chains(ids, vocabulary, 2, [1.0], 3, 400, np.random.default_rng(0),
                                probes=probes, held_out=ids[:200], truth=truth)


def test_mean_entropy():
    rows = np.array([[0.25] * 4, [1.0, 0, 0, 0]])
    assert figure5.mean_entropy(rows) == pytest.approx(np.log(4) / 2)


def test_the_mixes_and_their_keys():
    assert list(figure5.MIXES) == list(figure5.MIX_KEYS)
    assert list(figure5.MIXES.values()) == [1.0, 0.5, 0.2]


def test_resolved_is_the_one_sided_t_bound_paired_over_seeds():
    """Differences 1, 2, 3: mean 2, sd 1, bound t(0.975, 2)/√3 = 2.48: not resolved; adding a
    constant 3 to a resolves it. within is its negation."""
    from scipy import stats

    bound = stats.t.ppf(0.975, 2) / np.sqrt(3)
    assert figure5.resolved([1, 2, 3], [0, 0, 0]) == (False, f"+2.000 against a bound of {bound:.3f}")
    assert figure5.resolved([4, 5, 6], [0, 0, 0])[0]
    assert figure5.within([1, 2, 3], [0, 0, 0])[0] and not figure5.within([4, 5, 6], [0, 0, 0])[0]
    with pytest.raises(ValueError, match="a must hold at least 2"):
        figure5.resolved([1.0], [0.0])
    with pytest.raises(ValueError, match="a must be finite"):
        figure5.resolved([1.0, np.nan], [0.0, 0.0])
    with pytest.raises(ValueError, match="b the same shape"):
        figure5.resolved([1.0, 2.0], [0.0, 0.0, 0.0])


def test_trend_is_the_least_squares_slope_of_each_row():
    rows = np.array([[1.0, 3.0, 5.0, 7.0], [2.0, 2.0, 2.0, 2.0], [0.0, 1.0, 0.0, 1.0]])
    np.testing.assert_allclose(figure5.trend(rows), [np.polyfit(range(4), r, 1)[0] for r in rows],
                               atol=1e-12)
    with pytest.raises(ValueError, match="at least two generations"):
        figure5.trend(np.ones((2, 1)))
