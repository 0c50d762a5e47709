"""The paper's Figure 5 experiment: recursive training on real text (tiny Shakespeare), with the
counting model of :mod:`~modelcollapse.charmodel` (notebooks/05-real-text.ipynb) and with the
transformer of :mod:`~modelcollapse.neural` (notebooks/06-transformer.ipynb), measured the same
way. It sits above both models as the engine sits above the schemes: the models know nothing of
the experiment.

The set-up both notebooks share: the text encoded over its sorted characters and split 90/10
(:func:`split_text`), a real segment at a seeded offset of the training part
(:func:`real_segment`), probe contexts at seeded positions of it (:func:`probe_contexts`), and
the three mixes with the keys their glued numbers carry (:data:`MIXES`, :data:`MIX_KEYS`).

The two chains, :func:`counting_chains` and :func:`transformer_chains`, take the real data, the
model, the synthetic fractions, the number of generations, the corpus size and the seed in that
order, and return one :class:`Chain` per synthetic fraction.

The transformer's parts import JAX on first use (the ``neural`` extra); the counting model's
need only numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .charmodel import cross_entropy_bits, fit_orders, sample, smoothed
from .data import decode, encode
from .model import l1_distance
from .validation import (
    as_generator,
    bounded_int,
    finite_array,
    flag,
    instance_of,
    memory,
    nonnegative_int,
    positive_int,
    real_in,
    seed_sequence,
    smoothing,
)
from .validation import ids as checked_ids

#: Any id a text may hold, when the vocabulary is not known: ids are non-negative int64.
_ANY_ID = np.iinfo(np.int64).max


def _text_ids(name, ids, s=_ANY_ID, longer_than=0):
    """``ids`` checked as one text: a 1-D array of more than ``longer_than`` ids in ``[0, s)``."""
    ids = checked_ids(name, ids, s)
    if ids.ndim != 1 or len(ids) <= longer_than:
        raise ValueError(f"{name} must be a 1-D array of more than {longer_than} ids, got shape {ids.shape}")
    return ids


def _vocabulary(vocabulary) -> int:
    """The size of ``vocabulary``, a string of distinct characters (the ids index into it)."""
    if not isinstance(vocabulary, str) or not vocabulary or len(set(vocabulary)) != len(vocabulary):
        raise ValueError(f"vocabulary must be a non-empty string of distinct characters, got "
                         f"{vocabulary!r:.80}")
    return len(vocabulary)

#: The paper's three mixes of Figure 5 by the name the figures show, each with the synthetic
#: share of every generation's corpus from generation 2 on.
MIXES = {"100% synthetic": 1.0, "50/50": 0.5, "20/80 synthetic/real": 0.2}
#: The key each mix's numbers are glued under (``tx_bits_10_full``, ``nn_drift_2_half``, …).
MIX_KEYS = {"100% synthetic": "full", "50/50": "half", "20/80 synthetic/real": "fifth"}
#: The share of the text the models train on; the rest is held out (nanoGPT's split).
TRAIN_SHARE = 0.9
#: The most generations a chain runs (the paper's Figure 5 runs 10). Each fits models and, but
#: the last, writes a corpus, a second or more apiece.
MAX_GENERATIONS = 1000
#: How many characters of each generation's synthetic text a counting chain keeps to show.
SAMPLE_CHARACTERS = 160


@dataclass(frozen=True)
class SplitText:
    """A text as character ids over its ``vocabulary``: the ``train`` part and the ``held_out``
    rest every generation is scored on."""

    vocabulary: str
    train: np.ndarray
    held_out: np.ndarray


def split_text(text: str, train_share: float = TRAIN_SHARE) -> SplitText:
    """``text`` encoded over its sorted characters (:func:`~modelcollapse.data.encode`), its first
    ``train_share`` for training, the rest held out."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    train_share = real_in("train_share", train_share, "(0, 1)")
    ids, vocabulary = encode(text)
    split = int(train_share * len(ids))
    return SplitText(vocabulary, ids[:split], ids[split:])


