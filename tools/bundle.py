"""The release bundle (``make bundle``): one zip that a journal or an archive keeps as supplementary
material, and that a reader opens offline, with no server and no CDN.

    python tools/bundle.py --html _build/html --pdf _build/pdf/modelcollapse-book.pdf \\
        --mathjax PATH/node_modules/mathjax --out _build/bundle [--allow-dirty]

Writes ``OUT/modelcollapse-book-<version>.zip`` (the version is pyproject.toml's), whose one
top-level folder holds:

- ``site/``: the HTML book, its pages pointing at the MathJax copied into ``site/_static/mathjax``
  (the release ``--mathjax`` names, with its licence) instead of the CDN the live site uses;
- the PDF; ``notebooks/``: every committed notebook, with the outputs the book shows;
- ``<name>-source.tar.gz``: ``git archive`` of the commit it was built from;
- CITATION.cff, LICENSE, LICENSE-CONTENT, a README.txt saying what each part is and how to cite;
- SHA256SUMS (``sha256sum -c SHA256SUMS`` checks it).

The live site's links (repository, Binder, Colab) stay in the pages; none is needed to read them.
``tools/check_bundle.py`` checks the zip as a reader gets it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# The one script element through which Sphinx's mathjax extension loads MathJax (its default
# mathjax_path, MathJax 3's combined TeX/MathML/CHTML component).
MATHJAX_CDN_SCRIPT = 'src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"'
MATHJAX_IN_SITE = Path("_static/mathjax")
MANIFEST = "SHA256SUMS"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path) -> int:
    """SHA256SUMS over every file of ``folder`` but itself, in ``sha256sum -c``'s format."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p != folder / MANIFEST)
    lines = [f"{sha256(p)}  {p.relative_to(folder).as_posix()}" for p in files]
    (folder / MANIFEST).write_text("\n".join(lines) + "\n")
    return len(lines)


def manifest_problems(folder: Path) -> list[str]:
    """SHA256SUMS must list every other file of ``folder``, each with its checksum."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return [f"no {MANIFEST}"]
    listed: dict[str, str] = {}
    problems = []
    for line in manifest.read_text().splitlines():
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            problems.append(f"{MANIFEST}: a line not in sha256sum's format: {line!r}")
            continue
        listed[name] = digest
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    problems += [f"{MANIFEST} lists {name}, which is missing" for name in sorted(set(listed) - present)]
    problems += [f"{name} is not in {MANIFEST}" for name in sorted(present - set(listed))]
    problems += [f"{name}: its checksum differs from {MANIFEST}'s" for name in sorted(present & set(listed))
                 if sha256(folder / name) != listed[name]]
    return problems


def copy_site(html: Path, mathjax: Path, site: Path) -> int:
    """The built HTML, with MathJax bundled and every page pointed at it; the pages rewritten."""
    if not (mathjax / "es5" / "tex-mml-chtml.js").is_file():
        raise SystemExit(f"bundle: --mathjax {mathjax} has no es5/tex-mml-chtml.js")
    version = json.loads((mathjax / "package.json").read_text())["version"]
    if not version.startswith("3."):
        raise SystemExit(f"bundle: the pages are configured for MathJax 3, --mathjax is {version}")
    shutil.copytree(html, site, ignore=shutil.ignore_patterns(".buildinfo", "reports"))
    target = site / MATHJAX_IN_SITE
    shutil.copytree(mathjax / "es5", target / "es5")
    for name in ("LICENSE", "package.json"):
        shutil.copy2(mathjax / name, target / name)
    rewritten = 0
    for page in site.rglob("*.html"):
        if MATHJAX_IN_SITE.parts[0] in page.relative_to(site).parts:
            continue
        text = page.read_text()
        count = text.count(MATHJAX_CDN_SCRIPT)
        if count > 1:
            raise SystemExit(f"bundle: {page.relative_to(site)} loads MathJax {count} times")
        if count:
            local = Path(os.path.relpath(target / "es5" / "tex-mml-chtml.js", page.parent)).as_posix()
            page.write_text(text.replace(MATHJAX_CDN_SCRIPT, f'src="{local}"'))
            rewritten += 1
        elif "cdn.jsdelivr.net/npm/mathjax" in text:
            raise SystemExit(f"bundle: {page.relative_to(site)} loads MathJax from the CDN in a way "
                             "this script does not know; update MATHJAX_CDN_SCRIPT")
    if not rewritten:
        raise SystemExit("bundle: no page loaded MathJax from the CDN; is --html the built book?")
    return rewritten


README = """\
{title}
Version {version}, released {date}. Built from commit {commit}.

