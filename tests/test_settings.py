import pytest

from modelcollapse.settings import FULL_SCALE_VAR, full_scale


def test_full_scale_is_off_unless_asked_for():
    assert full_scale({}) is False
    assert full_scale({FULL_SCALE_VAR: "0"}) is False
    assert full_scale({FULL_SCALE_VAR: "1"}) is True


@pytest.mark.parametrize("value", ["yes", "true", "2", ""])
def test_full_scale_rejects_anything_but_0_or_1(value):
    with pytest.raises(ValueError, match=FULL_SCALE_VAR):
        full_scale({FULL_SCALE_VAR: value})


def test_full_scale_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv(FULL_SCALE_VAR, "1")
    assert full_scale() is True
