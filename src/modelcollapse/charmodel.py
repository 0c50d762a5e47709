"""The paper's statistical language model on real text (paper §2.1, Figure 5; the book's
chapter book/text): a character model with context length ``ℓ``, trained by counting, sampled
autoregressively.

A context is the ``ℓ`` preceding characters, coded as a base-``s`` integer (``s`` the size of
the vocabulary); only observed contexts are stored, so ``ℓ = 3`` over 65 characters needs no
65³-row table. Text becomes ids with :func:`modelcollapse.data.encode`; the Figure 5 experiment
is :mod:`modelcollapse.figure5`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import (
    as_generator,
    bounded_int,
    ids as checked_ids,
    instance_of,
    memory,
    nonnegative_int,
    positive_int,
    smoothing,
)

#: The largest code a context and its next character may take. They are coded as one base-``s``
#: integer of ``ℓ + 1`` digits in int64, so ``s^(ℓ+1) − 1`` must not exceed it.
MAX_CODE = np.iinfo(np.int64).max


def max_order(s: int) -> int | None:
    """The largest context length ``ℓ`` whose codes (a context and its next character, base
    ``s``) fit in int64: ``s^(ℓ+1) − 1 <= 2^63 − 1``. ``None`` for ``s = 1``, where every code
    is 0. For tiny Shakespeare's 65 characters it is 9."""
    s = positive_int("s", s)
    if s == 1:
        return None
    ell = 0
    while s ** (ell + 2) - 1 <= MAX_CODE:
        ell += 1
    return ell


def _order(ell, s) -> tuple[int, int]:
    """``ell`` and ``s`` checked: the codes of every context of length ``ell`` (with its next
    character) over ``s`` characters must fit in int64, or they would wrap silently."""
    s = positive_int("s", s)
    ell = nonnegative_int("ell", ell)
    limit = max_order(s)
    if limit is not None and ell > limit:
        raise ValueError(f"ell must be at most max_order(s) = {limit} for s = {s} (a context and "
                         f"its next character are coded as one base-s integer in int64), got "
                         f"{ell}; use a shorter context or a smaller vocabulary")
    return ell, s


def _models(name, models) -> list:
    """``models`` checked as :func:`fit_orders` returns them: a non-empty list of CharModels of
    orders 0, 1, …, ℓ over one vocabulary."""
    if not isinstance(models, (list, tuple)) or len(models) == 0:
        raise ValueError(f"{name} must be a non-empty list of CharModels of orders 0..ell "
                         f"(fit_orders), got {models!r:.80}")
    for k, model in enumerate(models):
        instance_of(f"{name}[{k}]", model, CharModel)
        if model.ell != k or model.s != models[0].s:
            raise ValueError(f"{name} must hold models of orders 0, 1, …, ell over one vocabulary "
                             f"(fit_orders); {name}[{k}] has ell={model.ell}, s={model.s}")
    return list(models)


def context_codes(ids, ell: int, s: int) -> np.ndarray:
    """Code of the context of every position ``t ≥ ℓ``: ``Σ_j ids[t−ℓ+j] s^(ℓ−1−j)``.
    ``ℓ`` is at most :func:`max_order`, so that no code wraps around."""
    ell, s = _order(ell, s)
    ids = checked_ids("ids", ids, s)
    if ids.ndim != 1 or len(ids) < ell:
        raise ValueError(f"ids must be a 1-D array of at least ell={ell} ids, got shape {ids.shape}")
    ids = np.asarray(ids, dtype=np.int64)
    codes = np.zeros(len(ids) - ell, dtype=np.int64)
    for j in range(ell):
        codes = codes * s + ids[j : len(ids) - ell + j]
    return codes


