import math
from unittest.mock import patch

import numpy as np
import pytest
import sympy as sp

from modelcollapse.report import DIGITS, MAX_DIGITS, glue, ratio_of_means, significant


def test_last_bit_differences_round_alike():
    """The exact solver's E[T] as three CPUs computed it (issue 13): one stored value."""
    seen = [17.456242243124876, 17.456242243124873, 17.45624224312488]
    assert {significant(x) for x in seen} == {17.45624224}
    # A difference at the tenth digit is a real difference, and is kept.
    assert significant(17.45624225) != significant(17.45624224)


def test_keeps_digits_significant_digits_at_any_scale():
    assert significant(2.848511415621366e180) == 2.848511416e180
    assert significant(0.0972898289828983) == 0.09728982898
    assert significant(1 / 3, digits=2) == 0.33
    assert significant(-47.668076764508214, digits=4) == -47.67
    assert len(repr(significant(math.pi)).replace(".", "")) == DIGITS


def test_returns_python_floats_for_numpy_floats():
    value = significant(np.float64(0.1) + np.float64(0.2))
    assert type(value) is float and value == 0.3
    assert type(significant(np.float32(0.5))) is float


@pytest.mark.parametrize("exact", [7, 2**80, True, "inf", sp.Rational(1, 3), sp.sqrt(2)])
def test_exact_values_pass_unchanged(exact):
    assert significant(exact) is exact


def test_numpy_integers_become_python_integers():
    """numpy 2 prints np.int64(5), which a format spec in the prose cannot read."""
    for value, kind in [(np.int64(5), int), (np.bool_(True), bool)]:
        out = significant(value)
        assert type(out) is kind and out == value.item()


def test_arrays_round_elementwise():
    assert significant(np.array([1 / 3, 2.0, np.inf]), digits=3) == [0.333, 2.0, math.inf]
    assert significant([[1 / 7], [5]], digits=2) == [[0.14], [5]]


def test_zero_and_infinities_are_kept():
    assert significant(0.0) == 0.0
    assert significant(-math.inf) == -math.inf


def test_refuses_nan_and_bad_digits():
    with pytest.raises(ValueError, match="NaN"):
        significant(float("nan"))
    for digits in (0, MAX_DIGITS + 1, 2.5, True):
        with pytest.raises(ValueError, match="digits"):
            significant(1.0, digits=digits)


def test_glue_stores_the_rounded_value_without_display():
    with patch("myst_nb.glue") as myst_glue:
        glue("key", 1.0297210916729302)
        glue("two", 3.8123e-12, digits=2)
    assert myst_glue.call_args_list[0].args == ("key", 1.029721092)
    assert myst_glue.call_args_list[0].kwargs == {"display": False}
    assert myst_glue.call_args_list[1].args == ("two", 3.8e-12)


def test_glue_names_the_key_it_refuses():
    with patch("myst_nb.glue"), pytest.raises(ValueError, match="'gap'.*NaN"):
        glue("gap", np.nan)


@pytest.mark.parametrize("value", [math.inf, -np.inf, [1.0, math.inf]])
def test_glue_refuses_infinity_which_the_prose_would_print_as_inf(value):
    """An infinite value is a number the prose cannot state: "inf" in a sentence. The notebook
    glues words instead (a string passes), as notebook 03 does for an unbounded n."""
    with patch("myst_nb.glue") as myst_glue, pytest.raises(ValueError, match="'bound'.*infinite"):
        glue("bound", value)
    assert not myst_glue.called
    with patch("myst_nb.glue") as myst_glue:
        glue("bound", "inf")
    assert myst_glue.call_args.args == ("bound", "inf")


def test_ratio_of_means_and_its_standard_error():
    x, y = np.array([1.0, 3.0]), np.array([2.0, 2.0, 5.0, 7.0])
    ratio, se = ratio_of_means(x, y)
    assert ratio == pytest.approx(2.0 / 4.0)
    se_x, se_y = np.std(x, ddof=1) / np.sqrt(2), np.std(y, ddof=1) / np.sqrt(4)
    assert se == pytest.approx(0.5 * np.sqrt((se_x / 2) ** 2 + (se_y / 4) ** 2))
    # Against the spread of the ratio over many independent replications.
    rng = np.random.default_rng(5)
    ratios = [ratio_of_means(rng.normal(2, 1, 400), rng.normal(4, 1, 400))[0] for _ in range(2000)]
    _, se = ratio_of_means(rng.normal(2, 1, 400), rng.normal(4, 1, 400))
    assert np.std(ratios) == pytest.approx(se, rel=0.1)


@pytest.mark.parametrize("numerator, denominator, name", [
    ([1.0], [1.0, 2.0], "numerator"),
    ([1.0, 2.0], [[1.0, 2.0]], "denominator"),
    ([1.0, np.nan], [1.0, 2.0], "numerator"),
    ([1.0, 2.0], [1.0, -1.0], "denominator"),
])
def test_ratio_of_means_rejects_bad_samples(numerator, denominator, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        ratio_of_means(numerator, denominator)
