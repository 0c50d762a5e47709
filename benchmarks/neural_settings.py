"""How the chapter's transformer was sized: held-out loss against training time on this CPU, for
``p^(0)`` (trained on tiny Shakespeare's first 90%) and for generation 1 (trained on a sample of
``p^(0)``, as every generation of the chain is), with the drift between two generation-1
trainings that differ only in batch order (the chain's noise floor).

    .venv/bin/python benchmarks/neural_settings.py            # prints a Markdown table

Counting models of order 1–4 on the same split give the baselines (bits per character of the
held-out 10%, with the back-off smoothing of ``charmodel.cross_entropy_bits``). One seed per
row: differences under a few hundredths of a nat are within what one seed resolves.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time

import jax
import numpy as np

from modelcollapse import charmodel, figure5, neural
from modelcollapse.data import tiny_shakespeare

BITS = 1 / math.log(2)


def baselines(text):
    split = figure5.split_text(text)
    s = len(split.vocabulary)
    return {order: charmodel.cross_entropy_bits(charmodel.fit_orders(split.train, order, s), split.held_out)
            for order in (1, 2, 3, 4)}


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = jax.block_until_ready(function(*args, **kwargs))
    return time.perf_counter() - start, result


def truth_row(text, config):
    seconds, truth = timed(figure5.train_truth, text, config, seed=0)
    return truth, seconds


def generation_row(truth, config, streams, contexts=300):
    """Generation 1 on ``streams`` streams of ``p^(0)``: its loss, the batch-order floor, seconds
    for one training (compiled) and for writing the streams."""
    write_seconds, real = timed(neural.sample, truth.model, streams, jax.random.key(1))
    probes = neural.sample(truth.model, contexts, jax.random.key(2))[:, :-1]
    s = len(truth.vocabulary)
    neural.train(config, real, s, jax.random.key(3))  # compile
    seconds, model = timed(neural.train_from_keys, config, real, s, jax.random.key(4),
                           jax.random.key(5))
    other = neural.train_from_keys(config, real, s, jax.random.key(4), jax.random.key(6))
    p, q = (neural.next_character_distributions(m, probes) for m in (model, other))
    return dict(loss=neural.validation_loss(model, truth.validation_windows),
                floor=float(np.abs(p - q).sum(1).mean()), seconds=seconds,
                write_seconds=write_seconds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="two rows of each table")
    args = parser.parse_args(argv)
    text = tiny_shakespeare()
    small = neural.TransformerConfig.small()
    print("Counting baselines (bits/char on the held-out 10%):",
          ", ".join(f"order {k}: {v:.2f}" for k, v in baselines(text).items()))

    truths = [(b, it, lr) for b, it, lr in (
        (16, 1000, 6e-3), (16, 2000, 6e-3), (32, 1000, 6e-3), (16, 2000, 3e-3), (32, 2000, 6e-3),
    )]
    print("\n| p^(0): batch | iterations | lr | nats | bits | seconds |\n|---|---|---|---|---|---|")
    best = None
    for b, it, lr in truths[: 2 if args.quick else None]:
        config = dataclasses.replace(small, batch_size=b, iterations=it, learning_rate=lr)
        truth, seconds = truth_row(text, config)
        print(f"| {b} | {it} | {lr:g} | {truth.validation_loss:.3f} | "
              f"{truth.validation_loss * BITS:.2f} | {seconds:.1f} |", flush=True)
        if best is None or truth.validation_loss < best.validation_loss:
            best = truth

    generations = [(b, it, lr, s) for b, it, lr, s in (
        (8, 450, 6e-3, 768), (8, 450, 6e-3, 1536), (8, 600, 6e-3, 1536), (16, 450, 6e-3, 1536),
        (8, 600, 6e-3, 3072), (8, 900, 6e-3, 3072), (16, 600, 6e-3, 3072), (8, 300, 6e-3, 1536),
    )]
    print(f"\nGeneration 1 on a sample of the best p^(0) ({best.validation_loss:.3f} nats):")
    print("\n| batch | iterations | lr | streams | nats | bits | floor (batch order) | "
          "seconds to train | seconds to write |\n|---|---|---|---|---|---|---|---|---|")
    for b, it, lr, s in generations[: 2 if args.quick else None]:
        config = dataclasses.replace(small, batch_size=b, iterations=it, learning_rate=lr)
        row = generation_row(best, config, s)
        print(f"| {b} | {it} | {lr:g} | {s} | {row['loss']:.3f} | {row['loss'] * BITS:.2f} | "
              f"{row['floor']:.3f} | {row['seconds']:.1f} | {row['write_seconds']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
