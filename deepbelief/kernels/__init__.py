"""Backend kernels: every speed trick of one array library, on the ground floor.

:mod:`~deepbelief.kernels.numpy_kernels` is the numpy backend (raw-bit
uniforms, the 16-bit Bernoulli grid, ``out=`` buffers, the AIS chain loop and
its thread split).  The reference math of :mod:`deepbelief.math` holds each
kernel to account in the fast-versus-reference tests; a torch or CuPy backend
is another module here, held to the same tests.
"""
