"""Training is counting (paper §2.1), derived with sympy (shown on book/setup/derivation.ipynb).

The cross-entropy of a linear softmax over one-hot contexts separates over contexts and, in
each, is minimised by the empirical frequency of the next token; that counting estimator is
unbiased with covariance ``(diag p − p pᵀ)/N``, whence ``E||p̂||² = 1/N + (1 − 1/N) S_0``.

Sympy works with a concrete number of tokens ``s`` (a small integer) and fully symbolic
counts, logits and probabilities; the tests repeat every step for several ``s``. Every
function is cached, so the book page and the tests pay for each derivation once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from ..validation import text
from . import sizes

M = sp.Symbol("M", positive=True)  # corpus size: the loss is an average over M examples
N = sp.Symbol("N", positive=True)  # examples of the context at hand (N = Σ_k n_k)
S0 = sp.Symbol("S_0", positive=True)  # collision probability ||p||² of the ground truth
LAMBDA = sp.Symbol("lambda")  # Lagrange multiplier of Σ q_k = 1


@sizes(s=(1, 10**4))
def symbols(name: str, s: int, **assumptions) -> list[sp.Symbol]:
    """``[name1, ..., names]``; the same call in a test returns the same symbols. ``name`` a
    non-empty string, ``s`` a whole number of symbols."""
    text("name", name)
    return list(sp.symbols(f"{name}1:{s + 1}", **assumptions))


def softmax(w) -> list[sp.Expr]:
    """``softmax(w)_k = e^{w_k} / Σ_j e^{w_j}`` for a list of sympy logits ``w``."""
    z = sum(sp.exp(x) for x in w)
    return [sp.exp(x) / z for x in w]


def _is_zero_in_exp_coordinates(expr, w) -> bool:
    """``expr(w) ≡ 0``, checked after ``w_k = log u_k``: exp is a bijection onto ``u > 0`` and
    the softmax becomes rational in ``u``, which ``cancel`` settles fast and exactly."""
    u = symbols("u", len(w), positive=True)
    return sp.cancel(sp.sympify(expr).subs(dict(zip(w, map(sp.log, u))))) == 0


# --- (a) the cross-entropy and its optimum -------------------------------------------------


@dataclass(frozen=True)
class LossSeparation:
    logits: sp.Matrix  # column j is Wᵀ e_j: row j of W, nothing else
    loss: sp.Expr  # −(1/M) Σ_{j,k} n_jk log softmax(Wᵀ e_j)_k
    cross_hessian: sp.Matrix  # ∂²L / ∂W_1a ∂W_2b between two contexts' rows: zero


@sizes(c=(1, 4), s=(1, 8))
@cache
def loss_separation(c: int = 2, s: int = 3) -> LossSeparation:
    """With one-hot contexts the loss is a sum of per-context losses in disjoint rows of ``W``.

    Grouping the ``M`` examples by (context, token) turns ``Σ_l y_lᵀ log σ(Wᵀ x_l)`` into
    ``Σ_{j,k} n_jk log σ(Wᵀ e_j)_k``; ``Wᵀ e_j`` is row ``j`` of ``W``, so no term couples two
    rows, which the vanishing mixed second derivatives confirm.
    """
    W = sp.Matrix(c, s, lambda j, k: sp.Symbol(f"W_{j + 1}{k + 1}", real=True))
    n = sp.Matrix(c, s, lambda j, k: sp.Symbol(f"n_{j + 1}{k + 1}", positive=True))
    onehot = sp.eye(c)
    logits = sp.Matrix.hstack(*[W.T * onehot[:, j] for j in range(c)])
    loss = -sum(
        n[j, k] * sp.log(softmax(logits[:, j])[k]) for j in range(c) for k in range(s)
    ) / M
    cross = sp.Matrix(s, s, lambda a, b: sp.simplify(sp.diff(loss, W[0, a], W[1, b])))
    return LossSeparation(logits, loss, cross)


@dataclass(frozen=True)
class SoftmaxGradient:
    loss: sp.Expr  # L(w) = −(1/M) Σ_k n_k log softmax(w)_k, one context
    gradient: sp.Matrix  # ∂L/∂w_k as sympy differentiates it
    closed_form: sp.Matrix  # (N σ_k − n_k)/M, σ the softmax written as symbols σ_k
    residual: sp.Matrix  # gradient − closed form at σ = softmax(w), simplified: zeros


@sizes(s=(1, 8))
@cache
def softmax_gradient(s: int = 3) -> SoftmaxGradient:
    """Gradient of one context's cross-entropy, from the loss: ``(N softmax(w)_k − n_k)/M``."""
    w, n = symbols("w", s, real=True), symbols("n", s, positive=True)
    sigma = symbols("sigma", s, positive=True)
    loss = -sum(nk * sp.log(sk) for nk, sk in zip(n, softmax(w))) / M
    gradient = sp.Matrix([sp.diff(loss, x) for x in w])
    closed_form = sp.Matrix([(N * sk - nk) / M for sk, nk in zip(sigma, n)])
    at_softmax = dict(zip(sigma, softmax(w))) | {N: sum(n)}
    residual = (gradient - closed_form.subs(at_softmax)).applyfunc(
        lambda e: sp.Integer(0) if _is_zero_in_exp_coordinates(e, w) else sp.simplify(e)
    )
    return SoftmaxGradient(loss, gradient, closed_form, residual)


