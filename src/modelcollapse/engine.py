"""The one simulation engine: every scheme, vectorized over runs and contexts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import _collision_probability as collision_probability
from .model import _l1_distance as l1_distance
from .model import _support_size as support_size
from .schemes import SCHEMES
from .validation import as_generator, flag, instance_of, memory, positive_int, probability_rows


@dataclass(frozen=True)
class SimulationResult:
    """Per-generation summaries of a recursive-training simulation.

    Arrays have shape ``(runs, *contexts, generations + 1)``; index ``m`` along the last axis is
    generation ``m`` (0: the ground truth, 1: trained on real data).

    - ``sigma``: ``σ_m = ||p^(m)||_2²``.
    - ``drift``: ``||p^(m) − p^(1)||_1`` (zero at ``m = 1``).
    - ``support``: number of tokens with ``p_i^(m) > 0``.
    - ``collapse_time`` (shape ``(runs, *contexts)``): ``T``, the first generation ``m ≥ 1`` at a
      Dirac mass, or −1 where none occurred within the horizon.
    - ``lost_at`` (shape ``(runs, *contexts, s)``): for each token, the first generation
      ``m ≥ 1`` with ``p_i^(m) = 0``, or −1 where it kept positive mass throughout (which tokens
      the tails lose first, without keeping every model).
    - ``models``: ``p^(m)`` of shape ``(runs, *contexts, generations + 1, s)`` if asked for,
      else ``None``.
    """

    scheme: object
    generations: int
    runs: int
    sigma: np.ndarray
    drift: np.ndarray
    support: np.ndarray
    collapse_time: np.ndarray
    lost_at: np.ndarray
    models: np.ndarray | None = None


def simulate(p, scheme, generations: int, runs: int, seed, keep_models: bool = False,
             support_only: bool | None = None) -> SimulationResult:
    """Simulate ``runs`` independent chains of ``generations`` models under ``scheme``.

    ``p``: the ground truth ``p^(0)``, shape ``(s,)`` or ``(*contexts, s)`` for independent
    contexts. ``seed``: an int, a ``SeedSequence`` or a Generator; the same seed gives
    bit-identical results. Memory is ``O(runs · contexts · s)`` plus the per-generation
    summaries, unless ``keep_models`` asks for every model.

    ``support_only``: under schemes whose later data all come from models fitted after
    generation 1 (``scheme.confined``), every model lives on the support of ``p^(1)``, no
    more tokens than generation 1 drew; generations ``m ≥ 2`` are then drawn and summarised on
    those columns alone. The multinomial draws are the same calls on the same nonzero probabilities in the
    same order (a zero-probability category consumes no random numbers), so the models are
    bit-identical to the full-width computation; sums may differ in the last bit. ``None``
    (default) uses it wherever the scheme allows; ``False`` forces full width. Under every
    scheme, unless ``support_only=False``, tokens with ``p_i = 0`` in every context are left
    out from the start in the same way, and put back in the result.
    """
    p0 = probability_rows("p", p)
    instance_of("scheme", scheme, SCHEMES)
    generations = positive_int("generations", generations)
    runs = positive_int("runs", runs)
    rng = as_generator("seed", seed)
    keep_models = flag("keep_models", keep_models)
    _result_memory(p0, scheme, generations, runs, keep_models)
    if support_only is not None and not isinstance(support_only, (bool, np.bool_)):
        raise ValueError(f"support_only must be None (automatic), True or False, got {support_only!r}")
    narrow_to_p0 = support_only is not False  # False forces full width throughout
    if support_only is None:
        support_only = getattr(scheme, "confined", False)
    elif support_only and not getattr(scheme, "confined", False):
        raise ValueError(f"support_only=True needs a scheme confined to the support of p^(1); "
                         f"{type(scheme).__name__} draws from p^(0) after generation 1")

    # A token with p_i = 0 in every context is never drawn by any scheme (every sample comes
    # from p^(0) or from a model fitted on such samples): simulate without it
    # and put it back (its mass 0, lost at generation 1). Token s − 1 stays, last: numpy's
    # multinomial gives the last category the remainder without a draw, so only this keeps
    # the random stream that of the full-width draw (a zero-probability category consumes no
    # random numbers). The models are bit-identical; sums may differ in the last bit.
    s = p0.shape[-1]
    present = p0.reshape(-1, s).any(axis=0)
    if narrow_to_p0 and not present[:-1].all():
        kept = np.concatenate([np.flatnonzero(present[:-1]), [s - 1]])
        narrow = _simulate(p0[..., kept], scheme, generations, runs, rng, keep_models, support_only)
        return _widen(narrow, kept, s)
    return _simulate(p0, scheme, generations, runs, rng, keep_models, support_only)


def _result_memory(p0, scheme, generations, runs, keep_models) -> None:
    """Refuse a simulation whose arrays would exceed ``MAX_BYTES``: the summaries (two float64
    and one int32 a run, context and generation), ``lost_at`` and the current model (a token
    each), every model if kept, and ``MostRecent``'s window of ``K`` models."""
    contexts = int(np.prod(p0.shape[:-1]))
    s = p0.shape[-1]
    chains = float(runs) * contexts
    nbytes = chains * ((generations + 1) * 20 + s * 28)
    if keep_models:
        nbytes += chains * (generations + 1) * s * 8
    nbytes += chains * s * 8 * getattr(scheme, "K", 0)
    names = "runs, generations, p" + (", keep_models" if keep_models else "")
    memory(names + (" and the scheme's K" if hasattr(scheme, "K") else ""), nbytes,
           "simulate fewer runs or generations a call (split the runs over calls seeded with "
           "SeedSequence(seed).spawn), or keep_models=False")


