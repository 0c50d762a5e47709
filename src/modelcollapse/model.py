"""The paper's statistical language model (paper §2.1; the book's book/setup/model.md): training
is counting, and a trained model generates synthetic data by multinomial sampling. Batched over
any leading axes."""

from __future__ import annotations

import numpy as np

from .validation import as_generator, positive_int, probability_rows


def fit(counts) -> np.ndarray:
    """The cross-entropy optimum of a softmax over one-hot contexts: empirical frequencies.

    ``counts[..., k]`` is how often token ``k`` followed the context; every row needs at least
    one sample (a context never seen has no maximum-likelihood estimate).
    """
    arr = np.asarray(counts)
    if arr.ndim < 1 or arr.size == 0:
        raise ValueError(f"counts must be a non-empty array with a token axis, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"counts must be real numbers, got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.floor(arr)):
        raise ValueError("counts must be non-negative whole numbers")
    totals = arr.sum(axis=-1, keepdims=True)
    if np.any(totals == 0):
        raise ValueError("counts: every row needs at least one sample (a total of zero cannot be fitted)")
    return arr / totals


def sample_counts(p, n, seed) -> np.ndarray:
    """Counts of ``n`` i.i.d. next tokens drawn from each row of ``p`` (synthetic data).

    ``p`` may have leading axes (runs, contexts); the result has the shape of ``p``, integer
    counts summing to ``n`` along the last axis. ``seed``: an int, a SeedSequence or a numpy
    Generator.
    """
    probs = probability_rows("p", p)
    return draw(as_generator("seed", seed), positive_int("n", n), probs)


def draw(rng: np.random.Generator, n, probs: np.ndarray) -> np.ndarray:
    """Unchecked batched multinomial draw, for the engine's inner loop (inputs already valid)."""
    return rng.multinomial(n, probs)


def collision_probability(p) -> np.ndarray:
    """``σ = ||p||_2² = Σ_i p_i²`` along the last axis (``S_0`` for the ground truth)."""
    p = np.asarray(p, dtype=float)
    return np.einsum("...i,...i->...", p, p)


def l1_distance(p, q) -> np.ndarray:
    """``||p − q||_1`` along the last axis (twice the total-variation distance)."""
    difference = np.subtract(np.asarray(p, dtype=float), np.asarray(q, dtype=float))
    return np.abs(difference, out=difference).sum(axis=-1)  # in place: one temporary, not two


def squared_distance(p, q) -> np.ndarray:
    """``||p − q||_2²`` along the last axis."""
    difference = np.subtract(np.asarray(p, dtype=float), np.asarray(q, dtype=float))
    return np.einsum("...i,...i->...", difference, difference)


def support_size(p) -> np.ndarray:
    """Number of tokens with positive probability, along the last axis (``s̃`` for ``p^(0)``)."""
    return np.count_nonzero(np.asarray(p) > 0, axis=-1)
