"""Closed-form results of the paper, as numpy functions (derived in
:mod:`modelcollapse.derivations`; the tests check each against its sympy derivation)."""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.stats import binom

from .validation import (
    MAX_ELEMENTS,
    bounded_int,
    flag,
    memory,
    one_distribution,
    positive_int,
    probability_rows,
    real_array,
    real_in,
)


def _collision(name: str, value) -> np.ndarray:
    arr = real_array(name, value)  # a string or a complex number is refused, not cast
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0) or np.any(arr > 1):
        raise ValueError(f"{name} must be a collision probability in (0, 1], got {value!r}")
    return arr


def _generations(m) -> np.ndarray:
    arr = np.asarray(m)
    if not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0):
        raise ValueError(f"m must be a generation index: an integer >= 0, got {m!r}")
    return arr


def _support(value) -> int:
    support = positive_int("support", value)
    if support < 2:
        raise ValueError("support must be >= 2: the paper assumes p is not a Dirac mass")
    return support


# S0 may sit this close below 1/support (the uniform law) and still be read as uniform (as in
# distributions.with_support_and_S0).
_UNIFORM_SLACK = 1e-12


def _S0_on(S0, support):
    """``S0`` checked against ``support``: a law on ``support`` tokens has ``S_0 >= 1/support``
    (the uniform law's); below it the bounds of eqs. (7)–(8) go out of range (an upper bound
    of −0.443 at ``S0 = 0.01, support = 2``)."""
    if np.any(S0 < 1 / support - _UNIFORM_SLACK):
        raise ValueError(f"S0 must be at least 1/support = {1 / support:.6g} (a law on {support} "
                         f"tokens has at least the uniform law's collision probability), got {S0!r}")
    return S0


def S_fully_synthetic(m, n, S0) -> np.ndarray:
    """``S_m = 1 − (1 − 1/n)^m (1 − S_0)``, the paper's eq. (6)."""
    m, n, S0 = _generations(m), positive_int("n", n), _collision("S0", S0)
    return 1 - (1 - 1 / n) ** m * (1 - S0)


def collapse_probability_bounds(m, n, S0, support):
    """The paper's eq. (7): ``(lower, upper)`` bounds on ``ρ_m = P(p^(m) is a Dirac)``.

    Returned as printed, for ``m ≥ 1``; the lower bound is negative (so vacuous) until
    ``n(1 − S_0)(1 − 1/n)^m < 1``. ``m = 0`` is refused: the bracketing they come from,
    ``S_m ≤ ρ_m + (1 − 1/n)(1 − ρ_m)``, holds for a model fitted on ``n`` samples, not for
    ``p^(0)`` (``p = (0.99, 0.01)``, ``n = 10`` would give a lower bound of 0.802 for ``ρ_0 = 0``).
    """
    m, n, S0, support = _generations(m), positive_int("n", n), _collision("S0", S0), _support(support)
    S0 = _S0_on(S0, support)
    if np.any(m < 1):
        raise ValueError(f"m must be >= 1 (eq. (7) bounds models fitted on n samples), got {m!r}")
    decay = (1 - S0) * (1 - 1 / n) ** m
    return 1 - n * decay, 1 - decay / (1 - 1 / support)


def collapse_time_bounds(n, S0, support):
    """The paper's eq. (8): ``(lower, upper)`` bounds on the mean collapse time ``E[T]``."""
    n, S0, support = positive_int("n", n), _collision("S0", S0), _support(support)
    S0 = _S0_on(S0, support)
    return 1 + (1 - S0) / (1 - 1 / support) * (n - 1), 1 + (1 - S0) * n * (n - 1)


def _law(p) -> np.ndarray:
    p = one_distribution("p", p)
    return p[p > 0]


