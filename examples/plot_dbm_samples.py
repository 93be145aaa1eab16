"""
=====================================================
Sampling digits from a deep Boltzmann machine
=====================================================

A DBM is a generative model with top-down *and* bottom-up interactions:
:meth:`deepbelief.DBM.sample` runs block-Gibbs chains (odd layers given even
ones, then even given odd) and returns the visible means of the last sweep.
The variational lower bound on the log-likelihood grows with joint training;
the left panel shows it on held-out digits (``log Z`` exact for this small model
would need 2^64 terms, so AIS estimates it).
"""

# %%
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from deepbelief import DBM
from deepbelief.datasets import binarize_stochastic, load_digits_unit
from deepbelief.plotting import plot_filters

X, _ = load_digits_unit()
X = binarize_stochastic(X, random_state=0)
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
dbm = DBM(hidden_layer_sizes=(100, 64), pretrain_n_iter=20, pretrain_batch_size=20,
          pretrain_learning_rate=0.05, n_iter=0, batch_size=20, learning_rate=0.01,
          ais_betas=2000, random_state=0).fit(X_train)
epochs, bounds = [0], [dbm.score(X_test)]
dbm.set_params(warm_start=True, n_iter=10)
for _ in range(3):
    dbm.fit(X_train)
    epochs.append(dbm.n_iter_)
    bounds.append(dbm.score(X_test))
print("test bound (nats) after", dict(zip(epochs, [round(b, 2) for b in bounds])))

# %%
samples = dbm.sample(49, n_steps=500, random_state=0)
fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(13, 4.2))
ax0.plot(epochs, bounds, "o-")
ax0.set_xlabel("joint training epochs")
ax0.set_ylabel("test variational bound (nats)")
plot_filters(X_test[:49], shape=(8, 8), ax=ax1, title="held-out digits")
plot_filters(samples, shape=(8, 8), ax=ax2, title="DBM samples")