def real_segment(train, corpus_size: int, seed) -> np.ndarray:
    """``train`` from a random offset on, leaving at least ``corpus_size`` characters: the real
    data of the counting chains, whose generation 1 sees its first ``corpus_size``."""
    _text_ids("train", train)
    train, corpus_size = np.asarray(train), positive_int("corpus_size", corpus_size)
    if len(train) <= corpus_size:
        raise ValueError(f"train must hold more than corpus_size={corpus_size} characters, got {len(train)}")
    return train[as_generator("seed", seed).integers(0, len(train) - corpus_size):]


def probe_contexts(train, ell: int, count: int, seed) -> np.ndarray:
    """``count`` contexts of ``ell`` characters at random positions of ``train`` (rows of ids), so
    that frequent contexts come up often: where the counting chains measure drift."""
    ell = positive_int("ell", ell)
    if len(_text_ids("train", train)) <= ell:
        raise ValueError(f"ell must be shorter than train ({len(train)} ids), got {ell}")
    memory("count and ell", 8.0 * positive_int("count", count) * ell, "draw fewer contexts")
    train = np.asarray(train)
    ell, count = positive_int("ell", ell), positive_int("count", count)
    positions = as_generator("seed", seed).integers(ell, len(train), size=count)
    return np.stack([train[t - ell : t] for t in positions])


@dataclass(frozen=True)
class Chain:
    """One chain of generations at one synthetic fraction; index ``m − 1`` of each array holds
    generation ``m = 1 .. generations``."""

    synthetic_fraction: float
    corpus_size: int  # characters each generation trains on
    seed: object
    models: tuple  # each generation's model (the counting model: its models of orders 0..ℓ)
    drift: np.ndarray  # mean ||p^(m) − p^(1)||_1 over the probe contexts
    entropy: np.ndarray  # mean entropy of p^(m)(· | context) over the probe contexts, in nats
    bits: np.ndarray  # bits per character on held-out real text
    characters: np.ndarray  # distinct characters in the corpus each generation trained on
    samples: tuple  # text written by generations 1 .. generations − 1 (a tuple of strings each)
    truth_entropy: float  # the mean entropy of p^(0) over the same contexts
    floor_batches: float  # drift between two generation-1 models differing in batch order only
    floor_weights: float | None  # ... in initial weights only (both 0 for counting, which has
    # neither; None when a transformer chain was asked not to train it)
    # KL(p^(0) ‖ p^(m)) in nats a character on fresh streams of p^(0), generation m at index m − 1
    # (its first entry is KL₁, how closely generation 1 fits p^(0)); None for counting chains
    kl: np.ndarray | None = None


def mean_entropy(p) -> float:
    """Mean entropy in nats of the rows of ``p`` (``0 log 0 = 0``): rows of finite, non-negative
    masses, at least one row of at least one token (NaN or negative entries gave an "entropy" of
    −1.386)."""
    p = finite_array("p", p, nonnegative=True)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] == 0:
        raise ValueError(f"p must be a non-empty 2-D array (contexts × tokens), got shape {p.shape}")
    p = np.asarray(p)
    return float(-np.sum(p * np.log(np.where(p > 0, p, 1.0)), axis=1).mean())


def _mean_l1(p, q) -> float:
    """The drift's measure: the mean over contexts (rows) of ``||p − q||_1``."""
    return float(l1_distance(p, q).mean())


def resolved(a, b) -> tuple[bool, str]:
    """The chapter's rule for calling a difference an effect, paired over seeds: whether the
    mean of ``a − b`` (one entry a seed) clears the one-sided 97.5% Student t bound of its
    spread, ``t(0.975, k − 1) · sd / √k``; with the mean and the bound, for a report."""
    a, b = finite_array("a", a, min_size=2), finite_array("b", b)
    if a.ndim != 1 or np.ndim(b) > 1 or (b.ndim == 1 and b.shape != a.shape):
        raise ValueError(f"a must be one entry a seed (at least two) and b the same shape or one "
                         f"number, got shapes {a.shape} and {b.shape}")
    diff = a - b
    bound = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return bool(diff.mean() > bound), f"{diff.mean():+.3f} against a bound of {bound:.3f}"


