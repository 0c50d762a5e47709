"""Exact collapse time of fully synthetic training.

:func:`expected_collapse_time` gives ``E[T]`` and ``sd(T)`` for any support and ``n`` up to
:data:`MAX_SAMPLES_EXACT`, token by token: each token's count is on its own a two-allele chain.

:func:`collapse_probability` gives ``P(T ≤ m)``, the probability of a Dirac mass at generation
``m``, the same way, for one context or many.

:func:`expected_time_to_tokens_left` follows the whole chain, for small ``n`` and support, to
answer what needs the joint law of the tokens (the generation at which the first token is lost).
The chain is exchangeable in the tokens, so after generation 1 its state can be taken as the
sorted vector of counts, a partition of ``n``; the Dirac masses are the one absorbing state
``(n, 0, …, 0)``. Expected absorption times come from the fundamental matrix of the absorbing
chain (Kemeny & Snell): ``(I − Q) t = 1`` and ``(I − Q) u = t`` with ``E[τ²] = 2u − t``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np
from scipy.linalg import lu_factor, lu_solve
from scipy.sparse import csr_matrix
from scipy.special import gammaln
from scipy.stats import binom

from .validation import (
    MAX_ELEMENTS,
    bounded_int,
    memory,
    nonnegative_int,
    one_distribution,
    positive_int,
    probability_rows,
)

# Multinomial weights held in memory at once when building transition rows (8 bytes each).
_BLOCK = 2_000_000


@dataclass(frozen=True)
class CollapseTime:
    """Exact mean and standard deviation of ``T``; ``states`` is the number of transient
    partitions the solve used."""

    mean: float
    std: float
    states: int


#: The most partitions :func:`partitions` lists (a tuple each, built in Python, about a second
#: per million).
MAX_PARTITIONS = 10**6
#: The most steps of :func:`partition_count`'s ``O(n·parts)`` loop (about a minute in Python).
MAX_COUNT_STEPS = 10**8


def _partition_args(n, parts) -> tuple[int, int]:
    n, parts = nonnegative_int("n", n), positive_int("parts", parts)
    steps = n * min(parts, n)
    if steps > MAX_COUNT_STEPS:
        raise ValueError(f"n and parts ask for {steps} steps of the counting recursion, more than "
                         f"MAX_COUNT_STEPS = {MAX_COUNT_STEPS}; use a smaller n or fewer parts")
    return n, parts


def partitions(n: int, parts: int) -> list[tuple[int, ...]]:
    """Partitions of ``n`` into at most ``parts`` positive parts, as non-increasing tuples;
    refused when there are more than :data:`MAX_PARTITIONS` (:func:`partition_count` counts
    them without listing)."""
    count = partition_count(n, parts)
    if count > MAX_PARTITIONS:
        raise ValueError(f"n and parts give {count} partitions, more than MAX_PARTITIONS = "
                         f"{MAX_PARTITIONS}; partition_count(n, parts) counts them without listing")

    def build(remaining, largest, slots):
        if remaining == 0:
            yield ()
            return
        if slots == 0:
            return
        for first in range(min(remaining, largest), 0, -1):
            for rest in build(remaining - first, first, slots - 1):
                yield (first,) + rest

    return list(build(n, n, parts))


def partition_count(n: int, parts: int) -> int:
    """How many partitions of ``n`` have at most ``parts`` parts, without listing them (the
    recursion ``c(n, k) = c(n, k − 1) + c(n − k, k)``, in ``O(n·parts)``, at most
    :data:`MAX_COUNT_STEPS` steps)."""
    n, parts = _partition_args(n, parts)
    count = [1] + [0] * n  # parts = 0: only the empty partition of 0
    for k in range(1, min(parts, n) + 1):
        for total in range(k, n + 1):
            count[total] += count[total - k]
    return count[n]


def _compositions(n: int, k: int) -> np.ndarray:
    """All ways to write ``n`` as ``k`` ordered non-negative parts (stars and bars); kept by
    :func:`_composition_classes`'s cache."""
    bars = np.array(list(combinations(range(n + k - 1), k - 1)), dtype=np.int64)
    bars = bars.reshape(comb(n + k - 1, k - 1), k - 1)  # k = 1: one composition, no bars
    edges = np.hstack([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), n + k - 1)])
    return np.diff(edges, axis=1) - 1


