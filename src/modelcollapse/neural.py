"""The transformer of the paper's empirical check (its Figure 5 and Table 1;
notebooks/06-transformer.ipynb): a GPT-style character model in JAX (Equinox for the network,
Optax for AdamW). The experiment that trains it on its own text, generation after generation, is
:mod:`modelcollapse.figure5`.

The network follows nanoGPT: token and position embeddings, pre-norm blocks of causal
self-attention and a 4× GELU MLP, a final LayerNorm and an output layer tied to the token
embedding, weights initialised N(0, 0.02²) (the residual projections 0.02²/(2·layers)). It runs
on the CPU as installed; with ``jax[cuda13]`` the same code runs on a GPU.

Text is handled as *streams*: a stream starts with the vocabulary's first character (a newline
in tiny Shakespeare, as nanoGPT's sampler starts) and holds ``context + 1`` characters, one
training window. Sampling a stream needs one cached decoding step per character, so writing a
corpus costs about a third of training on it.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .validation import instance_of, memory, positive_int, real_in


@dataclass(frozen=True)
class TransformerConfig:
    """Size and training of one model; every generation is trained from scratch with it."""

    layers: int
    heads: int
    embedding: int
    context: int
    dropout: float
    learning_rate: float
    batch_size: int
    iterations: int

    def __post_init__(self):
        for name in ("layers", "heads", "embedding", "context", "batch_size", "iterations"):
            positive_int(name, getattr(self, name))
        if self.embedding % self.heads:
            raise ValueError(f"embedding={self.embedding} must be a multiple of heads={self.heads}")
        real_in("dropout", self.dropout, "[0, 1)")
        real_in("learning_rate", self.learning_rate, "(0, inf)")

    @classmethod
    def paper(cls) -> TransformerConfig:
        """Table 1 of the paper exactly (nanoGPT's character model)."""
        return cls(layers=8, heads=4, embedding=256, context=128, dropout=0.2,
                   learning_rate=1e-3, batch_size=256, iterations=2000)

    @classmethod
    def small(cls) -> TransformerConfig:
        """The chapter's generations, sized by measurement on two CPU cores
        (``benchmarks/neural_settings.py``): 450 steps of 8 windows, a few seconds a training.
        Small batches with more steps learn more a second than large ones. No dropout (Table 1:
        0.2): it was chosen when a generation trained for about two epochs and underfitted, where
        dropout would only slow it. The learning rate is six times Table 1's 1e-3, for the same
        reason (it diverges at fewer than about 150 steps). The warm-up and cosine decay are
        compressed to the run's length (``_optimizer``)."""
        return cls(layers=2, heads=4, embedding=64, context=32, dropout=0.0,
                   learning_rate=6e-3, batch_size=8, iterations=450)

    @classmethod
    def small_truth(cls) -> TransformerConfig:
        """``p^(0)`` for :meth:`small`: the same network, trained once and so for longer, to about
        1.9 nats a character (2.8 bits), between a counting model of order 2 and one of order 3
        on the same split."""
        return dataclasses.replace(cls.small(), batch_size=16, iterations=2000)


def _layer_norm(d):
    """nanoGPT's Shakespeare configuration has ``bias = False``: no bias in any LayerNorm or
    Linear layer (its comment: "a bit better and faster")."""
    return eqx.nn.LayerNorm(d, use_bias=False)


class _Block(eqx.Module):
    norm_attention: eqx.nn.LayerNorm
    qkv: eqx.nn.Linear
    projection: eqx.nn.Linear
    norm_mlp: eqx.nn.LayerNorm
    expand: eqx.nn.Linear
    contract: eqx.nn.Linear
    dropout: eqx.nn.Dropout
    heads: int = eqx.field(static=True)

    def __init__(self, config: TransformerConfig, key):
        d = config.embedding
        qkv_key, projection_key, expand_key, contract_key = jax.random.split(key, 4)
        self.norm_attention, self.norm_mlp = _layer_norm(d), _layer_norm(d)
        self.qkv = eqx.nn.Linear(d, 3 * d, use_bias=False, key=qkv_key)
        self.projection = eqx.nn.Linear(d, d, use_bias=False, key=projection_key)
        self.expand = eqx.nn.Linear(d, 4 * d, use_bias=False, key=expand_key)
        self.contract = eqx.nn.Linear(4 * d, d, use_bias=False, key=contract_key)
        self.dropout = eqx.nn.Dropout(config.dropout)
        self.heads = config.heads

    def __call__(self, x, keys_values, positions, visible, key, inference):
        """``x``: (..., T, d) at ``positions``, any leading batch axes; ``keys_values``: ``None``
        (the rows attend to each other only), or for one sequence a cache (2, heads, C,
        d/heads) the new keys and values are written into; ``visible``: (T, T) or (T, C), which
        positions each row attends to. Returns the new ``x`` and cache. ``key`` drives dropout
        (``None``: none). The layers are matrix products over every row at once: Equinox's
        ``Linear`` ``vmap``-ped over the rows made a training step at batch 8 about 1.4 times
        slower on one core (``benchmarks/neural_forward.py``)."""
        # Dropout's keys: on the attention weights, the projection and the MLP's output.
        weights_key, projection_key, mlp_key = (jax.random.split(key, 3) if key is not None
                                                else (None,) * 3)
        *batch, T, d = x.shape
        q, k, v = jnp.split(_norm(self.norm_attention, x) @ self.qkv.weight.T, 3, axis=-1)
        # (..., T, d) -> (..., heads, T, d / heads)
        split = lambda a: jnp.swapaxes(a.reshape(*batch, T, self.heads, d // self.heads), -2, -3)  # noqa: E731
        q, k, v = split(q), split(k), split(v)
        if keys_values is not None:
            # The new keys and values, written at positions[0] on as one slice.
            keys_values = jax.lax.dynamic_update_slice(
                keys_values, jnp.stack([k, v]), (0, 0, positions[0], 0))
            k, v = keys_values[0], keys_values[1]
        scores = q @ jnp.swapaxes(k, -1, -2) / math.sqrt(d // self.heads)
        weights = jax.nn.softmax(jnp.where(visible, scores, -jnp.inf), axis=-1)
        weights = self.dropout(weights, key=weights_key, inference=inference)
        attended = jnp.swapaxes(weights @ v, -2, -3).reshape(*batch, T, d)
        x = x + self.dropout(attended @ self.projection.weight.T, key=projection_key,
                             inference=inference)
        hidden = jax.nn.gelu(_norm(self.norm_mlp, x) @ self.expand.weight.T, approximate=False)
        x = x + self.dropout(hidden @ self.contract.weight.T, key=mlp_key, inference=inference)
        return x, keys_values


def _norm(norm, x):
    """An Equinox LayerNorm (over the last axis) applied to every row of ``x``."""
    return jnp.vectorize(norm, signature="(d)->(d)")(x)


class Transformer(eqx.Module):
    """nanoGPT's GPT, for one sequence or a batch of them (sampling ``vmap``-s the cached path
    over streams)."""

    tokens: eqx.nn.Embedding
    positions: eqx.nn.Embedding
    blocks: tuple
    norm: eqx.nn.LayerNorm
    dropout: eqx.nn.Dropout
    context: int = eqx.field(static=True)

    def __init__(self, config: TransformerConfig, s: int, key):
        instance_of("config", config, TransformerConfig)
        s = positive_int("s", s)
        memory("s", 4.0 * s * config.embedding, "use a smaller vocabulary")
        tokens_key, positions_key, *block_keys = jax.random.split(key, config.layers + 2)
        self.tokens = eqx.nn.Embedding(s, config.embedding, key=tokens_key)
        self.positions = eqx.nn.Embedding(config.context, config.embedding, key=positions_key)
        self.blocks = tuple(_Block(config, block_key) for block_key in block_keys)
        self.norm = _layer_norm(config.embedding)
        self.dropout = eqx.nn.Dropout(config.dropout)
        self.context = config.context

    def empty_cache(self):
        """Keys and values of no position yet: (layers, 2, heads, context, embedding / heads)."""
        d = self.tokens.weight.shape[1]
        heads = self.blocks[0].heads
        return jnp.zeros((len(self.blocks), 2, heads, self.context, d // heads))

    def __call__(self, ids, start=0, cache=None, key=None, inference=True):
        """Logits of the next character after each of ``ids`` ((..., T): one sequence, or a
        batch of them), which sit at positions ``start .. start + T − 1`` of their streams;
        ``key`` drives dropout. Without ``cache``, the ids attend to each other only (a
        training window, ``start`` 0); with it, one sequence's keys and values of the
        positions before (see :meth:`empty_cache`). Returns the logits (..., T, s) and the
        updated cache (``None`` without one)."""
        positions = start + jnp.arange(ids.shape[-1])
        if cache is not None and ids.ndim != 1:
            raise ValueError(f"ids must be one sequence (1-d) with a cache, got shape {ids.shape}")
        attended = positions if cache is None else jnp.arange(self.context)
        visible = attended[None, :] <= positions[:, None]
        count = len(self.blocks) + 1
        embedding_key, *block_keys = (jax.random.split(key, count) if key is not None
                                      else [None] * count)
        x = self.tokens.weight[ids] + self.positions.weight[positions]
        x = self.dropout(x, key=embedding_key, inference=inference)
        layers, caches = [], [None] * len(self.blocks) if cache is None else cache
        for block, cached, block_key in zip(self.blocks, caches, block_keys, strict=True):
            x, cached = block(x, cached, positions, visible, block_key, inference)
            layers.append(cached)
        logits = _norm(self.norm, x) @ self.tokens.weight.T  # output layer tied to the input
        return logits, None if cache is None else jnp.stack(layers)


def initialise(config: TransformerConfig, s: int, key) -> Transformer:
    """A new model over ``s >= 1`` characters with nanoGPT's initialisation."""
    instance_of("config", config, TransformerConfig)
    s = positive_int("s", s)
    memory("s", 4.0 * s * config.embedding, "use a smaller vocabulary")
    model = Transformer(config, s, key)
    plain, scaled = _matrices(model)
    keys = iter(jax.random.split(jax.random.fold_in(key, 1), len(plain) + len(scaled)))
    new = [0.02 * jax.random.normal(next(keys), w.shape) for w in plain]
    new += [0.02 / math.sqrt(2 * config.layers) * jax.random.normal(next(keys), w.shape)
            for w in scaled]
    return eqx.tree_at(lambda m: sum(_matrices(m), []), model, new)


def _matrices(model):
    """The weight matrices nanoGPT initialises N(0, 0.02²), and the residual projections it
    scales down by sqrt(2·layers)."""
    plain = [model.tokens.weight, model.positions.weight]
    scaled = []
    for block in model.blocks:
        plain += [block.qkv.weight, block.expand.weight]
        scaled += [block.projection.weight, block.contract.weight]
    return plain, scaled


def _optimizer(config: TransformerConfig, model):
    """AdamW with nanoGPT's settings for its character model: betas (0.9, 0.99), weight decay
    0.1 on the matrices only, gradients clipped at norm 1, cosine decay to a tenth of the
    learning rate. nanoGPT warms up for 100 steps and decays over 5,000; here the warm-up is the
    first tenth of ``iterations`` and the decay ends with the run, so that any length trains
    with the whole schedule."""
    warmup = max(1, config.iterations // 10)
    schedule = optax.warmup_cosine_decay_schedule(
        0.0, config.learning_rate, warmup, config.iterations, config.learning_rate / 10)
    decay = jax.tree_util.tree_map(lambda w: w.ndim >= 2, eqx.filter(model, eqx.is_array))
    return optax.chain(
        optax.clip_by_global_norm(1.0),
        optax.adamw(schedule, b1=0.9, b2=0.99, weight_decay=0.1, mask=decay),
    )


def _batch_loss(model, windows, key, inference):
    logits, _ = model(windows[:, :-1], key=key, inference=inference)
    return optax.softmax_cross_entropy_with_integer_labels(logits, windows[:, 1:]).mean()


def train(config: TransformerConfig, streams, s: int, key, *, validation=None,
          evaluations: int = 10) -> Transformer:
    """A model over ``s`` characters trained from scratch on ``streams`` (an int array: rows of
    at least ``context + 1`` characters). ``key`` gives the initial weights and the batches (see
    :func:`batches`). With ``validation`` (held-out windows of ``context + 1`` ids), the weights
    returned are those with the lowest loss on it among ``evaluations`` evaluations evenly spaced
    over the run, as nanoGPT keeps its best-validation checkpoint; without, the last iterate."""
    weights_key, batches_key = jax.random.split(key)
    return train_from_keys(config, streams, s, weights_key, batches_key, validation=validation,
                           evaluations=evaluations)


def train_from_keys(config: TransformerConfig, streams, s: int, weights_key, batches_key, *,
                    validation=None, evaluations: int = 10) -> Transformer:
    """:func:`train` with the initial weights and the batches drawn from separate keys, so that
    two trainings can differ in one of them only (the noise floors of
    :func:`modelcollapse.figure5.transformer_chains`)."""
    instance_of("config", config, TransformerConfig)
    s = positive_int("s", s)
    streams = _ids("streams", streams, s)
    if streams.ndim != 2 or streams.shape[1] < config.context + 1:
        raise ValueError(f"streams must be a 2-d array of rows of at least context + 1 = "
                         f"{config.context + 1} characters, got shape {streams.shape}")
    evaluations = positive_int("evaluations", evaluations)
    if evaluations > config.iterations:
        raise ValueError(f"evaluations must be at most iterations = {config.iterations}, "
                         f"got {evaluations}")
    if validation is not None:
        validation = _ids("validation", validation, s, config.context + 1)
        if validation.shape[1] != config.context + 1:
            raise ValueError(f"validation must hold windows of context + 1 = "
                             f"{config.context + 1} ids, got shape {validation.shape}")
    model = initialise(config, s, weights_key)
    return _train(model, streams, batches_key, config, validation,
                  max(1, config.iterations // evaluations))


def _windows(streams, key, config):
    """One batch: ``batch_size`` windows of ``context + 1`` characters, each from a random row
    at a random offset. Rows are drawn by index, so two corpora that share their first rows
    get the same windows from them under the same key."""
    row_key, offset_key = jax.random.split(key)
    rows = jax.random.randint(row_key, (config.batch_size,), 0, streams.shape[0])
    starts = jax.random.randint(offset_key, (config.batch_size,), 0,
                                streams.shape[1] - config.context)
    return streams[rows[:, None], starts[:, None] + jnp.arange(config.context + 1)], rows


def batches(config: TransformerConfig, streams, key):
    """Every batch that training on ``streams`` with batch key ``key`` sees, in order: the windows
    (iterations, batch_size, context + 1) and the row each came from (iterations, batch_size).
    ``streams`` are rows of at least ``context + 1`` ids (narrower ones gave windows read past
    their ends)."""
    instance_of("config", config, TransformerConfig)
    checked = _ids("streams", streams, np.iinfo(np.int32).max)
    if checked.ndim != 2 or checked.shape[0] == 0 or checked.shape[1] < config.context + 1:
        raise ValueError(f"streams must be a 2-d array of rows of at least context + 1 = "
                         f"{config.context + 1} characters, got shape {checked.shape}")
    streams = jnp.asarray(streams, dtype=jnp.int32)
    window_keys, _ = _step_keys(key, config.iterations)
    return jax.vmap(lambda k: _windows(streams, k, config))(window_keys)


def _step_keys(key, iterations):
    """Each step's key for its windows and its key for dropout."""
    keys = jax.vmap(jax.random.split)(jax.random.split(key, iterations))
    return keys[:, 0], keys[:, 1]


@eqx.filter_jit
def _train(model, streams, key, config, validation, every):
    """``iterations`` steps of AdamW; with ``validation``, the loss on it is taken every
    ``every`` steps and the weights with the lowest so far are kept."""
    optimizer = _optimizer(config, model)
    params, static = eqx.partition(model, eqx.is_array)

    def held_out_loss(p):
        return _batch_loss(eqx.combine(p, static), validation, jax.random.key(0), True)

    def step(carry, inputs):
        params, state, best, best_loss = carry
        (window_key, dropout_key), i = inputs
        windows, _ = _windows(streams, window_key, config)
        loss = lambda p: _batch_loss(eqx.combine(p, static), windows, dropout_key, False)  # noqa: E731
        grads = jax.grad(loss)(params)
        updates, state = optimizer.update(grads, state, params)
        params = optax.apply_updates(params, updates)
        if validation is not None:
            due = (i + 1) % every == 0
            current = jax.lax.cond(due, held_out_loss, lambda p: jnp.float32(jnp.inf), params)
            better = current < best_loss
            best = jax.tree_util.tree_map(lambda b, n: jnp.where(better, n, b), best, params)
            best_loss = jnp.minimum(current, best_loss)
        return (params, state, best, best_loss), None

    state = optimizer.init(params)
    inputs = (_step_keys(key, config.iterations), jnp.arange(config.iterations))
    (params, _, best, _), _ = jax.lax.scan(step, (params, state, params, jnp.float32(jnp.inf)), inputs)
    return eqx.combine(best if validation is not None else params, static)


@eqx.filter_jit
def _sample_streams(model, keys):
    """One stream of ``context + 1`` characters a key: character 0, then ``context`` drawn one
    at a time from the model, each step reusing the cached keys and values."""

    def one(key):
        def step(carry, position):
            cache, previous, key = carry
            key, draw = jax.random.split(key)
            logits, cache = model(previous[None], start=position, cache=cache)
            nxt = jax.random.categorical(draw, logits[0]).astype(jnp.int32)
            return (cache, nxt, key), nxt

        first = jnp.zeros((), jnp.int32)
        _, drawn = jax.lax.scan(step, (model.empty_cache(), first, key), jnp.arange(model.context))
        return jnp.concatenate([first[None], drawn])

    return jax.vmap(one)(keys)


def _ids(name, ids, s, longest=None):
    """``ids`` as int32, refused when an id lies outside the vocabulary or a row is longer than
    ``longest``: JAX clamps an index out of range instead of failing."""
    ids = np.asarray(ids)
    if ids.size and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0
                     or ids.max() >= s):
        raise ValueError(f"{name} must hold character ids from 0 to {s - 1}")
    if longest is not None and (ids.ndim != 2 or not 1 <= ids.shape[1] <= longest):
        raise ValueError(f"{name} must be a 2-d array of rows of 1 to {longest} ids, "
                         f"got shape {ids.shape}")
    return jnp.asarray(ids, dtype=jnp.int32)


def sample(model: Transformer, count: int, key, chunk: int = 512) -> np.ndarray:
    """``count`` streams (rows of ``context + 1`` character ids) drawn from ``model``, stream
    ``i`` from the ``i``-th key of ``jax.random.split(key, count)``: the streams do not depend
    on ``chunk``, the most drawn in one call."""
    instance_of("model", model, Transformer)
    count, chunk = positive_int("count", count), positive_int("chunk", chunk)
    memory("count", 8.0 * count * (model.context + 1), "sample fewer streams a call")
    memory("chunk", 8.0 * chunk * (model.context + 1) * model.tokens.weight.shape[1],
           "use a smaller chunk")
    keys = jax.random.split(key, count)
    parts = []
    for begin in range(0, count, chunk):
        size = min(chunk, count - begin)
        # Calls of 64, 128, 256 ... streams (the last key repeated, its streams dropped), so
        # that any count runs one of a few compiled programs, without drawing up to a whole
        # chunk for a few streams.
        padded = min(chunk, max(64, 1 << (size - 1).bit_length()))
        rows = begin + np.minimum(np.arange(padded), size - 1)
        parts.append(_sample_streams(model, keys[rows])[:size])
    return np.asarray(jnp.concatenate(parts))


@eqx.filter_jit
def _last_distribution(model, contexts):
    return jax.nn.softmax(model(contexts)[0][:, -1], axis=-1)


def next_character_distributions(model: Transformer, contexts) -> np.ndarray:
    """``p(· | context)`` for each row of ``contexts`` (ids, at most ``context`` long), in
    float64 for the distances taken from it."""
    instance_of("model", model, Transformer)
    if np.ndim(contexts) == 2 and np.shape(contexts)[0] == 0:
        raise ValueError("contexts must hold at least one row, got none")
    contexts = _ids("contexts", contexts, model.tokens.weight.shape[0], model.context)
    return np.asarray(_last_distribution(model, contexts), dtype=np.float64)


@eqx.filter_jit
def _mean_loss(model, windows):
    return _batch_loss(model, windows, jax.random.key(0), True)


def validation_loss(model: Transformer, windows) -> float:
    """Mean cross-entropy in nats per character over every position of ``windows`` (rows of
    ``context + 1`` ids), dropout off: nanoGPT's validation loss. A window needs at least two
    ids (one to read, one to predict), and there must be at least one window: either gave NaN."""
    instance_of("model", model, Transformer)
    windows = _ids("windows", windows, model.tokens.weight.shape[0], model.context + 1)
    if windows.shape[0] == 0 or windows.shape[1] < 2:
        raise ValueError(f"windows must be at least one row of 2 to {model.context + 1} ids, "
                         f"got shape {windows.shape}")
    return float(_mean_loss(model, windows))


@eqx.filter_jit
def _mean_kl(reference, model, windows):
    log_p = jax.nn.log_softmax(reference(windows[:, :-1])[0], axis=-1)
    log_q = jax.nn.log_softmax(model(windows[:, :-1])[0], axis=-1)
    return jnp.sum(jnp.exp(log_p) * (log_p - log_q), axis=-1).mean()


def kl_divergence(reference: Transformer, model: Transformer, windows) -> float:
    """``KL(reference ‖ model)`` in nats per character: the mean over every position of
    ``windows`` (rows of ``context + 1`` ids; the last id is only predicted) of
    ``Σ_c r(c | prefix) log(r(c | prefix) / q(c | prefix))``, taken exactly over the vocabulary
    at each prefix. On streams drawn from ``reference`` it is how far ``model`` is from it where
    ``reference`` writes, the excess of ``model``'s loss on them over ``reference``'s own."""
    instance_of("reference", reference, Transformer)
    instance_of("model", model, Transformer)
    s = reference.tokens.weight.shape[0]
    if model.tokens.weight.shape[0] != s:
        raise ValueError(f"model must have the reference's vocabulary of {s} characters, "
                         f"got {model.tokens.weight.shape[0]}")
    windows = _ids("windows", windows, s, min(reference.context, model.context) + 1)
    if windows.shape[1] < 2:
        raise ValueError("windows must hold at least 2 ids a row (a prefix and its next id)")
    return float(_mean_kl(reference, model, windows))
