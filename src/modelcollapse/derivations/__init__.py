"""Sympy derivations of the paper's results, one module a chapter; book pages display the
steps and tests compare the end results with the stated formulas."""
