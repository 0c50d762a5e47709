"""The paper's linear softmax classifier on one-hot contexts (paper §2.1;
notebooks/01-setup.ipynb), trained by full-batch gradient descent: the check that gradient
training reaches the counting estimate.

With one-hot inputs the corpus enters only through the count matrix ``counts[j, k]`` (how often
token ``k`` followed context ``j``), and the logits of context ``j`` are row ``W[j]``:

    L(W) = −(1/M) Σ_{j,k} counts[j,k] log softmax(W_j)_k,     M = Σ_{j,k} counts[j,k],
    ∂L/∂W_j = (N_j softmax(W_j) − counts_j) / M,               N_j = Σ_k counts[j,k].

The rows decouple: context ``j`` is its own small problem, weighted by ``N_j/M``. Softmax and
log-softmax come from ``scipy.special``, which subtracts the row maximum (no overflow for
large logits, no ``log(0)`` for very negative ones).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import log_softmax, softmax

from .model import fit
from .validation import bounded_int, finite_array, memory, positive_int, real_in


def _count_matrix(counts) -> np.ndarray:
    """``counts`` checked (by :func:`modelcollapse.model.fit`) as a float contexts × tokens matrix."""
    arr = np.asarray(counts)
    if arr.ndim != 2:
        raise ValueError(f"counts must be a contexts × tokens matrix, got shape {arr.shape}")
    fit(arr)  # non-negative whole numbers, every context seen at least once
    return arr.astype(float)


def _logits(W, shape) -> np.ndarray:
    arr = finite_array("W", W, min_size=0)  # real: a complex W is refused, not cast
    if arr.shape != shape:
        raise ValueError(f"W must have the shape of counts {shape}, got {arr.shape}")
    return arr


def _loss(W: np.ndarray, counts: np.ndarray) -> float:
    # A zero count times a finite log-probability is an exact zero: no 0·log 0 issue for finite W.
    return float(-(counts * log_softmax(W, axis=-1)).sum() / counts.sum())


def _gradient(W: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return (counts.sum(-1, keepdims=True) * softmax(W, axis=-1) - counts) / counts.sum()


def cross_entropy(W, counts) -> float:
    """``L(W) = −(1/M) Σ_{j,k} counts[j,k] log softmax(W_j)_k`` with ``M`` the corpus size."""
    counts = _count_matrix(counts)
    return _loss(_logits(W, counts.shape), counts)


def gradient(W, counts) -> np.ndarray:
    """``∂L/∂W_j = (N_j softmax(W_j) − counts_j) / M``, ``N_j`` the count of context ``j``."""
    counts = _count_matrix(counts)
    return _gradient(_logits(W, counts.shape), counts)


def counting_loss(counts) -> float:
    """The minimum of :func:`cross_entropy`: its value at the counting estimate, with 0·log 0 = 0.

    It is attained only in the limit ``W → −∞`` on zero counts, but it is the infimum either way.
    """
    counts = _count_matrix(counts)
    p_hat = counts / counts.sum(-1, keepdims=True)
    seen = counts > 0
    return float(-(counts[seen] * np.log(p_hat[seen])).sum() / counts.sum())


def default_learning_rate(counts) -> float:
    """``1/L`` for the smoothness constant ``L = max_j N_j / (2M)`` of the loss.

    Why: the Hessian of ``L`` in row ``W_j`` is ``(N_j/M)(diag σ − σσᵀ)``, ``σ = softmax(W_j)``,
    and rows do not interact. Row ``k`` of ``diag σ − σσᵀ`` has diagonal ``σ_k(1 − σ_k)`` and
    off-diagonal absolute sum ``σ_k Σ_{i≠k} σ_i = σ_k(1 − σ_k)``, so by Gershgorin every
    eigenvalue is at most ``2 max_k σ_k(1 − σ_k) ≤ 1/2``; the bound is attained at
    ``σ = (1/2, 1/2, 0, …)``, so ``1/2`` cannot be improved uniformly in ``W``. Hence
    ``‖∇²L‖ ≤ L`` everywhere, and the descent lemma gives
    ``L(W − ∇L/L) ≤ L(W) − ‖∇L‖²/(2L)``: with this step the loss never increases. (Steps up to
    ``2/L`` are still stable but lose that guarantee.) In ``W_j`` the effective step is
    ``lr · N_j/M = 2 N_j / max_i N_i ≤ 2``, independent of the corpus size.
    """
    counts = _count_matrix(counts)
    return float(2 * counts.sum() / counts.sum(-1).max())


def _checked_lr(lr, counts: np.ndarray) -> float:
    if lr is None:
        return default_learning_rate(counts)
    return real_in("lr", lr, "(0, inf)")


def convergence_factors(counts, lr=None) -> np.ndarray:
    """Per context, the asymptotic factor by which gradient descent shrinks the distance to the
    counting estimate at each step, ``1 − lr · λ_j``.

    Near the optimum the error in ``W_j`` (modulo adding a constant to the row, which does not
    change the softmax) evolves linearly, ``e ← (I − lr H_j) e`` with
    ``H_j = (N_j/M)(diag p̂_j − p̂_j p̂_jᵀ)``; ``λ_j`` is the smallest eigenvalue of ``H_j`` on
    vectors orthogonal to the all-ones direction. With the default step every factor lies in
    ``[0, 1)``: the convergence is geometric. A context with a zero count has no interior
    optimum; its factor is reported as ``nan`` (there the gap decays like ``1/t``, not
    geometrically).
    """
    counts = _count_matrix(counts)
    lr = _checked_lr(lr, counts)
    M, s = counts.sum(), counts.shape[1]
    p_hat = counts / counts.sum(-1, keepdims=True)
    # Orthonormal basis of the complement of the ones vector: the last s-1 columns of a QR basis.
    basis = np.linalg.qr(np.column_stack([np.ones(s), np.eye(s)[:, : s - 1]]))[0][:, 1:]
    factors = np.full(counts.shape[0], np.nan)
    for j, (q, n_j) in enumerate(zip(p_hat, counts.sum(-1))):
        if np.all(q > 0):
            H = (n_j / M) * (np.diag(q) - np.outer(q, q))
            lam = np.linalg.eigvalsh(basis.T @ H @ basis)[0] if s > 1 else 0.0
            factors[j] = 1 - lr * lam
    return factors


def boundary_gap_constants(counts, lr=None) -> np.ndarray:
    """Per context with a zero count, the constant ``C_j`` of the slow decay
    ``max_k |softmax(W_j)_k − p̂_jk| ≈ C_j / t`` after ``t`` gradient steps (``nan`` where every
    token was seen: there the decay is geometric, see :func:`convergence_factors`).

    Derivation. Let context ``j`` have ``z`` unseen tokens and ``s⁺ = s − z`` seen ones, and
    ``a = lr N_j / M``. An unseen token's logit moves by ``−a σ_z`` per step, a seen one's by
    ``−a(σ_i − p̂_i)``. The seen logits settle (geometrically fast) where their ratios stop
    changing, i.e. where ``σ_i − p̂_i`` is the same for every seen token: the missing mass
    ``z σ_z`` is taken evenly, ``σ_i = p̂_i − z σ_z / s⁺``. To first order the log-normaliser then
    grows by ``a z σ_z / s⁺`` per step, so ``log σ_z`` falls by ``a σ_z (1 + z/s⁺)`` and
    ``1/σ_z`` grows by ``b = a s / s⁺`` per step: ``σ_z ≈ 1/(s + b t) ≈ 1/(b t)``. The largest
    gap is ``σ_z`` itself or, when ``z > s⁺``, the even deficit ``z σ_z / s⁺``; hence
    ``C_j = max(s⁺, z) / (a s)``. With the default step ``a = 2 N_j / max_i N_i``.
    """
    counts = _count_matrix(counts)
    lr = _checked_lr(lr, counts)
    s = counts.shape[1]
    seen = np.count_nonzero(counts > 0, axis=-1)
    unseen = s - seen
    a = lr * counts.sum(-1) / counts.sum()
    constants = np.maximum(seen, unseen) / (a * s)
    return np.where(unseen > 0, constants, np.nan)


#: The most count-matrix entries :func:`train_softmax` updates in one call (steps × contexts ×
#: tokens): about a minute of numpy at a few nanoseconds an entry and a few passes a step.
MAX_STEP_ENTRIES = 2**33


@dataclass(frozen=True)
class SoftmaxFit:
    """Result of :func:`train_softmax`; the history is recorded at the steps in ``steps``.

    The arrays are read-only.
    """

    W: np.ndarray  # final logits, contexts × tokens
    probabilities: np.ndarray  # softmax of each row of W: the trained conditionals
    steps: np.ndarray  # recorded step numbers (0 = the initial W = 0)
    loss: np.ndarray  # cross-entropy at each recorded step
    gap: np.ndarray  # (len(steps), contexts): max_k |softmax(W_j)_k − counting estimate_jk|
    lr: float  # the step size used


def _frozen(arr) -> np.ndarray:
    arr = np.array(arr)
    arr.flags.writeable = False
    return arr


def train_softmax(counts, steps: int, lr: float | None = None, record_every: int = 1) -> SoftmaxFit:
    """Full-batch gradient descent from ``W = 0`` (deterministic) on the cross-entropy.

    ``counts``: contexts × tokens, non-negative whole numbers, every context seen at least once.
    ``steps``: number of gradient steps (>= 1). ``lr`` defaults to
    :func:`default_learning_rate` (the loss then never increases). The loss and the gap to the
    counting estimate are recorded at step 0, every ``record_every`` steps, and at the last step.
    """
    counts_arr = _count_matrix(counts)
    target = counts_arr / counts_arr.sum(-1, keepdims=True)
    # Each step touches every count a few times: the ceiling keeps a call under about a minute.
    steps = bounded_int("steps", steps, MAX_STEP_ENTRIES // counts_arr.size,
                        f"steps × counts.size at most MAX_STEP_ENTRIES = {MAX_STEP_ENTRIES}",
                        "train fewer steps, or on fewer contexts")
    record_every = positive_int("record_every", record_every)
    memory("steps and record_every", 8.0 * (steps // record_every + 2) * counts_arr.shape[0] * 2,
           "record less often (a larger record_every)")
    lr = _checked_lr(lr, counts_arr)

    W = np.zeros(counts_arr.shape)
    recorded, losses, gaps = [], [], []
    for step in range(steps + 1):
        if step % record_every == 0 or step == steps:
            recorded.append(step)
            losses.append(_loss(W, counts_arr))
            gaps.append(np.abs(softmax(W, axis=-1) - target).max(axis=-1))
        if step < steps:
            W = W - lr * _gradient(W, counts_arr)
    return SoftmaxFit(
        W=_frozen(W),
        probabilities=_frozen(softmax(W, axis=-1)),
        steps=_frozen(recorded),
        loss=_frozen(losses),
        gap=_frozen(gaps),
        lr=lr,
    )
