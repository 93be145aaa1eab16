"""Optimizers and learning-rate schedules.

An optimizer is an ``(init, update, grad_scale)`` triple over a list of
parameter arrays, in the manner of optax: ``state = init(params)``;
``steps = update(grads, state, lr)`` returns the steps to *add* to the
parameters (computed in place in ``grads`` or in the state, never allocated)
and updates ``state`` in place.  Adam is "scale by Adam" then "scale by
``-lr``"; plain SGD is "scale by ``-lr``".  A ``None`` gradient marks a frozen
leaf (the engine's ``n_iter_output_only`` epochs): its step is ``None`` and its
state is left as it was, so Adam, which counts steps per leaf, starts a leaf's
bias correction afresh when it is unfrozen.

``grad_scale(lr)`` is the factor ``update`` expects the gradients to carry
already: ``-lr`` for the SGD family, whose gradients are linear in the loss, so
backprop can fold the step size into its (small) output delta instead of a pass
over every weight; ``1`` for the adaptive methods.
``OPTIMIZERS`` maps names to factories taking keyword hyper-parameters.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

LEARNING_RATE_SCHEDULES = ("constant", "linear", "invscaling")


class Optimizer(NamedTuple):
    init: Callable
    update: Callable
    grad_scale: Callable = lambda lr: 1.0
    decoupled_decay: bool = False  # True: weight decay is applied as w *= 1 - lr * decay


def _trained(grads, *states):
    """``zip(grads, *states)`` without the frozen (``None``) leaves."""
    return ((g, *rest) for g, *rest in zip(grads, *states) if g is not None)


def _unit_scale(lr):
    return 1.0


def _minus_lr(lr):
    return -lr


def sgd(momentum=0.0, nesterov=False, **_):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    ``v <- mu v - lr g``; the step is ``v`` or, with Nesterov,
    ``mu v - lr g`` (Sutskever et al. 2013).  Expects gradients already
    multiplied by ``grad_scale(lr) = -lr``.
    """

    def init(params):
        return {"velocity": [np.zeros_like(p) for p in params] if momentum else None}

    def update(grads, state, lr):
        if not momentum:
            return grads
        for g, v in _trained(grads, state["velocity"]):
            v *= momentum
            v += g
            if nesterov:
                g += momentum * v
        if nesterov:
            return grads
        return [None if g is None else v for g, v in zip(grads, state["velocity"])]

    return Optimizer(init, update, _minus_lr, True)


def adagrad(eps=1e-8, **_):
    """AdaGrad (Duchi et al. 2011): ``step = -lr g / (sqrt(sum g^2) + eps)``."""

    def init(params):
        return {"sum_sq": [np.zeros_like(p) for p in params]}

    def update(grads, state, lr):
        for g, s in _trained(grads, state["sum_sq"]):
            s += g * g
            g /= np.sqrt(s) + eps
            g *= -lr
        return grads

    return Optimizer(init, update, _unit_scale)


def rmsprop(rho=0.9, eps=1e-8, **_):
    """RMSProp (Tieleman & Hinton 2012): running mean of ``g^2`` with decay ``rho``."""

    def init(params):
        return {"mean_sq": [np.zeros_like(p) for p in params]}

    def update(grads, state, lr):
        for g, s in _trained(grads, state["mean_sq"]):
            s *= rho
            s += (1 - rho) * g * g
            g /= np.sqrt(s) + eps
            g *= -lr
        return grads

    return Optimizer(init, update, _unit_scale)


def adam(beta_1=0.9, beta_2=0.999, eps=1e-8, **_):
    """Adam (Kingma & Ba 2015) with bias-corrected moments; one step count per leaf."""

    def init(params):
        return {"m": [np.zeros_like(p) for p in params],
                "v": [np.zeros_like(p) for p in params], "t": [0] * len(params)}

    def update(grads, state, lr):
        for i, (g, m, v) in enumerate(zip(grads, state["m"], state["v"])):
            if g is None:
                continue
            state["t"][i] += 1
            t = state["t"][i]
            step = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            m *= beta_1
            m += (1 - beta_1) * g
            v *= beta_2
            g *= g
            g *= 1 - beta_2
            v += g
            np.sqrt(v, out=g)
            g += eps
            np.divide(m, g, out=g)
            g *= -step
        return grads

    return Optimizer(init, update, _unit_scale)


OPTIMIZERS = {
    "sgd": lambda momentum=0.0, **kw: sgd(momentum=0.0),
    "momentum": lambda momentum=0.9, **kw: sgd(momentum=momentum, nesterov=False),
    "nesterov": lambda momentum=0.9, **kw: sgd(momentum=momentum, nesterov=True),
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
}


def make_optimizer(solver, **hyper):
    """The optimizer named ``solver``, with the hyper-parameters it takes from ``hyper``.

    Every training loop builds its optimizer here: ``momentum`` reaches
    ``"momentum"`` and ``"nesterov"`` (with ``momentum=0`` the former is plain
    SGD), the other solvers ignore it.

    Examples
    --------
    >>> opt = make_optimizer("momentum", momentum=0.5)
    >>> import numpy as np
    >>> w = [np.zeros(2)]
    >>> state = opt.init(w)
    >>> [s.tolist() for s in opt.update([np.ones(2)], state, 0.1)]
    [[1.0, 1.0]]
    """
    if solver not in OPTIMIZERS:
        raise ValueError(f"Unknown solver {solver!r}; expected one of {sorted(OPTIMIZERS)}.")
    return OPTIMIZERS[solver](**hyper)


def scheduled_learning_rate(schedule, learning_rate, epoch, n_epochs, power_t=0.5):
    """Learning rate for epoch ``epoch`` (0-based) of ``n_epochs``.

    ``"constant"``: ``lr``; ``"linear"``: ``lr * (1 - epoch / n_epochs)``, which
    reaches ``lr / n_epochs`` in the last epoch and stays there afterwards;
    ``"invscaling"``: ``lr / (epoch + 1) ** power_t``.
    """
    if schedule == "constant":
        return learning_rate
    if schedule == "linear":
        n_epochs = max(int(n_epochs), 1)
        return learning_rate * (n_epochs - min(epoch, n_epochs - 1)) / n_epochs
    if schedule == "invscaling":
        return learning_rate / (epoch + 1.0) ** power_t
    raise ValueError(
        f"Unknown learning-rate schedule {schedule!r}; expected one of "
        f"{LEARNING_RATE_SCHEDULES}."
    )


def project_max_norm(W, max_norm):
    """Max-norm constraint, in place: every unit's incoming weights get norm <= ``max_norm``.

    ``W`` has shape ``(fan_in, fan_out)``; column ``j`` (the weights into unit
    ``j``) is rescaled to norm ``max_norm`` when it is longer and left alone
    otherwise (Srivastava et al. 2014, section 5.1: a projection after each
    step, used with dropout so that large steps cannot blow the weights up).
    Touches only the columns that exceed the bound; keeps ``W``'s dtype.
    """
    norms = np.sqrt(np.einsum("ij,ij->j", W, W))
    over = np.flatnonzero(norms > max_norm)
    if over.size:
        W[:, over] *= (max_norm / norms[over]).astype(W.dtype, copy=False)
    return W
