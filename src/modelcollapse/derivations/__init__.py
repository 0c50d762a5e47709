"""Sympy derivations, one module a chapter, shared by the book's pages and its tests."""

from __future__ import annotations

import functools
import inspect

from ..validation import bounded_int


def sizes(**ceilings):
    """Check a derivation's size arguments (a number of tokens, contexts or samples) before it
    runs, and before its cache hashes them: each a whole number from its minimum to its
    ceiling, ``name=(minimum, maximum)``. Sympy's time grows steeply with these sizes (the
    Hessian at ``s = 6`` takes about 40 s on the book's two cores, at ``s = 60`` it would run for
    hours), so the ceilings sit just above what the book and its tests use and a call above
    one is refused, not left to run."""
    def wrap(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def checked(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, (minimum, maximum) in ceilings.items():
                value = bound.arguments[name]
                bounded_int(name, value, maximum, "sympy's time grows steeply with it",
                            "the derivation's result holds for every size; check it at a small one",
                            minimum=min(minimum, 1))
                if value < minimum:
                    raise ValueError(f"{name} must be at least {minimum}, got {value}")
            return function(*args, **kwargs)

        return checked

    return wrap
