"""What the browser checks share (``tools/check_site.py``, ``tools/make_pdf.py``): the book served
on 127.0.0.1, a Chromium found on this machine, requests answered offline (MathJax from a local
copy of the CDN's release), and the wait for MathJax to finish typesetting a page.
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import shutil
import threading
from pathlib import Path

MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a root, offline, headless machine: without the background-networking ones Chromium
# keeps trying (and failing) to reach Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def find_browser(explicit: str | None) -> str:
    """``explicit`` if given (it must exist), else the first Chromium on PATH."""
    if explicit:
        if not Path(explicit).is_file():
            raise SystemExit(f"no browser at --browser {explicit}")
        return explicit
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no Chromium found (install Debian's 'chromium', or pass --browser)")


def serve(root: Path) -> http.server.ThreadingHTTPServer:
    """``root`` served on 127.0.0.1 at a free port, from a background thread, without logs."""

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


def wait_for_mathjax(page) -> bool:
    """Wait until MathJax (if the page loaded it) has typeset the page: it typesets after the
    load event, and its startup promise settles when it is done. Whether MathJax was there."""
    return page.evaluate("() => window.MathJax && window.MathJax.startup"
                         " ? window.MathJax.startup.promise.then(() => true) : false")
