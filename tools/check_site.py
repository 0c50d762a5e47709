"""Check the built book as a reader's browser shows it (``make check-site``).

Serves the HTML on 127.0.0.1, opens every page in headless Chromium (the system's, driven by
Playwright) and fails on: a JavaScript error, a local resource that does not load (a missing
image, script or stylesheet), a MathJax error, mathematics left untypeset (a ``.math`` element
MathJax did not render, or a dollar or a TeX command in the prose, outside code, cell outputs
and mathematics), a ``??`` where a theorem or equation
number should be, an internal link to a missing page or anchor, a page that scrolls sideways on
a 375 px phone (code and wide mathematics must scroll inside their own boxes), more or fewer
than one search field, and a notebook page whose Binder or Colab button does not open that
notebook from the repository and branch of ``_config.yml``. Saves a screenshot of the first
screen of every page at 1280 and at 375 px, and of the first figure of every page that has one.

Then it uses the site as a reader does, at a phone's, a tablet's and a desktop's width (375, 700
and 1280 px): clicks the contents toggle, which must open the contents (or, where they are
already open, hide them and bring them back), then clicks a chapter link, which must lead to
that chapter; types a word into the one search field, which must find a page; opens a notebook
page's launch menu, whose Binder and Colab buttons must then be on screen. Screenshots of each
step, per width, go beside the pages'.

The machines this runs on reach no CDN, so requests for MathJax are answered from a local copy
of the same major version (``--mathjax``); every other request off 127.0.0.1 is blocked, which
also shows that no page needs one to render.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from browser import CHROMIUM_ARGS, find_browser, offline_route, serve, wait_for_mathjax

ROOT = Path(__file__).resolve().parents[1]
# Upstream defects a reader cannot see, ignored by exact message and reported as such.
KNOWN_UPSTREAM = {
    # Jupyter Book 1 always loads sphinx-thebe, which registers an inline script of `const`
    # declarations after the builder started (app.add_js_file(None, body=...)). Sphinx 7.4's
    # prepare_writing adds every such script again with filename '' for None, so its duplicate
    # check misses it and every page carries the script twice; the second copy fails. Fixed in
    # Sphinx 8 (sphinx-doc/sphinx#13402), which Jupyter Book 1 (sphinx~=7.0) cannot use. Thebe
    # is off in this book; the launch buttons it sits beside are checked on every notebook page.
    "JavaScript error: Identifier 'THEBE_JS_URL' has already been declared",
}
SKIP_DIRS = {"_static", "_sources", "_downloads", "_images", "_sphinx_design_static", "reports"}

# The widths a reader's screen has: a phone, a tablet, a desktop.
PHONE, TABLET, DESKTOP = 375, 700, 1280
# A word of the book's title, which the search must find on some page.
SEARCH_WORD = "collapse"
# How long a click may take to show its effect (the theme's sidebars slide for at most 0.4 s),
# and a page to load.
SETTLE_MS = 1000
LOAD_MS = 10_000

# Helpers for the in-page checks: an element is on screen when it has a size, lies in the
# viewport, is not hidden, and is what a click at its centre would hit (no overlay covers it).
ON_SCREEN = r"""
  const onScreen = el => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || r.right <= 0 || r.bottom <= 0
        || r.left >= innerWidth || r.top >= innerHeight) return false;
    if (getComputedStyle(el).visibility === 'hidden') return false;
    const hit = document.elementFromPoint(Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1),
                                          Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1));
    return !!hit && (el === hit || el.contains(hit));
  };
  const describe = el => (el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
                          + ' ' + JSON.stringify(el.textContent.trim().replace(/\s+/g, ' ').slice(0, 50)));
