"""Check the release bundle as a reader gets it (``make check-bundle``).

    python tools/check_bundle.py _build/bundle/modelcollapse-book-0.1.0.zip \\
        --into _build/bundle-check --screenshots _build/bundle-check/screenshots [--self-test]

Unzips the bundle into an empty directory; checks that it holds one folder with every part
(the site, the PDF, the notebooks, the source archive, CITATION.cff, both licences, README.txt)
and that SHA256SUMS lists every other file with its right checksum; then runs the browser check
of ``make check-site`` (tools/check_site.py) on the unzipped site, served on 127.0.0.1 from that
directory, with every request that would leave it blocked and recorded; and opens every page
as a file too (file://, no server), as a reader who double-clicks it does. It passes only if
every page's mathematics is typeset by the bundled MathJax both ways, no page needed a request
outside the bundle, and the site passes the rest of the browser check.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

from browser import CHROMIUM_ARGS, find_browser, wait_for_mathjax
from bundle import MANIFEST, manifest_problems, sha256
from check_site import SKIP_DIRS, add_check_arguments, check, reported


def unzip(archive: Path, into: Path) -> Path:
    """Extract ``archive`` into the empty directory ``into``; return its one top-level folder."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        unsafe = [n for n in names if n.startswith("/") or ".." in Path(n).parts]
        if unsafe:
            raise SystemExit(f"check-bundle: {archive} has entries outside its folder: {unsafe[:3]}")
        zf.extractall(into)
    tops = sorted({Path(n).parts[0] for n in names})
    if tops != [archive.stem]:
        raise SystemExit(f"check-bundle: {archive} must hold the one folder {archive.stem}/, holds {tops}")
    return into / archive.stem


def parts_problems(folder: Path) -> list[str]:
    """Every part the bundle promises (tools/bundle.py) is there."""
    name = folder.name
    required = ["site/index.html", f"{name}.pdf", f"{name}-source.tar.gz", "CITATION.cff", "LICENSE",
                "LICENSE-CONTENT", "README.txt", "site/_static/mathjax/es5/tex-mml-chtml.js",
                "site/_static/mathjax/LICENSE"]
    problems = [f"missing {part}" for part in required if not (folder / part).is_file()]
    if not any((folder / "notebooks").rglob("*.ipynb")):
        problems.append("no notebooks in notebooks/")
    source = folder / f"{name}-source.tar.gz"
    if source.is_file():
        with tarfile.open(source) as tar:
            if f"{name}/pyproject.toml" not in tar.getnames():
                problems.append(f"{source.name} has no {name}/pyproject.toml")
    return problems


def opened_from_disk(site: Path, browser: str | None) -> list[str]:
    """Every page opened as a file (file://, as a reader who double-clicks it does, with no server):
    its mathematics must be typeset, and no request may leave the disk."""
    problems: list[str] = []
    site = site.resolve()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=find_browser(browser), args=CHROMIUM_ARGS)
        context = chromium.new_context()
        left: list[str] = []

        def route(route_, request):
            if request.url.startswith("file://"):
                return route_.continue_()
            left.append(request.url.split("?")[0])
            return route_.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()
        started, opened = time.perf_counter(), 0
        for rel in sorted(site.rglob("*.html")):
            name = rel.relative_to(site).as_posix()
            if SKIP_DIRS.intersection(rel.relative_to(site).parts) or 'http-equiv="Refresh"' in rel.read_text()[:500]:
                continue
            del left[:]
            opened += 1
            page.goto(rel.as_uri(), wait_until="load")
            wait_for_mathjax(page)
            math, typeset = page.evaluate("() => [document.querySelectorAll('.math').length,"
                                          " document.querySelectorAll('.math mjx-container').length]")
            if typeset < math:
                problems.append(f"{name}, opened as a file: {math - typeset} of {math} mathematics elements untypeset")
            problems += [f"{name}, opened as a file: a request left the disk (blocked): {url}" for url in left]
        chromium.close()
    print(f"check-bundle: {opened} pages opened as files in {time.perf_counter() - started:.1f} s")
    return problems


def check_bundle(archive: Path, into: Path, screenshots: Path, browser: str | None, config: dict) -> list[str]:
    folder = unzip(archive, into)
    problems = manifest_problems(folder) + parts_problems(folder)
    problems += opened_from_disk(folder / "site", browser)
    # The use as a reader (contents, search, launch menu) is check-site's, on the same pages.
    problems += check(folder / "site", screenshots, None, browser, config, self_contained=True, as_reader=False)
    return problems


# A bundle with one of each defect: a page still loading MathJax from the CDN, a file changed
# after the manifest was written, a file the manifest does not list, one it lists that is gone.
EXPECTED_FROM_BROKEN_BUNDLE = ["a request left the site (blocked): https://cdn.jsdelivr.net/npm/mathjax@3/",
                               "opened as a file: a request left the disk (blocked): https://cdn.jsdelivr.net/",
                               "opened as a file: 1 of 1 mathematics elements untypeset",
                               "MathJax did not load", "checksum differs", "is not in SHA256SUMS",
                               "which is missing", "missing LICENSE-CONTENT"]


def self_test(browser: str | None, config: dict) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "modelcollapse-book-0.0.0")
        (folder / "site").mkdir(parents=True)
        (folder / "site" / "index.html").write_text(
            '<!DOCTYPE html><html><head><script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/'
            'tex-mml-chtml.js"></script></head><body><main><p><span class="math notranslate nohighlight">'
            '\\(x^2\\)</span></p></main></body></html>')
        for name in ("README.txt", "LICENSE"):
            (folder / name).write_text(name)
        (folder / MANIFEST).write_text(f"{sha256(folder / 'LICENSE')}  README.txt\n{'0' * 64}  gone.txt\n"
                                       f"{sha256(folder / 'site' / 'index.html')}  site/index.html\n")
        archive = Path(tmp, folder.name + ".zip")
        with zipfile.ZipFile(archive, "w") as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, path.relative_to(tmp).as_posix())
        problems = check_bundle(archive, Path(tmp, "unzipped"), Path(tmp, "shots"), browser, config)
    missed = [kind for kind in EXPECTED_FROM_BROKEN_BUNDLE if not any(kind in p for p in problems)]
    if missed:
        print(f"check-bundle self-test: the check missed {missed} in a bundle built to have them", file=sys.stderr)
        return 1
    print(f"check-bundle self-test: all {len(EXPECTED_FROM_BROKEN_BUNDLE)} kinds of defect caught")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the zip, e.g. _build/bundle/modelcollapse-book-0.1.0.zip")
    parser.add_argument("--into", type=Path, required=True, help="the empty directory to unzip it into")
    add_check_arguments(parser, "bundle")
    args = parser.parse_args(argv)
    config = yaml.safe_load(args.config.read_text())
    if args.self_test and self_test(args.browser, config):
        return 1
    problems = check_bundle(args.bundle, args.into, args.screenshots, args.browser, config)
    if reported(f"check-bundle: {len(problems)} problems in {args.bundle}", problems):
        return 1
    print(f"check-bundle: {args.bundle} unzipped into {args.into}: every part there, {MANIFEST} verified, "
          "every page read, served and as a file, with no request leaving the bundle and its mathematics typeset")
    return 0


if __name__ == "__main__":
    sys.exit(main())
