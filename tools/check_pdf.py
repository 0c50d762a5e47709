r"""Check the book's PDF (``make check-pdf``) with poppler's tools.

    python tools/check_pdf.py _build/pdf/modelcollapse-book.pdf --pages _build/site-check

Fails on: a chapter title of the HTML missing from the PDF's text, ``??`` where a reference
number should be, TeX left untypeset (a delimiter anywhere, or ``$\`` outside the code and
outputs that ``tools/make_pdf.py`` recorded), fewer images than the HTML has, a code block cut
at the margin (measured by ``tools/make_pdf.py`` in the print layout), or no page numbers.
Writes images of a few pages (``pdftoppm``) beside the site-check screenshots. ``--self-test``
first runs the text checks on a planted page and fails unless they catch its raw TeX.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

# TeX delimiters that no code cell of the book contains (code labels use single dollars and
# doubled braces), so that finding one in the text means MathJax left it alone.
UNTYPESET = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{(?!\{)")
# A formula's opening dollar followed by a TeX command: in code (a plot label such as
# r"$\|p\|_1$") it is meant; in the prose it is mathematics MathJax never saw.
DOLLAR_TEX = re.compile(r"\$\\")


def run(*command) -> str:
    if shutil.which(command[0]) is None:
        sys.exit(f"check-pdf: {command[0]} is missing (Debian: apt-get install poppler-utils)")
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_problems(text: str, html: dict) -> list[str]:
    r"""What the PDF's ``text`` (pdftotext) shows that it should not: unresolved references and
    untypeset TeX. A ``$\`` counts as untypeset unless the code and outputs of ``html`` hold
    the same characters (compared without white space, which wrapping moves)."""
    problems = [f"unresolved reference: {flat(m.group())!r}"
                for m in re.finditer(r".{0,40}\?\?.{0,20}", text)]
    problems += [f"untypeset TeX: {flat(text[max(0, m.start() - 30):m.end() + 30])!r}"
                 for m in UNTYPESET.finditer(text)]
    code = re.sub(r"\s+", "", html.get("code", ""))
    for m in DOLLAR_TEX.finditer(text):
        following = re.sub(r"\s+", "", text[m.start():m.start() + 40])[:12]
        if following not in code:
            problems.append(f"untypeset TeX in the prose: {flat(text[max(0, m.start() - 30):m.end() + 40])!r}")
    return problems


# A page as pdftotext gives it, with the defect of book/setup/derivation.ipynb that the checks
# once missed (a paragraph's line of $…$ that began with "+ " became a list item), beside a
# plot label in code, which is no defect.
PLANTED_TEXT = """The squared norm of the mean, $\\mathbb E\\lVert \\hat p\\rVert^2 = \\operatorname{tr}
  • \\lVert p \\rVert^2$. Sympy sums the two.
    ax.set(ylabel=r"mean $\\|p^{(m)} -
    p^{(1)}\\|_1$")
"""
PLANTED_HTML = {"code": 'ax.set(ylabel=r"mean $\\|p^{(m)} - p^{(1)}\\|_1$")'}


def self_test() -> int:
    """Fail unless the text checks find the planted prose TeX, and only it."""
    problems = text_problems(PLANTED_TEXT, PLANTED_HTML)
    if len(problems) != 1 or "mathbb" not in problems[0]:
        print(f"check-pdf self-test: expected one untypeset formula (the \\mathbb one), got {problems}",
              file=sys.stderr)
        return 1
    print("check-pdf self-test: the planted raw TeX is caught, the plot label in code is not")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--pages", type=Path, help="where to write page images")
    parser.add_argument("--self-test", action="store_true",
                        help="first check a planted page, and fail unless its raw TeX is caught")
    args = parser.parse_args(argv)
    if args.self_test and self_test():
        return 1
    html = json.loads(args.pdf.with_suffix(".json").read_text())
    info = run("pdfinfo", str(args.pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    text = run("pdftotext", "-layout", str(args.pdf), "-")
    body = flat(text)
    images = len(run("pdfimages", "-list", str(args.pdf)).splitlines()[2:])

    problems = [f"chapter title missing: {title!r}" for title in html["chapters"]
                if flat(title) not in body]
    if flat(html["title"]) not in body or f"Version {html['version']}" not in body:
        problems.append("title page missing (title and version)")
    problems += text_problems(text, html)
    if images < html["images"]:
        problems.append(f"{images} images in the PDF, {html['images']} in the HTML")
    problems += [f"code cut at the margin: {line!r}" for line in html["cut"]]
    if f"1 / {pages}" not in body or f"{pages} / {pages}" not in body:
        problems.append("page numbers missing")

    if args.pages:
        args.pages.mkdir(parents=True, exist_ok=True)
        for number in sorted({1, 2, 3, pages // 2, pages}):
            run("pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(number), "-l", str(number),
                str(args.pdf), str(args.pages / f"pdf-page-{number:03d}"))
    size = args.pdf.stat().st_size / 1e6
    print(f"check-pdf: {args.pdf}: {pages} pages, {size:.1f} MB, {images} images "
          f"({html['images']} in the HTML), {len(html['chapters'])} chapter titles checked")
    if html.get("wideOutputs"):
        print(f"check-pdf: note: {html['wideOutputs']} sympy results are wider than the page and "
              "cut at its margin (they scroll on the web; MathJax 3 cannot break them)")
    for problem in problems:
        print(f"check-pdf: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
