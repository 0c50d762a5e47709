"""The simulation engine against its floor and a naive reference, measured in one run.

    .venv/bin/python benchmarks/engine.py            # paper's setting in full, large one shortened
    .venv/bin/python benchmarks/engine.py --full     # the large setting's 500 generations too

For fully synthetic training (``FullySynthetic(n)``) at each setting it times:

- engine: ``modelcollapse.simulate`` (every per-generation summary included);
- floor, full width: the batched ``rng.multinomial`` calls alone, one per generation, on the
  whole vocabulary (what a vectorized engine that keeps models full width cannot avoid);
- floor, on the support: generation 1 drawn from the whole of ``p^(0)`` (unavoidable), later
  ones on the support of ``p^(1)`` only, which is what the engine draws
  (``simulate(..., support_only=True)``, the default for this scheme);
- naive: per run and per generation, ``rng.choice`` of ``n`` tokens, ``np.bincount``, and the
  same summaries (collision probability, support, distance to ``p^(1)``). Where the full naive
  loop would take long it runs on the first ``--naive-runs`` runs and is scaled by
  ``runs / naive runs``; runs are independent and cost alike, and the output says when it did.

Engine and floors are the best of seven timings at the paper's setting (a run takes hundredths
of a second, and this machine's noise is of that order) and of three at the large one; the
naive loop is timed once. Last, the peak memory of the engine (tracemalloc, which sees numpy's
buffers) at two horizons, beside the size of the per-generation summaries it returns, to show
that nothing else grows with the number of generations.
"""

from __future__ import annotations

import argparse
import platform
import time
import tracemalloc

import numpy as np

import modelcollapse as mc
from modelcollapse.distributions import with_support_and_S0, zipf_weights

SEED = 20240407
REPEATS = {"paper": 7, "large": 3}  # engine and floors: best of these; the naive loop runs once


def engine(p, n, generations, runs):
    return mc.simulate(p, mc.FullySynthetic(n), generations, runs, seed=SEED)


def floor(p, n, generations, runs, on_support):
    """Seconds spent in ``rng.multinomial`` over a chain like the engine's, generation 1 (drawn
    from the whole of ``p^(0)``) included; only the draws are timed, not what lies between."""
    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    counts = rng.multinomial(n, np.broadcast_to(p, (runs, p.size)))  # p^(1): full width always
    spent = time.perf_counter() - start
    model = counts / n
    if on_support:  # the columns of p^(1)'s support (padding order aside, as the engine)
        width = int(np.count_nonzero(model, axis=1).max())
        columns = np.argsort(model == 0, axis=1, kind="stable")[:, : width + 1]
        model = np.take_along_axis(model, columns, axis=1)
    for _ in range(generations - 1):
        start = time.perf_counter()
        counts = rng.multinomial(n, model)
        spent += time.perf_counter() - start
        model = counts / n
    return spent


def naive(p, n, generations, runs):
    """The simulation written as one loop per run and generation (the reference)."""
    rng = np.random.default_rng(SEED)
    s = p.size
    sigma = np.empty((runs, generations + 1))
    support = np.empty((runs, generations + 1), dtype=np.int64)
    drift = np.empty((runs, generations + 1))
    for r in range(runs):
        model = p
        first = None
        for m in range(generations + 1):
            if m >= 1:
                model = np.bincount(rng.choice(s, size=n, p=model), minlength=s) / n
                first = model if m == 1 else first
            sigma[r, m] = model @ model
            support[r, m] = np.count_nonzero(model)
            drift[r, m] = np.abs(model - (first if first is not None else model)).sum()
    return sigma, support, drift


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def best(repeats, function, *args):
    """The least of ``repeats`` timings: the machine's noise (page faults on fresh buffers,
    other load) only ever adds time. ``function`` returns seconds itself, or is timed."""
    return min(function(*args) for _ in range(repeats))


