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

from .validation import as_generator, nonnegative_int, positive_int


def context_codes(ids, ell: int, s: int) -> np.ndarray:
    """Code of the context of every position ``t ≥ ℓ``: ``Σ_j ids[t−ℓ+j] s^(ℓ−1−j)``."""
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
    context straddles two corpora)."""
    ell = nonnegative_int("ell", ell)
    s = positive_int("s", s)
    if isinstance(corpora, np.ndarray) and corpora.ndim == 1:
        corpora = [corpora]
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
    return [fit(corpora, k, s) for k in range(ell + 1)]


def sample(model: CharModel, length: int, seed) -> np.ndarray:
    """``length`` characters drawn autoregressively from the counting model.

    The first context is drawn by frequency among the observed ones. A context the model never
    saw (it can only arise at the very end of a training corpus) restarts the chain the same way.
    ``seed``: an int, a SeedSequence or a numpy Generator (a chain passes its own).
    """
    length = positive_int("length", length)
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
    the counts grow."""
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
    """Bits per character of the smoothed model on ``ids`` (positions ``t ≥ ℓ``)."""
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
