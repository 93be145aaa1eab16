"""The reference math on the array API standard: every conditional and energy
of deepbelief.energy computed on ``array_api_strict`` arrays (which allow
nothing beyond the standard) agrees with the numpy kernels, in float32 and
float64, and stays in the caller's namespace and dtype."""

import numpy as np
import pytest

from deepbelief import energy

xs = pytest.importorskip("array_api_strict")

FUNCTIONS = {
    "mean_hiddens": lambda v, h, W, b, c, vis: energy.mean_hiddens(v, W, c),
    "mean_visibles": lambda v, h, W, b, c, vis: energy.mean_visibles(h, W, b, vis),
    "energy": lambda v, h, W, b, c, vis: energy.energy(v, h, W, b, c, vis),
    "free_energy": lambda v, h, W, b, c, vis: energy.free_energy(v, W, b, c, vis),
    "free_energy_hidden": lambda v, h, W, b, c, vis: energy.free_energy_hidden(h, W, b, c, vis),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reference_math_on_strict_arrays_matches_numpy(name, visible, dtype):
    rng = np.random.default_rng(0)
    W = rng.normal(0, 3, (6, 4)).astype(dtype)  # large inputs: the stable forms matter
    b, c = rng.normal(size=6).astype(dtype), rng.normal(size=4).astype(dtype)
    v = ((rng.random((5, 6)) < 0.5) * 1.0).astype(dtype)
    if visible == "gaussian":
        v = rng.normal(size=(5, 6)).astype(dtype)
    h = ((rng.random((5, 4)) < 0.5) * 1.0).astype(dtype)
    args = (v, h, W, b, c)
    want = FUNCTIONS[name](*(a.copy() for a in args), visible)
    got = FUNCTIONS[name](*(xs.asarray(a) for a in args), visible)
    assert type(got).__module__.startswith("array_api_strict")
    assert got.dtype == xs.asarray(want).dtype
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(got), want, **tol)