The supplementary material of the companion to Seddik, Chen, Hayou, Youssef and Debbah, "How Bad
is Training on Synthetic Data? A Statistical Analysis of Language Model Collapse"
(arXiv:2404.05090, COLM 2024). Everything here opens without a network.

What each part is
  site/index.html          the book as a website: open it in a browser (or serve this folder,
                           e.g. `python3 -m http.server -d site`). Its mathematics is typeset by
                           the MathJax {mathjax} bundled in site/_static/mathjax (Apache-2.0, its
                           LICENSE beside it). Links to the live site, Binder and Colab still work
                           when online; nothing on the pages needs them.
  {name}.pdf     the whole book as one PDF.
  notebooks/               every notebook of the book, with the outputs the book shows.
  {name}-source.tar.gz
                           the source of this release (git archive of commit {short}): the
                           package, the chapters, the tests; its README says how to re-run it all.
  CITATION.cff             the citation metadata (Citation File Format 1.2.0).
  LICENSE, LICENSE-CONTENT the code is under the MIT License; the text and figures (the prose, the
                           figures, the site and the PDF) under CC-BY-4.0.
  SHA256SUMS               a checksum of every other file: `sha256sum -c SHA256SUMS`.

How to cite
  Cite the paper for its results, and this companion, version {version}, when you use its code,
  derivations or figures; CITATION.cff and the book's "How to cite" page give both. An archived
  release has two DOIs: the concept DOI names the work in all its versions, a version DOI this
  release alone. Cite the version DOI for what you read here.
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, required=True, help="the built book, e.g. _build/html")
    parser.add_argument("--pdf", type=Path, required=True, help="the book's PDF (make pdf)")
    parser.add_argument("--mathjax", type=Path, required=True, help="a MathJax 3 package directory (has es5/)")
    parser.add_argument("--out", type=Path, required=True, help="where the zip goes")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="build from a working tree with uncommitted changes (never for a release)")
    args = parser.parse_args(argv)

    if not (args.html / "index.html").is_file():
        raise SystemExit(f"bundle: {args.html}/index.html does not exist; run make book")
    if not args.pdf.is_file():
        raise SystemExit(f"bundle: {args.pdf} does not exist; run make pdf")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    if dirty and not args.allow_dirty:
        raise SystemExit("bundle: the working tree has uncommitted changes, which the source archive "
                         f"(git archive of HEAD) would not hold:\n{dirty}")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    if str(citation["version"]) != version:
        raise SystemExit(f"bundle: CITATION.cff says version {citation['version']}, pyproject.toml {version}")
    name = f"modelcollapse-book-{version}"
    commit = git("rev-parse", "HEAD")

    staging = args.out / name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    pages = copy_site(args.html, args.mathjax, staging / "site")
    shutil.copy2(args.pdf, staging / f"{name}.pdf")
    notebooks = git("ls-files", "*.ipynb").splitlines()
    for notebook in notebooks:
        (staging / "notebooks" / notebook).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / notebook, staging / "notebooks" / notebook)
    subprocess.run(["git", "archive", "--format=tar.gz", f"--prefix={name}/",
                    "-o", str((staging / f"{name}-source.tar.gz").resolve()), "HEAD"], cwd=ROOT, check=True)
    for file in ("CITATION.cff", "LICENSE", "LICENSE-CONTENT"):
        shutil.copy2(ROOT / file, staging / file)
    mathjax_version = json.loads((args.mathjax / "package.json").read_text())["version"]
    (staging / "README.txt").write_text(README.format(
        title=citation["title"], version=version, date=citation["date-released"], commit=commit,
        short=commit[:12], name=name, mathjax=mathjax_version))
    files = write_manifest(staging)

    archive = args.out / f"{name}.zip"
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(staging.rglob("*")):
            zf.write(path, path.relative_to(args.out).as_posix())
    print(f"bundle: {archive} ({archive.stat().st_size / 1e6:.1f} MB): {pages} pages pointed at the bundled "
          f"MathJax {mathjax_version}, the PDF, {len(notebooks)} notebooks, the source of {commit[:12]}"
          f"{' (with uncommitted changes left out)' if dirty else ''}, {files} files in {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
