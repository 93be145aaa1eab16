"""The numpy AIS kernels: the annealing loops and their split over two threads.

The setup, base models and estimates are in :mod:`deepbelief.math.ais`; these
are the inner loops, with ``out=`` buffers, raw-bit uniforms and the
sign trick of the in-place sigmoid.  Tests hold them to exact ``log Z`` on
tiny models and to fixed-seed agreement across dtypes.
"""

import os

import numpy as np

from .numpy_kernels import sample_sigmoid_of_negated, sigmoid, uniform


def chain_groups(n_chains):
    """Split ``n_chains`` AIS runs into the fixed groups :func:`run_chain_groups` uses.

    Two groups (one when there is a single chain), whatever the machine: the
    random streams, and so the estimate, do not depend on the number of cores.
    """
    n_chains = int(n_chains)
    if n_chains < 2:
        return [n_chains]
    return [n_chains - n_chains // 2, n_chains // 2]


def thread_budget():
    """How many threads AIS may use: the cores it may run on, and no more than
    the BLAS threads the caller allows (``threadpool_limits(1)`` means one)."""
    try:
        n_cpu = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n_cpu = os.cpu_count() or 1
    from threadpoolctl import threadpool_info

    blas = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return min([n_cpu, *blas])


def run_chain_groups(run, n_chains, rng):
    """``[run(n, rng_n) for each group]``: independent AIS chains, two groups at once.

    Each group gets its own stream (``rng.spawn``).  With a budget of two or
    more threads (:func:`thread_budget`) the groups run in two threads with the
    BLAS threads shared out between them (numpy releases the GIL in its loops
    and products), so the elementwise work of the chains, single-threaded in
    numpy, runs on both cores too; with one they run one after the other.  The
    result is the same either way.
    """
    sizes = chain_groups(n_chains)
    rngs = rng.spawn(len(sizes))
    budget = thread_budget()
    if len(sizes) == 1 or budget < 2:
        return [run(n, g) for n, g in zip(sizes, rngs)]
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=max(1, budget // len(sizes)), user_api="blas"):
        with ThreadPoolExecutor(len(sizes)) as pool:
            return list(pool.map(run, sizes, rngs))


def anneal_rbm(n_chains, rng, *, W, b, c, base, betas, units):
    """Log importance weights of ``n_chains`` AIS runs on an RBM (the inner loop
    of :func:`deepbelief.math.ais.ais_log_partition`).

    The state is ``v``; the hidden units are summed out of ``log p*_beta`` and
    sampled in each transition.  Bernoulli and Gaussian visible units have
    in-place loops of their own; other types (categorical) go through their
    registry entry.
    """
    n_visible, n_hidden = W.shape
    dtype = W.dtype
    gaussian = units.name == "gaussian"
    generic = units.name not in ("bernoulli", "gaussian")
    WT = np.ascontiguousarray(W.T)  # fixed weights: a C-ordered copy makes h W^T ~15 % faster
    # Visible-only part of log p*_beta(v) is linear in beta: base + beta * delta.
    # Bernoulli: (1-beta) base.v + beta b.v ; Gaussian: -(1-beta)|v-base|^2/2 - beta|v-b|^2/2
    bmb = b - base
    # Gaussian: the difference of the two quadratic terms is linear in v.
    half_sq = 0.5 * float(b @ b - base @ base)
    # Exact sample of the base model.
    v = np.empty((n_chains, n_visible), dtype=dtype)
    if generic:
        units.sample(units.mean(np.repeat(base[None, :], n_chains, axis=0)), rng, out=v)
    elif gaussian:
        rng.standard_normal(out=v, dtype=dtype)
        v += base
    else:
        uniform(rng, v)
        np.less(v, sigmoid(base.copy()), out=v)

    a = np.empty((n_chains, n_hidden), dtype=dtype)
    x = np.empty_like(a)
    buf = np.empty_like(a)
    buf2 = np.empty_like(a)
    e = np.empty_like(a)
    abs_a = np.empty_like(a)
    m = np.empty((n_chains, n_visible), dtype=dtype)
    log_w = np.zeros(n_chains, dtype=np.float64)
    np.matmul(v, W, out=a)
    a += c
    neg_base_mix = np.empty_like(b)
    for k in range(1, betas.size):
        beta_prev, beta = betas[k - 1], betas[k]
        # log w += log p*_k(v) - log p*_{k-1}(v) for the state v left by T_{k-1}.
        # The hidden part is sum_j softplus(beta a_j) - softplus(beta' a_j) with
        # softplus(x) = max(x, 0) + log1p(exp(-|x|)): the max terms give
        # (beta - beta') sum_j max(a_j, 0) with 2 max(a, 0) = a + |a| (exact in
        # floating point), and |beta a| = beta |a|.  Row sums are float32
        # (pairwise summation), accumulated into float64 log weights.
        np.abs(a, out=abs_a)
        np.add(a, abs_a, out=buf)
        hidden = (0.5 * (beta - beta_prev)) * buf.sum(axis=1).astype(np.float64)
        np.multiply(abs_a, -beta, out=e)
        np.exp(e, out=e)  # exp(-beta |a|), reused by the transition below
        np.log1p(e, out=buf)
        np.multiply(abs_a, -beta_prev, out=buf2)
        np.exp(buf2, out=buf2)
        np.log1p(buf2, out=buf2)
        buf -= buf2
        hidden += buf.sum(axis=1)
        delta = v @ bmb
        if gaussian:
            delta -= half_sq
        log_w += (beta - beta_prev) * delta + hidden
        if k == betas.size - 1:
            break
        # transition T_k leaving p*_k invariant: h ~ P_k(h | v), v ~ P_k(v | h).
        # u < sigmoid(beta a)  <=>  u (1 + exp(-beta a)) < 1, and exp(-beta a) is e
        # for a >= 0 and 1/e below: u (1 + e) < (1 if a >= 0 else e) = max(e, [a >= 0])
        np.add(e, 1.0, out=buf)
        uniform(rng, x)
        x *= buf
        np.greater_equal(a, 0.0, out=buf2)
        np.maximum(buf2, e, out=buf2)
        np.less(x, buf2, out=x)
        x *= beta  # h scaled by beta for the product below
        np.matmul(x, WT, out=m)  # beta * W h
        # mean input of v: beta (b + W h) + (1 - beta) base
        np.multiply(b, -beta, out=neg_base_mix)
        neg_base_mix -= (1.0 - beta) * base
        if generic:
            m -= neg_base_mix
            units.sample(units.mean(m), rng, out=v)
        elif gaussian:
            rng.standard_normal(out=v, dtype=dtype)
            v -= neg_base_mix
            v += m
        else:
            np.subtract(neg_base_mix, m, out=m)  # -(input)
            sample_sigmoid_of_negated(m, v, rng)
        np.matmul(v, W, out=a)
        a += c
    return log_w


def anneal_dbm(n_chains, rng, *, Ws, bs, base, base_h, betas, units):
    """Log importance weights of ``n_chains`` AIS runs on a DBM (the inner loop
    of :func:`deepbelief.math.ais.dbm_ais_log_partition`).

    The state is the even layers; the odd ones are summed out of
    ``log p*_beta`` and sampled in each transition.  ``base_h`` maps each even
    hidden layer to its base-model bias.
    """
    dtype = Ws[0].dtype
    L = len(Ws)
    sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
    odd, even_hidden = list(range(1, L + 1, 2)), list(range(2, L + 1, 2))
    WTs = [np.ascontiguousarray(W.T) for W in Ws]
    binary_v = units.name == "bernoulli"  # a loop of its own; other types via the registry
    bmb_h = {l: bs[l] - base_h[l] for l in even_hidden}
    bmb = (bs[0] - base).astype(dtype)
    # term(v, b_0) - term(v, base) is linear in v: v . (b_0 - base) - its value at v = 0
    half_sq = float(units.term(np.zeros((1, sizes[0])), base.astype(np.float64))[0]
                    - units.term(np.zeros((1, sizes[0])), bs[0].astype(np.float64))[0])

    def bernoulli(p, out):
        uniform(rng, out)
        return np.less(out, p, out=out)

    layers = [np.empty((n_chains, n), dtype=dtype) for n in sizes]
    if binary_v:
        bernoulli(sigmoid(base.copy()), layers[0])
    else:
        units.sample(units.mean(np.repeat(base[None, :], n_chains, axis=0)), rng,
                     out=layers[0])
    for l in even_hidden:
        bernoulli(sigmoid(base_h[l].copy()), layers[l])

    def odd_input(l):
        a = layers[l - 1] @ Ws[l - 1]
        if l < L:
            a += layers[l + 1] @ WTs[l]
        a += bs[l]
        return a

    log_w = np.zeros(n_chains, dtype=np.float64)
    for k in range(1, betas.size):
        beta_prev, beta = betas[k - 1], betas[k]
        # linear-in-beta terms of the even layers, then the summed-out odd units
        linear = layers[0] @ bmb - half_sq
        for l in even_hidden:
            linear += layers[l] @ bmb_h[l]
        log_w += (beta - beta_prev) * linear
        inputs = [odd_input(l) for l in odd]
        for a in inputs:
            log_w += (np.logaddexp(0.0, beta * a) - np.logaddexp(0.0, beta_prev * a)).sum(
                axis=1, dtype=np.float64)
        if k == betas.size - 1:
            break
        for l, a in zip(odd, inputs):
            a *= beta
            bernoulli(sigmoid(a, out=a), layers[l])
        # even layers given the odd ones, at beta; v mixes in the base model
        m = layers[1] @ WTs[0]
        m += bs[0]
        m *= beta
        m += (1.0 - beta) * base
        if binary_v:
            bernoulli(sigmoid(m, out=m), layers[0])
        else:
            units.sample(units.mean(m), rng, out=layers[0])
        for l in even_hidden:
            a = layers[l - 1] @ Ws[l - 1]
            if l < L:
                a += layers[l + 1] @ WTs[l]
            a += bs[l]
            a *= beta
            a += (1.0 - beta) * base_h[l]
            bernoulli(sigmoid(a, out=a), layers[l])
    return log_w
