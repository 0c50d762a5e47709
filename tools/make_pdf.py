"""The whole book as one PDF (``make pdf``): Jupyter Book's single-page HTML, printed by the
system's Chromium through Playwright, with MathJax served locally as ``make check-site`` does.

    python tools/make_pdf.py _build/singlehtml --out _build/pdf/modelcollapse-book.pdf \
        --mathjax .venv/mathjax/node_modules/mathjax

Before printing it waits until MathJax has typeset every formula, adds a title page (the title,
version and release date from CITATION.cff), and fails if MathJax did not typeset something or a
code block would be cut at the margin. Print rules (no sidebars or buttons, wrapped code) are in
``_static/print.css``, which the web pages share. Writes ``<out>.json`` with what the HTML held
(pages of chapters, images), which ``tools/check_pdf.py`` compares the PDF with.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

from browser import CHROMIUM_ARGS, find_browser, offline_route, serve, wait_for_mathjax

ROOT = Path(__file__).resolve().parents[1]

TITLE_PAGE = r"""
([title, version, date]) => {
  const page = document.createElement('section');
  page.className = 'pdf-title-page';
  page.innerHTML = `<div class="pdf-title">${title}</div><p>Version ${version}, released ${date}</p>
    <p>An executable companion to Seddik, Chen, Hayou, Youssef and Debbah,
    <em>How Bad is Training on Synthetic Data? A Statistical Analysis of Language Model
    Collapse</em> (arXiv:2404.05090, COLM 2024).</p>`;
  // Contents: every document's title (the single page gives each one an h2), with its link.
  const contents = document.createElement('section');
  contents.className = 'pdf-contents';
  contents.innerHTML = '<div class="pdf-title">Contents</div>';
  const list = document.createElement('ul');
  for (const h of document.querySelectorAll('article h2')) {
    const section = h.closest('section');
    const text = h.textContent.replace('#', '').trim();
    const depth = (text.match(/^(\d+(?:\.\d+)*)\./) || ['', ''])[1].split('.').length - 1;
    const item = document.createElement('li');
    item.style.marginLeft = `${1.5 * depth}em`;
    item.innerHTML = section && section.id ? `<a href="#${section.id}">${text}</a>` : text;
    list.append(item);
  }
  contents.append(list);
  const article = document.querySelector('article') || document.body;
  article.prepend(page, contents);
}
"""

# What the printed page will hold: headings, images, formulas MathJax left alone, and code
# blocks wider than the column after the print rules apply.
INSPECT = r"""
() => ({
  chapters: [...document.querySelectorAll('article h1, article h2')]
              .map(h => h.textContent.replace('#', '').trim()).filter(t => t.length),
  images: [...document.querySelectorAll('article img')].filter(i => i.naturalWidth > 0).length,
  broken: [...document.querySelectorAll('article img')].filter(i => !(i.complete && i.naturalWidth > 0))
            .map(i => i.getAttribute('src')),
  untypeset: [...document.querySelectorAll('.math')].filter(el => !el.querySelector('mjx-container'))
               .map(el => el.textContent.trim().slice(0, 60)),
  // Long sympy results (display mathematics in a cell's output) scroll on the web; on paper
  // they are cut. Reported, not failed: MathJax 3 cannot break a formula across lines.
  wideOutputs: [...document.querySelectorAll('article .cell_output mjx-container[display="true"]')]
                 .filter(el => el.scrollWidth > el.parentElement.clientWidth + 1).length,
  // The text of code and cell outputs, where "$\" is a plot label or a formula in a string:
  // tools/check_pdf.py reports one found anywhere else as TeX MathJax never saw.
  code: [...document.querySelectorAll('article pre, article code, article .cell_output, article .output')]
          .map(el => el.textContent).join('\n'),
  cut: [...document.querySelectorAll('article pre')]
         .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
         .map(pre => pre.textContent.split('\n').reduce((a, b) => a.length >= b.length ? a : b)
                         .slice(0, 80)),
})
"""

FOOTER = ('<div style="font-size:8px; width:100%; text-align:center; color:#555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", type=Path, help="the singlehtml build (jupyter-book --builder singlehtml)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mathjax", type=Path, required=True, help="a local MathJax 3 (npm)")
    parser.add_argument("--browser")
    args = parser.parse_args(argv)
    root = args.html.resolve()
    pages = [p for p in root.glob("**/*.html") if "_static" not in p.parts
             and "http-equiv=\"Refresh\"" not in p.read_text()[:200] and p.name != "book.html"]
    if len(pages) != 1:
        sys.exit(f"make pdf: expected one page in {root}, found {[str(p) for p in pages]}")
    # The single page sits in book/ (the root document's folder) but refers to _static/ and
    # _images/ as if it sat at the top: print a copy that does.
    (root / "book.html").write_text(pages[0].read_text())
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    started = time.perf_counter()
    server = serve(root)
    origin = f"http://127.0.0.1:{server.server_address[1]}/"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_browser(args.browser), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route("**/*", offline_route(origin, args.mathjax))
        # The whole book is one page of every figure: on 2 busy cores its load took over
        # Playwright's default 30 s, so it gets longer (a hung page still fails).
        page.goto(origin + "book.html", wait_until="load", timeout=180_000)
        if not wait_for_mathjax(page):
            sys.exit("make pdf: MathJax did not load")
        page.evaluate(TITLE_PAGE, [cff["title"], cff["version"], str(cff["date-released"])])
        page.emulate_media(media="print")
        found = page.evaluate(INSPECT)
        problems = [f"untypeset mathematics: {m!r}" for m in found["untypeset"]]
        problems += [f"image did not load: {src}" for src in found["broken"]]
        problems += [f"code cut at the margin: {line!r}" for line in found["cut"]]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(args.out), format="A4", print_background=True,
                 margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                 display_header_footer=True, header_template="<span></span>",
                 footer_template=FOOTER)
        browser.close()
    server.shutdown()
    found["title"] = cff["title"]
    found["version"] = cff["version"]
    args.out.with_suffix(".json").write_text(json.dumps(found, indent=1))
    print(f"make pdf: {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - started:.0f} s; {len(found['chapters'])} headings, "
          f"{found['images']} images")
    for problem in problems:
        print(f"make pdf: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
