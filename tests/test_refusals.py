"""Each bad input an outside sweep found passing silently (issue 31) now ends in a ValueError or
TypeError that names the argument; the classes they stand for are covered for every public
callable by tests/test_api_properties.py."""

import numpy as np
import pytest

import modelcollapse as mc
from modelcollapse import charmodel, data, distributions, exact, figure5, model, plotting, report, theory
from modelcollapse.derivations import counting, fully_synthetic, partially_synthetic

IDS = np.array([0, 1, 2, 1, 0, 2, 2, 1, 0, 1])
MODELS = charmodel.fit_orders(IDS, 1, 3)

EXAMPLES = [
    # out-of-range ids
    ("corpora", lambda: charmodel.fit(np.array([0, 1, 5]), 1, 3)),
    ("history", lambda: charmodel.smoothed(MODELS, [[3]])),
    ("ids", lambda: charmodel.cross_entropy_bits(MODELS, [0, 1, -1])),
    ("real", lambda: figure5.counting_generations(IDS, "ab", 1, 0.5, 2, 5, 0)),
    ("probes", lambda: figure5.counting_chains(IDS, "abc", 1, [0.5], 2, 5, 0, probes=[[0, 1]],
                                               held_out=IDS, truth=MODELS)),
    ("ids", lambda: data.decode([-1], "abc")),
    ("ell", lambda: charmodel.context_codes(IDS, -1, 3)),
    ("ell", lambda: charmodel.fit_orders(IDS, -1, 3)),
    # smoothing constants
    *[("kappa", lambda k=k: charmodel.smoothed(MODELS, [[0]], k)) for k in (np.nan, np.inf, -np.inf, -1, 0, 1j)],
    ("kappa", lambda: charmodel.cross_entropy_bits(MODELS, IDS, np.nan)),
    # complex probabilities
    ("p", lambda: mc.simulate([0.5 + 1j, 0.5], mc.FullySynthetic(3), 2, 1, 0)),
    ("p", lambda: exact.expected_collapse_time([0.5 + 0j, 0.5], 3)),
    # S0 below 1/support; flags
    ("S0", lambda: theory.collapse_probability_bounds(3, 10, S0=0.01, support=2)),
    ("as_printed", lambda: theory.S_partially_synthetic(2, 10, 10, 0.3, as_printed="False")),
    # model
    ("counts", lambda: model.fit([2**62, 2**62])),
    ("counts", lambda: model.fit([1e308, 1e308])),
    ("probs", lambda: model.draw(np.random.default_rng(0), 10, [0.3, 0.3])),
    ("p", lambda: model.collision_probability([np.nan, 0.5])),
    ("p", lambda: model.support_size([-0.5, 1.5])),
    ("p", lambda: model.l1_distance([], [])),
    ("p", lambda: figure5.mean_entropy([[2.0, -1.0]])),
    ("p", lambda: plotting.simplex_coordinates([np.nan, 0.5, 0.5])),
    # distributions, exact
    ("support", lambda: distributions.zipf_weights(2.5, 1.0)),
    ("exponent", lambda: distributions.zipf_weights(3, np.nan)),
    ("exponent", lambda: distributions.zipf_weights(3, np.inf)),
    *[("parts", lambda v=v: exact.partitions(10, v)) for v in (-1, np.nan, 2.5)],
    ("n", lambda: exact.partition_count(-1, 3)),
    # report
    ("value", lambda: report.significant(1j)),
    ("value", lambda: report.significant(__import__("decimal").Decimal("0.1"))),
    *[("name", lambda v=v: report.glue(v, 1.0)) for v in (None, 123, "")],
    ("numerator", lambda: report.ratio_of_means([1e300] * 2, [1e-300] * 2)),
    # derivations
    ("s", lambda: counting.symbols("w", 2.5)),
    *[("s", lambda v=v: counting.symbols("w", v)) for v in (0, -1, True)],
    *[("sign", lambda v=v: partially_synthetic.printed_eq9(v)) for v in (0, 2)],
    ("s", lambda: counting.softmax_hessian(60)),
    ("samples", lambda: fully_synthetic.collapse_time_by_tokens(samples=60)),
    # sizes with no ceiling
    ("generations", lambda: mc.simulate([0.5, 0.5], mc.FullySynthetic(3), 10**9, 2, 0)),
    ("runs", lambda: mc.sweep([0.5, 0.5], [mc.FullySynthetic(3)], 10, 10**9, 0)),
    ("K", lambda: mc.simulate([0.5, 0.5], mc.MostRecent(10**9, 10**9), 2, 2, 0)),
    ("n", lambda: theory.drift_limit_abs_per_token(10, 10**6, [0.5, 0.5])),
    ("m", lambda: theory.S_accumulate(10**9, 3, 0.5)),
    ("N", lambda: theory.majority_token(10**9, [0.5, 0.5])),
    ("support", lambda: distributions.zipf_weights(10**9, 1.0)),
    ("s", lambda: distributions.random_simplex(10**9, 0)),
    ("s", lambda: charmodel.fit(IDS, 0, 10**9)),
    ("length", lambda: charmodel.sample(MODELS[-1], 10**9, 0)),
    ("count", lambda: figure5.probe_contexts(IDS, 2, 10**9, 0)),
    ("max_states", lambda: exact.expected_time_to_tokens_left([0.5, 0.5], 10, 1, max_states=np.nan)),
    ("n", lambda: exact.partitions(10**6, 3)),
    ("counts", lambda: theory.max_split_product(np.array([2**40, 2**40]))),
]


@pytest.mark.parametrize("argument, call", EXAMPLES, ids=[f"{i}-{a}" for i, (a, _) in enumerate(EXAMPLES)])
def test_the_issue_s_examples_are_refused_naming_the_argument(argument, call):
    with pytest.raises((ValueError, TypeError), match=argument):
        call()


def test_max_split_product_is_linear_in_the_total():
    # It listed every sum up to half the total one by one (minutes at [10**6, 10**6]).
    assert theory.max_split_product(np.array([10**6, 10**6])) == 0.25
    assert theory.max_split_product(np.array([3, 5, 7, 2])) == 8 * 9 / 17**2