def within(a, b) -> tuple[bool, str]:
    """The claim that ``a`` is *not* resolved above ``b`` by :func:`resolved`: an effect within
    the noise, which is not the claim that the two are equal."""
    above, detail = resolved(a, b)
    return not above, detail


def trend(values) -> np.ndarray:
    """The least-squares slope over generations of each row of ``values`` (one row a seed, one
    column a generation, at least two): the change a generation."""
    values = finite_array("values", values)
    if values.ndim != 2 or values.shape[1] < 2:
        raise ValueError(f"values must be a finite 2-d array of at least two generations a row, "
                         f"got shape {values.shape}")
    m = np.arange(values.shape[1]) - (values.shape[1] - 1) / 2
    return (values - values.mean(1, keepdims=True)) @ m / (m @ m)


def _fractions(synthetic_fractions) -> list[float]:
    fractions = np.atleast_1d(np.asarray(synthetic_fractions, dtype=object)).tolist()
    if not fractions:
        raise ValueError("synthetic_fractions must hold at least one fraction, got none")
    return [real_in("synthetic_fractions", fraction, "[0, 1]") for fraction in fractions]


@dataclass(frozen=True)
class Generation:
    """One generation of a counting chain: its models of every order ``0..ℓ``, and the synthetic
    text it wrote for the next generation (``None`` for the last, or with no synthetic share)."""

    models: list
    synthetic: np.ndarray | None


def counting_generations(real, vocabulary: str, ell: int, synthetic_fraction: float,
                         generations: int, corpus_size: int, seed) -> list[Generation]:
    """The paper's Figure 5 design with the counting model, one chain. Generation 1 is fitted on
    the real segment ``real[:corpus_size]``. Generation ``m ≥ 2`` is fitted on
    ``synthetic_fraction · corpus_size`` characters written by generation ``m − 1`` plus the first
    ``(1 − synthetic_fraction) · corpus_size`` characters of the same real segment, reused every
    generation as in the paper's partially synthetic scheme (counted separately, then added).
    ``seed``: an int, a SeedSequence or a numpy Generator. ``real`` holds ids into
    ``vocabulary``; ``ell`` is at most :func:`~modelcollapse.charmodel.max_order` of its size."""
    s = _vocabulary(vocabulary)
    _text_ids("real", real, s)
    from .charmodel import _order

    _order(ell, s)
    synthetic_fraction = real_in("synthetic_fraction", synthetic_fraction, "[0, 1]")
    generations = bounded_int("generations", generations, MAX_GENERATIONS, "each fits and writes "
                              "a corpus", "run a longer chain in parts")
    corpus_size = positive_int("corpus_size", corpus_size)
    real = np.asarray(real, dtype=np.int64)
    if len(real) < corpus_size:
        raise ValueError(f"real must hold at least corpus_size={corpus_size} characters, got {len(real)}")
    rng = as_generator("seed", seed)
    segment = real[:corpus_size]
    n_synth = int(round(synthetic_fraction * corpus_size))
    kept_real = segment[: corpus_size - n_synth]
    out = []
    corpora = [segment]
    for m in range(1, generations + 1):
        models = fit_orders(corpora, ell, s)
        synthetic = sample(models[-1], n_synth, rng) if m < generations and n_synth else None
        out.append(Generation(models, synthetic))
        corpora = [c for c in (synthetic, kept_real) if c is not None and len(c) > ell]
    return out