def _widen(result, kept, s):
    """``result`` of a simulation on the columns ``kept``, as the full-width simulation gives it."""
    lost_at = np.ones(result.lost_at.shape[:-1] + (s,), dtype=result.lost_at.dtype)
    lost_at[..., kept] = result.lost_at
    models = None
    if result.models is not None:
        models = np.zeros(result.models.shape[:-1] + (s,))
        models[..., kept] = result.models
    return SimulationResult(result.scheme, result.generations, result.runs, result.sigma,
                            result.drift, result.support, result.collapse_time, lost_at, models)


def _simulate(p0, scheme, generations, runs, rng, keep_models, support_only):
    """:func:`simulate` on validated arguments; ``support_only`` is True or False here."""
    batch = (runs,) + p0.shape[:-1]
    sigma = np.empty(batch + (generations + 1,))
    drift = np.empty_like(sigma)
    support = np.empty(batch + (generations + 1,), dtype=np.int32)
    models = np.empty(batch + (generations + 1, p0.shape[-1])) if keep_models else None

    start = np.broadcast_to(p0, batch + p0.shape[-1:])
    model, carry = scheme.start(start, rng)
    # Generations 0 and 1 are full width (p^(1) is drawn from the whole of p^(0)): one pass
    # over the models for each summary, the truth's own computed once.
    sigma[..., 0] = collision_probability(p0)
    support[..., 0] = support_size(p0)
    sigma[..., 1] = collision_probability(model)
    support[..., 1] = support_size(model)
    drift[..., 0] = l1_distance(start, model)
    drift[..., 1] = 0.0
    lost_at = np.where(model == 0, np.int32(1), np.int32(-1))
    if keep_models:
        models[..., 0, :] = start
        models[..., 1, :] = model

    if support_only:
        # The columns of p^(1)'s support in their original order, then padding, then always
        # token s - 1: numpy's multinomial gives the last category the remainder without a
        # draw, so only this keeps the random stream that of the full-width draw. Padding is a
        # virtual token s of zero mass (so never drawn, and lost at generation 1).
        columns = _support_columns(model)
        real = columns < p0.shape[-1]  # not the virtual column
        model = _gather(model, columns, real)
        carry = _gather(carry, columns, real)
        tracked = _take(lost_at, columns, real, 1)  # lost_at of those columns
    else:
        columns, tracked = None, lost_at
    first = model
    # Models are summarised a block of generations at a time: on the support, a model is a few
    # dozen numbers a run, and numpy's fixed cost per call would otherwise outweigh the work.
    # The block is bounded in bytes, so memory does not grow with the horizon.
    block = np.empty(model.shape[:-1] + (_block_length(model.size), model.shape[-1]))
    for begin in range(2, generations + 1, block.shape[-2]):
        end = min(begin + block.shape[-2], generations + 1)
        for m in range(begin, end):
            model, carry = scheme.advance(model, carry, rng)
            block[..., m - begin, :] = model
            if keep_models:
                models[..., m, :] = _scatter(model, columns, p0.shape[-1]) if support_only else model
        recent = block[..., : end - begin, :]
        sigma[..., begin:end] = collision_probability(recent)
        support[..., begin:end] = support_size(recent)
        drift[..., begin:end] = l1_distance(recent, first[..., None, :])
        zero = recent == 0
        newly = (tracked < 0) & zero.any(axis=-2)
        tracked[newly] = (begin + zero.argmax(axis=-2))[newly]
    if support_only:
        rows = np.nonzero(real)  # write back the real columns' first losses
        lost_at[rows[:-1] + (columns[rows],)] = tracked[rows]
    # A model is a Dirac mass exactly when one token is left: robust to rounding.
    collapse_time = first_run_of_diracs(support, 1)
    return SimulationResult(scheme, generations, runs, sigma, drift, support, collapse_time, lost_at, models)


