"""Execute notebooks with nbclient, in this interpreter's environment, without comparing their
outputs with the committed ones (``make test-floors``): whether the code runs at other versions.

    python tools/execute_notebooks.py --out _build/floors notebooks/01-setup.ipynb ...

Each notebook runs in its own directory (as Jupyter runs it) in a kernel of this interpreter;
the executed copy is written under ``--out`` at the same relative path, never over the original.
An error in a cell stops the run with that cell's traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME
from nbclient import NotebookClient


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="where the executed copies go")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds a cell may take")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        started = time.perf_counter()
        notebook = nbformat.read(path, as_version=4)
        # The native kernel is this interpreter (ipykernel), so the notebook sees this environment.
        NotebookClient(notebook, timeout=args.timeout, kernel_name=NATIVE_KERNEL_NAME,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        target = args.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        print(f"execute_notebooks: {path} ran without error in {time.perf_counter() - started:.0f} s "
              f"({sys.executable})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
