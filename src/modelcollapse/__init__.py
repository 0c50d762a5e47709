"""Shared package of modelcollapse-book: the statistical language model of Seddik et al.
(arXiv:2404.05090), its recursive-training schemes, one vectorized simulation engine, closed-form
theory and sympy derivations."""