def diffusion_collapse_time(p, n) -> float:
    """Wright–Fisher diffusion approximation of ``E[T]`` for fully synthetic training started
    at ``p``: ``−2n Σ_i (1 − p_i) log(1 − p_i)`` generations (the classical formula, stated and
    then checked in ``derivations.fully_synthetic.fixation_time``)."""
    q, n = _law(p), positive_int("n", n)
    if q.size < 2:
        raise ValueError("p must have at least two tokens with positive probability "
                         "(a Dirac mass has already collapsed)")
    return float(-2 * n * np.sum((1 - q) * np.log1p(-q)))


def diffusion_first_loss_time(p, n) -> float:
    """Approximate mean generation at which the first token of ``p`` is lost.

    Each token's frequency is treated as an independent Feller diffusion, lost by time ``t``
    with probability ``exp(−2n p_i / t)``, so ``E[τ] ≈ ∫_0^∞ Π_i (1 − exp(−2n p_i/t)) dt``.
    Accurate when every ``p_i`` is small (many tokens); for two tokens use
    :func:`diffusion_collapse_time`, which is then exact in the diffusion limit.

    The integral is taken in ``x = log(t/t½)``, ``t½`` the time by which the first loss has
    happened with probability 1/2 (found by bisection between two bounds that bracket it): the
    integrand then has its mass within a few units of ``x = 0`` whatever the number of tokens.
    Integrated in ``t`` directly, the quadrature missed that mass once ``t½`` was small compared
    with its default scale of 1 (300 uniform tokens at ``n = 100``: 6.9e-07 where the integral is
    0.110). The survival product is summed in log space (``log1p``/``expm1``), so no factor
    underflows. Raises ``ArithmeticError`` if the quadrature reports an error above 1e-8 of
    the value (it has not for any support up to 10⁵ tokens; ``tests/test_api_properties.py``
    compares it with a fixed-grid integration from 2 to 2,000 tokens)."""
    q, n = _law(p), positive_int("n", n)
    if q.size < 2:
        raise ValueError("p must have at least two tokens with positive probability")

    def log_survival(u):  # time t = n·u; log Π_i P(token i still present at u)
        return float(np.sum(np.log(-np.expm1(-2 * q / u))))

    # Bracket u½: by the union bound the survival is >= 1 − Σ e^{−2q_i/u} >= 1/2 at `low`, and it
    # is <= 1 − e^{−2 q_min/u} <= 1/2 at `high`.
    q_min = float(q.min())
    low, high = 2 * q_min / np.log(2 * q.size), 2 * q_min / np.log(2)
    half = float(np.exp(brentq(lambda x: log_survival(np.exp(x)) + np.log(2),
                               np.log(low), np.log(high), xtol=1e-12)))

    def integrand(x):  # u = u½·e^x, du = u dx; exp(x + log S) cannot overflow (S <= 1)
        with np.errstate(divide="ignore", over="ignore"):  # u = 0 or inf at the far ends: S = 1, 0
            return float(np.exp(x + log_survival(half * np.exp(x))))

    parts = [quad(integrand, a, b, limit=200, epsabs=0.0, epsrel=1e-11)
             for a, b in ((-np.inf, 0.0), (0.0, np.inf))]
    value, error = sum(part[0] for part in parts), sum(part[1] for part in parts)
    if not error <= 1e-8 * value:
        raise ArithmeticError(f"the first-loss integral did not converge (value {value:.6g}, "
                              f"estimated error {error:.3g})")
    return float(n * half * value)


def _alpha_beta(N, n):
    N, n = positive_int("N", N), positive_int("n", n)
    alpha = n / (N + n)
    return N, n, alpha, alpha * ((1 + 1 / N) * alpha - 1 / N)


