"""Wall time of the README's two commands, and which notebook is the heaviest.

    .venv/bin/python benchmarks/book.py

Runs ``make book`` and ``make test`` in this checkout (the environment already installed, so
the times are the build and the tests, not pip), and reads the per-notebook execution times
from the build log (myst-nb's "Executed notebook in … seconds") and from pytest's
``--durations`` (nbval runs each notebook cell by cell).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def relative(name):
    """The notebook's path from the repository root, whichever way a log spelled it (the build
    log gives an absolute path, pytest one relative to the root)."""
    for path in [*ROOT.glob("book/**/*.ipynb"), *ROOT.glob("notebooks/**/*.ipynb")]:
        rel = path.relative_to(ROOT).as_posix()
        if name == rel or name.endswith("/" + rel):
            return rel
    return name


def run(command, env):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds, done.stdout + done.stderr


def main():
    env = dict(os.environ)
    subprocess.run(["make", ".venv/.installed-requirements"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    print(f"# make book and make test on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    book_seconds, book_log = run(["make", "book"], env)
    per_notebook = {relative(m.group(1)): float(m.group(2)) for m in
                    re.finditer(r"/([\w./-]+\.ipynb): Executed notebook in ([\d.]+) seconds", book_log)}
    test_seconds, test_log = run(["make", "test", "PYTEST_ADDOPTS=--durations=0"], env)
    under_nbval = defaultdict(float)
    for m in re.finditer(r"^([\d.]+)s call\s+([\w./-]+\.ipynb)::Cell", test_log, re.M):
        under_nbval[relative(m.group(2))] += float(m.group(1))
    print(f"make book: {book_seconds:.0f} s   make test: {test_seconds:.0f} s\n")
    print(f"{'notebook':<45} {'book build s':>13} {'nbval s':>9}")
    for name in sorted(set(per_notebook) | set(under_nbval), key=lambda k: (-per_notebook.get(k, 0), k)):
        book, nbval = per_notebook.get(name), under_nbval.get(name)
        print(f"{name:<45} {'-' if book is None else f'{book:.1f}':>13} {'-' if nbval is None else f'{nbval:.1f}':>9}")
    heaviest = max(per_notebook, key=per_notebook.get)
    print(f"\nheaviest notebook: {heaviest} ({per_notebook[heaviest]:.0f} s in the book build)")


if __name__ == "__main__":
    main()
