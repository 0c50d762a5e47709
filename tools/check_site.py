"""Check the built book as a reader's browser shows it (``make check-site``).

Serves the HTML on 127.0.0.1, opens every page in headless Chromium (the system's, driven by
Playwright) and fails on: a JavaScript error, a local resource that does not load (a missing
image, script or stylesheet), a MathJax error, mathematics left untypeset (a ``.math`` element
MathJax did not render, or ``$…$`` left in the text), a ``??`` where a theorem or equation
number should be, and an internal link to a missing page or anchor. Saves a screenshot of the
first screen of every page, and of the first figure of every page that has one.

The machines this runs on reach no CDN, so requests for MathJax are answered from a local copy
of the same major version (``--mathjax``); every other request off 127.0.0.1 is blocked, which
also shows that no page needs one to render.
"""

from __future__ import annotations

import argparse
import functools
import re
import http.server
import mimetypes
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from playwright.sync_api import sync_playwright

MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a root, offline, headless machine: without the background-networking ones Chromium
# keeps trying (and failing) to reach Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Upstream defects a reader cannot see, ignored by exact message and reported as such.
KNOWN_UPSTREAM = {
    # sphinx-thebe 0.3.1 registers its inline config script with filename None, which Sphinx 7.4
    # then emits twice; the second copy re-declares the same constants and fails, harmlessly
    # (thebe is not enabled in this book).
    "JavaScript error: Identifier 'THEBE_JS_URL' has already been declared",
}
SKIP_DIRS = {"_static", "_sources", "_downloads", "_images", "_sphinx_design_static", "reports"}

# Runs in the page once it has loaded and MathJax (if any) has finished typesetting.
INSPECT_PAGE = r"""
() => {
  const skip = 'script, style, pre, code, textarea, mjx-container, .highlight, .output, .cell_output';
  const texts = [];
  const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                           NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest(skip)) texts.push(node.textContent);
  }
  const text = texts.join(' ');
  const dollars = [...text.matchAll(/\$[^$\s][^$]{0,80}\$/g)].map(m => m[0]);
  const tex = [...text.matchAll(/\\(?:\(|\[|begin\{)[^]{0,60}/g)].map(m => m[0]);
  const snippet = el => el.textContent.trim().slice(0, 80);
  return {
    mathjax: typeof window.MathJax !== 'undefined' && !!window.MathJax.startup,
    mathElements: document.querySelectorAll('.math').length,
    untypeset: [...document.querySelectorAll('.math')]
                 .filter(el => !el.querySelector('mjx-container')).map(snippet),
    mathErrors: [...document.querySelectorAll('mjx-merror, [data-mjx-error], .MathJax_Error')]
                  .map(el => el.getAttribute('data-mjx-error') || snippet(el)),
    dollars: dollars,
    tex: tex,
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
  };
}
"""


def find_browser(explicit: str | None) -> str:
    if explicit:
        if not Path(explicit).is_file():
            raise SystemExit(f"check-site: no browser at --browser {explicit}")
        return explicit
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("check-site: no Chromium found (install Debian's 'chromium', or pass --browser)")


def serve(root: Path) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def offline_route(origin: str, mathjax: Path | None, blocked: set | None = None):
    """A Playwright route handler for an offline machine: requests to the local server go
    through, MathJax's CDN is answered from the local copy ``mathjax``, and every other request
    is blocked (its address recorded in ``blocked``, when given)."""

    def route(route_, request):
        url = request.url
        if url.startswith(origin):
            return route_.continue_()
        if url.startswith(MATHJAX_CDN) and mathjax:
            file = mathjax / url[len(MATHJAX_CDN):].split("?")[0]
            if file.is_file():
                return route_.fulfill(path=str(file), content_type=mimetypes.guess_type(file.name)[0])
        if blocked is not None:
            blocked.add(url.split("?")[0])
        return route_.abort("blockedbyclient")

    return route


def local_file(root: Path, origin: str, url: str) -> Path | None:
    """The file under ``root`` that the server answers ``url`` with (None: not ours)."""
    if not url.startswith(origin):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    target = root / path
    return target / "index.html" if target.is_dir() else target


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
}
EXPECTED_FROM_BROKEN_SITE = ["redirects to missing", "JavaScript error", "HTTP 404", "MathJax did not load",
                             "untypeset mathematics", "unrendered dollar", "unrendered TeX",
                             "unresolved reference", "image did not load", "wider than the text column",
                             "broken link", "broken anchor"]