def S_partially_synthetic(m, N, n, S0, as_printed: bool = False) -> np.ndarray:
    """``S_m`` under partially synthetic training, ``m ≥ 1`` (``S_1 = 1/N + (1 − 1/N)S_0``).

    The verified form of the paper's eq. (9) (``derivations.partially_synthetic``): the term
    ``(α/N)β^{m−1}`` in the second bracket enters with a plus sign. ``as_printed=True`` gives
    the v1 text's minus sign, for the erratum's comparison only (a bool: the string ``'False'``
    would be truthy).
    """
    as_printed = flag("as_printed", as_printed)
    m = _generations(m)
    if np.any(m < 1):
        raise ValueError(f"m must be >= 1 (S_1 is the first model fitted on real data), got {m!r}")
    N, n, alpha, beta = _alpha_beta(N, n)
    S0 = _collision("S0", S0)
    denominator = 1 + (1 + 1 / N) * alpha
    rate = beta ** (m - 1)  # the paper writes S_{m+1} with β^m
    sign = -1 if as_printed else 1
    return ((1 + 2 * alpha - (1 - 1 / N) * alpha * rate) / N
            + (1 - 1 / N) * S0 * (1 + alpha + sign * alpha / N * rate)) / denominator


def S_partially_synthetic_limit(N, n, S0) -> np.ndarray:
    """``S_∞ = [(1 + 2α)/N + (1 − 1/N)(1 + α)S_0] / (1 + (1 + 1/N)α)``, which is exactly the
    paper's ``1 − γ``: the bound of Theorem 2 is the limit."""
    N, n, alpha, _ = _alpha_beta(N, n)
    S0 = _collision("S0", S0)
    return ((1 + 2 * alpha) / N + (1 - 1 / N) * (1 + alpha) * S0) / (1 + (1 + 1 / N) * alpha)


def _sample_sizes(**sizes) -> list[np.ndarray]:
    """Each of ``sizes`` as a float array of real sample sizes ``>= 1`` (per-context sizes may be
    any real number: a context's expected share of a corpus)."""
    arrays = []
    for name, value in sizes.items():
        try:
            arr = real_array(name, value)
        except ValueError:
            arr = np.array(np.nan)
        if not np.all(np.isfinite(arr)) or np.any(arr < 1):
            raise ValueError(f"{name} must be a sample size >= 1 (an array of them), got {value!r}")
        arrays.append(arr)
    return arrays


def drift_limit(N, n, sigma1) -> np.ndarray:
    """``lim_m E[||p^(m) − p^(1)||_2² | p^(1)] = n(1 − σ_1)/(N² + 2Nn + n)`` with
    ``σ_1 = ||p^(1)||²`` (derived in ``derivations.partially_synthetic.drift_recursion``).
    Arrays broadcast (one context a row, with its own real sample sizes ``N, n >= 1``)."""
    N, n = _sample_sizes(N=N, n=n)
    sigma1 = _collision("sigma1", sigma1)
    return n * (1 - sigma1) / (N**2 + 2 * N * n + n)


def drift_fully_synthetic(m, n, sigma1) -> np.ndarray:
    """``E[||p^(m) − p^(1)||_2² | p^(1)] = (1 − σ_1)(1 − (1 − 1/n)^{m−1})`` for fully synthetic
    training (from eq. (6) started at ``p^(1)``, since ``E[p^(m) | p^(1)] = p^(1)``)."""
    m = _generations(m)
    if np.any(m < 1):
        raise ValueError(f"m must be >= 1, got {m!r}")
    (n,) = _sample_sizes(n=n)
    sigma1 = _collision("sigma1", sigma1)
    return (1 - sigma1) * (1 - (1 - 1 / n) ** (m - 1))


def drift_limit_per_token(N, n, p1) -> np.ndarray:
    """``lim_m E[(p_i^(m) − p_i^(1))² | p^(1)] = n p_i^(1)(1 − p_i^(1))/(N² + 2Nn + n)``, token by
    token: the per-token step behind :func:`drift_limit`, with ``p_i(1 − p_i)`` in place of
    ``1 − σ_1`` (derived in ``derivations.partially_synthetic.drift_limit_per_token``); the
    tokens sum to it."""
    N, n, _, _ = _alpha_beta(N, n)
    p1 = probability_rows("p1", p1)
    return n * p1 * (1 - p1) / (N**2 + 2 * N * n + n)


