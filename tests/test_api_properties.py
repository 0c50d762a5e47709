"""Every public function and class of the package answers right or refuses (issue 31).

The public API is listed from the package's modules (every function or class a module defines
whose name has no leading underscore), so a new one is covered without editing this file: it
fails until the new callable has an entry in ``TABLE``. An entry gives a valid call and, for each
argument, the kinds of bad value it must refuse. For each (callable, argument, kind) hypothesis
draws bad values of that kind, puts one in place of the argument in the valid call, and the
call must raise ``ValueError`` or ``TypeError`` with a message naming the argument.

Alongside: invariants on valid input (rows sum to 1, entropies and distances in range, same
seed, same bytes). The three repaired answers are compared with their references in
``tests/test_repaired_answers.py``.

Hypothesis runs derandomized (the same examples on every run and machine), without a deadline
and with few examples per case: most cases are one argument check.
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelcollapse

PROFILE = settings(max_examples=4, deadline=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))


def public_callables() -> dict[str, object]:
    """``"module.name"`` (without the ``modelcollapse.`` prefix) -> every public function or class
    defined in a module of the package."""
    found = {}
    for info in pkgutil.walk_packages(modelcollapse.__path__, "modelcollapse."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                    and getattr(obj, "__module__", None) == info.name):
                found[f"{info.name.removeprefix('modelcollapse.')}.{name}"] = obj
    return found


# --- kinds of bad value ---------------------------------------------------------------------
# Each kind is a function (valid value, hypothesis draw) -> a bad value derived from it, so that an
# array argument gets a bad array of its own shape (a NaN in one entry, …) and a scalar a bad
# scalar.

def _entry(value, draw):
    """A copy of the valid array ``value`` as floats, and the index of the entry to spoil."""
    arr = np.array(value, dtype=float)
    return arr, (draw(st.integers(0, arr.size - 1)) if arr.size else 0)


def _spoil(value, draw, bad):
    try:
        if np.ndim(value) == 0:
            return bad
        arr, i = _entry(value, draw)
    except (TypeError, ValueError):  # not an array of numbers (a list of models): the bad scalar
        return bad
    arr = arr.astype(type(bad) if isinstance(bad, complex) else float)
    arr.flat[i] = bad
    return arr


KINDS = {
    # None is left out: it is a valid value of several optional arguments (``lr``, ``zeta``, …).
    "type": lambda v, d: d(st.sampled_from(["abc", object(), {"a": 1}, b"x"])),
    "nan": lambda v, d: _spoil(v, d, math.nan),
    "inf": lambda v, d: _spoil(v, d, d(st.sampled_from([math.inf, -math.inf]))),
    "negative": lambda v, d: _spoil(v, d, -d(st.integers(1, 10**6)) if isinstance(v, int)
                                    else -d(st.floats(1e-3, 1e6))),
    "zero": lambda v, d: 0 if isinstance(v, int) else d(st.sampled_from([0, 0.0])),
    "noninteger": lambda v, d: (np.asarray(v) + 0.5 if np.ndim(v)
                                else d(st.floats(0.1, 1e6).filter(lambda x: x != int(x)))),
    "huge": lambda v, d: d(st.integers(2**64, 10**40)),  # beyond any int64
    "complex": lambda v, d: _spoil(v, d, complex(0.25, d(st.floats(1e-3, 1e3)))),
    "bool": lambda v, d: d(st.booleans()),
    "empty": lambda v, d: d(st.sampled_from([[], np.array([]), np.zeros((0, 3))])),
}

SIZE = ("type", "nan", "inf", "negative", "zero", "noninteger", "huge", "complex", "bool")
# A size in a closed form or a bound (no memory or time grows with it): any whole number >= 1.
FORMULA_SIZE = tuple(kind for kind in SIZE if kind != "huge")
COUNT = ("type", "nan", "inf", "negative", "noninteger", "huge", "complex", "bool")  # >= 0
REAL = ("type", "nan", "inf", "complex", "bool")
ARRAY = ("type", "nan", "inf", "negative", "complex", "empty")
IDS = ("type", "negative", "noninteger", "complex", "empty")
SEED = ("type", "negative", "noninteger", "complex", "bool")


def values(*bad):
    """A kind given by its bad values (an argument's own out-of-range values)."""
    return lambda v, d: d(st.sampled_from(bad))


def sum_not_one(v, d):
    """Rows that do not sum to one: the valid ones scaled."""
    return np.asarray(v, dtype=float) * d(st.sampled_from([0.5, 2.0, 1.1]))


def id_out_of_range(s):
    def bad(v, d):
        arr = np.array(v, dtype=np.int64)
        arr.flat[d(st.integers(0, arr.size - 1))] = s + d(st.integers(0, 100))
        return arr
    return bad


FLAG = {"type": values("False", "True", 0, 1, None, 0.0)}
TEXT = {"type": values(None, 3, b"abc", ["a"], math.nan)}
NAME = {"type": values("", None, 123, b"name", 1.5)}


# --- shared valid inputs -------------------------------------------------------------------

P3 = [0.5, 0.3, 0.2]


@cache
def text_ids():
    from modelcollapse import data

    text = "to be or not to be, that is the question " * 40
    return data.encode(text)


@cache
def charmodels():
    from modelcollapse import charmodel

    ids, vocabulary = text_ids()
    return charmodel.fit_orders(ids, 2, len(vocabulary))


@cache
def tiny_config():
    from modelcollapse import neural

    return neural.TransformerConfig(layers=1, heads=1, embedding=4, context=4, dropout=0.0,
                                    learning_rate=1e-2, batch_size=2, iterations=1)


@cache
def tiny_transformer():
    import jax

    from modelcollapse import neural

    return neural.initialise(tiny_config(), 5, jax.random.key(0))


def jax_key():
    import jax

    return jax.random.key(0)


# --- the table -----------------------------------------------------------------------------

@dataclass
class Entry:
    """``valid()`` -> the keyword arguments of a valid call; ``bad`` -> per argument, the kinds
    (names from ``KINDS``, or ``{name: generator}`` for its own values) it must refuse;
    ``named``: what the refusal names, where not the argument itself (a validator's ``name``);
    ``run``: whether the valid call itself is cheap enough to run here."""

    valid: object
    bad: dict = field(default_factory=dict)
    named: dict = field(default_factory=dict)
    run: bool = True


@dataclass
class Exempt:
    """A callable with no argument to refuse, and why (records built by the package itself,
    whose arguments were checked by the function that built them)."""

    why: str


RECORD = Exempt("a result record: built by the function that returns it, from checked arguments")


def kinds(*names, **own):
    return {**{name: KINDS[name] for name in names}, **own}


def schemes_entries():
    return {
        "schemes.FullySynthetic": Entry(lambda: dict(n=5), {"n": kinds(*SIZE)}),
        "schemes.PartiallySynthetic": Entry(lambda: dict(N=5, n=3), {"N": kinds(*SIZE), "n": kinds(*SIZE)}),
        "schemes.MostRecent": Entry(lambda: dict(n=6, K=2), {"n": kinds(*SIZE), "K": kinds(*SIZE, above_n=values(7, 100))}),
        "schemes.RandomPool": Entry(lambda: dict(n=5), {"n": kinds(*SIZE)}),
        "schemes.Accumulate": Entry(lambda: dict(n=5), {"n": kinds(*SIZE)}),
        "schemes.FreshReal": Entry(lambda: dict(n_real=4, n_synth=3, weight=0.5),
                                   {"n_real": kinds(*SIZE), "n_synth": kinds(*SIZE),
                                    "weight": kinds(*REAL, range=values(-0.1, 1.5))}),
    }


def theory_entries():
    S0 = {"S0": kinds(*REAL, range=values(0.0, -0.2, 1.5))}
    m = {"m": kinds("type", "nan", "negative", "noninteger", "complex", "bool")}
    N, n = {"N": kinds(*FORMULA_SIZE)}, {"n": kinds(*FORMULA_SIZE)}
    p = {"p": kinds(*ARRAY, sums=sum_not_one)}
    p1 = {"p1": kinds(*ARRAY, sums=sum_not_one)}
    real_sizes = {"N": kinds(*REAL, "negative", "zero"), "n": kinds(*REAL, "negative", "zero")}
    sigma1 = {"sigma1": kinds(*REAL, range=values(0.0, 1.5))}
    return {
        "theory.S_fully_synthetic": Entry(lambda: dict(m=np.arange(3), n=10, S0=0.3), {**m, **n, **S0}),
        "theory.collapse_probability_bounds": Entry(
            lambda: dict(m=3, n=10, S0=0.6, support=2),
            {**m, **n, "S0": kinds(*REAL, range=values(0.0, 1.5, 0.01, 0.4)), "support": kinds(*FORMULA_SIZE)}),
        "theory.collapse_time_bounds": Entry(lambda: dict(n=10, S0=0.6, support=2),
                                             {**n, "S0": kinds(*REAL, range=values(0.0, 1.5, 0.01)),
                                              "support": kinds(*FORMULA_SIZE)}),
        "theory.diffusion_collapse_time": Entry(lambda: dict(p=P3, n=10), {**p, **n}),
        "theory.diffusion_first_loss_time": Entry(lambda: dict(p=P3, n=10), {**p, **n}),
        "theory.S_partially_synthetic": Entry(
            lambda: dict(m=np.arange(1, 4), N=10, n=5, S0=0.3, as_printed=False),
            {**m, **N, **n, **S0, "as_printed": FLAG}),
        "theory.S_partially_synthetic_limit": Entry(lambda: dict(N=10, n=5, S0=0.3), {**N, **n, **S0}),
        "theory.drift_limit": Entry(lambda: dict(N=10, n=5, sigma1=0.3), {**real_sizes, **sigma1}),
        "theory.drift_fully_synthetic": Entry(lambda: dict(m=np.arange(1, 4), n=5, sigma1=0.3),
                                              {**m, "n": real_sizes["n"], **sigma1}),
        "theory.drift_limit_per_token": Entry(lambda: dict(N=10, n=5, p1=P3), {**N, **n, **p1}),
        "theory.drift_limit_abs_per_token": Entry(lambda: dict(N=10, n=5, p1=P3), {**N, "n": kinds(*SIZE), **p1}),
        "theory.drift_limit_l1_gaussian": Entry(lambda: dict(N=10, n=5, p1=P3), {**N, **n, **p1}),
        "theory.max_synthetic_from_drift": Entry(lambda: dict(N=100, support=10, eps=0.1),
                                                 {**N, "support": kinds(*FORMULA_SIZE), "eps": kinds(*REAL, "zero", "negative")}),
        "theory.log_G": Entry(lambda: dict(n=10, s=60), {**n, "s": kinds(*FORMULA_SIZE)}),
        "theory.G": Entry(lambda: dict(n=10, s=60), {**n, "s": kinds(*FORMULA_SIZE)}),
        "theory.phi": Entry(lambda: dict(x=0.3), {"x": kinds(*REAL, "zero", "negative", range=values(0.6, 1.0))}),
        "theory.max_split_product": Entry(lambda: dict(counts=np.array([3, 5, 2])),
                                          {"counts": kinds("type", "negative", "noninteger", "complex", "empty",
                                                           huge=values(np.array([2**40, 2**40])))}),
        "theory.majority_token": Entry(lambda: dict(N=10, p=P3), {"N": kinds(*SIZE), **p}),
        "theory.zeta": Entry(lambda: dict(N=10, n=5, lam=0.1), {**N, **n, "lam": kinds(*REAL, "negative", range=values(0.3, 1.0))}),
        "theory.log_deviation_bound": Entry(lambda: dict(N=100, n=10, s=60, zeta=0.3),
                                            {**N, **n, "s": kinds(*FORMULA_SIZE), "zeta": kinds(*REAL, "zero", "negative", range=values(0.6))}),
        "theory.deviation_bound": Entry(lambda: dict(N=100, n=10, s=60, zeta=0.3),
                                        {**N, **n, "s": kinds(*FORMULA_SIZE), "zeta": kinds(*REAL, "zero", "negative", range=values(0.6))}),
        "theory.max_synthetic": Entry(lambda: dict(N=100, s=60, eps=0.1), {**N, "s": kinds(*FORMULA_SIZE), "eps": kinds(*REAL, "zero", "negative")}),
        "theory.S_accumulate": Entry(lambda: dict(m=np.arange(4), n=5, S0=0.3),
                                     {"m": kinds("type", "nan", "negative", "noninteger", "complex", "bool",
                                                 huge=values(np.array([10**10]))), **n, **S0}),
        "theory.S_accumulate_limit": Entry(lambda: dict(n=5, S0=0.3), {**n, **S0}),
        "theory.S_fresh_real_limit": Entry(lambda: dict(n_real=5, n_synth=4, weight=0.5, S0=0.3),
                                           {"n_real": kinds(*FORMULA_SIZE), "n_synth": kinds(*FORMULA_SIZE),
                                            "weight": kinds(*REAL, range=values(-0.1, 1.5)), **S0}),
        "theory.fresh_real_optimal_weight": Entry(lambda: dict(n=5), {**n}),
    }


def validation_entries():
    named = {"value": "x", "p": "x", "seed": "x", "rng": "x"}

    def entry(valid, bad, **kw):
        return Entry(valid, bad, named=named, **kw)

    return {
        # the two integer rules have no ceiling: bounded_int and sample_size add them
        "validation.positive_int": entry(lambda: dict(name="x", value=3), {"value": kinds(*FORMULA_SIZE)}),
        "validation.nonnegative_int": entry(lambda: dict(name="x", value=3),
                                            {"value": kinds(*(k for k in COUNT if k != "huge"))}),
        "validation.real_in": entry(lambda: dict(name="x", value=0.5, interval="[0, 1]"),
                                    {"value": kinds(*REAL, range=values(1.5, -0.5))}),
        "validation.instance_of": entry(lambda: dict(name="x", value=3, kinds=int),
                                        {"value": kinds("type", "nan", "complex")}),
        "validation.real_array": entry(lambda: dict(name="x", value=[1.0, 2.0]),
                                       {"value": kinds("type", "complex", "bool")}),
        "validation.finite_array": entry(lambda: dict(name="x", value=[1.0, 2.0], nonnegative=True),
                                         {"value": kinds(*ARRAY)}),
        "validation.ids": entry(lambda: dict(name="x", value=np.array([0, 2, 1]), s=3),  # empty is a text
                                {"value": kinds("type", "negative", "noninteger", "complex", range=id_out_of_range(3))}),
        "validation.smoothing": entry(lambda: dict(name="x", value=1.0),
                                      {"value": kinds(*REAL, "zero", "negative")}),
        "validation.flag": entry(lambda: dict(name="x", value=True), {"value": FLAG}),
        "validation.text": entry(lambda: dict(name="x", value="a"), {"value": NAME}),
        "validation.bounded_int": entry(lambda: dict(name="x", value=3, maximum=10, why="w", instead="i"),
                                        {"value": kinds(*SIZE, range=values(11, 100))}),
        "validation.memory": Entry(lambda: dict(names="x", nbytes=10.0, instead="i"),
                                   {"nbytes": {"huge": values(2.0**40)}}, named={"nbytes": "x"}),
        "validation.sample_size": entry(lambda: dict(name="x", value=3), {"value": kinds(*SIZE)}),
        "validation.probability_rows": entry(lambda: dict(name="x", p=[P3, P3]), {"p": kinds(*ARRAY, sums=sum_not_one)}),
        "validation.one_distribution": entry(lambda: dict(name="x", p=P3), {"p": kinds(*ARRAY, sums=sum_not_one)}),
        "validation.seed_sequence": entry(lambda: dict(name="x", seed=3), {"seed": kinds(*SEED)}),
        "validation.as_generator": entry(lambda: dict(name="x", rng=3), {"rng": kinds(*SEED)}),
    }


def package_entries():
    import modelcollapse as mc

    ids, vocabulary = text_ids()
    s = len(vocabulary)
    models = charmodels

    def text_ids_bad(s):
        return kinds(*IDS, range=id_out_of_range(s))

    p = {"p": kinds(*ARRAY, sums=sum_not_one)}
    mass = {"p": kinds(*ARRAY)}  # rows of masses: finite, >= 0 (a float32 softmax is off by 1e-7)
    seed = {"seed": kinds(*SEED)}
    return {
        # charmodel
        "charmodel.max_order": Entry(lambda: dict(s=65), {"s": kinds(*FORMULA_SIZE)}),
        "charmodel.context_codes": Entry(lambda: dict(ids=ids[:50], ell=2, s=s),
                                         {"ids": text_ids_bad(s), "ell": kinds(*COUNT, range=values(20, 10**3)),
                                          "s": kinds(*SIZE)}),
        "charmodel.CharModel": RECORD,
        "charmodel.fit": Entry(lambda: dict(corpora=ids, ell=2, s=s),
                               {"corpora": kinds("type", "negative", "noninteger", "complex", range=id_out_of_range(s)),
                                "ell": kinds(*COUNT, range=values(20)), "s": kinds(*SIZE)}),
        "charmodel.fit_orders": Entry(lambda: dict(corpora=ids, ell=2, s=s),
                                      {"ell": kinds(*COUNT, range=values(20)), "s": kinds(*SIZE)}),
        "charmodel.sample": Entry(lambda: dict(model=models()[-1], length=20, seed=1),
                                  {"model": kinds("type", "nan"), "length": kinds(*SIZE), **seed}),
        "charmodel.smoothed": Entry(lambda: dict(models=models(), history=np.array([ids[:2], ids[5:7]]), kappa=1.0),
                                    {"models": kinds("type", "empty", "nan"), "history": text_ids_bad(s),
                                     "kappa": kinds(*REAL, "zero", "negative")}),
        "charmodel.cross_entropy_bits": Entry(lambda: dict(models=models(), ids=ids[:100], kappa=1.0),
                                              {"models": kinds("type", "empty"), "ids": text_ids_bad(s),
                                               "kappa": kinds(*REAL, "zero", "negative")}),
        # data
        "data.cache_dir": Exempt("no arguments"),
        "data.tiny_shakespeare": Entry(lambda: dict(sha256="0" * 64, filename="x.txt", url="https://example.invalid/x"),
                                       {"filename": NAME, "sha256": NAME, "url": NAME}, run=False),
        "data.encode": Entry(lambda: dict(text="abca", vocabulary="abc"),
                             {"text": TEXT, "vocabulary": {"type": values("", "aab", 3)}}),
        "data.decode": Entry(lambda: dict(ids=np.array([0, 2]), vocabulary="abc"),
                             {"ids": kinds("type", "negative", "noninteger", "complex", range=id_out_of_range(3)),
                              "vocabulary": {"type": values("", "aa", None, 3)}}),  # no ids: ""
        # distributions
        "distributions.zipf_weights": Entry(lambda: dict(support=10, exponent=1.1),
                                            {"support": kinds(*SIZE), "exponent": kinds(*REAL, "negative")}),
        "distributions.with_support_and_S0": Entry(lambda: dict(s=20, support=10, S0=0.3),
                                                   {"s": kinds(*SIZE), "support": kinds(*SIZE, range=values(21)),
                                                    "S0": kinds(*REAL, range=values(0.01, 1.0, 1.5))}),
        "distributions.random_simplex": Entry(lambda: dict(s=4, seed=1, contexts=3),
                                              {"s": kinds(*SIZE), **seed, "contexts": kinds(*SIZE)}),
        # engine and sweep
        "engine.SimulationResult": RECORD,
        "engine.simulate": Entry(lambda: dict(p=P3, scheme=mc.FullySynthetic(5), generations=3, runs=2, seed=1,
                                              keep_models=False, support_only=None),
                                 {**p, "scheme": kinds("type", "nan"), "generations": kinds(*SIZE), "runs": kinds(*SIZE),
                                  **seed, "keep_models": FLAG, "support_only": {"type": values("False", 0, 1)}}),
        "engine.first_run_of_diracs": Entry(lambda: dict(support=np.array([[3, 1, 1]]), length=1),
                                            {"length": kinds(*FORMULA_SIZE)}),  # longer than the horizon: -1
        "sweep.sweep": Entry(lambda: dict(p=P3, schemes=[mc.FullySynthetic(5)], generations=3, runs=2, seed=1,
                                          n_jobs=None, keep_models=False),
                             {**p, "schemes": kinds("type", "nan", "empty"), "generations": kinds(*SIZE),
                              "runs": kinds(*SIZE), "seed": kinds(*SEED), "n_jobs": kinds("type", "nan", "zero", "noninteger"),
                              "keep_models": FLAG}),
        # exact
        "exact.CollapseTime": RECORD,
        "exact.partitions": Entry(lambda: dict(n=6, parts=3), {"n": kinds(*COUNT), "parts": kinds(*FORMULA_SIZE)}),
        "exact.partition_count": Entry(lambda: dict(n=6, parts=3), {"n": kinds(*COUNT), "parts": kinds(*FORMULA_SIZE)}),
        "exact.expected_time_to_tokens_left": Entry(
            lambda: dict(p=P3, n=4, tokens_left=1, max_states=100, max_compositions=1000),
            {**p, "n": kinds(*SIZE), "tokens_left": kinds(*FORMULA_SIZE), "max_states": kinds(*SIZE),
             "max_compositions": kinds(*SIZE)}),
        "exact.expected_collapse_time": Entry(lambda: dict(p=P3, n=4), {**p, "n": kinds(*SIZE)}),
        "exact.collapse_probability": Entry(lambda: dict(p=P3, n=4, m=3),
                                            {**p, "n": kinds(*SIZE), "m": kinds(*SIZE)}),
        # figure5
        "figure5.SplitText": RECORD,
        "figure5.Chain": RECORD,
        "figure5.Generation": RECORD,
        "figure5.Truth": RECORD,
        "figure5.split_text": Entry(lambda: dict(text="abcabcabca", train_share=0.9),
                                    {"text": TEXT, "train_share": kinds(*REAL, "zero", "negative", range=values(1.0))}),
        "figure5.real_segment": Entry(lambda: dict(train=ids, corpus_size=100, seed=1),
                                      {"train": kinds(*IDS), "corpus_size": kinds(*SIZE), **seed}),
        "figure5.probe_contexts": Entry(lambda: dict(train=ids, ell=2, count=5, seed=1),
                                        {"train": kinds(*IDS), "ell": kinds(*SIZE), "count": kinds(*SIZE), **seed}),
        "figure5.mean_entropy": Entry(lambda: dict(p=np.array([P3, P3])), mass),
        "figure5.counting_generations": Entry(
            lambda: dict(real=ids, vocabulary=vocabulary, ell=2, synthetic_fraction=0.5, generations=2,
                         corpus_size=200, seed=1),
            {"real": text_ids_bad(s), "vocabulary": {"type": values("", "aa", None, 3)},
             "ell": kinds(*COUNT, range=values(20)), "synthetic_fraction": kinds(*REAL, range=values(1.5, -0.5)),
             "generations": kinds(*SIZE), "corpus_size": kinds(*SIZE), **seed}),
        "figure5.counting_chains": Entry(
            lambda: dict(real=ids, vocabulary=vocabulary, ell=2, synthetic_fractions=[0.5], generations=2,
                         corpus_size=200, seed=1, probes=np.array([ids[:2], ids[3:5]]), held_out=ids[:100],
                         truth=models(), kappa=1.0),
            {"real": text_ids_bad(s), "ell": kinds(*COUNT, range=values(20)),
             "synthetic_fractions": kinds("type", "nan", "complex", "empty", range=values([1.5], [-0.1])),
             "generations": kinds(*SIZE), "corpus_size": kinds(*SIZE), "seed": kinds(*SEED),
             "probes": kinds(*IDS, range=id_out_of_range(s), width=values(np.array([ids[:3]]), np.array([ids[:1]]))),
             "held_out": text_ids_bad(s), "truth": kinds("type", "empty"),
             "kappa": kinds(*REAL, "zero", "negative")}),
        "figure5.resolved": Entry(lambda: dict(a=[0.3, 0.5, 0.4], b=[0.1, 0.2, 0.1]),
                                  {"a": kinds("type", "nan", "inf", "complex", "empty"),
                                   "b": kinds("type", "nan", "inf", "complex", "empty")}),
        "figure5.within": Entry(lambda: dict(a=[0.3, 0.5, 0.4], b=[0.1, 0.2, 0.1]),
                                {"a": kinds("type", "nan", "inf", "complex", "empty"),
                                 "b": kinds("type", "nan", "inf", "complex", "empty")}),
        "figure5.trend": Entry(lambda: dict(values=[[1.0, 2.0, 3.0], [2.0, 3.0, 5.0]]),
                               {"values": kinds("type", "nan", "inf", "complex", "empty")}),
        "figure5.train_truth": Entry(lambda: dict(text="abcd" * 30, config=tiny_config(), seed=0, vocabulary=None,
                                                  validation_share=0.1, validation_windows=4),
                                     {"text": TEXT, "config": kinds("type", "nan"), "seed": kinds(*SEED),
                                      "validation_share": kinds(*REAL, "zero", range=values(1.0)),
                                      "validation_windows": kinds(*SIZE)}, run=False),
        "figure5.transformer_chains": Entry(lambda: dict(text="abcd" * 30, config=tiny_config(), synthetic_fractions=[0.5],
                                                         generations=2, corpus_size=50, seed=0, contexts=4,
                                                         best_validation=True, weights_floor=True, kl_streams=4),
                                            {"text": TEXT, "config": kinds("type", "nan"),
                                             "synthetic_fractions": kinds("type", "nan", "empty", range=values([1.5])),
                                             "generations": kinds(*SIZE), "corpus_size": kinds(*SIZE),
                                             "seed": kinds(*SEED), "contexts": kinds(*SIZE),
                                             "best_validation": FLAG, "weights_floor": FLAG,
                                             "kl_streams": kinds(*SIZE)}, run=False),
        # model
        "model.fit": Entry(lambda: dict(counts=np.array([[3, 1], [0, 2]])),
                           {"counts": kinds("type", "nan", "inf", "negative", "noninteger", "complex", "empty",
                                            huge=values(np.array([2**62, 2**62]), np.array([1e308, 1e308])))}),
        "model.sample_counts": Entry(lambda: dict(p=P3, n=10, seed=1), {**p, "n": kinds(*SIZE), **seed}),
        "model.draw": Entry(lambda: dict(rng=np.random.default_rng(1), n=10, probs=np.array(P3)),
                            {"rng": kinds("type", "nan", "negative"), "n": kinds(*SIZE),
                             "probs": kinds(*ARRAY, sums=sum_not_one)}),
        "model.collision_probability": Entry(lambda: dict(p=P3), mass),
        "model.l1_distance": Entry(lambda: dict(p=P3, q=[0.2, 0.3, 0.5]), {"p": kinds(*ARRAY), "q": kinds(*ARRAY)}),
        "model.squared_distance": Entry(lambda: dict(p=P3, q=[0.2, 0.3, 0.5]), {"p": kinds(*ARRAY), "q": kinds(*ARRAY)}),
        "model.support_size": Entry(lambda: dict(p=P3), mass),
        # neural: arguments are checked before any JAX work; only cheap calls run
        "neural.TransformerConfig": Entry(
            lambda: dict(layers=1, heads=1, embedding=4, context=4, dropout=0.0, learning_rate=1e-2, batch_size=2, iterations=1),
            # A configuration allocates nothing: its sizes meet their ceilings where a model is built.
            {"layers": kinds(*FORMULA_SIZE), "heads": kinds(*FORMULA_SIZE), "embedding": kinds(*FORMULA_SIZE),
             "context": kinds(*FORMULA_SIZE), "dropout": kinds(*REAL, "negative", range=values(1.0)),
             "learning_rate": kinds(*REAL, "zero", "negative"), "batch_size": kinds(*FORMULA_SIZE),
             "iterations": kinds(*FORMULA_SIZE)}),
        "neural.Transformer": Entry(lambda: dict(config=tiny_config(), s=5, key=jax_key()),
                                    {"config": kinds("type", "nan"), "s": kinds(*SIZE)}),
        "neural.initialise": Entry(lambda: dict(config=tiny_config(), s=5, key=jax_key()),
                                   {"config": kinds("type", "nan"), "s": kinds(*SIZE)}),
        "neural.train": Entry(lambda: dict(config=tiny_config(), streams=np.zeros((2, 5), dtype=np.int64), s=5, key=jax_key(),
                                           evaluations=1),
                              {"config": kinds("type", "nan"), "s": kinds(*SIZE),
                               "streams": kinds(*IDS, range=id_out_of_range(5), narrow=values(np.zeros((2, 4), dtype=np.int64))),
                               "evaluations": kinds(*SIZE)},
                              run=False),
        "neural.train_from_keys": Entry(lambda: dict(config=tiny_config(), streams=np.zeros((2, 5), dtype=np.int64), s=5,
                                                     weights_key=jax_key(), batches_key=jax_key(), evaluations=1),
                                        {"config": kinds("type", "nan"), "s": kinds(*SIZE),
                                         "streams": kinds(*IDS, range=id_out_of_range(5)),
                                         "evaluations": kinds(*SIZE)}, run=False),
        "neural.batches": Entry(lambda: dict(config=tiny_config(), streams=np.zeros((2, 5), dtype=np.int64), key=jax_key()),
                                {"config": kinds("type", "nan"),
                                 "streams": kinds(*IDS, narrow=values(np.zeros((2, 4), dtype=np.int64)))}, run=False),
        "neural.sample": Entry(lambda: dict(model=tiny_transformer(), count=2, key=jax_key(), chunk=2),
                               {"model": kinds("type", "nan"), "count": kinds(*SIZE), "chunk": kinds(*SIZE)}, run=False),
        "neural.next_character_distributions": Entry(
            lambda: dict(model=tiny_transformer(), contexts=np.zeros((2, 3), dtype=np.int64)),
            {"model": kinds("type", "nan"), "contexts": kinds(*IDS, range=id_out_of_range(5))}, run=False),
        "neural.kl_divergence": Entry(
            lambda: dict(reference=tiny_transformer(), model=tiny_transformer(), windows=np.zeros((2, 5), dtype=np.int64)),
            {"reference": kinds("type", "nan"), "model": kinds("type", "nan"),
             "windows": kinds(*IDS, range=id_out_of_range(5), narrow=values(np.zeros((2, 1), dtype=np.int64)))},
            run=False),
        "neural.validation_loss": Entry(
            lambda: dict(model=tiny_transformer(), windows=np.zeros((2, 5), dtype=np.int64)),
            {"model": kinds("type", "nan"),
             "windows": kinds(*IDS, range=id_out_of_range(5),
                              narrow=values(np.zeros((2, 1), dtype=np.int64), np.zeros((0, 5), dtype=np.int64)))},
            run=False),
        # plotting
        "plotting.set_style": Exempt("no arguments"),
        "plotting.colors": Entry(lambda: dict(k=3), {"k": kinds(*SIZE)}),
        "plotting.simplex_coordinates": Entry(lambda: dict(p=[P3, P3]), {"p": kinds(*ARRAY, sums=sum_not_one)}),
        "plotting.simplex_axes": Entry(lambda: dict(ax=None, labels=("a", "b", "c")),
                                       {"labels": {"type": values(("a", "b"), "abc", None, (1, 2, 3))}}, run=False),
        # report
        "report.significant": Entry(lambda: dict(value=0.5, digits=4),
                                    {"value": kinds("nan", "complex", own=values(1j, [1 / 3, 2j], {1: 2.0},
                                                                                 __import__("fractions").Fraction(1, 3))),
                                     "digits": kinds(*SIZE, range=values(13))}),
        "report.glue": Entry(lambda: dict(name="x", value=0.5, digits=4),
                             {"name": NAME, "value": kinds("nan", "complex", "inf", own=values({1: 1.0})),
                              "digits": kinds(*SIZE)}, run=False),
        "report.ratio_of_means": Entry(lambda: dict(numerator=[1.0, 2.0], denominator=[2.0, 3.0]),
                                       {"numerator": kinds(*ARRAY[:3], "complex", "empty",
                                                           huge=values([1.7e308, 1.7e308])),  # the mean overflows
                                        "denominator": kinds("type", "nan", "inf", "complex", "empty",
                                                             zero=values([0.0, 0.0]))}),
        # settings
        "settings.full_scale": Entry(lambda: dict(environ={}),
                                     {"environ": {"type": values("1", 1, [("a", "b")]),
                                                  "value": values({"MODELCOLLAPSE_FULL_SCALE": "2"},
                                                                  {"MODELCOLLAPSE_FULL_SCALE": 1})}},
                                     named={"environ": "environ|MODELCOLLAPSE_FULL_SCALE"}),
        # softmax
        "softmax.cross_entropy": Entry(lambda: dict(W=np.zeros((2, 2)), counts=np.array([[3, 1], [1, 2]])),
                                       {"W": kinds("type", "nan", "inf", "complex", "empty"),
                                        "counts": kinds("type", "nan", "negative", "noninteger", "complex", "empty")}),
        "softmax.gradient": Entry(lambda: dict(W=np.zeros((2, 2)), counts=np.array([[3, 1], [1, 2]])),
                                  {"W": kinds("type", "nan", "inf", "complex", "empty"),
                                   "counts": kinds("type", "nan", "negative", "noninteger", "complex", "empty")}),
        "softmax.counting_loss": Entry(lambda: dict(counts=np.array([[3, 1], [1, 2]])),
                                       {"counts": kinds("type", "nan", "negative", "noninteger", "complex", "empty")}),
        "softmax.default_learning_rate": Entry(lambda: dict(counts=np.array([[3, 1], [1, 2]])),
                                               {"counts": kinds("type", "nan", "negative", "noninteger", "complex", "empty")}),
        "softmax.convergence_factors": Entry(lambda: dict(counts=np.array([[3, 1], [1, 2]]), lr=0.5),
                                             {"counts": kinds("type", "nan", "negative", "complex", "empty"),
                                              "lr": kinds(*REAL, "zero", "negative")}),
        "softmax.boundary_gap_constants": Entry(lambda: dict(counts=np.array([[3, 0], [1, 2]]), lr=0.5),
                                                {"counts": kinds("type", "nan", "negative", "complex", "empty"),
                                                 "lr": kinds(*REAL, "zero", "negative")}),
        "softmax.SoftmaxFit": RECORD,
        "softmax.train_softmax": Entry(lambda: dict(counts=np.array([[3, 1], [1, 2]]), steps=3, lr=None, record_every=1),
                                       {"counts": kinds("type", "nan", "negative", "complex", "empty"),
                                        "steps": kinds(*SIZE), "lr": kinds(*REAL, "zero", "negative"),
                                        "record_every": kinds(*FORMULA_SIZE)}),  # beyond steps: ends only
    }


def derivation_entries():
    size = kinds(*SIZE)
    return {
        "derivations.sizes": Exempt("a decorator: its ceilings are fixed in the source, and every "
                                    "function it decorates is checked here"),
        "derivations.counting.symbols": Entry(lambda: dict(name="w", s=3), {"name": NAME, "s": size}),
        "derivations.counting.softmax": Exempt("sympy's own algebra on a list of sympy logits: any "
                                               "expressions are valid"),
        "derivations.counting.LossSeparation": RECORD,
        "derivations.counting.SoftmaxGradient": RECORD,
        "derivations.counting.SoftmaxOptimum": RECORD,
        "derivations.counting.SoftmaxHessian": RECORD,
        "derivations.counting.MultinomialMoments": RECORD,
        "derivations.counting.loss_separation": Entry(lambda: dict(c=2, s=2), {"c": size, "s": size}),
        "derivations.counting.softmax_gradient": Entry(lambda: dict(s=2), {"s": size}),
        "derivations.counting.softmax_optimum": Entry(lambda: dict(s=2), {"s": size}),
        "derivations.counting.lagrangian_optimum": Entry(lambda: dict(s=2), {"s": size}),
        "derivations.counting.softmax_hessian": Entry(lambda: dict(s=2), {"s": size}),
        "derivations.counting.multinomial_moments": Entry(lambda: dict(s=2), {"s": size}),
        "derivations.counting.expected_collision_after_counting": Entry(lambda: dict(s=2), {"s": size}),
        "derivations.fully_synthetic.diffusion_coefficients": Entry(lambda: dict(K=2), {"K": size}),
        "derivations.fully_synthetic.diffusion_generator": Entry(lambda: dict(f=0, K=2), {"K": size}),
        "derivations.fully_synthetic.fixation_time": Entry(lambda: dict(K=2), {"K": size}, run=False),
        "derivations.fully_synthetic.collapse_time_by_tokens": Entry(lambda: dict(samples=2), {"samples": size}),
        "derivations.partially_synthetic.printed_eq9": Entry(
            lambda: dict(sign=-1), {"sign": kinds("type", "nan", "zero", "noninteger", "complex", "bool",
                                                  range=values(2, -2))}),
        "derivations.partially_synthetic.with_rate": Exempt("rewrites any sympy expression"),
    }


@cache
def table() -> dict:
    return {**schemes_entries(), **theory_entries(), **validation_entries(), **package_entries(),
            **derivation_entries()}


def test_every_public_callable_has_an_entry():
    """A new public function or class fails here until its arguments are described in the table
    (or it is exempt, with the reason); a stale entry fails too."""
    listed = set(public_callables())
    described = set(table())
    assert not listed - described, f"public callables without an entry: {sorted(listed - described)}"
    assert not described - listed, f"entries for callables that do not exist: {sorted(described - listed)}"


def _resolve(qualified):
    module, _, name = qualified.rpartition(".")
    return getattr(importlib.import_module(f"modelcollapse.{module}"), name)


@pytest.mark.parametrize("qualified", sorted(q for q, e in table().items() if isinstance(e, Entry) and e.run))
def test_the_valid_call_runs(qualified):
    _resolve(qualified)(**table()[qualified].valid())


@pytest.mark.parametrize("qualified", sorted(q for q, e in table().items() if isinstance(e, Entry) and e.bad))
@PROFILE
@given(data=st.data())
def test_bad_arguments_are_refused_naming_the_argument(qualified, data):
    """One case a callable (hypothesis's pytest plugin nests the settings of every parametrized
    case of one test, so a case per argument and kind would exhaust the recursion limit); each
    example tries every argument with every kind of bad value it must refuse."""
    entry = table()[qualified]
    for argument, bad_kinds in entry.bad.items():
        for kind, generate in bad_kinds.items():
            kwargs = entry.valid()
            kwargs[argument] = bad = generate(kwargs[argument], data.draw)
            with pytest.raises((ValueError, TypeError)) as refused:
                _resolve(qualified)(**kwargs)
                pytest.fail(f"{qualified}({argument}={bad!r:.60}) [{kind}] was not refused")
            names = entry.named.get(argument, argument).split("|")
            assert any(name in str(refused.value) for name in names), (
                f"{qualified}({argument}={bad!r:.60}) [{kind}] refused without naming {names}: "
                f"{refused.value}")


# --- invariants on valid input -------------------------------------------------------------

distributions_ = st.integers(2, 12).flatmap(
    lambda s: st.lists(st.floats(0, 1), min_size=s, max_size=s).filter(lambda w: sum(w) > 0.01)
).map(lambda w: np.asarray(w) / np.sum(w))


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(p=distributions_, n=st.integers(1, 50), seed=st.integers(0, 2**32))
def test_fitted_rows_sum_to_one_and_same_seed_gives_same_bytes(p, n, seed):
    from modelcollapse.model import collision_probability, fit, l1_distance, sample_counts, support_size

    counts = sample_counts(p, n, seed)
    assert counts.sum() == n and counts.tobytes() == sample_counts(p, n, seed).tobytes()
    q = fit(counts)
    assert abs(q.sum() - 1) < 1e-12
    assert 1 / len(p) - 1e-12 <= collision_probability(q) <= 1 + 1e-12
    assert 0 <= l1_distance(p, q) <= 2 + 1e-12
    assert 1 <= support_size(q) <= min(n, len(p))


@settings(max_examples=10, deadline=None, derandomize=True, database=None)
@given(p=distributions_, seed=st.integers(0, 2**32), n=st.integers(1, 30))
def test_simulation_is_the_same_bytes_for_the_same_seed(p, seed, n):
    import modelcollapse as mc

    runs = [mc.simulate(p, mc.PartiallySynthetic(n, n), 6, 3, seed) for _ in range(2)]
    for name in ("sigma", "drift", "support", "collapse_time", "lost_at"):
        assert getattr(runs[0], name).tobytes() == getattr(runs[1], name).tobytes()
    assert np.all((runs[0].sigma >= 1 / len(p) - 1e-12) & (runs[0].sigma <= 1 + 1e-12))
    assert np.all((runs[0].drift >= 0) & (runs[0].drift <= 2 + 1e-12))


@settings(max_examples=15, deadline=None, derandomize=True, database=None)
@given(kappa=st.floats(1e-3, 1e3), seed=st.integers(0, 2**16))
def test_smoothed_rows_are_distributions_and_entropies_in_range(kappa, seed):
    from modelcollapse import charmodel, figure5

    ids, vocabulary = text_ids()
    models = charmodels()
    history = figure5.probe_contexts(ids, 2, 20, seed)
    p = charmodel.smoothed(models, history, kappa)
    assert np.all(p > 0) and np.allclose(p.sum(1), 1, atol=1e-12, rtol=0)
    assert 0 <= figure5.mean_entropy(p) <= math.log(len(vocabulary)) + 1e-12
    assert 0 < charmodel.cross_entropy_bits(models, ids[:300], kappa) < 50
    written = charmodel.sample(models[-1], 50, seed)
    assert written.tobytes() == charmodel.sample(models[-1], 50, seed).tobytes()


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(value=st.one_of(st.floats(allow_nan=False), st.lists(st.one_of(st.floats(allow_nan=False), st.text(max_size=3),
                                                                      st.integers()), max_size=5)),
       digits=st.integers(1, 12))
def test_significant_rounds_every_float_in_any_container(value, digits):
    from modelcollapse.report import significant

    def floats(x):
        if isinstance(x, list):
            return [f for item in x for f in floats(item)]
        return [x] if isinstance(x, float) else []

    stored = significant({"k": [value, (value,)]}, digits)
    for original, rounded in zip(floats([value, value]), floats(stored["k"][0:1] + stored["k"][1])):
        if math.isfinite(original):
            assert math.isfinite(rounded)  # never rounded up past the largest float
            assert len(f"{rounded:.{12}g}".rstrip("0").replace(".", "").lstrip("-0").split("e")[0]) <= digits
            assert rounded == 0 or abs(rounded - original) <= abs(original) * 10.0 ** (1 - digits)