@lru_cache(maxsize=4)
def _composition_classes(n: int, k: int):
    """The count vectors of ``Multinomial(n, ·)`` on ``k`` tokens, their log multinomial
    coefficients, and the sparse 0/1 matrix sending each to its sorted counts (a partition of
    ``n`` with zeros dropped). They depend on ``(n, k)`` only, so every state with ``k`` parts
    shares them: the sort and ``np.unique`` run once per ``k``, not once per state."""
    x = _compositions(n, k)
    keys, inverse = np.unique(np.sort(x, axis=1)[:, ::-1], axis=0, return_inverse=True)
    to_key = csr_matrix((np.ones(len(x)), (np.arange(len(x)), inverse.ravel())),
                        shape=(len(x), len(keys)))
    partitions_hit = [tuple(int(v) for v in key if v) for key in keys]
    return x, gammaln(n + 1) - gammaln(x + 1).sum(1), to_key, partitions_hit


def _sorted_count_laws(n: int, q_rows: np.ndarray, index: dict) -> np.ndarray:
    """Row ``r``: the law of the sorted counts of ``Multinomial(n, q_rows[r])`` over the
    partitions in ``index``, for rows ``q_rows > 0`` of equal length ``k``: one matrix product
    per block of rows, blocks sized to hold about ``_BLOCK`` weights at a time."""
    x, log_coefficient, to_key, partitions_hit = _composition_classes(n, q_rows.shape[1])
    columns = np.array([index[key] for key in partitions_hit])
    out = np.zeros((len(q_rows), len(index)))
    block = max(1, _BLOCK // len(x))
    for start in range(0, len(q_rows), block):
        log_q = np.log(q_rows[start:start + block])
        weights = np.exp(log_coefficient + log_q @ x.T)
        out[start:start + block, columns] = np.asarray(weights @ to_key)
    return out


def _partition_law(n: int, q: np.ndarray, index: dict, max_compositions: int) -> np.ndarray:
    """Law of the sorted counts of ``Multinomial(n, q)``, ``q > 0``, over the partitions in
    ``index`` (the absorbing partition ``(n,)`` included).

    Few tokens: enumerate every count vector at once in numpy. Many tokens (the first draw
    from a ``p`` with a large support): add one token at a time, keeping only sorted partial
    counts, whose number is bounded by the partitions of at most ``n``.
    """
    k = len(q)
    if comb(n + k - 1, k - 1) <= max_compositions:
        return _sorted_count_laws(n, q[None, :], index)[0]
    partial = {(): 0.0}  # sorted nonzero counts so far -> log of Σ Π q_i^x_i / x_i!
    for qi in q:
        grown: dict = {}
        for key, log_w in partial.items():
            room = n - sum(key)
            for x in range(room + 1):
                new = tuple(sorted(key + (x,), reverse=True)) if x else key
                value = log_w + x * np.log(qi) - gammaln(x + 1)
                grown[new] = np.logaddexp(grown[new], value) if new in grown else value
        partial = grown
        if len(partial) > max_compositions:
            raise ValueError(
                f"n and the support are too large to enumerate exactly: more than "
                f"max_compositions={max_compositions} partial count vectors"
            )
    law = np.zeros(len(index))
    for key, log_w in partial.items():
        if sum(key) == n:
            law[index[key]] += np.exp(gammaln(n + 1) + log_w)
    return law


def _transition_matrix(n: int, states: list, index: dict, max_compositions: int) -> np.ndarray:
    """Rows ``P(state → ·)`` over the partitions in ``index``: a state with ``k`` parts draws
    ``Multinomial(n, state / n)`` on ``k`` tokens, so the states are batched by ``k``."""
    rows = np.zeros((len(states), len(index)))
    by_parts: dict = {}
    for row, state in enumerate(states):
        by_parts.setdefault(len(state), []).append(row)
    for k, members in by_parts.items():
        q_rows = np.array([states[row] for row in members], dtype=float) / n
        if comb(n + k - 1, k - 1) <= max_compositions:
            rows[members] = _sorted_count_laws(n, q_rows, index)
        else:
            for row, q in zip(members, q_rows):
                rows[row] = _partition_law(n, q, index, max_compositions)
    return rows


#: The largest ``max_states`` :func:`expected_time_to_tokens_left` accepts. Its solve holds a
#: dense ``max_states²`` float64 matrix, within :data:`~modelcollapse.validation.MAX_BYTES`.
MAX_STATES = int(MAX_ELEMENTS**0.5)


def expected_time_to_tokens_left(p, n, tokens_left: int, max_states: int = 5000,
                                 max_compositions: int = 2_000_000) -> CollapseTime:
    """Exact mean and sd of the first generation ``m ≥ 1`` at which at most ``tokens_left``
    tokens have positive mass, for fully synthetic training with ``n`` samples a generation
    started at ``p^(0) = p`` (any point of the simplex: generation 1 draws from ``p`` itself).

    ``tokens_left = s̃ − 1`` is the generation at which the first token is lost;
    ``tokens_left = 1`` the collapse time ``T``, which :func:`expected_collapse_time` computes
    for any support and far larger ``n``. Tokens with ``p_i = 0`` never appear. Raises
    ``ValueError`` where the state space or the enumeration of one generation's outcomes would
    exceed ``max_states`` or ``max_compositions``.
    """
    p = one_distribution("p", p)
    n = positive_int("n", n)
    tokens_left = positive_int("tokens_left", tokens_left)
    # The guards are ceilings themselves, so they have ceilings: the solve holds a dense
    # max_states² matrix, the enumeration max_compositions weights at a time.
    max_states = bounded_int("max_states", max_states, MAX_STATES,
                             "a dense max_states² float64 matrix within MAX_BYTES",
                             "for the collapse time T (tokens_left=1), expected_collapse_time "
                             "has no such limit")
    max_compositions = bounded_int("max_compositions", max_compositions, MAX_ELEMENTS,
                                   "float64 weights within MAX_BYTES", "use a smaller n or support")
    q = p[p > 0]
    if q.size <= tokens_left:
        return CollapseTime(1.0, 0.0, 0)  # generation 1 can only have fewer tokens
    # Refuse before enumerating anything: the count alone says whether the solve fits.
    transient_count = partition_count(n, q.size) - partition_count(n, tokens_left)
    if transient_count > max_states:
        raise ValueError(
            f"n and the support give {transient_count} transient states, more than "
            f"max_states={max_states} (for the collapse time T, tokens_left=1, "
            f"expected_collapse_time has no such limit)"
        )
    states = partitions(n, q.size)
    transient = [state for state in states if len(state) > tokens_left]
    index = {state: i for i, state in enumerate(states)}
    columns = [index[state] for state in transient]
    Q = _transition_matrix(n, transient, index, max_compositions)[:, columns]
    fundamental = np.eye(len(Q)) - Q
    t = np.linalg.solve(fundamental, np.ones(len(Q))) if len(Q) else np.zeros(0)
    second = 2 * np.linalg.solve(fundamental, t) - t if len(Q) else np.zeros(0)
    first_law = _partition_law(n, q, index, max_compositions)[columns]
    mean = 1 + first_law @ t
    second_moment = 1 + 2 * (first_law @ t) + first_law @ second
    return CollapseTime(float(mean), float(np.sqrt(max(second_moment - mean**2, 0.0))), len(Q))


@lru_cache(maxsize=4)
def _two_allele_solves(n: int):
    """``(I − Q)⁻¹h`` and ``(I − Q)⁻²h`` for one token's count, the two-allele Wright–Fisher
    chain with ``n`` samples: ``Q`` its transient block on ``1, …, n − 1`` (a ``Binomial(n, j/n)``
    step from ``j``), ``h_j = j/n`` its probability of reaching ``n`` (a martingale). The same for
    every token, so one LU factorisation serves every ``p``. ``I − Q`` is formed in the memory
    of ``Q``: one dense (n − 1)² matrix in all."""
    states = np.arange(1, n)
    system = binom.pmf(states[None, :], n, states[:, None] / n)  # Q
    np.negative(system, out=system)
    system[np.diag_indices(n - 1)] += 1  # 1 − Q_jj, to the bit
    factors = lu_factor(system, overwrite_a=True)
    once = lu_solve(factors, states / n)
    return once, lu_solve(factors, once)


#: The largest ``n`` :func:`expected_collapse_time` accepts. Its solve holds one dense
#: ``(n − 1)²`` matrix (1.3 GB at this ``n``) and takes about a minute on the book's 2-core
#: machine (``benchmarks/RESULTS.md``); its cost grows like ``n³``. A banded solve would not
#: reach far beyond: a ``Binomial(n, 1/2)`` step from ``n/2`` is above float64's smallest
#: number for about 38 standard deviations either side, a band of ±19,000 at ``n = 10⁶``, or
#: 450 GB in LAPACK's banded storage.
MAX_SAMPLES_EXACT = 12_800


def expected_collapse_time(p, n) -> CollapseTime:
    """Exact ``E[T]`` and ``sd(T)`` for any support and ``n`` up to :data:`MAX_SAMPLES_EXACT`,
    token by token.

    ``T`` is the first generation at which one token holds all ``n`` samples. Those events are
    disjoint across tokens, so ``P(T > m) = Σ_i (p_i − P(X_i(m) = n))``, where ``X_i``, token
    ``i``'s count, is on its own a two-allele chain started from ``Binomial(n, p_i)``. Its term
    is the probability that ``X_i(m)`` is transient and will still reach ``n``:
    ``π_i Q^{m−1} h`` with ``π_i`` the generation-1 law on ``1, …, n − 1``. Summing over ``m``,
    ``E[T] = 1 + Σ_i π_i (I − Q)⁻¹h`` and ``E[T²] = 1 + Σ_i π_i [(I − Q)⁻¹h + 2(I − Q)⁻²h]``:
    one linear solve of size ``n − 1`` in all (derived on the fully synthetic derivation page,
    and equal to :func:`expected_time_to_tokens_left` with ``tokens_left=1`` wherever both run).
    ``states`` is ``n − 1``. For larger ``n``, :func:`modelcollapse.theory.diffusion_collapse_time`
    is the Wright–Fisher diffusion approximation, which this approaches as ``n`` grows."""
    p = one_distribution("p", p)
    n = positive_int("n", n)
    if n > MAX_SAMPLES_EXACT:
        raise ValueError(
            f"n must be at most MAX_SAMPLES_EXACT = {MAX_SAMPLES_EXACT} for the exact solve (a "
            f"dense (n − 1)² matrix: {8 * (n - 1) ** 2 / 2**30:.3g} GiB at n = {n}), got {n}; "
            f"theory.diffusion_collapse_time(p, n) is the diffusion approximation for large n")
    q = p[p > 0]
    if q.size == 1 or n == 1:
        return CollapseTime(1.0, 0.0, 0)  # generation 1 is a Dirac mass
    once, twice = _two_allele_solves(n)
    first = binom.pmf(np.arange(1, n)[None, :], n, q[:, None])  # tokens × transient states
    visits, weighted = float((first @ once).sum()), float((first @ twice).sum())
    mean = 1 + visits
    second_moment = 1 + visits + 2 * weighted
    return CollapseTime(mean, float(np.sqrt(max(second_moment - mean**2, 0.0))), n - 1)


#: The most multiply-adds :func:`collapse_probability` may spend (``m`` products of every token's
#: law with the ``(n + 1)²`` matrix).
MAX_COLLAPSE_STEPS = 10**11


def collapse_probability(p, n, m) -> np.ndarray:
    """Exact ``ρ_m = P(T ≤ m)``, the probability that ``p^(m)`` is a Dirac mass under fully
    synthetic training with ``n`` samples a generation, for one distribution or one a row.

    Token by token, as in :func:`expected_collapse_time`: the events "token ``i`` holds all
    ``n`` samples" are disjoint, and a Dirac mass is absorbing, so ``ρ_m = Σ_i P(X_i(m) = n)``
    with ``X_i`` token ``i``'s count, a two-allele chain on ``0, …, n`` started from
    ``Binomial(n, p_i)`` at generation 1 and stepping ``X → Binomial(n, X/n)``. One
    ``(n + 1)``-state transition matrix, ``m − 1`` products; ``m`` is an integer ``≥ 1``."""
    p = probability_rows("p", p)
    n = bounded_int("n", n, MAX_SAMPLES_EXACT, "a dense (n + 1)² transition matrix, as "
                    "expected_collapse_time", "theory.diffusion_collapse_time(p, n) is the "
                    "diffusion approximation for large n")
    m = bounded_int("m", m, max(1, MAX_COLLAPSE_STEPS // (p.size * (n + 1) ** 2)),
                    "m − 1 products of the tokens' laws with the (n + 1)² matrix, about a minute "
                    "at MAX_COLLAPSE_STEPS multiply-adds", "use fewer generations or tokens")
    memory("p and n", 8 * (p.size + n + 1) * (n + 1), "use a smaller n")
    counts = np.arange(n + 1)
    step = binom.pmf(counts[None, :], n, counts[:, None] / n)  # row X, column X'
    law = binom.pmf(counts, n, p[..., None])  # generation 1, token by token
    for _ in range(m - 1):
        law = law @ step
    return law[..., n].sum(-1)