def drift_limit_abs_per_token(N, n, p1) -> np.ndarray:
    """Exact long-run ``E[|p_i^(m) − p_i^(1)| | p^(1)]`` under partially synthetic training, token
    by token (the 1-norm drift is their sum).

    Given ``p^(1)``, with ``a = p_i^(1)`` and ``α = n/(N + n)``, token ``i``'s count ``k`` among the
    ``n`` synthetic samples is a Markov chain on its own, on ``0, …, n``: the next model gives
    the token ``(1 − α)a + α k/n`` and the next count is ``Binomial(n, (1 − α)a + α k/n)``. The
    drift is ``α(k/n − a)``, so its long-run mean absolute value is ``α Σ_k π_k |k/n − a|`` with
    ``π`` the chain's stationary law (unique for ``0 < a < 1``; at ``a = 0`` or ``1`` the token
    never moves). One linear solve of size ``n + 1`` per distinct value of ``p1``, so ``n`` is at
    most :data:`~modelcollapse.exact.MAX_SAMPLES_EXACT`."""
    from .exact import MAX_SAMPLES_EXACT

    N = positive_int("N", N)
    n = bounded_int("n", n, MAX_SAMPLES_EXACT, "a dense (n + 1)² matrix a solve, as "
                    "exact.MAX_SAMPLES_EXACT", "drift_limit_l1_gaussian(N, n, p1) is the Gaussian "
                    "reading for large n")
    p1 = probability_rows("p1", p1)
    alpha = n / (N + n)
    values, where = np.unique(p1, return_inverse=True)
    counts = np.arange(n + 1)
    result = np.zeros(len(values))
    for j, a in enumerate(values):
        if 0 < a < 1:
            next_share = (1 - alpha) * a + alpha * counts[:, None] / n
            transition = binom.pmf(counts[None, :], n, next_share)
            # π (P − I) = 0 with Σ π = 1: replace one equation by the normalisation.
            system = (transition - np.eye(n + 1)).T
            system[-1] = 1.0
            stationary = np.linalg.solve(system, np.r_[np.zeros(n), 1.0])
            result[j] = alpha * stationary @ np.abs(counts / n - a)
    return result[where].reshape(p1.shape)


def drift_limit_l1_gaussian(N, n, p1) -> np.ndarray:
    """The Gaussian reading of the long-run ``E[||p^(m) − p^(1)||_1 | p^(1)]``: each token's
    deviation taken as Gaussian with the variance of :func:`drift_limit_per_token`, so
    ``E|d_i| = √(2/π) sd_i`` and the 1-norm is ``√(2/π) Σ_i sd_i``, proportional to
    ``Σ_i √(p_i^(1)(1 − p_i^(1)))``. It is off for tokens seen only a few times in the real
    data, whose deviations are far from Gaussian (:func:`drift_limit_abs_per_token` is exact).
    One value per row of ``p1``."""
    return np.sqrt(2 / np.pi) * np.sqrt(drift_limit_per_token(N, n, p1)).sum(axis=-1)


def max_synthetic_from_drift(N, support, eps) -> float:
    """Largest ``n`` with ``√(s̃ · n/(N² + 2Nn + n)) ≤ ε``, a sufficient condition for
    ``lim E||p^(m) − p^(1)||_1 ≤ ε`` (Cauchy–Schwarz on the support, ``1 − σ_1 ≤ 1``):
    ``ε²N²/(s̃ − ε²(2N + 1))``, and ``inf`` when ``s̃ ≤ ε²(2N + 1)`` (every ``n`` is safe)."""
    N, support = positive_int("N", N), positive_int("support", support)
    eps = real_in("eps", eps, "(0, inf)")
    slack = support - eps**2 * (2 * N + 1)
    return float("inf") if slack <= 0 else float(eps**2 * N**2 / slack)


#: Constants of Lemma 1 (Mardia et al. 2020).
C0 = np.e**3 / (2 * np.pi)
C1 = 6 * np.e / np.pi**1.5


