"""The transformer's layers as matrix products (``modelcollapse.neural`` since 2026-12-06) against
the same network as it was at ``--before`` (each layer an Equinox ``Linear`` ``vmap``-ped over the
positions of one window, and the windows ``vmap``-ped): milliseconds a training step's loss and
gradient take at the chapter's ``TransformerConfig.small()`` and batch sizes 8 to 32, and
milliseconds to sample 512 streams. The earlier module is read from git and run beside the
current one, so both are timed in one run on the same machine.

    .venv/bin/python benchmarks/neural_forward.py                # about two minutes
    taskset -c 0 .venv/bin/python benchmarks/neural_forward.py   # one core, as under make test

Both networks get the same weights and windows and give the same loss (printed). Each function
is compiled once, then timed over ``--steps`` calls.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import equinox as eqx
import jax
import numpy as np

from modelcollapse import neural

ROOT = Path(__file__).resolve().parents[1]


def module_at(revision):
    """``modelcollapse.neural`` as committed at ``revision``, imported beside the current one."""
    source = subprocess.run(["git", "show", f"{revision}:src/modelcollapse/neural.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "neural_before.py"
    path.write_text(source)
    name = "modelcollapse.neural_before"  # inside the package, for its relative imports
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def per_call_ms(function, *args, steps):
    jax.block_until_ready(function(*args))  # compile
    start = time.perf_counter()
    for _ in range(steps):
        result = function(*args)
    jax.block_until_ready(result)
    return 1e3 * (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="aa2425d", help="the commit to compare with")
    parser.add_argument("--steps", type=int, default=300, help="timed calls per measurement")
    arguments = parser.parse_args()
    before = module_at(arguments.before)
    config = neural.TransformerConfig.small()
    models = {}
    for label, module in (("before", before), ("now", neural)):
        fields = {f: getattr(config, f) for f in config.__dataclass_fields__}
        models[label] = module.initialise(module.TransformerConfig(**fields), 65, jax.random.key(0))
    # The same weights in both (the modules define their own classes).
    weights = eqx.filter(models["now"], eqx.is_array)
    models["before"] = eqx.combine(jax.tree_util.tree_unflatten(
        jax.tree_util.tree_structure(eqx.filter(models["before"], eqx.is_array)),
        jax.tree_util.tree_leaves(weights)), eqx.filter(models["before"], eqx.is_array, inverse=True))
    modules = {"before": before, "now": neural}
    print(f"ms a training step (loss and gradient), before = {arguments.before}")
    print("batch | loss before, now | before | now | before / now")
    for batch in (8, 16, 32):
        windows = np.random.default_rng(batch).integers(0, 65, (batch, config.context + 1))
        times, losses = {}, {}
        for label, module in modules.items():
            params, static = eqx.partition(models[label], eqx.is_array)

            def loss(p, w, module=module, static=static):
                return module._batch_loss(eqx.combine(p, static), w, jax.random.key(0), True)

            losses[label] = float(jax.jit(loss)(params, windows))
            times[label] = per_call_ms(jax.jit(jax.grad(loss)), params, windows,
                                       steps=arguments.steps)
        print(f"{batch:5d} | {losses['before']:.6f}, {losses['now']:.6f} | "
              f"{times['before']:6.2f} | {times['now']:6.2f} | "
              f"{times['before'] / times['now']:.2f}")
    sampled = {label: per_call_ms(lambda m=models[label], mod=modules[label]:
                                  mod.sample(m, 512, jax.random.key(1)), steps=5)
               for label in modules}
    print(f"ms to sample 512 streams: before {sampled['before']:.0f}, now {sampled['now']:.0f}, "
          f"before / now {sampled['before'] / sampled['now']:.2f}")


if __name__ == "__main__":
    main()
