"""One fully synthetic transformer chain per setting, from the chapter's ``p^(0)``
(``TransformerConfig.small_truth()``), to see which way the chain's entropy goes as a generation's
fit to its corpus changes (notebooks/07-fit-direction.ipynb runs the chosen settings with three
seeds). Each setting is ``streams:batch:iterations``; ``epochs`` is the characters a training
predicts over the characters of its corpus.

    .venv/bin/python benchmarks/neural_fit.py 1536:8:450 192:8:450 --generations 4 --seeds 1

One seed a row unless ``--seeds`` says more; a row's trend is not resolved by one seed.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from modelcollapse import figure5, neural
from modelcollapse.data import tiny_shakespeare

SEED = 20240410


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", nargs="+", help="streams:batch:iterations")
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--last-iterate", action="store_true",
                        help="keep each generation's last weights, not its best-validation ones")
    args = parser.parse_args()
    text = tiny_shakespeare()
    start = time.perf_counter()
    truth = figure5.train_truth(text, neural.TransformerConfig.small_truth(), seed=SEED)
    print(f"p^(0): {truth.validation_loss:.3f} nats ({time.perf_counter() - start:.0f} s)")
    for setting in args.settings:
        streams, batch, iterations = (int(v) for v in setting.split(":"))
        config = dataclasses.replace(neural.TransformerConfig.small(), batch_size=batch,
                                     iterations=iterations)
        epochs = batch * iterations * config.context / (streams * (config.context + 1))
        for seed in range(SEED, SEED + args.seeds):
            start = time.perf_counter()
            (chain,) = figure5.transformer_chains(
                text, config, 1.0, args.generations, streams * (config.context + 1), seed,
                truth=truth, best_validation=not args.last_iterate)
            print(f"{setting} seed {seed}: {epochs:.1f} epochs, {time.perf_counter() - start:.0f} s; "
                  f"H0 {chain.truth_entropy:.3f}, H {np.round(chain.entropy, 3)}, "
                  f"loss {np.round(chain.bits * np.log(2), 3)}, KL {np.round(chain.kl, 3)}, "
                  f"drift {np.round(chain.drift, 2)}, floors {chain.floor_batches:.2f} / "
                  f"{chain.floor_weights:.2f}", flush=True)


if __name__ == "__main__":
    main()