def log_G(n, s) -> float:
    """``log G_n(s)`` (:func:`G`), computed in log space, so finite for every ``n`` and ``s``:
    ``G`` itself exceeds float's largest number (about ``e^709.8``) already at
    ``n = 10⁴, s = 10⁵`` (``log G ≈ 5893``)."""
    n, s = positive_int("n", n), positive_int("s", s)
    if C0 * n / np.e + 2 <= s:
        return float(math.log(C1) + math.log(s) + C0 * n / (2 * math.e))
    if C0 * n / 4 + 2 <= s:
        return float(math.log(C1) + math.log(s) + s / 2 * math.log(C0 * n / s))
    return float(s * math.log(2) + math.log1p(-(2.0 ** (1 - s))))  # log(2^s − 2), s >= 2 here


#: The largest ``log`` of a float. Above it :func:`G` and :func:`deviation_bound` refuse and
#: point to their log-space forms.
LOG_FLOAT_MAX = float(np.log(np.finfo(float).max))


def G(n, s) -> float:
    """``G_n(s)`` of Lemma 1: the factor in ``P(||p̂ − p||_1 ≥ ε) ≤ e^{−nφ(π_p)ε²/4} G_n(s)``.

    Three regimes in ``s``; the pieces meet exactly at ``s = C_0 n/e`` (first and second) but
    the lemma switches at ``C_0 n/e + 2`` and ``C_0 n/4 + 2``, so ``G`` jumps there: it is a
    bound valid in each regime, not one smooth function. Where ``G_n(s)`` is too large for a
    float (``log G > LOG_FLOAT_MAX``) it is refused rather than returned as ``inf``, which it is
    not: :func:`log_G` gives its logarithm.
    """
    log_value = log_G(n, s)
    if log_value > LOG_FLOAT_MAX:
        raise ValueError(f"n and s give G_n(s) = e^{log_value:.6g}, above float's largest number "
                         f"(e^{LOG_FLOAT_MAX:.6g}); log_G(n, s) gives its logarithm")
    if C0 * n / np.e + 2 <= s:
        return float(C1 * s * np.exp(C0 * n / (2 * np.e)))
    if C0 * n / 4 + 2 <= s:
        return float(C1 * s * (C0 * n / s) ** (s / 2))
    return float(2.0**s - 2)


def phi(x) -> float:
    """Lemma 1's ``φ(x) = log((1 − x)/x)/(1 − 2x)`` on ``(0, 1/2)``, and ``φ(1/2) = 2``, its limit
    (``derivations.partially_synthetic.phi_at_half``); decreasing, so ``φ ≥ 2``."""
    x = real_in("x", x, "(0, 1/2]")
    if abs(x - 0.5) < 1e-6:  # 0/0 at 1/2: the series 2 + (8/3)(1/2 − x)² + …, exact to 1e-18
        return float(2 + 8 / 3 * (0.5 - x) ** 2)
    return float(np.log((1 - x) / x) / (1 - 2 * x))


#: The most bit operations :func:`max_split_product` spends (its reachable sums are one Python
#: integer of ``total`` bits, shifted once per token): a few seconds.
MAX_SUBSET_SUM_BITS = 2**36


def max_split_product(counts) -> float:
    """``max_A p(A)(1 − p(A))`` for the empirical law of ``counts``: the subset sum of the counts
    closest to half their total (a partition problem, solved exactly by tracking every reachable
    subset sum, in ``O(tokens × total)`` bit operations)."""
    counts = np.asarray(counts)
    if counts.ndim != 1 or not np.issubdtype(counts.dtype, np.integer) or np.any(counts < 0):
        raise ValueError(f"counts must be a 1-D array of non-negative integers, got {counts!r}")
    total = int(counts.sum(dtype=object)) if counts.size else 0  # Python ints: no int64 wrap
    if total < 1:
        raise ValueError("counts must have a positive total")
    work = total * int(np.count_nonzero(counts))
    if work > MAX_SUBSET_SUM_BITS:
        raise ValueError(f"counts ask for {work} bit operations (total × tokens), more than "
                         f"MAX_SUBSET_SUM_BITS = {MAX_SUBSET_SUM_BITS}; use fewer or smaller counts")
    reachable = 1  # bit k set: some subset of the counts sums to k
    for c in counts[counts > 0].tolist():
        reachable |= reachable << c
    half = total // 2
    best = (reachable & ((1 << (half + 1)) - 1)).bit_length() - 1  # the highest sum <= half
    return best * (total - best) / total**2