@dataclass(frozen=True)
class CharModel:
    """Counts of next characters after each observed context of length ``ell``."""

    ell: int
    s: int
    contexts: np.ndarray  # sorted context codes
    counts: np.ndarray  # (len(contexts), s)

    @property
    def probabilities(self) -> np.ndarray:
        return self.counts / self.counts.sum(-1, keepdims=True)

    def rows(self, codes) -> np.ndarray:
        """Row of each context code, −1 where the context was never seen."""
        codes = np.asarray(codes)
        at = np.searchsorted(self.contexts, codes)
        at = np.minimum(at, len(self.contexts) - 1)
        return np.where(self.contexts[at] == codes, at, -1)


def fit(corpora, ell: int, s: int) -> CharModel:
    """Train by counting on one or several id arrays (counted separately, then added, so that no
    context straddles two corpora). ``ell`` is at most :func:`max_order` of ``s``; ids lie in
    ``[0, s)``; the table of counts (observed contexts × ``s``) must fit in
    :data:`~modelcollapse.validation.MAX_BYTES`."""
    ell, s = _order(ell, s)
    if isinstance(corpora, np.ndarray) and corpora.ndim == 1:
        corpora = [corpora]
    if not isinstance(corpora, (list, tuple)):
        raise ValueError(f"corpora must be an id array or a list of them, got {type(corpora).__name__}")
    corpora = [checked_ids(f"corpora[{k}]", c, s) for k, c in enumerate(corpora)]
    if any(c.ndim != 1 for c in corpora):
        raise ValueError("corpora must be 1-D id arrays")
    # Rows of the table: at most one per position, and at most s^ell distinct contexts.
    rows = min(sum(max(len(c) - ell, 0) for c in corpora), s**ell)
    memory("corpora, ell and s", 8.0 * rows * s,
           "fit fewer characters, a shorter context or a smaller vocabulary")
    codes = np.concatenate([context_codes(c, ell, s) * s + np.asarray(c)[ell:] for c in corpora])
    if codes.size == 0:
        raise ValueError(f"corpora must hold more than ell={ell} characters")
    pairs, n = np.unique(codes, return_counts=True)
    contexts, row = np.unique(pairs // s, return_inverse=True)
    counts = np.zeros((len(contexts), s), dtype=np.int64)
    np.add.at(counts, (row.ravel(), pairs % s), n)
    return CharModel(ell, s, contexts, counts)


def fit_orders(corpora, ell: int, s: int) -> list[CharModel]:
    """Models of every order ``0..ℓ`` on the same corpora, for back-off smoothing."""
    ell, s = _order(ell, s)
    return [fit(corpora, k, s) for k in range(ell + 1)]


#: The longest text :func:`sample` writes in one call. Its loop takes one Python step (a few
#: microseconds) per character, so this is about a minute.
MAX_SAMPLE_LENGTH = 2 * 10**7


def sample(model: CharModel, length: int, seed) -> np.ndarray:
    """``length`` characters drawn autoregressively from the counting model.

    The first context is drawn by frequency among the observed ones. A context the model never
    saw (it can only arise at the very end of a training corpus) restarts the chain the same way.
    ``seed``: an int, a SeedSequence or a numpy Generator (a chain passes its own).
    ``length`` is at most :data:`MAX_SAMPLE_LENGTH`.
    """
    instance_of("model", model, CharModel)
    length = bounded_int("length", length, MAX_SAMPLE_LENGTH,
                         "one Python step per character: about a minute at this length",
                         "sample several shorter texts")
    rng = as_generator("seed", seed)
    ell, s = model.ell, model.s
    cdf = np.cumsum(model.probabilities, axis=1)
    weights = model.counts.sum(1) / model.counts.sum()
    row_of = {int(code): i for i, code in enumerate(model.contexts)}
    uniforms = rng.random(length)
    restarts = rng.choice(len(model.contexts), size=length + 1, p=weights)
    out = np.empty(length, dtype=np.int64)
    restart = 0

    def start(i):
        code = int(model.contexts[restarts[i]])
        return code, restarts[i]

    code, row = start(restart)
    modulus = s**ell
    for t in range(length):
        ch = int(np.searchsorted(cdf[row], uniforms[t], side="right"))
        ch = min(ch, s - 1)  # guards the last cumulative sum rounding below 1
        out[t] = ch
        code = (code * s + ch) % modulus if ell else 0
        row = row_of.get(code, -1)
        if row < 0:
            restart += 1
            code, row = start(restart)
    return out


def smoothed(models: list[CharModel], history, kappa: float = 1.0) -> np.ndarray:
    """Next-character distributions after each context in ``history`` (rows of ``ℓ`` ids), with
    interpolated back-off: ``p_k(·|c) = (counts_k(c, ·) + κ p_{k−1}(·|c')) / (N_k(c) + κ)``,
    ``c'`` the context's last ``k − 1`` characters, down to a uniform ``p_{−1}``. It is the
    posterior mean under a Dirichlet prior centred on the shorter context's model: never zero
    (a collapsed model still gives real text a finite cross-entropy) and equal to counting as
    the counts grow. ``kappa`` is finite and positive; ``history`` holds ids in ``[0, s)``,
    at least ``ℓ`` a row."""
    models = _models("models", models)
    kappa = smoothing("kappa", kappa)
    s, ell = models[0].s, len(models) - 1
    history = checked_ids("history", history, s)
    if history.ndim > 2 or np.atleast_2d(history).shape[1] < ell or history.size == 0 and ell:
        raise ValueError(f"history must be one or more rows of at least ell={ell} ids, got shape "
                         f"{history.shape}")
    if np.atleast_2d(history).shape[0] == 0:
        raise ValueError("history must hold at least one context, got none")
    memory("history and the vocabulary", 8.0 * np.atleast_2d(history).shape[0] * s,
           "ask for fewer contexts at a time")
    history = np.atleast_2d(np.asarray(history, dtype=np.int64))
    s = models[0].s
    p = np.full((len(history), s), 1.0 / s)
    for k, model in enumerate(models):
        rows = model.rows(_codes_of_suffix(history, k, s))
        counts = np.where(rows[:, None] >= 0, model.counts[np.maximum(rows, 0)], 0)
        p = (counts + kappa * p) / (counts.sum(1, keepdims=True) + kappa)
    return p


def _codes_of_suffix(history: np.ndarray, k: int, s: int) -> np.ndarray:
    codes = np.zeros(len(history), dtype=np.int64)
    for j in range(history.shape[1] - k, history.shape[1]):
        codes = codes * s + history[:, j]
    return codes


def cross_entropy_bits(models: list[CharModel], ids, kappa: float = 1.0) -> float:
    """Bits per character of the smoothed model on ``ids`` (positions ``t ≥ ℓ``); ``kappa``
    finite and positive, ``ids`` in ``[0, s)`` and more than ``ℓ`` of them."""
    models = _models("models", models)
    kappa = smoothing("kappa", kappa)
    ids = checked_ids("ids", ids, models[0].s)
    if ids.ndim != 1 or len(ids) <= len(models) - 1:
        raise ValueError(f"ids must be a 1-D array of more than ell={len(models) - 1} ids, "
                         f"got shape {ids.shape}")
    ids = np.asarray(ids, dtype=np.int64)
    ell = len(models) - 1
    history = np.lib.stride_tricks.sliding_window_view(ids[:-1], ell) if ell else np.zeros((len(ids), 0), dtype=np.int64)
    targets = ids[ell:]
    history = history[: len(targets)]
    # Only the target's probability is needed: the same recursion on one column.
    s = models[0].s
    p = np.full(len(targets), 1.0 / s)
    for k, model in enumerate(models):
        rows = model.rows(_codes_of_suffix(history, k, s))
        seen = rows >= 0
        safe = np.maximum(rows, 0)
        n_target = np.where(seen, model.counts[safe, targets], 0)
        n_total = np.where(seen, model.counts[safe].sum(1), 0)
        p = (n_target + kappa * p) / (n_total + kappa)
    return float(-np.mean(np.log2(p)))
