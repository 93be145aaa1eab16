"""The reference math: pure array functions named after the quantity they compute.

Unit types (:mod:`~deepbelief.math.units`), RBM energies and conditionals
(:mod:`~deepbelief.math.energy`), exact and annealed partition functions
(:mod:`~deepbelief.math.partition`, :mod:`~deepbelief.math.ais`), the DBM's
(:mod:`~deepbelief.math.dbm_energy`, :mod:`~deepbelief.math.dbm_partition`),
activations, initializers, the feed-forward net and the autoencoder layer.
Nothing here keeps state or loops over epochs.
"""
