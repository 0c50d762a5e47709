"""The character model on text: counting, sampling, smoothing, cross-entropy."""

import math
from collections import Counter

import numpy as np
import pytest

from modelcollapse import charmodel as cm
from modelcollapse.data import encode

TEXT = "abracadabra, abracadabra!"


@pytest.mark.parametrize("ell", [0, 1, 2, 3])
def test_fit_counts_like_a_naive_counter(ell):
    ids, vocabulary = encode(TEXT)
    model = cm.fit(ids, ell, len(vocabulary))
    naive = Counter((TEXT[t - ell : t], TEXT[t]) for t in range(ell, len(TEXT)))
    got = {}
    for code, row in zip(model.contexts, model.counts):
        context = "".join(vocabulary[(int(code) // len(vocabulary) ** (ell - 1 - j)) % len(vocabulary)] for j in range(ell))
        for k, c in enumerate(row):
            if c:
                got[(context, vocabulary[k])] = int(c)
    assert got == dict(naive)
    np.testing.assert_allclose(model.probabilities.sum(1), 1)


def test_fitting_two_corpora_adds_their_counts_without_a_seam():
    ids, vocabulary = encode(TEXT)
    s = len(vocabulary)
    a, b = ids[:10], ids[10:]
    both = cm.fit([a, b], 2, s)
    assert both.counts.sum() == (len(a) - 2) + (len(b) - 2)


def test_sampling_uses_only_seen_transitions_and_is_seeded():
    ids, vocabulary = encode(TEXT * 4)
    s = len(vocabulary)
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
    ids, vocabulary = encode(TEXT * 4)
    s = len(vocabulary)
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
    ids, vocabulary = encode(TEXT)
    models = cm.fit_orders(ids, 2, len(vocabulary))
    history = np.array([[0, 0], [ids[0], ids[1]]])
    p = cm.smoothed(models, history)
    assert np.all(p > 0)
    np.testing.assert_allclose(p.sum(1), 1)


def test_cross_entropy_matches_a_direct_computation():
    ids, vocabulary = encode(TEXT)
    models = cm.fit_orders(ids, 1, len(vocabulary))
    direct = []
    for t in range(1, len(ids)):
        p = cm.smoothed(models, ids[t - 1 : t][None, :])[0]
        direct.append(-math.log2(p[ids[t]]))
    assert cm.cross_entropy_bits(models, ids) == pytest.approx(float(np.mean(direct)), rel=1e-12)


@pytest.mark.parametrize("call, name", [
    (lambda m: cm.fit(np.arange(3), -1, 3), "ell"),
    (lambda m: cm.sample(m, 0, 1), "length"),
    (lambda m: cm.sample(m, 10, None), "seed"),
])
def test_rejects_bad_input(call, name):
    ids, vocabulary = encode(TEXT)
    model = cm.fit(ids, 1, len(vocabulary))
    with pytest.raises(ValueError, match=f"^{name} must"):
        call(model)
