"""
==============================================================
DBN pretraining vs random initialisation of a deep sigmoid net
==============================================================

The same 5 x 100 sigmoid net, the same fine-tuning budget (SGD with momentum,
15 epochs), three starting points: small random weights N(0, 0.01^2) (the
classic failure), Glorot initialisation, and greedy RBM pretraining
(:class:`deepbelief.DBNClassifier`).  A ReLU net with He initialisation is the
modern baseline.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from deepbelief import DBNClassifier, DeepNetClassifier
from deepbelief.datasets import load_digits_unit

warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits_unit()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                    stratify=y)
budget = dict(hidden_layer_sizes=(100,) * 5, solver="momentum", learning_rate_init=0.1,
              batch_size=10, max_iter=15, random_state=0)

# %%
models = {
    "sigmoid, N(0, 0.01^2)": DBNClassifier(pretrain=False, init="normal", **budget),
    "sigmoid, Glorot": DBNClassifier(pretrain=False, init="glorot_uniform", **budget),
    "sigmoid, DBN-pretrained": DBNClassifier(pretrain_n_iter=20, pretrain_batch_size=10,
                                             pretrain_learning_rate=0.1, **budget),
    "ReLU, He": DeepNetClassifier(activation="relu", init="he_normal",
                                  **{**budget, "learning_rate_init": 0.05}),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    print(f"{name:26s} test accuracy {model.score(X_test, y_test):.3f}")

# %%
# Learning curves: the randomly initialised sigmoid nets barely move
fig, ax = plt.subplots(figsize=(6, 4))
for name, model in models.items():
    ax.semilogy(model.loss_curve_, label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend()
