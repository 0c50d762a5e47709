"""Check the book's PDF (``make check-pdf``) with poppler's tools.

    python tools/check_pdf.py _build/pdf/modelcollapse-book.pdf --pages _build/site-check

Fails on: a chapter title of the HTML missing from the PDF's text, ``??`` where a reference
number should be, TeX left untypeset, fewer images than the HTML has, a code block cut at the
margin (measured by ``tools/make_pdf.py`` in the print layout), or no page numbers. Writes
images of a few pages (``pdftoppm``) beside the site-check screenshots.
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


def run(*command) -> str:
    if shutil.which(command[0]) is None:
        sys.exit(f"check-pdf: {command[0]} is missing (Debian: apt-get install poppler-utils)")
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--pages", type=Path, help="where to write page images")
    args = parser.parse_args(argv)
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
    problems += [f"unresolved reference: {flat(m.group())!r}"
                 for m in re.finditer(r".{0,40}\?\?.{0,20}", text)]
    problems += [f"untypeset TeX: {flat(text[max(0, m.start() - 30):m.end() + 30])!r}"
                 for m in UNTYPESET.finditer(text)]
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