def counting_chains(real, vocabulary: str, ell: int, synthetic_fractions, generations: int,
                    corpus_size: int, seed, *, probes, held_out, truth, kappa: float = 1.0
                    ) -> tuple[Chain, ...]:
    """:func:`counting_generations` for each synthetic fraction, chain ``k`` seeded with the
    ``k``-th child of ``seed`` (an int or a SeedSequence), each measured as Figure 5 measures it:
    the smoothed conditionals (:func:`~modelcollapse.charmodel.smoothed`) at the ``probes``
    (rows of ``ell`` ids), bits per character on ``held_out``. ``truth`` is ``p^(0)``'s models of
    orders ``0..ℓ`` (fitted on the whole training text), for its entropy at the probes. Fitting
    by counting is deterministic, so both noise floors are 0."""
    s = _vocabulary(vocabulary)
    from .charmodel import _models, _order

    ell, _ = _order(ell, s)
    kappa = smoothing("kappa", kappa)
    _text_ids("real", real, s)
    _text_ids("held_out", held_out, s, longer_than=ell)
    probes_checked = checked_ids("probes", probes, s)
    if probes_checked.ndim != 2 or probes_checked.shape[1] != ell or len(probes_checked) == 0:
        raise ValueError(f"probes must be rows of ell={ell} ids, got shape {probes_checked.shape}")
    truth = _models("truth", truth)
    if truth[0].s != s or len(truth) != ell + 1:
        raise ValueError(f"truth must be models of orders 0..ell={ell} over the vocabulary's {s} "
                         f"characters (fit_orders), got {len(truth)} models over {truth[0].s}")
    fractions = _fractions(synthetic_fractions)
    children = seed_sequence("seed", seed).spawn(len(fractions))
    probes = np.asarray(probes)
    truth_entropy = mean_entropy(smoothed(truth, probes, kappa))
    chains = []
    for fraction, child in zip(fractions, children):
        gens = counting_generations(real, vocabulary, ell, fraction, generations, corpus_size, child)
        conditionals = [smoothed(g.models, probes, kappa) for g in gens]
        chains.append(Chain(
            fraction, corpus_size, seed, tuple(g.models for g in gens),
            drift=np.array([_mean_l1(p, conditionals[0]) for p in conditionals]),
            entropy=np.array([mean_entropy(p) for p in conditionals]),
            bits=np.array([cross_entropy_bits(g.models, held_out, kappa) for g in gens]),
            characters=np.array([np.count_nonzero(g.models[0].counts) for g in gens]),
            samples=tuple((decode(g.synthetic[:SAMPLE_CHARACTERS], vocabulary)
                           if g.synthetic is not None else "",) for g in gens[:-1]),
            truth_entropy=truth_entropy, floor_batches=0.0, floor_weights=0.0))
    return tuple(chains)


def _transformer():
    """JAX and :mod:`~modelcollapse.neural`, imported on first use: the ``neural`` extra."""
    import jax

    from . import neural

    return jax, neural


@dataclass(frozen=True)
class Truth:
    """``p^(0)`` of the transformer's chains: a model trained on the real text, with the
    vocabulary and the held-out validation windows every generation is scored on."""

    model: object  # a modelcollapse.neural.Transformer
    config: object  # its modelcollapse.neural.TransformerConfig
    vocabulary: str
    validation_windows: np.ndarray
    validation_loss: float  # nats per character


def _key(seed, purpose: str):
    """Independent JAX keys for the experiment's parts, all from one integer seed."""
    jax, _ = _transformer()
    parts = ("truth", "real", "contexts", "generations", "kl")
    return jax.random.fold_in(jax.random.key(seed), parts.index(purpose))


