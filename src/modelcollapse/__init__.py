"""Shared package of modelcollapse-book: the statistical language model of Seddik et al.
(arXiv:2404.05090), its recursive-training schemes, one vectorized simulation engine, closed-form
theory and sympy derivations."""

from .engine import SimulationResult, simulate
from .schemes import Accumulate, FreshReal, FullySynthetic, MostRecent, PartiallySynthetic, RandomPool
from .sweep import sweep

__all__ = [
    "simulate",
    "sweep",
    "SimulationResult",
    "FullySynthetic",
    "PartiallySynthetic",
    "MostRecent",
    "RandomPool",
    "Accumulate",
    "FreshReal",
]
