"""The SIMD levels behind `make test-portable` (tools/test_portable.py), on made-up CPUs."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "test_portable_tool", Path(__file__).resolve().parents[1] / "tools" / "test_portable.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def test_levels_run_from_the_baseline_up_to_every_target():
    cpu = {"baseline": ["X86_V2"], "dispatch": ["X86_V3", "X86_V4", "AVX512_ICL"],
           "features": {"X86_V3": True, "X86_V4": True, "AVX512_ICL": True}}
    assert tool.levels(cpu) == [
        ("baseline (X86_V2)", ["X86_V3", "X86_V4", "AVX512_ICL"]),
        ("up to X86_V3", ["X86_V4", "AVX512_ICL"]),
        ("up to X86_V4", ["AVX512_ICL"]),
        ("up to AVX512_ICL", []),
    ]


def test_a_target_the_cpu_lacks_defines_no_level():
    cpu = {"baseline": ["NEON"], "dispatch": ["ASIMDHP", "ASIMDDP", "SVE"],
           "features": {"ASIMDHP": True, "ASIMDDP": True, "SVE": False}}
    assert [disabled for _, disabled in tool.levels(cpu)] == [["ASIMDHP", "ASIMDDP"], ["ASIMDDP"], []]


def test_no_dispatch_target_leaves_the_baseline_alone():
    assert tool.levels({"baseline": ["SSE2"], "dispatch": [], "features": {}}) == [("baseline (SSE2)", [])]


def test_numpy_answers_the_query_here():
    """The tool reads numpy's private CPU tables; a numpy that moved them must fail here, not
    silently run one level."""
    import os
    cpu = tool.numpy_cpu(dict(os.environ))
    assert cpu["baseline"] and isinstance(cpu["dispatch"], list)
    assert all(isinstance(cpu["features"][t], bool) for t in cpu["dispatch"])


KERNEL_DIED = """_______ ERROR at setup of book/a.ipynb::Cell 0 ________
E               RuntimeError: Kernel died before replying to kernel_info
_______ ERROR at setup of book/a.ipynb::Cell 1 ________
E               RuntimeError: Kernel died before replying to kernel_info
ERROR book/a.ipynb::Cell 0 - RuntimeError: Kernel died before replying to kernel_info
ERROR book/a.ipynb::Cell 1 - RuntimeError: Kernel died ...
99 passed, 2 errors in 80.96s
"""


def test_a_level_is_rerun_only_when_kernels_died_before_any_cell_ran():
    """Only start-up deaths of kernels make a level run again: never a failed comparison, never
    another error, never a clean run."""
    assert tool.only_kernel_start_errors(KERNEL_DIED)
    failed = KERNEL_DIED + "FAILED notebooks/b.ipynb::Cell 3 - Notebook cell execution failed\n"
    assert not tool.only_kernel_start_errors(failed)
    other = KERNEL_DIED + "_______ ERROR at setup of book/c.ipynb::Cell 0 ________\nE   OSError: x\n"
    assert not tool.only_kernel_start_errors(other)
    assert not tool.only_kernel_start_errors("115 passed in 80.00s\n")