"""
# The page's own search fields and search buttons (not the search form in the text of the
# search page), and the links of the book's contents.
SEARCH_FIELDS = ".search-button__button, input[type=search], input[name=q]"
CONTENTS_LINKS = "nav.bd-docs-nav a.reference.internal"

# The elements matching ``selector`` that are on screen, links to the page itself left out, as
# [description, address (of a link)]; the first is marked data-check-site=``name`` so that
# Playwright can click it. With ``reach``, only the page's own controls (outside the text) count,
# and each that a reader can scroll to: the theme scrolls the sidebar to the current chapter,
# which may take the sidebar's search field out of sight.
MARK_ON_SCREEN = "([selector, name, reach]) => {" + ON_SCREEN + r"""
  document.querySelectorAll(`[data-check-site="${name}"]`).forEach(el => el.removeAttribute('data-check-site'));
  const here = location.href.split('#')[0], [x, y] = [scrollX, scrollY];
  const found = [...document.querySelectorAll(selector)]
    .filter(el => !(reach && el.closest('article, .bd-search-container')))
    .filter(el => el.tagName !== 'A' || el.href.split('#')[0] !== here)
    .filter(el => {
      if (reach) el.scrollIntoView({block: 'nearest', inline: 'nearest', behavior: 'instant'});
      return onScreen(el);
    });
  window.scrollTo({left: x, top: y, behavior: 'instant'});
  if (found.length) found[0].setAttribute('data-check-site', name);
  return found.map(el => [describe(el), el.href || '']);
}"""

# At a phone's width: whether the page scrolls sideways, and the outermost elements that stick
# out of the screen without a scrolling box (or a fixed, off-canvas panel) of their own.
SIDEWAYS = "() => {" + ON_SCREEN + r"""
  const root = document.documentElement, width = root.clientWidth;
  const right = el => el.getBoundingClientRect().right;
  const contained = el => {
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.position === 'fixed' || (a !== el && style.overflowX !== 'visible')) return true;
    }
    return false;
  };
  return {
    width: root.scrollWidth,
    culprits: root.scrollWidth <= width + 1 ? [] : [...document.body.querySelectorAll('*')]
      .filter(el => right(el) > width + 1 && right(el.parentElement) <= width + 1 && !contained(el))
      .map(describe),
  };
}"""

# The text a reader reads as prose: every text node of the page's main part outside code, cell
# outputs and mathematics (typeset or not), one node a line.
PROSE_TEXT = r"""() => {
  const skip = 'script, style, pre, code, textarea, .math, mjx-container, .highlight, .output, .cell_output';
  const texts = [];
  const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                           NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest(skip)) texts.push(node.textContent.replace(/\s+/g, ' '));
  }
  return texts.join('\n');
}"""

# Runs in the page once it has loaded and MathJax (if any) has finished typesetting.
INSPECT_PAGE = r"""
() => {
  const text = (""" + PROSE_TEXT + r""")();
  const snippet = el => el.textContent.trim().slice(0, 80);
  return {
    mathjax: typeof window.MathJax !== 'undefined' && !!window.MathJax.startup,
    mathElements: document.querySelectorAll('.math').length,
    untypeset: [...document.querySelectorAll('.math')]
                 .filter(el => !el.querySelector('mjx-container')).map(snippet),
    mathErrors: [...document.querySelectorAll('mjx-merror, [data-mjx-error], .MathJax_Error')]
                  .map(el => el.getAttribute('data-mjx-error') || snippet(el)),
    // A dollar or a TeX command in the prose is mathematics MathJax never saw: MyST left it as
    // text (a line of a paragraph that starts with "+ " becomes a list item and splits $…$).
    dollars: [...text.matchAll(/.{0,30}\$.{0,50}/g)].map(m => m[0]),
    tex: [...text.matchAll(/.{0,30}\\(?:[A-Za-z]+|[()[\]]).{0,50}/g)].map(m => m[0]),
    unresolved: [...text.matchAll(/.{0,40}\?\?.{0,20}/g)].map(m => m[0]),
    brokenImages: [...document.images].filter(img => !(img.complete && img.naturalWidth > 0))
                    .map(img => img.getAttribute('src')),
    images: document.images.length,
    // Long sympy output may scroll; mathematics in the prose must fit the column.
    wide: [...document.querySelectorAll('mjx-container[display="true"]')]
            .filter(el => !el.closest('.cell_output, .output'))
            .filter(el => el.scrollWidth > el.clientWidth + 1 || el.parentElement.scrollWidth > el.parentElement.clientWidth + 1)
            .map(el => (el.getAttribute('aria-label') || el.textContent).slice(0, 60)),
    ids: [...document.querySelectorAll('[id]')].map(el => el.id)
           .concat([...document.querySelectorAll('a[name]')].map(el => el.name)),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    launch: [...document.querySelectorAll('.dropdown-launch-buttons a[href]')].map(a => a.href),
  };
}
"""


def local_file(root: Path, origin: str, url: str) -> Path | None:
    """The file under ``root`` that the server answers ``url`` with (None: not ours)."""
    if not url.startswith(origin):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    target = root / path
    return target / "index.html" if target.is_dir() else target


def launch_urls(config: dict, notebook: str) -> dict[str, str]:
    """Where the Binder and Colab buttons of ``notebook`` (its path in the book) must lead: that
    notebook, in the repository and on the branch _config.yml names."""
    repository, buttons = config["repository"], config.get("launch_buttons", {})
    if buttons.get("notebook_interface") != "jupyterlab":
        raise SystemExit("check-site: knows Binder's address for notebook_interface: jupyterlab only")
    github = urlsplit(repository["url"]).path.strip("/")
    path = posixpath.join(repository.get("path_to_book") or "", notebook)
    branch = repository.get("branch", "main")
    urls = {}
    if buttons.get("binderhub_url"):
        urls["Binder"] = f"{buttons['binderhub_url'].rstrip('/')}/v2/gh/{github}/{branch}?urlpath=lab/tree/{path}"
    if buttons.get("colab_url"):
        urls["Colab"] = f"{buttons['colab_url'].rstrip('/')}/github/{github}/blob/{branch}/{path}"
    return urls


def search_field_problems(page, width: int) -> list[str]:
    """One search field must be on screen (and is then marked data-check-site=search)."""
    fields = [description for description, _ in page.evaluate(MARK_ON_SCREEN, [SEARCH_FIELDS, "search", True])]
    return [] if len(fields) == 1 else [f"{len(fields)} search fields on screen at {width} px, not one: {fields}"]


def wait_for_on_screen(page, selector: str, present: bool) -> bool:
    """Wait (up to SETTLE_MS) until some element of ``selector`` is on screen (``present``) or
    none is, and nothing is sliding any more; return whether that happened."""
    try:
        page.wait_for_function("([selector, present]) => {" + ON_SCREEN + r"""
            return [...document.querySelectorAll(selector)].some(onScreen) === present
              && !document.getAnimations().some(a => a instanceof CSSTransition && a.playState === 'running'); }""",
                               arg=[selector, present], timeout=SETTLE_MS)
        return True
    except PlaywrightTimeout:
        return False


def use_as_reader(browser, route, origin: str, root: Path, start: str, notebook: str | None,
                  expected_launch: dict[str, str], width: int, screenshots: Path) -> list[str]:
    """A new reader (a fresh browser context) at ``width``, on page ``start``: the contents toggle
    opens the contents (or hides them and brings them back), after which a chapter link leads to
    its chapter; on page ``notebook``, the launch menu shows the Binder and Colab buttons to it;
    there, the one search field finds a page for SEARCH_WORD. Returns the problems, each
    prefixed with the width."""
    problems: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.route("**/*", route)
    page = context.new_page()

    def mark(selector: str, name: str) -> list[list[str]]:
        return page.evaluate(MARK_ON_SCREEN, [selector, name, False])

    def click(name: str):
        page.click(f'[data-check-site="{name}"]', timeout=SETTLE_MS)

    def shot(step: str):
        page.screenshot(path=str(screenshots / f"reader-{width}px-{step}.png"))

    # The contents: closed on a narrow screen, open beside the text on a wide one.
    page.goto(origin + start, wait_until="domcontentloaded")
    was_open = bool(mark(CONTENTS_LINKS, "chapter"))
    if not mark(".primary-toggle", "toggle"):
        problems.append(f"{start}: no contents toggle on screen")
    else:
        click("toggle")
        if was_open and not wait_for_on_screen(page, CONTENTS_LINKS, False):
            problems.append(f"{start}: the contents toggle does not hide the contents")
        elif was_open:
            click("toggle")
            if not wait_for_on_screen(page, CONTENTS_LINKS, True):
                problems.append(f"{start}: the contents toggle hides the contents and does not bring them back")
        elif not wait_for_on_screen(page, CONTENTS_LINKS, True):
            problems.append(f"{start}: the contents toggle does not open the contents (no chapter link on screen)")
    shot("contents")
    chapters = mark(CONTENTS_LINKS, "chapter")
    here = start
    if chapters:
        description, target = chapters[0]
        try:
            click("chapter")
            page.wait_for_url(target, wait_until="domcontentloaded", timeout=LOAD_MS)
            here = target.removeprefix(origin)
        except PlaywrightTimeout as error:
            problems.append(f"{start}: the chapter link {description} does not lead to its chapter: "
                            + str(error).splitlines()[0])
            page.goto(origin + start, wait_until="domcontentloaded")

    # The launch menu of a notebook page: Binder and Colab, on screen, to this notebook.
    if notebook:
        page.goto(origin + notebook, wait_until="domcontentloaded")
        here = notebook
        if not mark(".dropdown-launch-buttons button", "launch"):
            problems.append(f"{notebook}: no launch button on screen")
        else:
            click("launch")
            wait_for_on_screen(page, ".dropdown-launch-buttons a", True)
            shown = {href for _, href in mark(".dropdown-launch-buttons a", "launch-link")}
            problems += [f"{notebook}: the launch menu does not show the {name} button to {url}"
                         for name, url in expected_launch.items() if url not in shown]
            shot("launch")
            page.keyboard.press("Escape")

    # The search, from there: one field, which finds a page for a word of the title.
    problems += [f"{here}: {problem}" for problem in search_field_problems(page, width)]
    try:
        if page.locator('[data-check-site="search"]').count():
            click("search")
            if not wait_for_on_screen(page, "input[type=search], input[name=q]", True):
                raise PlaywrightTimeout("no search box opened")
            mark("input[type=search], input[name=q]", "search-input")
            page.fill('[data-check-site="search-input"]', SEARCH_WORD)
            page.press('[data-check-site="search-input"]', "Enter")
            page.wait_for_url("**/search.html?*", wait_until="domcontentloaded", timeout=LOAD_MS)
            # Sphinx lists the results one by one: the first, or the summary of none, will do.
            page.wait_for_function("() => document.querySelector('#search-results li a') || (document"
                                   ".querySelector('#search-results .search-summary') || {}).textContent",
                                   timeout=LOAD_MS)
            found = [url for url in page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
                     if (file := local_file(root, origin, url.split("?")[0])) and file.is_file()]
            if not found:
                problems.append(f"{here}: searching for {SEARCH_WORD!r} found no page")
            shot("search")
    except PlaywrightTimeout as error:
        problems.append(f"{here}: searching for {SEARCH_WORD!r} failed: " + str(error).splitlines()[0])
    context.close()
    return [f"{width} px: {problem}" for problem in problems]


# A site with one of each defect: the self-test runs the check on it and expects every kind.
BROKEN_SITE = {
    "index.html": '<meta http-equiv="Refresh" content="0; url=gone.html" />',
    "page.html": """<!DOCTYPE html><html><body><main>
      <p>Mathematics left as $x^2$ and \\(y\\); see Theorem ?? for more.</p>
      <span class="math notranslate nohighlight">\\(z\\)</span>
      <img src="_images/missing.png" alt="a missing figure">
      <mjx-container display="true" style="display: block; overflow-x: auto; width: 200px">
        <span style="display: inline-block; width: 2000px">an equation too wide</span></mjx-container>
      <a href="missing.html">a missing page</a> <a href="other.html#nowhere">a missing anchor</a>
      <script>throw new Error("boom");</script>
    </main></body></html>""",
    "other.html": '<!DOCTYPE html><html><body><main><h1 id="here">Fine</h1></main></body></html>',
    # What MyST made of a paragraph of book/setup/derivation.ipynb whose second line of $…$
    # began with "+ ": a list item, one dollar on each side, MathJax given nothing to typeset.
    "list.html": r"""<!DOCTYPE html><html><body><main><p>The squared norm of the mean,
      $\mathbb E\lVert \hat p\rVert^2 = \operatorname{tr}\operatorname{Cov}(\hat p)</p>
      <ul><li><p>\lVert p \rVert^2$. Sympy sums the two.</p></li></ul></main></body></html>""",
    # Dollars and TeX where they belong: code, a cell's output, typeset mathematics. None of it
    # may be reported as unrendered.
    "clean.html": r"""<!DOCTYPE html><html><body><main>
      <p>Prose, with <code>$HOME</code> and a label <code>r"$\|p\|_1$"</code> in code.</p>
      <div class="highlight"><pre>ax.set(ylabel=r"mean $\|p^{(m)} - p^{(1)}\|_1$")</pre></div>
      <div class="cell_output"><div class="output text_plain">$\alpha$ costs $5</div></div>
      <p><span class="math notranslate nohighlight"><mjx-container>\sigma</mjx-container></span></p>
      </main></body></html>""",
    # What a theme can break for a reader, as sphinx-book-theme 1.3 with pydata-sphinx-theme
    # 0.17 did: a second search field, a contents toggle that neither opens the contents on a
    # narrow screen nor hides them on a wide one; besides, a page wider than a phone, a search
    # that finds nothing, and a notebook's launch menu that does not open, with a Binder button
    # to the wrong branch and no Colab button.
    "reader.html": """<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">
      <style>nav.bd-docs-nav { display: none; }
        @media (min-width: 960px) { nav.bd-docs-nav { display: block; } }</style></head><body>
      <button class="primary-toggle">Contents</button>
      <nav class="bd-docs-nav"><a class="reference internal" href="other.html">A chapter</a></nav>
      <button class="search-button__button" onclick="document.getElementById('q').hidden = false">Search</button>
      <button class="search-button__button">Search</button>
      <form action="search.html"><input type="search" name="q" id="q" hidden></form>
      <div class="dropdown-launch-buttons"><button>Launch</button><ul hidden><li>
        <a href="https://mybinder.org/v2/gh/modelcollapse-book/modelcollapse-book/master?urlpath=lab/tree/reader.ipynb">
        Binder</a></li></ul></div>
      <main><p style="width: 800px">A line wider than a phone.</p></main></body></html>""",
    "_sources/reader.ipynb": "{}",
    "search.html": """<!DOCTYPE html><html><body><main><div id="search-results"><h2>Search Results</h2>
      <p class="search-summary">Your search did not match any documents.</p><ul class="search"></ul>
      </div></main></body></html>""",
}
EXPECTED_FROM_BROKEN_SITE = ["redirects to missing", "JavaScript error", "HTTP 404", "MathJax did not load",
                             "untypeset mathematics", "unrendered dollar", "unrendered TeX",
                             "list.html: unrendered dollar mathematics", "list.html: unrendered TeX",
                             "unresolved reference", "image did not load", "wider than the text column",
                             "broken link", "broken anchor",
                             f"scrolls sideways at {PHONE} px", f"2 search fields on screen at {DESKTOP} px",
                             f"{PHONE} px: reader.html: 2 search fields on screen at {PHONE} px",
                             f"{PHONE} px: reader.html: the contents toggle does not open the contents",
                             f"{TABLET} px: reader.html: the contents toggle does not open the contents",
                             f"{DESKTOP} px: reader.html: the contents toggle does not hide the contents",
                             f"searching for {SEARCH_WORD!r} found no page",
                             "the Binder button does not open this notebook",
                             "the Colab button does not open this notebook",
                             "the launch menu does not show the Binder button"]


def self_test(browser: str | None, config: dict) -> int:
    """Run the check on BROKEN_SITE; fail unless it reports every kind of defect."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, html in BROKEN_SITE.items():
            Path(tmp, "site", name).parent.mkdir(parents=True, exist_ok=True)
            Path(tmp, "site", name).write_text(html)
        problems = check(Path(tmp, "site"), Path(tmp, "screenshots"), None, browser, config, "reader.html")
    missed = [kind for kind in EXPECTED_FROM_BROKEN_SITE if not any(kind in p for p in problems)]
    if missed:
        print(f"check-site self-test: the check missed {missed} in a site built to have them", file=sys.stderr)
        return 1
    wrong = [p for p in problems if p.startswith("clean.html:") and "unrendered" in p]
    if wrong:
        print(f"check-site self-test: the check took code or typeset mathematics for raw TeX: {wrong}",
              file=sys.stderr)
        return 1
    print(f"check-site self-test: all {len(EXPECTED_FROM_BROKEN_SITE)} kinds of defect caught")
    return 0