@dataclass(frozen=True)
class SoftmaxOptimum:
    logits: sp.Matrix  # a solution ŵ of ∇L = 0, in the gauge ŵ_s = 0
    probabilities: sp.Matrix  # softmax(ŵ), written with N = Σ n_k
    gradient_there: sp.Matrix  # ∇L(ŵ): zeros


@sizes(s=(1, 8))
@cache
def softmax_optimum(s: int = 3) -> SoftmaxOptimum:
    """Solve ``∇L(w) = 0`` for ``w`` and read off ``softmax(ŵ)_k = n_k / N``.

    ``L`` is unchanged when a constant is added to every logit, so solutions form a line; fixing
    ``w_s = 0`` picks one. With ``u_k = e^{w_k}`` the equations are rational, and sympy solves
    them for ``u_1..u_{s−1}``.
    """
    w, n = symbols("w", s, real=True), symbols("n", s, positive=True)
    u = symbols("u", s, positive=True)
    gauge = {u[-1]: 1}
    equations = [
        sp.cancel(g.subs(dict(zip(w, map(sp.log, u)))).subs(gauge))
        for g in softmax_gradient(s).gradient
    ]
    solutions = sp.solve(equations, u[:-1], dict=True)
    if len(solutions) != 1:  # the optimum is unique in σ; sympy must find exactly one
        raise ArithmeticError(f"expected one stationary point, sympy found {solutions}")
    u_hat = [solutions[0].get(uk, uk).subs(gauge) for uk in u]
    logits = sp.Matrix([sp.log(uk) for uk in u_hat])
    # N = Σ n_k: sympy writes the denominator as the sum; show it as N.
    probabilities = sp.Matrix([sp.simplify(x) for x in softmax(list(logits))]).subs(sum(n), N)
    gradient_there = softmax_gradient(s).gradient.subs(dict(zip(w, logits))).applyfunc(sp.simplify)
    return SoftmaxOptimum(logits, probabilities, gradient_there)


@sizes(s=(1, 8))
def lagrangian_optimum(s: int = 3) -> dict[sp.Symbol, sp.Expr]:
    """The same optimum without softmax: maximise ``Σ n_k log q_k`` subject to ``Σ q_k = 1``.

    The Lagrangian's stationarity equations ``n_k/q_k = λ`` and the constraint give
    ``λ = N`` and ``q_k = n_k/N``. Returns sympy's solution ``{q_k: ..., λ: ...}`` (a fresh
    dict each call, so not cached).
    """
    q, n = symbols("q", s, positive=True), symbols("n", s, positive=True)
    lagrangian = sum(nk * sp.log(qk) for nk, qk in zip(n, q)) - LAMBDA * (sum(q) - 1)
    equations = [sp.diff(lagrangian, x) for x in q + [LAMBDA]]
    solutions = sp.solve(equations, q + [LAMBDA], dict=True)
    if len(solutions) != 1:
        raise ArithmeticError(f"expected one stationary point, sympy found {solutions}")
    return solutions[0]


@dataclass(frozen=True)
class SoftmaxHessian:
    hessian: sp.Matrix  # ∂²L/∂w_a∂w_b as sympy differentiates it
    closed_form: sp.Matrix  # (N/M)(diag σ − σσᵀ), σ as symbols
    residual: sp.Matrix  # hessian − closed form at σ = softmax(w): zeros
    quadratic_form: sp.Expr  # vᵀ(diag σ − σσᵀ)v
    sum_of_squares: sp.Expr  # Σ_k σ_k (v_k − Σ_j σ_j v_j)², ≥ 0 term by term
    psd_residual: sp.Expr  # quadratic form − sum of squares on the simplex: zero


