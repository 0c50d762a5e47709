"""Training is counting (NOTES §1), derived with sympy: the cross-entropy of a linear softmax
over one-hot contexts is minimised by the empirical conditional frequencies, and the counting
estimator is unbiased with covariance ``(diag p − p pᵀ)/N``.

Sympy works with a concrete number of tokens ``s`` (any small value) and fully symbolic counts
and probabilities; the tests run several ``s``.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import sympy as sp

M = sp.Symbol("M", positive=True)  # corpus size
N = sp.Symbol("N", positive=True)  # samples of the context at hand
S0 = sp.Symbol("S_0", positive=True)  # ||p||²


def _vector(name: str, s: int, **assumptions) -> list[sp.Symbol]:
    return list(sp.symbols(f"{name}1:{s + 1}", **assumptions))


def softmax(w) -> list:
    z = sum(sp.exp(x) for x in w)
    return [sp.exp(x) / z for x in w]


class Separation(NamedTuple):
    logits: sp.Matrix  # W^T e_j for each context j, side by side
    cross_hessian: sp.Matrix  # d²L / dW_{0a} dW_{1b}: rows of different contexts


@cache
def separation(c: int = 2, s: int = 3) -> Separation:
    """The loss of a corpus with counts ``n_{jk}`` splits over contexts.

    ``W^T e_j`` is row ``j`` of ``W``, so ``L(W) = −(1/M) Σ_{j,k} n_{jk} log softmax(W_j)_k``;
    its mixed second derivatives between two contexts' rows vanish.
    """
    W = sp.Matrix(c, s, lambda j, k: sp.Symbol(f"W_{j + 1}{k + 1}", real=True))
    counts = sp.Matrix(c, s, lambda j, k: sp.Symbol(f"n_{j + 1}{k + 1}", positive=True))
    onehot = sp.eye(c)
    logits = sp.Matrix.hstack(*[W.T * onehot[:, j] for j in range(c)])
    loss = -sum(
        counts[j, k] * sp.log(softmax(list(logits[:, j]))[k]) for j in range(c) for k in range(s)
    ) / M
    cross = sp.Matrix(s, s, lambda a, b: sp.simplify(sp.diff(loss, W[0, a], W[1, b])))
    return Separation(logits, cross)


class SoftmaxOptimum(NamedTuple):
    loss: sp.Expr  # L(w) for one context
    gradient: list  # dL/dw_k as sympy computes it
    gradient_residual: list  # gradient − (N softmax_k − n_k)/M, simplified (zeros)
    optimum: dict  # softmax_k at the stationary point
    hessian_residual: sp.Matrix  # Hessian − (N/M)(diag σ − σσᵀ), simplified (zeros)


@cache
def softmax_optimum(s: int = 3) -> SoftmaxOptimum:
    """One context with counts ``n_1..n_s`` (``N = Σ n_k``): the gradient of the cross-entropy
    is ``(N softmax(w)_k − n_k)/M``, it vanishes exactly at ``softmax(w)_k = n_k/N``, and the
    Hessian ``(N/M)(diag σ − σσᵀ)`` is positive semidefinite, so that point is the minimum."""
    w = _vector("w", s, real=True)
    n = _vector("n", s, positive=True)
    total = sum(n)
    sig = softmax(w)
    loss = -sum(nk * sp.log(sk) for nk, sk in zip(n, sig)) / M
    gradient = [sp.diff(loss, x) for x in w]
    residual = [sp.simplify(g - (total * sk - nk) / M) for g, sk, nk in zip(gradient, sig, n)]
    # The gradient depends on w only through σ = softmax(w): solve for σ.
    sigma = _vector("sigma", s, positive=True)
    optimum = sp.solve([total * sk - nk for sk, nk in zip(sigma, n)], sigma, dict=True)[0]
    hessian = sp.hessian(loss, w)
    col = sp.Matrix(sig)
    hessian_residual = sp.simplify(hessian - (total / M) * (sp.diag(*sig) - col * col.T))
    return SoftmaxOptimum(loss, gradient, residual, optimum, hessian_residual)


@cache
def lagrangian_optimum(s: int = 3) -> dict:
    """The same optimum without the softmax: maximise ``Σ n_k log q_k`` subject to
    ``Σ q_k = 1``; the Lagrangian's stationary point is ``q_k = n_k/N`` with ``λ = N``."""
    q = _vector("q", s, positive=True)
    n = _vector("n", s, positive=True)
    lam = sp.Symbol("lambda")
    lagrangian = sum(nk * sp.log(qk) for nk, qk in zip(n, q)) - lam * (sum(q) - 1)
    equations = [sp.diff(lagrangian, x) for x in q] + [sum(q) - 1]
    return sp.solve(equations, q + [lam], dict=True)[0]


class CountingMoments(NamedTuple):
    p: list  # the probabilities (p_s = 1 − the others, eliminated in the results)
    mean: sp.Matrix  # E[p̂]
    covariance: sp.Matrix  # Cov(p̂)
    expected_sigma: sp.Expr  # E||p̂||², in terms of N and S_0 = ||p||²


@cache
def counting_moments(s: int = 3) -> CountingMoments:
    """Moments of ``p̂ = X/N`` with ``X ~ Multinomial(N, p)``, from the moment generating
    function ``E[e^{t·X}] = (Σ_k p_k e^{t_k})^N`` differentiated at ``t = 0``."""
    p = _vector("p", s, positive=True)
    t = _vector("t", s, real=True)
    mgf = sum(pk * sp.exp(tk) for pk, tk in zip(p, t)) ** N
    at_zero = {tk: 0 for tk in t}
    on_simplex = {p[-1]: 1 - sum(p[:-1])}  # Σ p_k = 1

    def moment(*ts):
        return sp.simplify(sp.diff(mgf, *ts).subs(at_zero).subs(on_simplex))

    first = sp.Matrix([moment(tk) for tk in t])
    second = sp.Matrix(s, s, lambda i, j: moment(t[i], t[j]))
    mean = sp.simplify(first / N)
    covariance = sp.simplify((second - first * first.T) / N**2)
    # E||p̂||² = Σ_k (Var p̂_k + (E p̂_k)²); it is affine in Σ p_k², and matching coefficients
    # of the polynomial in p writes it with the symbol S_0.
    expected = sum(covariance[k, k] + mean[k] ** 2 for k in range(s))
    a, b = sp.symbols("a b")
    s0 = sum(pk**2 for pk in p).subs(on_simplex)
    match = sp.Poly(sp.expand(expected - (a * s0 + b)), *p[:-1]).coeffs()
    coefficients = sp.solve(match, [a, b], dict=True)
    if len(coefficients) != 1:
        raise ArithmeticError("E||p̂||² should be affine in ||p||²")
    expected_sigma = sp.simplify(coefficients[0][a] * S0 + coefficients[0][b])
    return CountingMoments(p, mean, covariance, expected_sigma)
