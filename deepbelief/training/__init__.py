"""Training: one epoch loop and what runs through it.

:mod:`~deepbelief.training.loop` is the loop (schedule, minibatches,
snapshot and restore, divergence, history, verbose output);
:mod:`~deepbelief.training.optimizers` the composable optimizers;
:mod:`~deepbelief.training.budget` the data-scaled defaults.  The learners:
contrastive divergence, the DBM's stochastic approximation, the autoencoder
layer, backpropagation and conjugate gradient, and greedy layer-wise stacking.
"""
