"""Recursive-training schemes (paper §2.2 and §4.2; book/setup/model.md): which data model
``m`` is trained on.

Each scheme is a small frozen dataclass holding its sample sizes, checked on construction, and
two methods that the engine (:func:`~modelcollapse.engine.simulate`) calls:

- ``start(p0, rng) -> (model, carry)``: generation 1, trained on real data drawn from ``p0``;
- ``advance(model, carry, rng) -> (model, carry)``: generation ``m`` to ``m + 1``.

``confined`` says whether every sample after generation 1 comes from a model fitted after
generation 0 (not from ``p^(0)``), so that all models live on the support of ``p^(1)``; the
engine then works on those columns alone.

``p0`` and every model have shape ``(runs, *contexts, s)``; ``carry`` is whatever the scheme
must remember beyond the current model (kept as small as the scheme allows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import _draw as draw
from .validation import positive_int, real_in, sample_size


@dataclass(frozen=True)
class FullySynthetic:
    """Model ``m`` sees only ``n`` samples from model ``m − 1`` (generation 1: ``n`` real ones)."""

    confined = True
    n: int

    def __post_init__(self):
        sample_size("n", self.n)

    def start(self, p0, rng):
        return draw(rng, self.n, p0) / self.n, None

    def advance(self, model, carry, rng):
        return draw(rng, self.n, model) / self.n, None


@dataclass(frozen=True)
class PartiallySynthetic:
    """The same ``N`` real samples every generation, plus ``n`` samples from the previous model:
    ``p^(m) = (N p^(1) + n p̂^(m−1)) / (N + n)`` for ``m ≥ 2``; ``p^(1)`` is fitted on the real
    samples alone."""

    confined = True
    N: int
    n: int

    def __post_init__(self):
        sample_size("N", self.N)
        sample_size("n", self.n)

    @property
    def alpha(self) -> float:
        """The paper's ``α = n / (N + n)``, the weight of synthetic data."""
        return self.n / (self.N + self.n)

    def start(self, p0, rng):
        real = draw(rng, self.N, p0)
        return real / self.N, real

    def advance(self, model, real, rng):
        return (real + draw(rng, self.n, model)) / (self.N + self.n), real


@dataclass(frozen=True)
class MostRecent:
    """Model ``m`` is trained on ``⌊n/K⌋`` fresh samples from each of the models
    ``max(0, m−K), …, m−1`` (model 0 is the ground truth, so early generations still see
    fresh real data). ``K = 1`` is :class:`FullySynthetic`.

    As the paper defines it, a full window gives ``K⌊n/K⌋ ≤ n`` samples (fewer when ``K`` does
    not divide ``n``), and generation 1 is fitted on ``⌊n/K⌋`` real samples alone."""

    confined = False  # the window starts with p^(0)
    n: int
    K: int

    def __post_init__(self):
        sample_size("n", self.n)
        positive_int("K", self.K)
        if self.K > self.n:
            raise ValueError(
                f"K must be <= n so that each of the K most recent models contributes "
                f"floor(n/K) >= 1 samples, got n={self.n}, K={self.K}"
            )

    @property
    def per_model(self) -> int:
        return self.n // self.K

    def start(self, p0, rng):
        # The window holds the last K models along axis -2; `filled` of them are valid so far.
        window = np.empty(p0.shape[:-1] + (self.K, p0.shape[-1]))
        window[..., 0, :] = p0
        return self._train(window, 1, rng), (window, 1, 0)

    def advance(self, model, carry, rng):
        window, filled, newest = carry
        newest = (newest + 1) % self.K  # ring buffer: overwrite the oldest model
        window[..., newest, :] = model
        filled = min(filled + 1, self.K)
        return self._train(window, filled, rng), (window, filled, newest)

    def _train(self, window, filled, rng):
        counts = draw(rng, self.per_model, window[..., :filled, :]).sum(axis=-2)
        return counts / (self.per_model * filled)


@dataclass(frozen=True)
class RandomPool:
    """Model ``m`` is trained on ``n`` samples, each from a generation drawn uniformly from
    ``{0, …, m−1}`` (the real data and every past model).

    Given the past models, the ``n`` samples are i.i.d. from their average, so the engine
    draws from that mixture directly: the same law, with a running sum instead of the whole
    history in memory.
    """

    confined = False  # the pool always holds p^(0)
    n: int

    def __post_init__(self):
        sample_size("n", self.n)

    def start(self, p0, rng):
        return draw(rng, self.n, p0) / self.n, (p0.copy(), 1)

    def advance(self, model, carry, rng):
        pool_sum, generations = carry
        pool_sum += model
        generations += 1
        return draw(rng, self.n, pool_sum / generations) / self.n, (pool_sum, generations)


@dataclass(frozen=True)
class Accumulate:
    """Data accumulate: generation 1 is fitted on ``n`` real samples, and every later
    generation adds ``n`` samples from the current model to a pool that keeps all real and
    past synthetic samples, and is fitted on the whole pool (``m n`` samples at generation
    ``m``). The real data's weight falls as ``1/m``."""

    confined = True
    n: int

    def __post_init__(self):
        sample_size("n", self.n)

    def start(self, p0, rng):
        pool = draw(rng, self.n, p0)
        return pool / self.n, (pool, 1)

    def advance(self, model, carry, rng):
        pool, generation = carry
        pool = pool + draw(rng, self.n, model)
        generation += 1
        return pool / (self.n * generation), (pool, generation)


@dataclass(frozen=True)
class FreshReal:
    """Every generation draws ``n_real`` *new* real samples from ``p^(0)`` and ``n_synth``
    samples from the previous model (model 0 being the truth), and is the mixture
    ``weight · (real frequencies) + (1 − weight) · (synthetic frequencies)``."""

    confined = False  # fresh real data every generation
    n_real: int
    n_synth: int
    weight: float

    def __post_init__(self):
        sample_size("n_real", self.n_real)
        sample_size("n_synth", self.n_synth)
        real_in("weight", self.weight, "[0, 1]")  # the weight of the real data

    def start(self, p0, rng):
        return self._mix(p0, p0, rng), p0

    def advance(self, model, p0, rng):
        return self._mix(p0, model, rng), p0

    def _mix(self, p0, previous, rng):
        real = draw(rng, self.n_real, p0) / self.n_real
        synthetic = draw(rng, self.n_synth, previous) / self.n_synth
        # Each part sums to 1 exactly in counts, so the mixture sums to 1 up to rounding (well
        # within numpy's 1e-12 for multinomial). It is not renormalised: a row sum depends on
        # the row's length (pairwise summation), and the model must not depend on whether
        # zero-probability tokens are kept (the engine drops them).
        return self.weight * real + (1 - self.weight) * synthetic


SCHEMES = (FullySynthetic, PartiallySynthetic, MostRecent, RandomPool, Accumulate, FreshReal)