def train_truth(text: str, config, seed: int = 0, vocabulary: str | None = None,
                validation_share: float = 0.1, validation_windows: int = 256) -> Truth:
    """``p^(0)``, a transformer with ``config`` trained on the first ``1 − validation_share`` of
    ``text`` (nanoGPT's split) at every offset; ``validation_windows`` windows of the rest, evenly
    spaced among those that start with the vocabulary's first character, score every generation.
    They start as every stream the generations train on starts (a newline in tiny Shakespeare),
    so that a generation is scored on windows of the kind it was trained on."""
    _, neural = _transformer()
    instance_of("config", config, neural.TransformerConfig)
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    seed = nonnegative_int("seed", seed)
    vocabulary = "".join(sorted(set(text))) if vocabulary is None else vocabulary
    if len(set(vocabulary)) != len(vocabulary) or len(vocabulary) < 2:
        raise ValueError(f"vocabulary must hold at least two distinct characters, each once, "
                         f"got {vocabulary!r}")
    validation_share = real_in("validation_share", validation_share, "(0, 1)")
    validation_windows = positive_int("validation_windows", validation_windows)
    memory("validation_windows", 8.0 * validation_windows * (config.context + 1),
           "score on fewer windows")
    ids, _ = encode(text, vocabulary)
    split = int(round((1 - validation_share) * len(ids)))
    window = config.context + 1
    if split < window or len(ids) - split < window:
        raise ValueError(f"text must hold at least context + 1 = {window} characters on each side "
                         f"of the validation split, got {split} and {len(ids) - split}")
    held_out = ids[split:]
    firsts = np.flatnonzero(held_out[: len(held_out) - window + 1] == 0)
    if len(firsts) == 0:
        raise ValueError(f"text's held-out part must hold a window of {window} characters that "
                         f"starts with the vocabulary's first character {vocabulary[0]!r}")
    starts = firsts[np.linspace(0, len(firsts) - 1, validation_windows).astype(np.int64)]
    windows = np.stack([held_out[i : i + window] for i in starts])
    model = neural.train(config, ids[None, :split], len(vocabulary), _key(seed, "truth"))
    return Truth(model, config, vocabulary, windows, neural.validation_loss(model, windows))


