"""
==========================
Sampling digits from a DBN
==========================

A DBN is a generative model: :meth:`deepbelief.DBN.sample` runs Gibbs chains in
the top RBM (an associative memory over the top two layers) and passes the
result down through the lower layers' generative weights.
"""

# %%
import matplotlib.pyplot as plt

from deepbelief import DBN
from deepbelief.datasets import binarize_stochastic, load_digits_unit
from deepbelief.plotting import plot_filters

X, _ = load_digits_unit()
X = binarize_stochastic(X, random_state=0)
dbn = DBN(hidden_layer_sizes=(200, 100), n_iter=40, batch_size=10, learning_rate=0.05,
          method="pcd", random_state=0).fit(X)

# %%
samples = dbn.sample(49, n_steps=1000, random_state=0)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 4.5))
plot_filters(X[:49], shape=(8, 8), ax=ax1, title="training digits")
plot_filters(samples, shape=(8, 8), ax=ax2, title="DBN samples")
