"""The paper's statistical language model (paper §2.1; the book's book/setup/model.md): training
is counting, and a trained model generates synthetic data by multinomial sampling. Batched over
any leading axes."""

from __future__ import annotations

import numpy as np

from .validation import MAX_SAMPLES, as_generator, finite_array, probability_rows, sample_size


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
    # Counts and their totals must be exact in float64 (and an int64 total must not wrap):
    # [2**62, 2**62] summed to a negative int64, [1e308, 1e308] to inf.
    if np.max(arr) > MAX_SAMPLES or np.any(arr.sum(axis=-1, dtype=float) > MAX_SAMPLES):
        raise ValueError(f"counts must total at most 2**53 = {MAX_SAMPLES} a row (exact in float64)")
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
    return _draw(as_generator("seed", seed), sample_size("n", n), probs)


def draw(rng: np.random.Generator, n, probs) -> np.ndarray:
    """Batched multinomial draw of ``n`` samples from each row of ``probs``, with the rows used
    as given (not renormalised). ``rng`` must be a Generator; ``probs`` rows of probabilities (finite, non-negative)
    (:func:`~modelcollapse.validation.probability_rows`): numpy's multinomial gives the last
    category whatever the others leave, so ``[.3, .3]`` drew ``[3, 7]``."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    probability_rows("probs", probs)
    return _draw(rng, sample_size("n", n), np.asarray(probs, dtype=float))


def _draw(rng: np.random.Generator, n, probs: np.ndarray) -> np.ndarray:
    """Unchecked :func:`draw`, for the engine's inner loop (inputs already valid)."""
    return rng.multinomial(n, probs)


def _rows(name: str, p) -> np.ndarray:
    """``p`` checked as rows of masses: finite, non-negative, at least one token a row. Rows are
    not required to sum to 1 (a float32 softmax, as the transformer's, is off by ~1e-7), and are
    returned as given, not renormalised, so that a summary is of the array the caller holds."""
    arr = finite_array(name, p, nonnegative=True)
    if arr.ndim < 1:
        raise ValueError(f"{name} must have a token axis, got a scalar")
    return arr


def collision_probability(p) -> np.ndarray:
    """``σ = ||p||_2² = Σ_i p_i²`` along the last axis (``S_0`` for the ground truth); ``p``
    rows of probabilities (finite, non-negative)."""
    return _collision_probability(_rows("p", p))


def _collision_probability(p: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", p, p)


def l1_distance(p, q) -> np.ndarray:
    """``||p − q||_1`` along the last axis (twice the total-variation distance); ``p`` and ``q``
    rows of probabilities (finite, non-negative) over the same tokens (broadcast over leading axes)."""
    p, q = _rows("p", p), _rows("q", q)
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"p and q must have the same number of tokens, got {p.shape[-1]} and {q.shape[-1]}")
    return _l1_distance(p, q)


def _l1_distance(p, q) -> np.ndarray:
    difference = np.subtract(np.asarray(p, dtype=float), np.asarray(q, dtype=float))
    return np.abs(difference, out=difference).sum(axis=-1)  # in place: one temporary, not two


def squared_distance(p, q) -> np.ndarray:
    """``||p − q||_2²`` along the last axis; ``p`` and ``q`` rows of probabilities (finite, non-negative)."""
    p, q = _rows("p", p), _rows("q", q)
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"p and q must have the same number of tokens, got {p.shape[-1]} and {q.shape[-1]}")
    difference = np.subtract(p, q)
    return np.einsum("...i,...i->...", difference, difference)


def support_size(p) -> np.ndarray:
    """Number of tokens with positive probability, along the last axis (``s̃`` for ``p^(0)``);
    ``p`` rows of probabilities (finite, non-negative)."""
    return _support_size(_rows("p", p))


def _support_size(p) -> np.ndarray:
    return np.count_nonzero(np.asarray(p) > 0, axis=-1)