def peak_memory(function, *args):
    tracemalloc.start()
    function(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def summaries_bytes(runs, generations, s):
    """What SimulationResult keeps: sigma and drift (float64), support (int32) per generation,
    collapse time, and lost_at (int32) per token."""
    return runs * (generations + 1) * (8 + 8 + 4) + runs * 4 + runs * s * 4


def report(name, p, runs, ns, generations, naive_runs, repeats):
    s = p.size
    print(f"\n## {name}: s = {s}, support {np.count_nonzero(p)}, S0 = {p @ p:.3f}, "
          f"{runs} runs, {generations} generations")
    print(f"{'n':>5} {'engine s':>9} {'floor full':>11} {'floor supp':>11} {'naive s':>9} "
          f"{'engine/full':>12} {'engine/supp':>12} {'naive/engine':>13}")
    rows = []
    for n in ns:
        t_engine = best(repeats, timed, engine, p, n, generations, runs)
        t_full = best(repeats, floor, p, n, generations, runs, False)
        t_supp = best(repeats, floor, p, n, generations, runs, True)
        k = min(runs, naive_runs)
        t_naive = timed(naive, p, n, generations, k) * runs / k
        note = "" if k == runs else f"  (naive: {k} runs, scaled)"
        print(f"{n:>5} {t_engine:>9.3f} {t_full:>11.3f} {t_supp:>11.3f} {t_naive:>9.2f} "
              f"{t_engine / t_full:>12.2f} {t_engine / t_supp:>12.2f} {t_naive / t_engine:>13.1f}{note}")
        rows.append((n, t_engine, t_full, t_supp, t_naive))
    return rows


def memory(p, n, runs, horizons):
    print(f"\n## Peak memory of the engine (tracemalloc), s = {p.size}, n = {n}, {runs} runs")
    print(f"{'generations':>12} {'peak MB':>9} {'summaries MB':>13} {'peak - summaries MB':>20}")
    for generations in horizons:
        peak = peak_memory(engine, p, n, generations, runs) / 1e6
        kept = summaries_bytes(runs, generations, p.size) / 1e6
        print(f"{generations:>12} {peak:>9.1f} {kept:>13.1f} {peak - kept:>20.1f}")


def zero_tokens(p, support, repeats):
    """The schemes that draw from p^(0) after generation 1, on the book's p (600 tokens, 52 with
    mass): as given, which the engine narrows to the support; forced to full width; and on
    p[:support] by hand. The first should cost what the last does."""
    print("\n## Tokens with p_i = 0 (the book's p: 600 tokens, 52 with mass; 100 runs, 500 generations)")
    print(f"{'scheme':<22} {'p as given s':>13} {'full width s':>13} {'on support s':>13} {'given / support':>16}")
    for scheme in (mc.MostRecent(10, 5), mc.RandomPool(10), mc.FreshReal(5, 5, 0.6)):
        given = best(repeats, timed, mc.simulate, p, scheme, 500, 100, 1)
        full = best(repeats, timed, lambda: mc.simulate(p, scheme, 500, 100, 1, support_only=False))
        on_support = best(repeats, timed, mc.simulate, p[:support], scheme, 500, 100, 1)
        print(f"{type(scheme).__name__:<22} {given:>13.3f} {full:>13.3f} {on_support:>13.3f} "
              f"{given / on_support:>16.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the large setting at 500 generations")
    parser.add_argument("--naive-runs", type=int, default=10, help="runs of the naive loop at the large setting")
    args = parser.parse_args()
    print(f"# Engine benchmark: numpy {np.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, {time.strftime('%Y-%m-%d')}")

    paper = with_support_and_S0(s=600, support=52, S0=0.1)
    report("The paper's setting", paper, runs=100, ns=(10, 100, 400), generations=500, naive_runs=100,
           repeats=REPEATS["paper"])
    zero_tokens(paper, 52, REPEATS["paper"])

    # A GPT-2-sized vocabulary with Zipf frequencies: every token has mass in p^(0).
    large = zipf_weights(50_257, 1.0)
    large_generations = 500 if args.full else 50
    report("Large vocabulary", large, runs=1000, ns=(10, 400), generations=large_generations,
           naive_runs=args.naive_runs, repeats=REPEATS["large"])
    memory(large, 400, 1000, (50, 500))


if __name__ == "__main__":
    main()
