"""Nonlinear conjugate gradient on large minibatches (``solver="cg"``).

Hinton & Salakhutdinov (2006) and Salakhutdinov & Hinton (2009) fine-tune
their pretrained nets this way: the training set is cut into minibatches of
about 1,000 rows, and on each the parameters take a few (three) iterations of
Polak-Ribiere conjugate gradient, each with a line search, started afresh from
steepest descent.  The objective of a minibatch is deterministic, so the line
search sees one function: dropout and batch normalisation (whose training
statistics and masks change from call to call) are not supported with it.

The iterations are scipy's ``minimize(method="CG")`` (Wolfe line search) on
the parameters packed into one float64 vector; every evaluation runs the
network in the parameters' own dtype, so float32 stays float32 on the data.
"""

import numpy as np
from scipy.optimize import minimize

from ..math.feedforward import NetSpec, backward, flat, forward, penalty

CG_ITERATIONS = 3  # line searches per minibatch, as in Hinton & Salakhutdinov's code
# Evaluations allowed per minibatch.  A normal batch takes 4-16; once the loss
# nears float32 precision (about 1e-5) the line searches fail after 60 or more
# evaluations without moving, and an epoch costs three times as much for nothing.
MAX_EVALUATIONS = 40
LINE_SEARCH_SOLVERS = ("cg",)


class _BudgetSpent(Exception):
    pass


def check_deterministic(spec):
    """``ValueError`` unless one minibatch's objective is a fixed function."""
    bad = [name for name, on in (("dropout", spec.dropout_hidden > 0),
                                 ("input_dropout", spec.dropout_input > 0),
                                 ("batch_norm", spec.batch_norm)) if on]
    if bad:
        raise ValueError(
            f"solver='cg' needs the same objective at every evaluation of a minibatch's "
            f"line search; it does not support {', '.join(bad)}. Use an SGD-family solver "
            f"or turn them off.")


def _unpack(theta, leaves):
    start = 0
    for p in leaves:
        p[...] = theta[start : start + p.size].reshape(p.shape)
        start += p.size


def conjugate_gradient_batch(params, X, Y, spec, loss_fn, *, alpha=0.0, l1=0.0,
                             n_iter=CG_ITERATIONS, output_only=False,
                             max_evaluations=MAX_EVALUATIONS):
    """``n_iter`` conjugate-gradient iterations on one minibatch, in place.

    Minimises ``mean loss + (alpha/2 ||W||^2 + l1 ||W||_1) / n`` over the
    weights and biases (only the output layer's with ``output_only``, whose
    evaluations then run the output layer alone on the frozen layers' output,
    computed once; the penalty of the frozen weights is a constant left out).  After
    ``max_evaluations`` evaluations (``None``: no limit) the line search under
    way is abandoned and the parameters are those of the last completed
    iteration, which is also what a failed line search leaves.  Returns the
    mean loss (without the penalty) at the final parameters.
    """
    if output_only:
        # the frozen layers' output is the same at every evaluation: run them
        # once and line-search the output layer alone on it
        _, cache = forward(params, X, spec, train=True)
        params = {"W": params["W"][-1:], "b": params["b"][-1:], "gamma": [], "beta": []}
        X, spec = cache["inputs"][-1], NetSpec(output=spec.output)
    leaves = flat(params)
    n = X.shape[0]
    sizes = np.cumsum([0] + [p.size for p in leaves])

    evaluations = 0

    def objective(theta, budget=True):
        nonlocal evaluations
        if budget and max_evaluations is not None and evaluations >= max_evaluations:
            raise _BudgetSpent
        evaluations += 1
        _unpack(theta, leaves)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            P, cache = forward(params, X, spec, train=True)
            f = loss_fn(Y, P) + penalty(params, n, alpha, l1)
            grads = backward(params, cache, P, Y, spec, alpha=alpha, l1=l1)
        g = np.empty(sizes[-1])
        for p, lo, hi in zip(flat(grads), sizes[:-1], sizes[1:]):
            g[lo:hi] = p.ravel()
        if not np.isfinite(f):  # tells the line search to step back
            return np.inf, g
        return f, g

    theta0 = np.concatenate([p.ravel() for p in leaves]).astype(np.float64)
    completed = [theta0]

    def keep(xk):  # called after every completed iteration
        completed[0] = xk.copy()

    try:
        result = minimize(objective, theta0, jac=True, method="CG", callback=keep,
                          options={"maxiter": n_iter, "gtol": 0.0})
        theta, value = result.x, float(result.fun)
    except _BudgetSpent:
        theta = completed[0]
        value = objective(theta, budget=False)[0]
    _unpack(theta, leaves)
    return value - penalty(params, n, alpha, l1)
