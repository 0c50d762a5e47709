"""The character model on text: counting, sampling, smoothing, cross-entropy."""

import math
from collections import Counter

import numpy as np
import pytest

from modelcollapse import charmodel as cm

TEXT = "abracadabra, abracadabra!"


def test_encode_decode_roundtrip():
    ids, alphabet = cm.encode(TEXT)
    assert cm.decode(ids, alphabet) == TEXT
    with pytest.raises(ValueError, match="outside the alphabet"):
        cm.encode("xyz", alphabet="xy")


@pytest.mark.parametrize("ell", [0, 1, 2, 3])
def test_fit_counts_like_a_naive_counter(ell):
    ids, alphabet = cm.encode(TEXT)
    model = cm.fit(ids, ell, len(alphabet))
    naive = Counter((TEXT[t - ell : t], TEXT[t]) for t in range(ell, len(TEXT)))
    got = {}
    for code, row in zip(model.contexts, model.counts):
        context = "".join(alphabet[(int(code) // len(alphabet) ** (ell - 1 - j)) % len(alphabet)] for j in range(ell))
        for k, c in enumerate(row):
            if c:
                got[(context, alphabet[k])] = int(c)
    assert got == dict(naive)
    np.testing.assert_allclose(model.probabilities.sum(1), 1)


def test_fitting_two_corpora_adds_their_counts_without_a_seam():
    ids, alphabet = cm.encode(TEXT)
    s = len(alphabet)
    a, b = ids[:10], ids[10:]
    both = cm.fit([a, b], 2, s)
    assert both.counts.sum() == (len(a) - 2) + (len(b) - 2)


def test_sampling_uses_only_seen_transitions_and_is_seeded():
    ids, alphabet = cm.encode(TEXT * 4)
    s = len(alphabet)
    model = cm.fit(ids, 2, s)
    out = cm.sample(model, 500, 3)
    assert np.array_equal(out, cm.sample(model, 500, 3))
    seen = {(int(c), k) for c, row in zip(model.contexts, model.counts) for k in np.flatnonzero(row)}
    codes = cm.context_codes(out, 2, s)
    pairs = list(zip(codes.tolist(), out[2:].tolist()))
    # Every transition is one the model was trained on, except right after a restart.
    assert sum((c, k) not in seen for c, k in pairs) <= 2 * (len(pairs) // 100 + 1)


def test_sampling_reproduces_the_model_on_average():
    """A first-order model resampled at length 20,000: empirical transition frequencies within
    4 standard errors of the model's probabilities (binomial s.e. per transition)."""
    ids, alphabet = cm.encode(TEXT * 4)
    s = len(alphabet)
    model = cm.fit(ids, 1, s)
    refit = cm.fit(cm.sample(model, 20_000, 4), 1, s)
    rows = refit.rows(model.contexts)
    assert np.all(rows >= 0)
    p = model.probabilities
    n = refit.counts[rows].sum(1, keepdims=True)
    se = np.sqrt(p * (1 - p) / n)
    gap = np.abs(refit.probabilities[rows] - p)
    assert np.all(gap <= 4 * se + 1e-12)


def test_smoothing_never_gives_zero_and_sums_to_one():
    ids, alphabet = cm.encode(TEXT)
    models = cm.fit_orders(ids, 2, len(alphabet))
    history = np.array([[0, 0], [ids[0], ids[1]]])
    p = cm.smoothed(models, history)
    assert np.all(p > 0)
    np.testing.assert_allclose(p.sum(1), 1)


def test_cross_entropy_matches_a_direct_computation():
    ids, alphabet = cm.encode(TEXT)
    models = cm.fit_orders(ids, 1, len(alphabet))
    direct = []
    for t in range(1, len(ids)):
        p = cm.smoothed(models, ids[t - 1 : t][None, :])[0]
        direct.append(-math.log2(p[ids[t]]))
    assert cm.cross_entropy_bits(models, ids) == pytest.approx(float(np.mean(direct)), rel=1e-12)


@pytest.mark.parametrize("call, name", [
    (lambda m: cm.fit(np.arange(3), -1, 3), "ell"),
    (lambda m: cm.sample(m, 0, 1), "length"),
    (lambda m: cm.sample(m, 10, None), "rng"),
])
def test_rejects_bad_input(call, name):
    ids, alphabet = cm.encode(TEXT)
    model = cm.fit(ids, 1, len(alphabet))
    with pytest.raises(ValueError, match=f"^{name} must"):
        call(model)


def test_recursive_training_shapes_and_real_reuse():
    ids, alphabet = cm.encode(TEXT * 40)
    s = len(alphabet)
    gens = cm.recursive_training(ids, 400, 0.5, 3, 1, s, rng=1)
    assert len(gens) == 3 and gens[-1].synthetic is None
    assert all(len(g.models) == 2 for g in gens)
    assert len(gens[0].synthetic) == 200
    # Generation 2 counts 200 synthetic + 200 real characters (each minus its first context).
    assert gens[1].models[-1].counts.sum() == (200 - 1) + (200 - 1)
    with pytest.raises(ValueError, match="^synthetic_fraction must"):
        cm.recursive_training(ids, 400, 0.0, 3, 1, s, rng=1)


def test_figure5_metrics_measure_each_generation_against_the_first():
    """Drift is zero at generation 1 and is the mean L1 distance of the smoothed conditionals
    after; the other columns are each generation's own counts and cross-entropy."""
    ids, alphabet = cm.encode(TEXT * 40)
    gens = cm.recursive_training(ids, 400, 1.0, 3, 2, len(alphabet), rng=2)
    history = np.stack([ids[t - 2 : t] for t in range(2, 60, 3)])
    metrics = cm.figure5_metrics(gens, history, ids[:200])
    assert metrics["drift"][0] == 0
    p1, p3 = (cm.smoothed(g.models, history) for g in (gens[0], gens[2]))
    assert metrics["drift"][2] == pytest.approx(np.abs(p3 - p1).sum(1).mean(), rel=1e-12)
    assert metrics["drift"][2] > 0
    assert metrics["bits"][1] == cm.cross_entropy_bits(gens[1].models, ids[:200])
    assert list(metrics["contexts"]) == [len(g.models[-1].contexts) for g in gens]
    assert metrics["characters"][0] == len(set(ids[:400].tolist()))
    entropy = -(p3 * np.log(p3)).sum(1).mean()
    assert metrics["entropy"][2] == pytest.approx(entropy, rel=1e-12)
    assert 0 < metrics["entropy"][2] < np.log(len(alphabet))
