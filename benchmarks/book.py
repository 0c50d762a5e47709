"""Wall time of the README's two commands and of the SIMD-level check, and which notebook is the
heaviest.

    .venv/bin/python benchmarks/book.py

Runs ``make test``, ``make test-portable`` and ``make book`` in this checkout (the environment
already installed, so the times are the tests and the build, not pip), and reads the
per-notebook times from pytest's ``--durations`` (nbval runs each notebook cell by cell).
``make book`` executes nothing: it renders the outputs ``make test`` has verified.
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
    print(f"# make test, make test-portable and make book on {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}")
    test_seconds, test_log = run(["make", "test", "PYTEST_ADDOPTS=--durations=0"], env)
    portable_seconds, _ = run(["make", "test-portable"], env)
    book_seconds, _ = run(["make", "book"], env)
    under_nbval = defaultdict(float)
    for m in re.finditer(r"^([\d.]+)s call\s+([\w./-]+\.ipynb)::Cell", test_log, re.M):
        under_nbval[relative(m.group(2))] += float(m.group(1))
    print(f"make test: {test_seconds:.0f} s   make test-portable: {portable_seconds:.0f} s   "
          f"make book: {book_seconds:.0f} s\n")
    print(f"{'notebook':<45} {'nbval s':>9}")
    for name in sorted(under_nbval, key=lambda k: (-under_nbval[k], k)):
        print(f"{name:<45} {under_nbval[name]:>9.1f}")
    heaviest = max(under_nbval, key=under_nbval.get)
    print(f"\nheaviest notebook: {heaviest} ({under_nbval[heaviest]:.0f} s under nbval)")


if __name__ == "__main__":
    main()
