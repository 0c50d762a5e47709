"""Release the book (``make release VERSION=x.y.z``): one version and date everywhere, a checked
PDF, a tagged commit, a checked release bundle.

    python tools/release.py 0.2.0 [--date 2027-01-15] [--no-git]

Sets the version and today's date (or ``--date``) in CITATION.cff, pyproject.toml, _config.yml
(the footer) and the companion's BibTeX entry in references.bib; builds and checks the PDF
(``make pdf check-pdf``); commits and tags ``vx.y.z``; builds and checks the release bundle
(``make book bundle check-bundle``: _build/bundle/modelcollapse-book-x.y.z.zip). Archiving is done by GitHub and Zenodo
once the tag is pushed and a release made from it (book/citing.md): nothing here invents a DOI.
"""

from __future__ import annotations

import argparse
import datetime
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEMVER = re.compile(r"\d+\.\d+\.\d+")

# (file, pattern, replacement): each pattern must match exactly once.
FIELDS = [
    ("CITATION.cff", r"^version: .*$", "version: {version}"),
    ("CITATION.cff", r'^date-released: ".*"$', 'date-released: "{date}"'),
    ("pyproject.toml", r'^version = ".*"$', 'version = "{version}"'),
    ("_config.yml", r"<p>Version [^,]+, released [\d-]+\.", "<p>Version {version}, released {date}."),
    ("references.bib", r"(?<=\{The modelcollapse-book contributors\}\},\n  year         = \{)\d{4}", "{year}"),
    ("references.bib", r"note         = \{Version [^.]+\.\d+\.\d+\.", "note         = {{Version {version}."),
]


def bump(root: Path, version: str, date: datetime.date) -> list[str]:
    """Write ``version`` and ``date`` into every field; return the files changed."""
    if not SEMVER.fullmatch(version):
        raise ValueError(f"VERSION must be x.y.z (three integers), got {version!r}")
    values = {"version": version, "date": date.isoformat(), "year": str(date.year)}
    texts = {}
    for name, pattern, replacement in FIELDS:
        text = texts.get(name, (root / name).read_text())
        new, count = re.subn(pattern, replacement.format(**values), text, flags=re.M)
        if count != 1:
            raise ValueError(f"{name}: expected one match of {pattern!r}, found {count}")
        texts[name] = new
    for name, text in texts.items():
        (root / name).write_text(text)
    return sorted(texts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version")
    parser.add_argument("--date", type=datetime.date.fromisoformat, default=datetime.date.today())
    parser.add_argument("--no-git", action="store_true", help="bump and check, but commit nothing")
    args = parser.parse_args(argv)
    try:
        files = bump(ROOT, args.version, args.date)
    except ValueError as error:
        sys.exit(f"release: {error}")
    subprocess.run(["make", "pdf", "check-pdf"], cwd=ROOT, check=True)
    if not args.no_git:
        subprocess.run(["git", "commit", "-m", f"Release {args.version}", "--", *files], cwd=ROOT, check=True)
        subprocess.run(["git", "tag", "-a", f"v{args.version}", "-m", f"Release {args.version}"],
                       cwd=ROOT, check=True)
    # The bundle archives the committed tree (git archive of HEAD), so it is built after the
    # commit; the book is rebuilt for the new version in its footer. With --no-git the tree holds
    # the bumped files uncommitted, which the bundle's source archive then leaves out.
    subprocess.run(["make", "book", "bundle", "check-bundle"]
                   + (["BUNDLE_FLAGS=--allow-dirty"] if args.no_git else []), cwd=ROOT, check=True)
    print(f"release: {args.version} ({args.date}) in {', '.join(files)}; PDF and bundle checked"
          + ("" if args.no_git else f"; tagged v{args.version} (push it with `git push --tags`)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
