"""The transformer of the paper's Figure 5 (modelcollapse.neural): configuration, network,
sampling, training, and its recursive chains (modelcollapse.figure5), on models small enough to
compile in seconds."""

import dataclasses
import math

import jax
import numpy as np
import pytest

neural = pytest.importorskip("modelcollapse.neural")
figure5 = pytest.importorskip("modelcollapse.figure5")
TransformerConfig = neural.TransformerConfig

TINY = TransformerConfig(layers=1, heads=2, embedding=16, context=8, dropout=0.0,
                         learning_rate=1e-2, batch_size=8, iterations=40)
TEXT = "\nthe cat sat on the mat. " * 80 + "\nthe rat ate the hat. " * 20


@pytest.fixture(scope="module")
def truth():
    return figure5.train_truth(TEXT, TINY, seed=1)


def test_paper_is_table_1_exactly():
    assert dataclasses.asdict(TransformerConfig.paper()) == dict(
        layers=8, heads=4, embedding=256, context=128, dropout=0.2, learning_rate=1e-3,
        batch_size=256, iterations=2000)


@pytest.mark.parametrize("field, value, message", [
    ("layers", 0, "layers"), ("heads", 3, "multiple of heads"), ("dropout", 1.0, "dropout"),
    ("learning_rate", 0.0, "learning_rate"), ("iterations", 2.5, "iterations"),
    ("batch_size", True, "batch_size"), ("learning_rate", math.nan, "learning_rate"),
])
def test_config_refuses_what_makes_no_sense(field, value, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(TINY, **{field: value})


def test_initialisation_is_nanogpts():
    """N(0, 0.02²) for the matrices, 0.02²/(2·layers) for the residual projections; no biases
    (nanoGPT's ``bias = False``); each standard deviation within 5 standard errors (sd of a
    sample sd ≈ σ/√(2k))."""
    config = dataclasses.replace(TINY, layers=2, embedding=32)
    model = neural.initialise(config, 50, jax.random.key(0))
    plain, scaled = neural._matrices(model)
    for weights, sigma in ((plain, 0.02), (scaled, 0.02 / 2)):
        values = np.concatenate([np.asarray(w).ravel() for w in weights])
        assert abs(values.std() - sigma) < 5 * sigma / math.sqrt(2 * values.size)
    layers = [lin for b in model.blocks for lin in (b.qkv, b.projection, b.expand, b.contract)]
    norms = [model.norm] + [n for b in model.blocks for n in (b.norm_attention, b.norm_mlp)]
    assert all(layer.bias is None for layer in layers + norms)


def test_attention_is_causal_a_batch_is_its_rows_and_the_cache_gives_the_full_forward():
    model = neural.initialise(TINY, 12, jax.random.key(3))
    ids = np.array([0, 5, 3, 7, 7, 1, 2, 11], dtype=np.int32)
    full, _ = model(ids)
    changed, _ = model(np.concatenate([ids[:5], [4, 4, 4]]).astype(np.int32))
    np.testing.assert_array_equal(np.asarray(full[:5]), np.asarray(changed[:5]))
    assert not np.allclose(full[5:], changed[5:])
    # A batch is its rows, each alone (training and evaluation run batches; sampling, rows).
    batch, _ = model(np.stack([ids, np.concatenate([ids[:5], [4, 4, 4]])]).astype(np.int32))
    np.testing.assert_allclose(np.stack([full, changed]), batch, rtol=1e-5, atol=1e-6)
    cache, steps = model.empty_cache(), []
    for position in range(len(ids)):
        logits, cache = model(ids[position : position + 1], start=position, cache=cache)
        steps.append(logits[0])
    np.testing.assert_allclose(np.stack(steps), full, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="ids must be one sequence"):
        model(np.stack([ids, ids]), cache=model.empty_cache())


def test_sampling_follows_the_models_distribution():
    """The character after the opening newline, over 4096 streams, against the model's own
    p(· | newline): every count within 5 binomial standard errors."""
    model = neural.initialise(dataclasses.replace(TINY, embedding=16), 6, jax.random.key(4))
    p = neural.next_character_distributions(model, np.zeros((1, 1), dtype=np.int32))[0]
    streams = neural.sample(model, 4096, jax.random.key(5))
    assert streams.shape == (4096, TINY.context + 1) and np.all(streams[:, 0] == 0)
    counts = np.bincount(streams[:, 1], minlength=6)
    k = streams.shape[0]
    assert np.all(np.abs(counts - k * p) <= 5 * np.sqrt(k * p * (1 - p)) + 1)


def test_training_learns_a_deterministic_text():
    """On text where each character fixes the next, a trained model's loss falls far below the
    uniform log(vocabulary) it starts near."""
    ids = np.tile(np.arange(5, dtype=np.int32), 400)[None]
    model = neural.train(dataclasses.replace(TINY, iterations=60), ids, 5, jax.random.key(6))
    windows = np.stack([ids[0, i : i + TINY.context + 1] for i in range(0, 200, 7)])
    assert neural.validation_loss(model, windows) < 0.1 * math.log(5)


def test_train_refuses_streams_shorter_than_a_window_or_ids_outside_the_vocabulary():
    with pytest.raises(ValueError, match="streams"):
        neural.train(TINY, np.zeros((4, TINY.context), dtype=int), 3, jax.random.key(0))
    with pytest.raises(ValueError, match="streams must hold character ids from 0 to 2"):
        neural.train(TINY, np.full((4, TINY.context + 1), 3), 3, jax.random.key(0))


def test_evaluation_refuses_what_jax_would_clamp(truth):
    """An id past the vocabulary, or a context past the position table, would be clamped by
    JAX's indexing without an error."""
    s = len(truth.vocabulary)
    with pytest.raises(ValueError, match="contexts must hold character ids"):
        neural.next_character_distributions(truth.model, np.full((2, 3), s))
    with pytest.raises(ValueError, match="contexts must be a 2-d array of rows of 1 to 8"):
        neural.next_character_distributions(truth.model, np.zeros((2, TINY.context + 1), int))
    with pytest.raises(ValueError, match="windows must be a 2-d array of rows of 1 to 9"):
        neural.validation_loss(truth.model, np.zeros((2, TINY.context + 2), int))
    with pytest.raises(ValueError, match="chunk"):
        neural.sample(truth.model, 4, jax.random.key(0), chunk=0)


def chains(truth, fractions, seed=0, generations=3):
    return figure5.transformer_chains(TEXT, TINY, fractions, generations, 360, seed, contexts=20,
                                      truth=truth)


def test_same_seed_same_chain_and_generation_one_shared_by_the_mixes(truth):
    (a, mixed), (b,), (c,) = chains(truth, (1.0, 0.5)), chains(truth, 1.0), chains(truth, 1.0, 1)
    np.testing.assert_array_equal(a.drift, b.drift)
    np.testing.assert_array_equal(a.bits, b.bits)
    assert a.samples == b.samples
    assert not np.array_equal(a.bits, c.bits)
    assert a.drift[0] == 0 and a.drift[-1] > 0 and a.drift.shape == (3,)
    assert mixed.bits[0] == a.bits[0] and mixed.entropy[0] == a.entropy[0]
    assert mixed.models[0] is a.models[0] and len(a.models) == 3
    assert (mixed.floor_batches, mixed.floor_weights) == (a.floor_batches, a.floor_weights)
    assert a.corpus_size == 360 // (TINY.context + 1) * (TINY.context + 1)
    assert len(a.samples) == 2 and all(len(s) == TINY.context for s in a.samples[0])


def test_with_no_synthetic_share_every_generation_is_generation_one(truth):
    """Same data, same initial weights, same batches: the only source of drift is the data."""
    (run,) = chains(truth, 0.0)
    np.testing.assert_array_equal(run.drift, 0.0)
    assert len(set(run.bits.tolist())) == 1
    assert len(set(run.entropy.tolist())) == 1


def test_noise_floors_are_positive_and_change_with_their_key(truth):
    """Batch order alone, and initial weights alone, move generation 1: both floors are positive
    distances, and a chain's floors depend on its seed."""
    (a,), (b,) = chains(truth, 1.0, 0, generations=1), chains(truth, 1.0, 1, generations=1)
    assert 0 < a.floor_batches < 2 and 0 < a.floor_weights < 2
    assert (a.floor_batches, a.floor_weights) != (b.floor_batches, b.floor_weights)


def test_a_chain_without_the_weights_floor_is_the_same_chain(truth):
    """Skipping the floor in initial weights trains one model fewer and changes nothing else."""
    (a,) = chains(truth, 1.0, 0, generations=2)
    (b,) = figure5.transformer_chains(TEXT, TINY, 1.0, 2, 360, 0, contexts=20, truth=truth,
                                      weights_floor=False)
    assert b.floor_weights is None and b.floor_batches == a.floor_batches
    np.testing.assert_array_equal(b.drift, a.drift)
    np.testing.assert_array_equal(b.kl, a.kl)


def test_a_chain_trains_with_fewer_steps_than_evaluations(truth):
    """Best-validation weights are taken at most once a step: a run of 5 steps evaluates 5 times
    (asking a run for 10 evaluations of 5 steps is refused by ``neural.train``)."""
    (run,) = figure5.transformer_chains(TEXT, dataclasses.replace(TINY, iterations=5), 1.0, 1,
                                        360, 0, contexts=5, truth=truth, weights_floor=False)
    assert run.kl.shape == (1,) and run.floor_batches > 0


def test_sampled_streams_do_not_depend_on_the_chunk(truth):
    """Stream i comes from the i-th key whatever the calls are cut into (a chunk of 64 pads its
    last call of 36 to 64 streams and drops the extra ones)."""
    key = jax.random.key(8)
    whole = neural.sample(truth.model, 100, key)
    np.testing.assert_array_equal(neural.sample(truth.model, 100, key, chunk=64), whole)
    np.testing.assert_array_equal(neural.sample(truth.model, 100, key, chunk=7), whole)


def test_entropy_is_the_mean_entropy_of_the_conditionals(truth):
    """p^(0)'s mean entropy at the probes lies in (0, log s); a uniform row has entropy log s and a
    Dirac row 0."""
    (run,) = chains(truth, 1.0, generations=2)
    assert 0 < run.truth_entropy < math.log(len(truth.vocabulary))
    assert run.entropy.shape == (2,) and np.all(run.entropy > 0)
    assert run.bits[0] == pytest.approx(
        neural.validation_loss(run.models[0], truth.validation_windows) / math.log(2), rel=1e-12)


def test_real_rows_keep_their_place_so_batches_repeat_them():
    """Two corpora with the same first rows (the real streams) and other rows after them (the
    synthetic ones): under the same batch key every window drawn from a real row is the same
    window, in the same step and slot; windows from the other rows differ."""
    rng = np.random.default_rng(0)
    real = rng.integers(0, 5, size=(6, TINY.context + 1))
    one, two = (np.concatenate([real, rng.integers(0, 5, size=(4, TINY.context + 1))])
                for _ in range(2))
    (w1, rows1), (w2, rows2) = (neural.batches(TINY, c, jax.random.key(7)) for c in (one, two))
    np.testing.assert_array_equal(rows1, rows2)
    from_real = np.asarray(rows1) < len(real)
    assert from_real.any() and (~from_real).any()
    np.testing.assert_array_equal(np.asarray(w1)[from_real], np.asarray(w2)[from_real])
    assert not np.array_equal(np.asarray(w1)[~from_real], np.asarray(w2)[~from_real])


@pytest.mark.parametrize("kwargs, message", [
    (dict(synthetic_fractions=1.5), "synthetic_fractions"),
    (dict(synthetic_fractions=(0.5, -0.1)), "synthetic_fractions"),
    (dict(synthetic_fractions=True), "synthetic_fractions"),
    (dict(generations=0), "generations"),
    (dict(corpus_size=TINY.context), "corpus_size"),
    (dict(contexts=0), "contexts"),
    (dict(seed=-1), "seed"),
    (dict(text=TEXT + "Z"), "outside the vocabulary"),
    (dict(config="small"), "config"),
    (dict(config=dataclasses.replace(TINY, context=4)), "context"),
    (dict(truth="p0"), "truth"),
    (dict(weights_floor="no"), "weights_floor must be True or False"),
    (dict(best_validation=1), "best_validation must be True or False"),
])
def test_transformer_chains_refuse_bad_arguments(truth, kwargs, message):
    arguments = dict(text=TEXT, config=TINY, synthetic_fractions=0.5, generations=2,
                     corpus_size=90, contexts=5, seed=0, truth=truth) | kwargs
    with pytest.raises(ValueError, match=message):
        figure5.transformer_chains(**arguments)


@pytest.mark.parametrize("kwargs, message", [
    (dict(text="ab" * 5), "context \\+ 1"),
    (dict(vocabulary="a"), "vocabulary"),
    (dict(text=TEXT, vocabulary="abc"), "outside the vocabulary"),
    (dict(validation_share=1.0), "validation_share"),
    (dict(text=b"bytes"), "text"),
])
def test_train_truth_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        figure5.train_truth(**(dict(text=TEXT, config=TINY) | kwargs))


def test_truth_scores_the_held_out_tail(truth):
    assert truth.vocabulary == "".join(sorted(set(TEXT)))
    assert truth.validation_windows.shape == (256, TINY.context + 1)
    assert 0 < truth.validation_loss < math.log(len(truth.vocabulary))


def test_truth_validates_on_windows_that_start_as_training_streams_do(truth):
    """Every stream a generation trains on starts with the vocabulary's first character; so does
    every window it is scored on."""
    np.testing.assert_array_equal(truth.validation_windows[:, 0], 0)


def test_kl_divergence_is_the_exact_mean_over_every_prefix(truth):
    """KL(r ‖ q) over windows is the mean over positions t of Σ_c r log(r / q) at each prefix,
    here recomputed from next_character_distributions one prefix length at a time; KL(r ‖ r) = 0,
    and a model trained elsewhere is at a positive distance."""
    other = neural.initialise(TINY, len(truth.vocabulary), jax.random.key(9))
    windows = neural.sample(truth.model, 16, jax.random.key(10))
    expected = []
    for t in range(1, TINY.context + 1):
        r = neural.next_character_distributions(truth.model, windows[:, :t])
        q = neural.next_character_distributions(other, windows[:, :t])
        expected.append(np.sum(r * np.log(r / q), axis=1))
    assert neural.kl_divergence(truth.model, other, windows) == pytest.approx(
        np.mean(expected), rel=1e-4)
    assert neural.kl_divergence(truth.model, truth.model, windows) == pytest.approx(0, abs=1e-6)
    assert np.mean(expected) > 0.1


def test_kl_divergence_refuses_another_vocabulary_or_windows_without_a_next_id(truth):
    other = neural.initialise(TINY, len(truth.vocabulary) + 1, jax.random.key(9))
    with pytest.raises(ValueError, match="vocabulary"):
        neural.kl_divergence(truth.model, other, truth.validation_windows)
    with pytest.raises(ValueError, match="at least 2 ids"):
        neural.kl_divergence(truth.model, truth.model, np.zeros((3, 1), int))


def test_best_validation_keeps_the_best_evaluated_weights():
    """With one evaluation (the last step) the kept weights are the last iterate; with ten, the
    kept weights score no worse on the validation windows than the last iterate, since the last
    step is among those evaluated."""
    rng = np.random.default_rng(2)
    streams = rng.integers(0, 6, size=(12, TINY.context + 1))
    validation = rng.integers(0, 6, size=(6, TINY.context + 1))
    config = dataclasses.replace(TINY, iterations=200)  # long enough to overfit 12 random rows
    key = jax.random.key(11)
    last = neural.train(config, streams, 6, key)
    once = neural.train(config, streams, 6, key, validation=validation, evaluations=1)
    best = neural.train(config, streams, 6, key, validation=validation, evaluations=10)
    loss = lambda model: neural.validation_loss(model, validation)  # noqa: E731
    assert loss(once) == loss(last)
    assert loss(best) < loss(last)


@pytest.mark.parametrize("kwargs, message", [
    (dict(evaluations=0), "evaluations"),
    (dict(evaluations=TINY.iterations + 1), "evaluations must be at most"),
    (dict(validation=np.zeros((2, TINY.context), int)), "validation must hold windows"),
    (dict(validation=np.full((2, TINY.context + 1), 9)), "validation must hold character ids"),
])
def test_train_refuses_bad_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        neural.train(TINY, np.zeros((4, TINY.context + 1), int), 3, jax.random.key(0), **kwargs)


def test_chains_measure_each_generations_kl_from_truth(truth):
    """KL₁ and the later generations' KL from p^(0) are positive; without best-validation
    checkpoints the chain is another chain."""
    (run,) = chains(truth, 1.0, generations=2)
    assert run.kl.shape == (2,) and np.all(run.kl > 0)
    (plain,) = figure5.transformer_chains(TEXT, TINY, 1.0, 2, 360, 0, contexts=20, truth=truth,
                                          best_validation=False)
    assert not np.array_equal(plain.kl, run.kl)