def transformer_chains(text, config, synthetic_fractions, generations: int, corpus_size: int,
                       seed: int = 0, *, contexts: int = 300, truth: Truth | None = None,
                       best_validation: bool = True, kl_streams: int = 256,
                       weights_floor: bool = True) -> tuple[Chain, ...]:
    """The paper's Figure 5 chains with the transformer, one per synthetic fraction, from one
    generation 1.

    ``p^(0)`` is ``truth`` (trained on ``text`` by :func:`train_truth` when not given). The
    *real* data are one fixed sample of ``p^(0)``: ``corpus_size`` characters, in streams of
    ``context + 1`` (rounded down to whole streams), on which generation 1 is trained once and
    shared by every chain. Generation ``m ≥ 2`` is trained on the first ``1 − fraction`` of the
    real streams, in the same rows every generation (the paper's partially synthetic scheme reuses
    its real samples), followed by streams written by generation ``m − 1``. Every generation
    starts from the same initial weights and draws its batches with the same random stream
    (nanoGPT re-seeds every run), so that generations differ only in their data, and the real part
    of every batch is the same in every generation (:func:`~modelcollapse.neural.batches`).

    With ``best_validation`` (nanoGPT's practice), each corpus comes with held-out streams of the
    same kind, a ninth as many (nanoGPT's 90/10 split), drawn as its training streams are, at the
    same synthetic share; each generation keeps its weights with the lowest loss on them
    (:func:`~modelcollapse.neural.train`). Drift is measured at ``contexts`` contexts of
    ``context`` characters drawn from ``p^(0)``; its noise floors are the same distance between
    generation 1 and a second training on the same real sample that differs only in batch order,
    or only in initial weights (that one not trained, ``floor_weights`` ``None``, when
    ``weights_floor`` is false: a training fewer a seed). ``kl`` is each generation's
    :func:`~modelcollapse.neural.kl_divergence` from ``p^(0)`` on ``kl_streams`` fresh streams of
    ``p^(0)``.
    """
    jax, neural = _transformer()
    instance_of("config", config, neural.TransformerConfig)
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    fractions = _fractions(synthetic_fractions)
    generations = bounded_int("generations", generations, MAX_GENERATIONS, "each trains a "
                              "transformer", "run a longer chain in parts")
    corpus_size, contexts = positive_int("corpus_size", corpus_size), positive_int("contexts", contexts)
    memory("corpus_size", 8.0 * corpus_size, "train on a smaller corpus")
    memory("contexts", 8.0 * contexts * (config.context + 1), "probe fewer contexts")
    seed = nonnegative_int("seed", seed)
    kl_streams = positive_int("kl_streams", kl_streams)
    memory("kl_streams", 8.0 * kl_streams * (config.context + 1), "measure KL on fewer streams")
    best_validation = flag("best_validation", best_validation)
    weights_floor = flag("weights_floor", weights_floor)
    window = config.context + 1
    if corpus_size < window:
        raise ValueError(f"corpus_size must be at least one stream of context + 1 = {window} "
                         f"characters, got {corpus_size}")
    if truth is None:
        truth = train_truth(text, config, seed)
    instance_of("truth", truth, Truth)
    if truth.config.context != config.context:
        raise ValueError(f"truth was trained with context {truth.config.context}, "
                         f"config has context {config.context}")
    missing = sorted(set(text) - set(truth.vocabulary))
    if missing:
        raise ValueError(f"text has characters outside the vocabulary p^(0) was trained on: {missing[:10]}")

    streams, s = corpus_size // window, len(truth.vocabulary)
    held = max(1, round(streams * (1 - TRAIN_SHARE) / TRAIN_SHARE)) if best_validation else 0
    drawn = neural.sample(truth.model, streams + held, _key(seed, "real"))
    real, real_held = drawn[:streams], drawn[streams:]
    probes = neural.sample(truth.model, contexts, _key(seed, "contexts"))[:, :-1]
    fresh = neural.sample(truth.model, kl_streams, _key(seed, "kl"))
    weights_key, batches_key, writing_key = jax.random.split(_key(seed, "generations"), 3)

    def fit(corpus, validation, weights=weights_key, batches=batches_key):
        model = neural.train_from_keys(config, corpus, s, weights, batches,
                                       validation=validation if best_validation else None,
                                       evaluations=min(10, config.iterations))
        return model, neural.next_character_distributions(model, probes)

    first_model, first = fit(real, real_held)
    floor_batches = _mean_l1(fit(real, real_held, batches=jax.random.fold_in(batches_key, 1))[1],
                             first)
    floor_weights = (_mean_l1(fit(real, real_held, weights=jax.random.fold_in(weights_key, 1))[1],
                              first) if weights_floor else None)
    first_loss = neural.validation_loss(first_model, truth.validation_windows)
    first_kl = neural.kl_divergence(truth.model, first_model, fresh)
    truth_entropy = mean_entropy(neural.next_character_distributions(truth.model, probes))
    chains = []
    for fraction in fractions:
        synthetic = int(round(fraction * streams))
        synthetic_held = int(round(fraction * held))
        model, p, corpus, validation = first_model, first, real, real_held
        models, drift, losses, entropy, characters, samples = [], [0.0], [first_loss], [], [], []
        kl = [first_kl]
        for m in range(1, generations + 1):
            if m > 1:
                model, p = fit(corpus, validation)
                drift.append(_mean_l1(p, first))
                losses.append(neural.validation_loss(model, truth.validation_windows))
                kl.append(neural.kl_divergence(truth.model, model, fresh))
            models.append(model)
            entropy.append(mean_entropy(p))
            characters.append(len(np.unique(corpus[:, 1:])))
            if m < generations:
                written = neural.sample(model, max(synthetic + synthetic_held, 2),
                                        jax.random.fold_in(writing_key, m))
                samples.append(tuple(decode(row[1:], truth.vocabulary) for row in written[:2]))
                corpus = np.concatenate([real[: streams - synthetic], written[:synthetic]])
                validation = np.concatenate([real_held[: held - synthetic_held],
                                             written[synthetic : synthetic + synthetic_held]])
        chains.append(Chain(
            fraction, streams * window, seed, tuple(models), drift=np.array(drift),
            entropy=np.array(entropy), bits=np.array(losses) / math.log(2),
            characters=np.array(characters), samples=tuple(samples), truth_entropy=truth_entropy,
            floor_batches=floor_batches, floor_weights=floor_weights, kl=np.array(kl)))
    return tuple(chains)
