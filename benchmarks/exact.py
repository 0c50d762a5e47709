"""The exact collapse-time solvers: time and memory against the number of states, and the
token-by-token solver against n.

    .venv/bin/python benchmarks/exact.py              # budget 60 s a solve (the issue's minute)
    .venv/bin/python benchmarks/exact.py --budget 10  # quicker

For a uniform ``p`` on ``s̃`` tokens (the hardest case: every partition of ``n`` into at most
``s̃`` parts is reachable) it solves ``modelcollapse.exact.expected_time_to_tokens_left`` with
``tokens_left=1`` (the partition solver) for growing ``n`` and prints the number of transient
states, the wall time and the peak memory (tracemalloc) of each solve, and, per ``s̃``, the
largest ``n`` solved within the budget. It stops a column when a solve exceeds the budget, or
when the growth of the last two solves predicts the next one would take more than twice the
budget (said in the output).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from modelcollapse.exact import (
    MAX_SAMPLES_EXACT,
    _two_allele_solves,
    expected_collapse_time,
    expected_time_to_tokens_left,
    partition_count,
)


def solve(s_tilde, n):
    p = np.full(s_tilde, 1 / s_tilde)
    tracemalloc.start()
    start = time.perf_counter()
    result = expected_time_to_tokens_left(p, n, 1, max_states=10**7, max_compositions=10**9)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds allowed for one solve")
    parser.add_argument("--supports", type=int, nargs="+", default=[2, 10, 52, 600])
    parser.add_argument("--token-supports", type=int, nargs="+", default=[2, 10, 52, 600])
    args = parser.parse_args()
    print(f"# Exact solver: budget {args.budget:.0f} s a solve, uniform p on s̃ tokens")
    print(f"{'s̃':>4} {'n':>5} {'states':>8} {'seconds':>9} {'peak MB':>9} {'E[T]':>10}")
    largest = {}
    for s_tilde in args.supports:
        n, previous = 4, None
        while True:
            states = partition_count(n, s_tilde) - 1
            try:
                result, seconds, peak = solve(s_tilde, n)
            except ValueError as refused:  # over the solver's own limits: the column ends
                print(f"{s_tilde:>4} {n:>5} {states:>8} refused: {refused}")
                break
            print(f"{s_tilde:>4} {n:>5} {states:>8} {seconds:>9.2f} {peak / 1e6:>9.1f} {result.mean:>10.2f}")
            if seconds > args.budget:
                break
            largest[s_tilde] = (n, states, seconds)
            following = max(n + 1, int(n * 1.25))
            if previous and previous[1] > 0.05:
                growth = seconds / previous[1]
                predicted = seconds * growth ** ((following - n) / (n - previous[0]))
                if predicted > 2 * args.budget:
                    print(f"{'':>4} stop: n = {following} predicted to take {predicted:.0f} s")
                    break
            previous, n = (n, seconds), following
    print("\n# Largest n solved within the budget")
    for s_tilde, (n, states, seconds) in largest.items():
        print(f"s̃ = {s_tilde:>2}: n = {n} ({states} states, {seconds:.1f} s)")
    by_tokens(args.budget, args.token_supports)


def by_tokens(budget, supports):
    """The token-by-token solver (E[T] and sd(T) only): one solve of size n − 1 whatever the
    support, so its cost grows like n³ and not with the number of partitions."""
    print(f"\n# Token-by-token solver: budget {budget:.0f} s a solve, uniform p on s̃ tokens")
    print(f"{'s̃':>4} {'n':>6} {'seconds':>9} {'E[T]/n':>8}")
    for s_tilde in supports:
        p, n, best = np.full(s_tilde, 1 / s_tilde), 100, None
        while True:
            _two_allele_solves.cache_clear()  # time the factorisation too, not a cached one
            start = time.perf_counter()
            result = expected_collapse_time(p, n)
            seconds = time.perf_counter() - start
            print(f"{s_tilde:>4} {n:>6} {seconds:>9.2f} {result.mean / n:>8.4f}")
            if seconds > budget:
                break
            best = (n, seconds)
            if 2 * n > MAX_SAMPLES_EXACT:
                print(f"{'':>4} stop: n = {2 * n} is past MAX_SAMPLES_EXACT = {MAX_SAMPLES_EXACT}")
                break
            if seconds * 8 > 2 * budget:  # a cubic solve: doubling n costs about eight times
                print(f"{'':>4} stop: n = {2 * n} predicted to take {seconds * 8:.0f} s")
                break
            n *= 2
        print(f"{'':>4} largest n within the budget: {best[0]} ({best[1]:.1f} s)" if best else "")


if __name__ == "__main__":
    main()