_BLOCK_BYTES = 2**24  # the block of recent models summarised together (see simulate)


def _block_length(model_size: int) -> int:
    """Generations per block: up to 64, fewer where one model (all runs) is large."""
    return int(np.clip(_BLOCK_BYTES // (8 * model_size), 1, 64))


def _support_columns(model):
    """Per row, the nonzero columns but the last, in order, then padding (the virtual column
    ``s``), then column ``s − 1``; shape ``(*batch, width + 1)``. One pass over ``model``."""
    s = model.shape[-1]
    rows = model.reshape(-1, s)
    row, col = np.nonzero(rows[:, :-1])  # row-major: each row's columns come out sorted
    counts = np.bincount(row, minlength=len(rows))
    width = int(counts.max()) if counts.size else 0
    columns = np.full((len(rows), width + 1), s)
    columns[:, -1] = s - 1
    starts = np.cumsum(counts) - counts  # where each row's nonzeros begin in `col`
    columns[row, np.arange(len(col)) - starts[row]] = col
    return columns.reshape(model.shape[:-1] + (width + 1,))


def _take(array, columns, real, padding):
    """``array`` at ``columns`` along the token axis, ``padding`` at the virtual column."""
    return np.where(real, np.take_along_axis(array, np.where(real, columns, 0), axis=-1), padding)


def _gather(carry, columns, real):
    """``carry`` with every array over the tokens restricted to ``columns``."""
    if isinstance(carry, tuple):
        return tuple(_gather(item, columns, real) for item in carry)
    if isinstance(carry, np.ndarray) and carry.shape[:-1] == columns.shape[:-1]:
        return _take(carry, columns, real, 0)
    return carry


def _scatter(compact, columns, s):
    """The full-width model of a compact one (the virtual column dropped)."""
    full = np.zeros(compact.shape[:-1] + (s + 1,))  # column s: the virtual token, dropped
    np.put_along_axis(full, columns, compact, axis=-1)
    return full[..., :s]


def first_run_of_diracs(support, length: int) -> np.ndarray:
    """First generation ``m ≥ 1`` from which ``length`` consecutive models are Dirac masses
    (``support == 1``), or −1 if there is none within the horizon.

    Under ``MostRecent(n, K)`` a Dirac mass is absorbing only once the whole window of ``K``
    models is that Dirac (consecutive Diracs are necessarily on the same token, since each draws
    from the one before), so ``first_run_of_diracs(result.support, K)`` is when collapse becomes
    permanent; ``length = 1`` is the paper's ``T``.
    """
    length = positive_int("length", length)
    dirac = np.asarray(support)[..., 1:] == 1
    horizon = dirac.shape[-1]
    if length > horizon:
        return np.full(dirac.shape[:-1], -1, dtype=np.int32)
    # Windowed count of Diracs via a cumulative sum along generations.
    counts = np.cumsum(np.concatenate([np.zeros(dirac.shape[:-1] + (1,), dtype=np.int64), dirac], axis=-1), axis=-1)
    full = (counts[..., length:] - counts[..., :-length]) == length
    return np.where(full.any(-1), full.argmax(-1) + 1, -1).astype(np.int32)
