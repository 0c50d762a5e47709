import numpy as np
import pytest
from joblib import parallel_config

from modelcollapse import FullySynthetic, PartiallySynthetic, simulate, sweep
from modelcollapse.distributions import with_support_and_S0

P = with_support_and_S0(s=60, support=12, S0=0.2)
GRID = [FullySynthetic(5), FullySynthetic(20), PartiallySynthetic(10, 5), PartiallySynthetic(100, 50)]
FIELDS = ("sigma", "drift", "support", "collapse_time", "lost_at")


def assert_identical(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.scheme == y.scheme
        for name in FIELDS:
            assert np.array_equal(getattr(x, name), getattr(y, name)), name


def test_each_point_is_simulate_with_its_spawned_seed():
    results = sweep(P, GRID, generations=15, runs=6, seed=7)
    children = np.random.SeedSequence(7).spawn(len(GRID))
    assert_identical(results, [simulate(P, s, 15, 6, seed=c) for s, c in zip(GRID, children)])
    # Independent streams: equal schemes at different grid points give different chains.
    twins = sweep(P, [FullySynthetic(5), FullySynthetic(5)], generations=15, runs=6, seed=7)
    assert not np.array_equal(twins[0].sigma, twins[1].sigma)


def test_results_do_not_depend_on_the_number_of_workers():
    one = sweep(P, GRID, generations=15, runs=6, seed=3, n_jobs=1)
    two = sweep(P, GRID, generations=15, runs=6, seed=3, n_jobs=2)
    assert_identical(one, two)


def test_dask_backend_gives_the_same_results():
    import distributed  # pinned in requirements.txt: a missing install must fail, not skip
    expected = sweep(P, GRID, generations=15, runs=6, seed=5)
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None):
        with parallel_config(backend="dask"):
            on_dask = sweep(P, GRID, generations=15, runs=6, seed=5)
    assert_identical(expected, on_dask)


@pytest.mark.parametrize("bad, match", [
    (dict(schemes=[]), "schemes must be a non-empty sequence"),
    (dict(schemes=FullySynthetic(5)), "schemes must be a non-empty sequence"),
    (dict(schemes=[FullySynthetic(5), "nope"]), r"schemes\[1\] must be one of"),
    (dict(seed=np.random.default_rng(0)), "seed must be a non-negative int or a SeedSequence"),
    (dict(seed=-1), "seed must be a non-negative int"),
    (dict(runs=0), "runs must be"),
    (dict(p=[0.5, 0.6]), "p must sum to 1"),
])
def test_bad_input_is_refused(bad, match):
    args = dict(p=P, schemes=GRID, generations=5, runs=2, seed=1) | bad
    with pytest.raises(ValueError, match=match):
        sweep(**args)
