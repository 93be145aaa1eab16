"""
=====================================================
RBM features for digit classification, and likelihood
=====================================================

An :class:`deepbelief.RBM` learns features of the 8x8 digits without labels;
a logistic regression on those features is compared with one on raw pixels
(the baseline).  Unlike scikit-learn's ``BernoulliRBM``, the model also reports
its true log-likelihood: ``log Z`` is enumerated exactly here (16 hidden units)
and estimated by AIS for the larger model.
"""

# %%
# Data: digits scaled to [0, 1]
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from deepbelief import RBM
from deepbelief.datasets import load_digits_unit
from deepbelief.plotting import plot_filters, plot_history

X, y = load_digits_unit()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

# %%
# Baseline and RBM features
raw = LogisticRegression(C=100, max_iter=2000).fit(X_train, y_train)
pipe = Pipeline([
    ("rbm", RBM(n_components=100, method="cd", learning_rate=0.05, batch_size=20, n_iter=20,
                momentum=0.5, random_state=0)),
    ("logistic", LogisticRegression(C=100, max_iter=2000)),
]).fit(X_train, y_train)
print(f"raw pixels:   test accuracy {raw.score(X_test, y_test):.3f}")
print(f"RBM features: test accuracy {pipe.score(X_test, y_test):.3f}")

# %%
# Log-likelihood: exact for a 16-hidden model, AIS for the 100-hidden one
small = RBM(n_components=16, method="cd", learning_rate=0.05, batch_size=20, n_iter=20,
            momentum=0.5, random_state=0).fit(X_train)
print(f"16 hidden, exact log Z: test log-likelihood {small.score(X_test):.2f} nats")
rbm = pipe.named_steps["rbm"]
log_z, (low, high) = rbm.log_partition("ais", n_betas=3000, return_bounds=True)
ll = -rbm.free_energy(X_test).mean() - log_z
print(f"100 hidden, AIS log Z in [{low:.2f}, {high:.2f}]: test log-likelihood {ll:.2f} nats")

# %%
# Filters and learning curve
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 4))
plot_filters(rbm.components_, shape=(8, 8), ax=ax1, title="100 RBM filters")
plot_history(rbm.history_, "reconstruction_error", ax=ax2)
fig.tight_layout()
