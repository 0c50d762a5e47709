"""What the committed notebooks store: the book renders these outputs as they are
(`execute_notebooks: off`), and nbval compares a fresh run with them on every machine."""

import json
import re
from pathlib import Path

import pytest

from modelcollapse.report import MAX_DIGITS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for folder in ("book", "notebooks")
                   for p in (ROOT / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
# A decimal number, not part of a word or of a longer dotted number (a version such as 3.11.7).
FLOAT = re.compile(r"(?<![\w.])\d+\.\d+(?:[eE][+-]?\d+)?(?![\w.])")


def code_cells(path):
    cells = json.loads((ROOT / path).read_text())["cells"]
    return [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def stored_texts(cell):
    """Every text an output stores: streams, and each non-image MIME type (text/plain, text/html,
    text/latex, glue records under application/papermill.record/...)."""
    for output in cell.get("outputs", []):
        if "text" in output:
            yield "stream", "".join(output["text"])
        for mime, data in output.get("data", {}).items():
            if not mime.startswith("image/"):
                yield mime, "".join(data) if isinstance(data, list) else json.dumps(data)


def significant_digits(number):
    mantissa = re.split(r"[eE]", number)[0]
    return len(mantissa.replace(".", "").lstrip("0"))


def test_notebooks_are_found():
    assert "notebooks/02-fully-synthetic.ipynb" in NOTEBOOKS
    assert "book/fully_synthetic/derivation.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_every_code_cell_was_executed_without_error(path):
    """The book shows the committed outputs: a cell never executed shows nothing, and an error
    output would be published."""
    never = [i for i, c in code_cells(path) if c.get("execution_count") is None]
    errors = [i for i, c in code_cells(path) if any(o["output_type"] == "error" for o in c["outputs"])]
    assert not never, f"{path}: code cells {never} were never executed"
    assert not errors, f"{path}: code cells {errors} stored an error"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_no_stored_float_has_machine_dependent_digits(path):
    """A float past 12 significant digits carries last bits that differ between CPUs, so nbval
    would fail on another machine (modelcollapse.report)."""
    long = [(i, mime, m.group()) for i, c in code_cells(path) for mime, text in stored_texts(c)
            for m in FLOAT.finditer(text) if significant_digits(m.group()) > MAX_DIGITS]
    assert not long, f"{path}: floats stored with more than {MAX_DIGITS} significant digits " \
                     f"(cell, output, number): {long}"


@pytest.mark.parametrize("number, digits", [
    ("17.456242243124876", 17), ("0.0972898289828983", 15), ("2.848511415621366e+180", 16),
    ("1.0", 2), ("3.8e-12", 2), ("0.00016", 2),
])
def test_significant_digits(number, digits):
    assert significant_digits(number) == digits


def test_the_scan_finds_what_it_must():
    text = 'glue 17.456242243124876, a version 3.11.7, x1.0000000000001, and 2.848511415621366e+180'
    assert [m.group() for m in FLOAT.finditer(text)] == ["17.456242243124876", "2.848511415621366e+180"]


#: The widest code line the book's column shows without horizontal scrolling.
CODE_WIDTH = 90


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_code_fits_the_page_and_headings_carry_no_hand_numbers(path):
    """Sphinx numbers the sections itself ("3.2.1. 1. Collision…" otherwise), and a wider code
    line scrolls sideways on the page."""
    cells = json.loads((ROOT / path).read_text())["cells"]
    wide = [(i, line) for i, c in code_cells(path) for line in "".join(c["source"]).split("\n")
            if len(line) > CODE_WIDTH]
    numbered = [line for c in cells if c["cell_type"] == "markdown"
                for line in "".join(c["source"]).split("\n") if re.match(r"#+ \d+\.", line)]
    assert not wide, f"{path}: code lines wider than {CODE_WIDTH} characters: {wide}"
    assert not numbered, f"{path}: headings with hand numbers: {numbered}"
