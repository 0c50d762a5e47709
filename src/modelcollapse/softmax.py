"""The paper's linear softmax classifier on one-hot contexts (NOTES §1), trained by full-batch
gradient descent: the check that gradient training reaches the counting estimate.

With one-hot inputs the corpus enters only through the count matrix ``counts[j, k]`` (how often
token ``k`` followed context ``j``), and the logits of context ``j`` are row ``W[j]``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.special import log_softmax, softmax

from .model import fit
from .validation import positive_int


def cross_entropy(W, counts) -> float:
    """``L(W) = −(1/M) Σ_{j,k} counts[j,k] log softmax(W_j)_k`` with ``M`` the corpus size."""
    counts = np.asarray(counts, dtype=float)
    return float(-(counts * log_softmax(W, axis=-1)).sum() / counts.sum())


def gradient(W, counts) -> np.ndarray:
    """``∂L/∂W_j = (N_j softmax(W_j) − counts_j) / M``, ``N_j`` the count of context ``j``."""
    counts = np.asarray(counts, dtype=float)
    return (counts.sum(-1, keepdims=True) * softmax(W, axis=-1) - counts) / counts.sum()


def default_learning_rate(counts) -> float:
    """``1/L`` for the smoothness constant ``L = max_j N_j / (2M)``.

    The Hessian in ``W_j`` is ``(N_j/M)(diag σ − σσᵀ)``; by Gershgorin its eigenvalues are at
    most ``2 max_k σ_k(1 − σ_k) ≤ 1/2`` times ``N_j/M``. A step of ``1/L`` makes the loss
    decrease at every step.
    """
    counts = np.asarray(counts, dtype=float)
    return float(2 * counts.sum() / counts.sum(-1).max())


@dataclass(frozen=True)
class SoftmaxFit:
    """Result of :func:`train_softmax`; the history is recorded at the steps in ``steps``."""

    W: np.ndarray
    probabilities: np.ndarray  # softmax of each row of W
    steps: np.ndarray
    loss: np.ndarray
    gap: np.ndarray  # (len(steps), contexts): max_k |softmax(W_j)_k − counting estimate_jk|


def train_softmax(counts, steps: int, lr: float | None = None, record_every: int = 1) -> SoftmaxFit:
    """Full-batch gradient descent from ``W = 0`` (deterministic) on the cross-entropy.

    ``counts``: contexts × tokens, every context seen at least once. ``lr`` defaults to
    :func:`default_learning_rate`.
    """
    counts = np.asarray(counts)
    if counts.ndim != 2:
        raise ValueError(f"counts must be a contexts × tokens matrix, got shape {counts.shape}")
    target = fit(counts)  # also checks the counts
    steps = positive_int("steps", steps)
    record_every = positive_int("record_every", record_every)
    if lr is None:
        lr = default_learning_rate(counts)
    elif isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")

    W = np.zeros(counts.shape)
    recorded, losses, gaps = [], [], []
    for step in range(steps + 1):
        if step % record_every == 0 or step == steps:
            recorded.append(step)
            losses.append(cross_entropy(W, counts))
            gaps.append(np.abs(softmax(W, axis=-1) - target).max(axis=-1))
        if step < steps:
            W = W - lr * gradient(W, counts)
    return SoftmaxFit(W, softmax(W, axis=-1), np.array(recorded), np.array(losses), np.array(gaps))