def self_test(browser: str | None) -> int:
    """Run the check on BROKEN_SITE; fail unless it reports every kind of defect."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, html in BROKEN_SITE.items():
            Path(tmp, "site").mkdir(exist_ok=True)
            Path(tmp, "site", name).write_text(html)
        problems = check(Path(tmp, "site"), Path(tmp, "screenshots"), None, browser)
    missed = [kind for kind in EXPECTED_FROM_BROKEN_SITE if not any(kind in p for p in problems)]
    if missed:
        print(f"check-site self-test: the check missed {missed} in a site built to have them", file=sys.stderr)
        return 1
    print(f"check-site self-test: all {len(EXPECTED_FROM_BROKEN_SITE)} kinds of defect caught")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built site, e.g. _build/html")
    parser.add_argument("--screenshots", type=Path, required=True, help="directory for the PNGs")
    parser.add_argument("--mathjax", type=Path, help="a local MathJax 3 package directory (has es5/)")
    parser.add_argument("--browser", help="the Chromium executable (default: found on PATH)")
    parser.add_argument("--self-test", action="store_true",
                        help="first check a site built with one of each defect, and fail unless all are caught")
    args = parser.parse_args(argv)

    if args.self_test and self_test(args.browser):
        return 1
    if args.mathjax and not (args.mathjax / "es5" / "tex-mml-chtml.js").is_file():
        raise SystemExit(f"check-site: --mathjax {args.mathjax} has no es5/tex-mml-chtml.js")
    problems = check(args.html, args.screenshots, args.mathjax, args.browser)
    if problems:
        print(f"check-site: {len(problems)} problems", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("check-site: no problems")
    return 0


def check(html: Path, screenshots: Path, mathjax: Path | None, browser_path: str | None) -> list[str]:
    """Open every page of the site in ``html``; return the problems found (empty: none)."""
    root = html.resolve()
    if not (root / "index.html").is_file():
        raise SystemExit(f"check-site: {root}/index.html does not exist; build the book first")
    pages = sorted(p.relative_to(root) for p in root.rglob("*.html")
                   if not SKIP_DIRS.intersection(p.relative_to(root).parts))
    # Redirect stubs (the root index.html) are not pages: check where they point instead.
    problems: list[str] = []
    for rel in list(pages):
        refresh = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', (root / rel).read_text())
        if refresh:
            pages.remove(rel)
            if not (root / rel).parent.joinpath(refresh.group(1)).is_file():
                problems.append(f"{rel}: redirects to missing {refresh.group(1)}")
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
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(f"JavaScript error: {exc}"))
            page.on("console", lambda msg, errors=errors: errors.append(f"console error: {msg.text}")
                    if msg.type == "error" and "net::ERR_BLOCKED_BY_CLIENT" not in msg.text else None)
            page.on("response", lambda resp, errors=errors: errors.append(f"HTTP {resp.status}: {resp.url}")
                    if resp.url.startswith(origin) and resp.status >= 400 else None)
            page.on("requestfailed", lambda req, errors=errors: errors.append(f"failed to load {req.url}")
                    if req.url.startswith(origin) else None)
            page.goto(origin + rel.as_posix(), wait_until="load")
            # MathJax typesets after load; its startup promise settles when the page is done.
            page.evaluate("() => window.MathJax && window.MathJax.startup"
                          " ? window.MathJax.startup.promise.then(() => true) : false")
            found = page.evaluate(INSPECT_PAGE)
            stats["math"] += found["mathElements"]
            stats["images"] += found["images"]
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
            known += sum(e in KNOWN_UPSTREAM for e in errors)
            problems += [f"{rel}: {e}" for e in errors if e not in KNOWN_UPSTREAM]
            ids[root / rel] = set(found["ids"])
            for link in found["links"]:
                links.setdefault(link, set()).add(str(rel))
            shot = screenshots / (rel.with_suffix("").as_posix().replace("/", "__") + ".png")
            page.screenshot(path=str(shot))
            # A notebook page's first screen is its code: a second shot shows its first figure.
            figure = page.locator("article img").first
            if figure.count():
                figure.evaluate("image => image.scrollIntoView({block: 'center'})")
                page.screenshot(path=str(shot.with_name(shot.stem + "__first-figure.png")))
            page.close()
        browser.close()
    server.shutdown()

    checked = 0
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

    elapsed = time.perf_counter() - started
    print(f"check-site: {len(pages)} pages, {stats['math']} mathematics elements, {stats['images']} images, "
          f"{checked} internal links checked in {elapsed:.1f} s; screenshots in {screenshots}")
    for rel in pages:
        print(f"  {rel}")
    if known:
        print(f"check-site: ignored {known} known upstream errors: " + "; ".join(sorted(KNOWN_UPSTREAM)))
    if blocked:
        print(f"check-site: blocked {len(blocked)} requests off this machine (not needed to render), e.g. "
              + ", ".join(sorted(blocked)[:3]))
    return problems


if __name__ == "__main__":
    sys.exit(main())
