"""A grid of simulations in parallel, reproducibly, through joblib (and so on a Dask cluster)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

from joblib import Parallel, delayed

from .engine import SimulationResult, _result_memory, simulate
from .schemes import SCHEMES
from .validation import flag, instance_of, positive_int, probability_rows, seed_sequence


def sweep(p, schemes, generations: int, runs: int, seed, n_jobs: int | None = None,
          keep_models: bool = False) -> list[SimulationResult]:
    """``simulate(p, scheme, generations, runs)`` for every scheme of the grid ``schemes``.

    Grid point ``k`` is seeded with the ``k``-th child of ``SeedSequence(seed)`` (or of
    ``seed`` itself if it is a SeedSequence), so every point has its own independent stream and
    the results, returned in grid order, are identical whatever runs them: ``n_jobs`` joblib
    workers (``None``: joblib's default, one unless a ``joblib.parallel_config`` says otherwise),
    or a Dask cluster through ``joblib.parallel_config(backend="dask")``.
    """
    p0 = probability_rows("p", p)
    if isinstance(schemes, SCHEMES) or not isinstance(schemes, Sequence) or len(schemes) == 0:
        raise ValueError(f"schemes must be a non-empty sequence of schemes (the grid), got {schemes!r}")
    for k, scheme in enumerate(schemes):
        instance_of(f"schemes[{k}]", scheme, SCHEMES)
    generations = positive_int("generations", generations)
    runs = positive_int("runs", runs)
    keep_models = flag("keep_models", keep_models)
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral)
                               or n_jobs == 0):
        raise ValueError(f"n_jobs must be None or a nonzero int (joblib's: -1 for every core), "
                         f"got {n_jobs!r}")
    for scheme in schemes:  # each grid point's arrays; refused before any worker starts
        _result_memory(p0, scheme, generations, runs, keep_models)
    # A Generator cannot be split reproducibly across workers: the seed itself is asked for.
    children = seed_sequence("seed", seed).spawn(len(schemes))
    return Parallel(n_jobs=n_jobs)(
        delayed(simulate)(p0, scheme, generations, runs, seed=child, keep_models=keep_models)
        for scheme, child in zip(schemes, children)
    )