def majority_token(N, p) -> tuple[float, float]:
    """For ``N`` samples from ``p``: the probability that one token takes more than ``N/2`` of
    them, and what those draws take from ``λ = E[max_A p^(1)(A) p^(1)(A^c)]``.

    The events "token ``i`` takes more than ``N/2``" are disjoint, so the probability is the sum
    of the binomial tails. In such a draw the best split is that token against the rest, with
    product ``1/4 − (c/N − 1/2)²`` for its count ``c``, so the loss is
    ``Σ_i E[(c_i/N − 1/2)²; c_i > N/2]``. A draw without a majority token falls below 1/4 only
    if no subset of the counts sums to ``N/2`` exactly, which this does not count. Returns
    ``(probability, loss)``."""
    N = positive_int("N", N)
    p = one_distribution("p", p)
    memory("N and p", 8.0 * (N // 2 + 1) * p.size, "use a smaller N")
    majority = np.arange(N // 2 + 1, N + 1)  # c > N/2
    laws = binom.pmf(majority[None, :], N, p[:, None])
    return float(laws.sum()), float((laws * (majority / N - 0.5) ** 2).sum())


def zeta(N, n, lam) -> float:
    """Theorem 4's ``ζ = 1/2 − (1/2 − 2λ)(N/(N + n))²`` with
    ``λ = E[max_A p^(1)(A) p^(1)(A^c)]`` in ``[0, 1/4]``; ``λ = 1/4`` gives ``ζ = 1/2``."""
    N, n = positive_int("N", N), positive_int("n", n)
    lam = real_in("lam", lam, "[0, 1/4]")
    return float(0.5 - (0.5 - 2 * lam) * (N / (N + n)) ** 2)


def log_deviation_bound(N, n, s, zeta=None) -> float:
    """``log`` of :func:`deviation_bound`, finite for every argument (through :func:`log_G`)."""
    N = positive_int("N", N)
    factor = 2.0 if zeta is None else phi(real_in("zeta", zeta, "(0, 1/2]"))
    return float(0.5 * math.log(math.pi * positive_int("n", n) / factor) + log_G(n, s) - math.log(N))


def deviation_bound(N, n, s, zeta=None) -> float:
    """Theorem 4: ``E||p^(m) − p^(1)||_1 < (1/N) √(πn/φ(ζ)) G_n(s)`` for every ``m ≥ 2``.

    ``zeta=None`` (or 1/2, so ``φ = 2``) is Theorem 3, ``(1/N) √(πn/2) G_n(s)``; a ``ζ`` from
    :func:`zeta` gives the general form. The bound is returned as the theorem states it, also
    above 2, where it says nothing (a 1-norm distance of two distributions is at most 2). Where
    it is too large for a float it is refused rather than returned as ``inf`` (which it is not):
    :func:`log_deviation_bound` gives its logarithm."""
    log_value = log_deviation_bound(N, n, s, zeta)
    if log_value > LOG_FLOAT_MAX:
        raise ValueError(f"N, n and s give a bound of e^{log_value:.6g}, above float's largest "
                         f"number (e^{LOG_FLOAT_MAX:.6g}); it is vacuous, since the 1-norm "
                         f"distance is at most 2; log_deviation_bound gives its logarithm")
    if log_G(n, s) > LOG_FLOAT_MAX:  # G_n(s) alone is too large for a float, the bound is not
        return float(math.exp(log_value))
    factor = 2.0 if zeta is None else phi(zeta)
    return float(np.sqrt(np.pi * n / factor) * G(n, s) / N)


def max_synthetic(N, s, eps) -> float:
    """Eq. (11): Theorem 3 guarantees ``E||p^(m) − p^(1)||_1 < ε`` for
    ``n ≤ (2π/e²) min{s − 2, log(√2 π N ε/(6 e s))}`` (rebuilt in
    ``derivations.partially_synthetic.max_synthetic_derivation``). A value below 1 means no
    ``n ≥ 1`` is guaranteed."""
    N, s = positive_int("N", N), positive_int("s", s)
    eps = real_in("eps", eps, "(0, inf)")
    return float(2 * np.pi / np.e**2 * min(s - 2, np.log(np.sqrt(2) * np.pi * N * eps / (6 * np.e * s))))


def S_accumulate(m, n, S0) -> np.ndarray:
    """``S_m`` when every generation's ``n`` samples accumulate (``Accumulate(n)``):
    ``1 − S_m = (1 − S_0) Π_{k=1}^m (1 − 1/(n k²))`` (``derivations.reuse.accumulate_step``)."""
    m, n, S0 = _generations(m), positive_int("n", n), _collision("S0", S0)
    bounded_int("m", int(np.max(m)) if m.size else 0, MAX_ELEMENTS,
                "the running product is tabulated to the largest m", "S_accumulate_limit(n, S0) "
                "is the limit", minimum=0)
    ks = np.arange(1, int(np.max(m)) + 1)
    products = np.concatenate([[1.0], np.cumprod(1 - 1 / (n * ks.astype(float) ** 2))])
    return 1 - (1 - S0) * products[m]


def S_accumulate_limit(n, S0) -> float:
    """``S_∞ = 1 − (1 − S_0) sin(π/√n)/(π/√n)`` under ``Accumulate(n)``: bounded away from 1
    for ``n ≥ 2`` (``n = 1`` collapses)."""
    n, S0 = positive_int("n", n), _collision("S0", S0)
    x = np.pi / np.sqrt(n)
    return float(1 - (1 - S0) * np.sin(x) / x)


def S_fresh_real_limit(n_real, n_synth, weight, S0) -> float:
    """Stationary ``S`` under ``FreshReal(n_real, n_synth, weight)``: ``S_0 + V*`` with
    ``V* = (1 − S_0)(w²/n_r + (1 − w)²/n_s) / (1 − (1 − w)²(1 − 1/n_s))``."""
    n_r, n_s, S0 = positive_int("n_real", n_real), positive_int("n_synth", n_synth), _collision("S0", S0)
    weight = real_in("weight", weight, "[0, 1]")
    u = 1 - weight
    denominator = weight * (2 - weight) + u**2 / n_s  # 1 − u²(1 − 1/n_s) >= 1/n_s > 0
    # 1 − V*/(1 − S_0) as a product of non-negative factors, so that S = 1 − (1 − S_0)·kept
    # never rounds above 1 (S_0 + V* did: 1 + 2e-16 at w = 0).
    kept = weight * (2 - weight - weight / n_r) / denominator
    return float(1 - (1 - S0) * kept)


def fresh_real_optimal_weight(n) -> float:
    """With ``n`` fresh real and ``n`` synthetic samples a generation, the real-data weight that
    minimises the stationary variance: ``(√(5n² − 2n + 1) − n − 1)/(2(n − 1))``, which tends to
    ``(√5 − 1)/2 ≈ 0.618``. At ``n = 1`` the formula is 0/0 and its limit, ``1/2``, is the
    minimiser: ``V* = (1 − S_0)(w² + (1 − w)²)`` (one synthetic sample carries no memory)."""
    n = positive_int("n", n)
    if n == 1:
        return 0.5
    return float((np.sqrt(5 * n**2 - 2 * n + 1) - n - 1) / (2 * (n - 1)))
