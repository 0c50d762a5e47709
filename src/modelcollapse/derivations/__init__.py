"""Sympy derivations, one module a chapter, shared by the book's pages and its tests."""
