"""`make test` runs the notebooks under pytest-xdist: each must still run whole, in order, in one
kernel, and strict nbval must still fail on a stored output that a fresh run does not reproduce.
Checked on four planted notebooks, run the way `make test` runs the book (two workers, the
project's pytest options)."""

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def planted(path, last_output):
    """Four cells whose last prints "3 1" only when they ran in order in one kernel: each needs
    the list the one before left, and the last counts its entries and the distinct process ids
    of the kernels that appended them. The stored output of the last cell is ``last_output``."""
    cells = [
        nbformat.v4.new_code_cell("import os\nsteps = [os.getpid()]"),
        nbformat.v4.new_code_cell("steps.append(os.getpid())"),
        nbformat.v4.new_code_cell("steps.append(os.getpid())"),
        nbformat.v4.new_code_cell("print(len(steps), len(set(steps)))"),
    ]
    for count, cell in enumerate(cells, 1):
        cell.execution_count = count
    cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=last_output)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


def test_two_workers_run_each_notebook_whole_and_still_catch_a_changed_output(tmp_path):
    for name in ("a", "b", "c"):
        planted(tmp_path / f"{name}.ipynb", "3 1\n")  # three steps in order, one kernel
    planted(tmp_path / "changed.ipynb", "3 2\n")  # a stored output no run reproduces
    # From the repository, with its pytest options (the sanitize file is a relative path).
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", "-rA",
         "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    out = result.stdout + result.stderr
    assert "created: 2/2 workers" in out, out
    assert result.returncode == 1, out
    assert "1 failed, 15 passed" in out, out
    for name in ("a", "b", "c"):
        assert f"PASSED {name}.ipynb::Cell 3" in out, out
    assert "FAILED changed.ipynb::Cell 3" in out, out
