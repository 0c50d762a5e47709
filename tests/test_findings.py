"""The findings page (book/findings.md) lists every theorem, proposition and lemma the book states,
every numbered result of the paper, and only verdicts from its own vocabulary: a chapter that
adds a theorem fails here until the page refers to it."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FINDINGS = ROOT / "book" / "findings.md"

# The first line of a prf directive, in a fence of three or more backticks or colons (MyST).
DIRECTIVE = re.compile(r"^[ \t]*(?:`{3,}|:{3,})\{prf:(theorem|proposition|lemma)\}[^\n]*\n", re.M)
# Its options: `:label: x` lines, or a YAML block between `---` lines.
OPTION = re.compile(r"[ \t]*:([\w-]+):[ \t]*(.*)")
YAML_OPTION = re.compile(r"[ \t]*([\w-]+)[ \t]*:[ \t]*(.*)")
REFERENCE = re.compile(r"\{prf:ref\}`(?:[^`<]*<)?([^`<>]+)>?`")
# The paper's numbered results (v1), each of which must have a row.
PAPER_RESULTS = ["Theorem 1, eq. (6)", "Theorem 1, eq. (7)", "Theorem 1, eq. (8)", "Proposition 1",
                 "Theorem 2", "Theorem 2, eq. (9)", "Lemma 1", "Theorem 3", "Theorem 4", "Eq. (11)",
                 "Eq. (11), its reading", *(f"Figure {k}" for k in range(1, 7)), "Table 1"]


def stated_results(text: str) -> list[tuple[str, str | None]]:
    """(kind, label) of every theorem, proposition and lemma directive in MyST text; label None
    when the directive has none."""
    found = []
    for match in DIRECTIVE.finditer(text):
        lines = text[match.end():].splitlines()
        options = {}
        if lines and lines[0].strip() == "---":
            for line in lines[1:]:
                if line.strip() == "---":
                    break
                if m := YAML_OPTION.fullmatch(line):
                    options[m[1]] = m[2].strip()
        else:
            for line in lines:
                if not (m := OPTION.fullmatch(line)):
                    break
                options[m[1]] = m[2].strip()
        found.append((match[1], options.get("label") or None))
    return found


def book_texts():
    """(path, MyST text) of every page under book/ and notebooks/: Markdown files, and the
    markdown cells of notebooks."""
    for folder in ("book", "notebooks"):
        for path in sorted((ROOT / folder).rglob("*")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            if path.suffix == ".md":
                yield path, path.read_text()
            elif path.suffix == ".ipynb":
                cells = json.loads(path.read_text())["cells"]
                yield path, "\n\n".join("".join(c["source"]) for c in cells
                                        if c["cell_type"] == "markdown")


def table_rows(page: str) -> list[list[str]]:
    """The cells of each row of the page's list-table, header first."""
    body = page.split("```{list-table}", 1)[1].split("\n```", 1)[0]
    rows = re.split(r"^\* - ", body, flags=re.M)[1:]
    return [[" ".join(cell.split()) for cell in re.split(r"^  - ", row, flags=re.M)] for row in rows]


def vocabulary(page: str) -> set[str]:
    """The verdicts the page defines: the terms of the definition list under its rubric "The
    verdicts"."""
    section = page.split("{rubric} The verdicts", 1)[1].split("## ", 1)[0]
    return set(re.findall(r"^(\S[^\n]*)\n: ", section, re.M))


def test_the_parser_finds_every_form_of_directive():
    text = (":::{prf:theorem} A title\n:label: thm-a\n:nonumber:\n\nBody.\n:::\n\n"
            "```{prf:proposition}\n---\nlabel: prop-b\n---\nBody.\n```\n\n"
            "  ````{prf:lemma} Indented\n  :label: lem-c\n  Body.\n  ````\n\n"
            ":::{prf:theorem} No label\nBody.\n:::\n\n"
            ":::{prf:definition} Not a result\n:label: def-d\n:::\n")
    assert stated_results(text) == [("theorem", "thm-a"), ("proposition", "prop-b"),
                                     ("lemma", "lem-c"), ("theorem", None)]
    assert REFERENCE.findall("{prf:ref}`thm-a` and {prf:ref}`the lemma <lem-c>`") == ["thm-a", "lem-c"]


def test_every_theorem_proposition_and_lemma_is_on_the_findings_page():
    stated = {path.relative_to(ROOT).as_posix(): stated_results(text) for path, text in book_texts()}
    unlabelled = [path for path, found in stated.items() for _, label in found if label is None]
    assert not unlabelled, f"prf directives without a :label: (the findings page cannot list them): {unlabelled}"
    labels = {label: path for path, found in stated.items() for _, label in found}
    # The parser must be finding the book's results, not nothing.
    assert {"thm-fully-synthetic", "thm-partial-S", "lem-mardia", "prop-training-is-counting"} <= set(labels)
    referenced = set(REFERENCE.findall(FINDINGS.read_text()))
    missing = sorted(f"{label} ({path})" for label, path in labels.items() if label not in referenced)
    assert not missing, f"book/findings.md does not refer to: {missing}"


def test_every_numbered_result_of_the_paper_has_a_row():
    results = [row[0] for row in table_rows(FINDINGS.read_text())[1:]]
    missing = [name for name in PAPER_RESULTS if name not in results]
    assert not missing, f"rows missing from book/findings.md: {missing}"


def test_verdicts_come_from_the_pages_vocabulary():
    page = FINDINGS.read_text()
    rows = table_rows(page)
    assert rows[0][:5] == ["Result", "The paper states", "Verdict", "Key number", "Where"]
    terms = vocabulary(page)
    assert len(terms) >= 5, terms
    verdicts = [row[2] for row in rows[1:]]
    assert set(verdicts) <= terms, f"verdicts not defined on the page: {set(verdicts) - terms}"
    assert terms <= set(verdicts), f"terms defined but never used: {terms - set(verdicts)}"
    # Every row links to its evidence.
    unlinked = [row[0] for row in rows[1:] if not re.search(r"\{(prf:ref|numref|eq|ref|doc)\}", row[4])]
    assert not unlinked, f"rows without a link to the evidence: {unlinked}"


def test_the_numbers_nbval_skips_are_the_ones_the_opening_names():
    """The page's opening says every stored number is compared digit for digit except those
    glued in a cell nbval skips, the transformer's measurements and wall times: a glue in an
    `# NBVAL_IGNORE_OUTPUT` cell of any other notebook, other than the wall time, would make it
    false."""
    opening = FINDINGS.read_text().split("(sec-findings-table)=", 1)[0]
    assert "digit for" in opening and "nbval" in opening and "transformer" in opening
    skipped = {}
    for folder in ("book", "notebooks"):
        for path in sorted((ROOT / folder).rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            cells = json.loads(path.read_text())["cells"]
            # The transformer's notebooks are those that train it (figure5.transformer_chains).
            trains = any("transformer_chains" in "".join(c["source"]) for c in cells if c["cell_type"] == "code")
            for cell in cells:
                source = "".join(cell["source"])
                if cell["cell_type"] == "code" and source.lstrip().startswith("# NBVAL_IGNORE_OUTPUT"):
                    keys = set(re.findall(r"glue\(\s*f?[\"']([^\"']+)", source)) - {"runtime_seconds"}
                    if keys:
                        skipped[path.relative_to(ROOT).as_posix()] = (keys, trains)
    assert skipped, "the scan found no skipped glue at all (the transformer's should be there)"
    others = {path: keys for path, (keys, trains) in skipped.items() if not trains}
    assert not others, f"numbers glued in cells nbval skips, outside the transformer: {others}"