@sizes(s=(1, 6))
@cache
def softmax_hessian(s: int = 3) -> SoftmaxHessian:
    """Hessian of one context's loss: ``(N/M)(diag σ − σσᵀ)``, positive semidefinite.

    Positive semidefiniteness is shown by writing the quadratic form as a sum of squares with
    nonnegative weights σ_k (the variance of ``v`` under σ), using only ``Σ σ_k = 1``.
    """
    g = softmax_gradient(s)
    w, n = symbols("w", s, real=True), symbols("n", s, positive=True)
    sigma, v = symbols("sigma", s, positive=True), symbols("v", s, real=True)
    hessian = sp.hessian(g.loss, w)
    col = sp.Matrix(sigma)
    C = sp.diag(*sigma) - col * col.T
    closed_form = N / M * C
    at_softmax = dict(zip(sigma, softmax(w))) | {N: sum(n)}
    residual = (hessian - closed_form.subs(at_softmax)).applyfunc(
        lambda e: sp.Integer(0) if _is_zero_in_exp_coordinates(e, w) else sp.simplify(e)
    )
    vec = sp.Matrix(v)
    quadratic_form = sp.expand((vec.T * C * vec)[0])
    mean_v = sum(sk * vk for sk, vk in zip(sigma, v))
    sum_of_squares = sum(sk * (vk - mean_v) ** 2 for sk, vk in zip(sigma, v))
    on_simplex = {sigma[-1]: 1 - sum(sigma[:-1])}
    psd_residual = sp.expand((quadratic_form - sum_of_squares).subs(on_simplex))
    return SoftmaxHessian(
        hessian, closed_form, residual, quadratic_form, sum_of_squares, psd_residual
    )


# --- (b, c) the counting estimator's moments ------------------------------------------------


@dataclass(frozen=True)
class MultinomialMoments:
    p: sp.Matrix  # ground-truth probabilities, symbols with Σ p_k = 1 imposed in the results
    mgf: sp.Expr  # E e^{t·X} = (Σ_k p_k e^{t_k})^N for X ~ Multinomial(N, p)
    mean: sp.Matrix  # E p̂, from ∂M/∂t_k at t = 0
    covariance: sp.Matrix  # Cov p̂, from ∂²M/∂t_a∂t_b at t = 0


@sizes(s=(1, 8))
@cache
def multinomial_moments(s: int = 3) -> MultinomialMoments:
    """Mean and covariance of ``p̂ = X/N``, ``X ~ Multinomial(N, p)``, from the MGF.

    ``E X_a = ∂M/∂t_a`` and ``E X_a X_b = ∂²M/∂t_a∂t_b`` at ``t = 0``; each carries a power of
    ``Σ p_k``, which is 1 because ``p`` is a distribution (substituted before simplifying).
    """
    p, t = symbols("p", s, positive=True), symbols("t", s, real=True)
    mgf = sum(pk * sp.exp(tk) for pk, tk in zip(p, t)) ** N
    at_zero = {tk: 0 for tk in t}

    def moment(*ts):
        value = sp.diff(mgf, *ts).subs(at_zero).subs(sum(p), 1)
        if value.has(sum(p)):  # the constraint must have been used up
            raise ArithmeticError(f"Σ p_k left in {value}")
        return sp.expand(value)

    first = sp.Matrix([moment(tk) for tk in t])
    second = sp.Matrix(s, s, lambda a, b: moment(t[a], t[b]))
    mean = (first / N).applyfunc(sp.factor)
    covariance = ((second - first * first.T) / N**2).applyfunc(sp.factor)
    return MultinomialMoments(sp.Matrix(p), mgf, mean, covariance)


@sizes(s=(1, 8))
@cache
def expected_collision_after_counting(s: int = 3) -> sp.Expr:
    """``E σ_1 = E||p̂||² = tr Cov p̂ + ||E p̂||²``, written with ``S_0 = Σ p_k²``.

    The sum is linear in the ``p_k`` and the ``p_k²``; naming ``p_k² = r_k`` and eliminating
    ``p_s`` (by ``Σ p_k = 1``) and ``r_s`` (by ``Σ r_k = S_0``) must leave no ``p`` or ``r``:
    the answer depends on the ground truth only through ``S_0``.
    """
    m = multinomial_moments(s)
    p, r = list(m.p), symbols("r", s, positive=True)
    second_moment = sp.expand(m.covariance.trace() + (m.mean.T * m.mean)[0])
    # xreplace, not subs: subs would also rewrite p_k itself as sqrt(r_k).
    linear = second_moment.xreplace({pk**2: rk for pk, rk in zip(p, r)})
    result = sp.simplify(linear.subs({p[-1]: 1 - sum(p[:-1]), r[-1]: S0 - sum(r[:-1])}))
    if result.free_symbols - {N, S0}:
        raise ArithmeticError(f"E||p̂||² is not a function of N and S_0 alone: {result}")
    return sp.collect(sp.expand(result), S0)
