"""The transformer of the paper's Figure 5 on this CPU: characters a second of training and of
sampling at ``TransformerConfig.small()`` (the chapter's) and ``TransformerConfig.paper()``
(Table 1), and what that makes the paper's experiment cost here.

    .venv/bin/python benchmarks/neural.py                 # writes benchmarks/neural.json
    .venv/bin/python benchmarks/neural.py --paper-steps 2 # quicker

Each measurement runs once to compile, then is timed on a second call with a new key (the
compiled program is reused). Training throughput counts the ``batch_size · context`` characters
whose next character a step predicts; sampling throughput counts the characters drawn. The
notebook ``06-transformer`` reads ``neural.json`` to say how long the paper's scale would take.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import time
from pathlib import Path

import jax
import numpy as np

from modelcollapse import neural

OUT = Path(__file__).with_name("neural.json")


def timed(function, *args):
    start = time.perf_counter()
    result = jax.block_until_ready(function(*args))
    return time.perf_counter() - start, result


def measure(config, streams, sample_count, s=65):
    rng = np.random.default_rng(0)
    corpus = rng.integers(0, s, size=(streams, config.context + 1))
    train = lambda key: neural.train(config, corpus, s, key)  # noqa: E731
    compile_seconds, _ = timed(train, jax.random.key(0))
    seconds, model = timed(train, jax.random.key(1))
    draw = lambda key: neural.sample(model, sample_count, key, chunk=sample_count)  # noqa: E731
    timed(draw, jax.random.key(3))
    sample_seconds, _ = timed(draw, jax.random.key(4))
    return {
        "config": dataclasses.asdict(config),
        "train_steps_timed": config.iterations,
        "train_seconds_per_step": seconds / config.iterations,
        "train_characters_per_second": config.iterations * config.batch_size * config.context / seconds,
        "first_call_seconds": compile_seconds,
        "sample_streams": sample_count,
        "sample_characters_per_second": sample_count * config.context / sample_seconds,
    }


def four_digits(value):
    """Timings mean about two digits; four keep the record readable and stable."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {key: four_digits(v) for key, v in value.items()}
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-steps", type=int, default=100)
    parser.add_argument("--paper-steps", type=int, default=4)
    args = parser.parse_args(argv)
    small = neural.TransformerConfig.small()
    paper = neural.TransformerConfig.paper()
    results = {
        "machine": {"cpus": os.cpu_count(), "processor": platform.machine(),
                    "python": platform.python_version(), "jax": jax.__version__,
                    "device": str(jax.devices()[0])},
        "small": measure(dataclasses.replace(small, iterations=args.small_steps), 1024, 1024),
        "paper": measure(dataclasses.replace(paper, iterations=args.paper_steps), 512, 256),
    }
    # One training at Table 1's size, and the chapter's design at that size: p^(0), then three
    # mixes of ten generations, one seed.
    rate = results["paper"]["train_characters_per_second"]
    one = paper.iterations * paper.batch_size * paper.context / rate
    results["paper"]["hours_per_training"] = one / 3600
    results["paper"]["trainings_in_figure_5"] = 1 + 3 * 10
    results["paper"]["hours_for_figure_5"] = 31 * one / 3600
    OUT.write_text(json.dumps(four_digits(results), indent=2) + "\n")
    print(f"{'config':8} {'s/step':>8} {'train chars/s':>14} {'sample chars/s':>15} {'first call s':>13}")
    for name in ("small", "paper"):
        r = results[name]
        print(f"{name:8} {r['train_seconds_per_step']:8.3f} {r['train_characters_per_second']:14,.0f} "
              f"{r['sample_characters_per_second']:15,.0f} {r['first_call_seconds']:13.1f}")
    print(f"Table 1 on this machine: {results['paper']['hours_per_training']:.1f} h a training, "
          f"{results['paper']['hours_for_figure_5']:.0f} h for Figure 5's 31 trainings")
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