def add_check_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """The options of both browser checks (this one and ``check_bundle.py``): where the PNGs go,
    the browser, the book's _config.yml, and the self-test on a ``what`` built with one of each
    defect."""
    parser.add_argument("--screenshots", type=Path, required=True, help="directory for the PNGs")
    parser.add_argument("--browser", help="the Chromium executable (default: found on PATH)")
    parser.add_argument("--config", type=Path, default=ROOT / "_config.yml",
                        help="the book's _config.yml, which says where the launch buttons lead")
    parser.add_argument("--self-test", action="store_true",
                        help=f"first check a {what} built with one of each defect, and fail unless all are caught")


def reported(heading: str, problems: list[str]) -> bool:
    """Whether there are ``problems``; if so, they are printed to stderr under ``heading``."""
    if problems:
        print(heading, file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    return bool(problems)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built site, e.g. _build/html")
    parser.add_argument("--mathjax", type=Path, help="a local MathJax 3 package directory (has es5/)")
    add_check_arguments(parser, "site")
    args = parser.parse_args(argv)
    config = yaml.safe_load(args.config.read_text())

    if args.self_test and self_test(args.browser, config):
        return 1
    if args.mathjax and not (args.mathjax / "es5" / "tex-mml-chtml.js").is_file():
        raise SystemExit(f"check-site: --mathjax {args.mathjax} has no es5/tex-mml-chtml.js")
    problems = check(args.html, args.screenshots, args.mathjax, args.browser, config)
    if reported(f"check-site: {len(problems)} problems", problems):
        return 1
    print("check-site: no problems")
    return 0


def collect_pages(root: Path, reader_page: str | None) -> tuple[list[Path], list[str], str, dict[Path, str]]:
    """The pages of the site in ``root``, the problems of its redirect stubs (the root index.html
    is one: where it points is checked, and is where a reader starts unless ``reader_page`` says
    otherwise), the reader's first page, and the pages made from a notebook, with the notebook's
    path in the book (Sphinx keeps its source): they carry the launch buttons."""
    if not (root / "index.html").is_file():
        raise SystemExit(f"check-site: {root}/index.html does not exist; build the book first")
    pages = sorted(p.relative_to(root) for p in root.rglob("*.html")
                   if not SKIP_DIRS.intersection(p.relative_to(root).parts))
    problems: list[str] = []
    for rel in list(pages):
        refresh = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', (root / rel).read_text())
        if refresh:
            pages.remove(rel)
            if not (root / rel).parent.joinpath(refresh.group(1)).is_file():
                problems.append(f"{rel}: redirects to missing {refresh.group(1)}")
            if rel == Path("index.html"):
                reader_page = reader_page or refresh.group(1)
    notebooks = {rel: rel.with_suffix(".ipynb").as_posix() for rel in pages
                 if (root / "_sources" / rel.with_suffix(".ipynb")).is_file()}
    return pages, problems, reader_page or "index.html", notebooks


def inspect_page(context, origin: str, rel: Path, notebook: str | None, config: dict,
                 screenshots: Path) -> tuple[list[str], dict]:
    """Open page ``rel`` in the browser ``context`` at a desktop's width, then at a phone's, and
    return its problems (unprefixed, known upstream ones included) and what ``INSPECT_PAGE``
    found (its ids, links, mathematics and images). ``notebook``: the page's notebook, whose
    launch buttons must open it. Screenshots of its first screen at both widths, and of its
    first figure, go to ``screenshots``."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console error: {msg.text}")
            if msg.type == "error" and "net::ERR_BLOCKED_BY_CLIENT" not in msg.text else None)
    page.on("response", lambda resp: errors.append(f"HTTP {resp.status}: {resp.url}")
            if resp.url.startswith(origin) and resp.status >= 400 else None)
    page.on("requestfailed", lambda req: errors.append(f"failed to load {req.url}")
            if req.url.startswith(origin) else None)
    page.goto(origin + rel.as_posix(), wait_until="load")
    wait_for_mathjax(page)
    found = page.evaluate(INSPECT_PAGE)
    if found["mathElements"] and not found["mathjax"]:
        errors.append("MathJax did not load, yet the page has mathematics")
    errors += [f"untypeset mathematics: {m!r}" for m in found["untypeset"]]
    errors += [f"MathJax error: {m!r}" for m in found["mathErrors"]]
    errors += [f"unrendered dollar mathematics: {m!r}" for m in found["dollars"]]
    errors += [f"unrendered TeX: {m!r}" for m in found["tex"]]
    errors += [f"unresolved reference: {m!r}" for m in found["unresolved"]]
    errors += [f"image did not load: {src}" for src in found["brokenImages"]]
    errors += [f"display equation wider than the text column (readers must scroll): {m!r}"
               for m in found["wide"]]
    if notebook:
        errors += [f"the {name} button does not open this notebook: no link to {url} among "
                   f"{found['launch']}" for name, url in launch_urls(config, notebook).items()
                   if url not in found["launch"]]
    shot = screenshots / (rel.with_suffix("").as_posix().replace("/", "__") + ".png")
    page.screenshot(path=str(shot))
    # A notebook page's first screen is its code: a second shot shows its first figure.
    figure = page.locator("article img").first
    if figure.count():
        figure.evaluate("image => image.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(shot.with_name(shot.stem + "__first-figure.png")))
    errors += search_field_problems(page, DESKTOP)
    # The same page on a phone, which must not scroll sideways. Without transitions the
    # sidebars are at once where the narrow layout puts them, not still sliding away.
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.evaluate("() => window.scrollTo({top: 0, left: 0, behavior: 'instant'})")
    sideways = page.evaluate(SIDEWAYS)
    if sideways["width"] > PHONE:
        errors.append(f"scrolls sideways at {PHONE} px (the page is {sideways['width']} px wide); "
                      f"sticking out: {sideways['culprits'][:3]}")
    errors += search_field_problems(page, PHONE)
    page.screenshot(path=str(shot.with_name(shot.stem + f"__{PHONE}px.png")))
    page.close()
    return errors, found


def check_links(root: Path, origin: str, links: dict[str, set[str]], ids: dict[Path, set[str]]
                ) -> tuple[list[str], int]:
    """Every link to the site itself (``links``: target URL -> the pages linking to it) must lead
    to a file, and a fragment to an id of that page (``ids``). Returns the problems and how many
    links were checked."""
    problems, checked = [], 0
    for link, sources in sorted(links.items()):
        base, fragment = urldefrag(link)
        target = local_file(root, origin, base)
        if target is None:
            continue
        checked += 1
        where = ", ".join(sorted(sources))
        if not target.is_file():
            problems.append(f"{where}: broken link to {target.relative_to(root)}")
        elif fragment and target.suffix == ".html" and unquote(fragment) not in ids.get(target, set()):
            problems.append(f"{where}: broken anchor #{fragment} in {target.relative_to(root)}")
    return problems, checked


def check(html: Path, screenshots: Path, mathjax: Path | None, browser_path: str | None, config: dict,
          reader_page: str | None = None, self_contained: bool = False, as_reader: bool = True) -> list[str]:
    """Open every page of the site in ``html``, then use it as a reader does from ``reader_page``
    (default: where index.html leads), then check its internal links; return the problems found
    (empty: none). ``config`` is the book's _config.yml, which says where the launch buttons must
    lead. ``self_contained`` (the release bundle, tools/check_bundle.py): every request that
    would leave the site is a problem, not only blocked. ``as_reader=False`` leaves out the use
    as a reader (the bundle's pages are check-site's, with another MathJax address)."""
    root = html.resolve()
    pages, problems, reader_page, notebooks = collect_pages(root, reader_page)
    shutil.rmtree(screenshots, ignore_errors=True)
    screenshots.mkdir(parents=True)

    started = time.perf_counter()
    server = serve(root)
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    ids: dict[Path, set[str]] = {}
    links: dict[str, set[str]] = {}  # target URL -> pages linking to it
    blocked: set[str] = set()
    stats = {"math": 0, "images": 0}
    known = 0
    route = offline_route(origin, mathjax, blocked)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_browser(browser_path), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", route)
        for rel in pages:
            errors, found = inspect_page(context, origin, rel, notebooks.get(rel), config, screenshots)
            stats["math"] += found["mathElements"]
            stats["images"] += found["images"]
            ids[root / rel] = set(found["ids"])
            for link in found["links"]:
                links.setdefault(link, set()).add(str(rel))
            known += sum(e in KNOWN_UPSTREAM for e in errors)
            problems += [f"{rel}: {e}" for e in errors if e not in KNOWN_UPSTREAM]
        # The site as a reader uses it, on a phone, a tablet and a desktop.
        reader_started = time.perf_counter()
        notebook = next(iter(notebooks), None)
        expected_launch = launch_urls(config, notebooks[notebook]) if notebook else {}
        for width in (PHONE, TABLET, DESKTOP) if as_reader else ():
            problems += use_as_reader(browser, route, origin, root, reader_page, notebook and notebook.as_posix(),
                                      expected_launch, width, screenshots)
        reader_time = time.perf_counter() - reader_started
        browser.close()
    server.shutdown()
    link_problems, checked = check_links(root, origin, links, ids)
    problems += link_problems

    elapsed = time.perf_counter() - started
    print(f"check-site: {len(pages)} pages, {stats['math']} mathematics elements, {stats['images']} images, "
          f"{checked} internal links checked in {elapsed:.1f} s, of which {reader_time:.1f} s using it as a "
          f"reader from {reader_page} at {PHONE}, {TABLET} and {DESKTOP} px; screenshots in {screenshots}")
    for rel in pages:
        print(f"  {rel}")
    if known:
        print(f"check-site: ignored {known} known upstream errors: " + "; ".join(sorted(KNOWN_UPSTREAM)))
    if self_contained:
        problems += [f"a request left the site (blocked): {url}" for url in sorted(blocked)]
    elif blocked:
        print(f"check-site: blocked {len(blocked)} requests off this machine (not needed to render), e.g. "
              + ", ".join(sorted(blocked)[:3]))
    return problems


if __name__ == "__main__":
    sys.exit(main())
