"""
================================================
Gradient norms per layer: the vanishing gradient
================================================

Backprop multiplies one activation derivative per layer, and the sigmoid's is
at most 1/4: with small random weights the gradient that reaches the lower
layers of a deep sigmoid net is orders of magnitude smaller than at the top.
``history_["grad_norms_init"]`` records ``||dL/dW||`` of every layer before
training; after greedy pretraining, or with ReLU units and He initialisation,
the norms stay level.  (The right panel is after 3 epochs at one common step,
0.1: it shows how the gradients move, not which net is better; the study,
:doc:`/study`, compares them each at its own best step.)
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from deepbelief import DBNClassifier, DeepNetClassifier
from deepbelief.datasets import load_digits_unit
from deepbelief.plotting import legend_outside, method_style, plot_grad_norms

warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits_unit()
depth = dict(hidden_layer_sizes=(100,) * 6, solver="momentum", learning_rate_init=0.1,
             batch_size=20, max_iter=3, random_state=0)
study_name = {"sigmoid, N(0, 0.01^2)": "sigmoid_normal", "sigmoid, Glorot": "sigmoid_glorot",
              "sigmoid, batch norm": "sigmoid_batchnorm", "ReLU, He": "relu_he",
              "sigmoid, DBN-pretrained": "dbn"}  # the study's styles
nets = {
    "sigmoid, N(0, 0.01^2)": DeepNetClassifier(activation="sigmoid", init="normal", **depth),
    "sigmoid, Glorot": DeepNetClassifier(activation="sigmoid", init="glorot_uniform", **depth),
    "sigmoid, batch norm": DeepNetClassifier(activation="sigmoid", init="normal",
                                             batch_norm=True, **depth),
    "ReLU, He": DeepNetClassifier(activation="relu", init="he_normal", **depth),
    "sigmoid, DBN-pretrained": DBNClassifier(pretrain_n_iter=10, pretrain_batch_size=20, **depth),
}
for net in nets.values():
    net.fit(X, y)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
for name, net in nets.items():
    style = method_style(study_name[name])
    plot_grad_norms(net.history_["grad_norms_init"], ax=ax1, label=name, **style)
    plot_grad_norms(net.history_["grad_norms"][-1], ax=ax2, label=name, **style)
ax1.set_title("at initialisation (6 hidden layers)")
ax2.set_title("after 3 epochs at step 0.1")
legend_outside(ax2)
norms = nets["sigmoid, N(0, 0.01^2)"].history_["grad_norms_init"]
print("decay per layer, small-normal sigmoid net:",
      [round(b / a, 1) for a, b in zip(norms[1:-1], norms[2:])])
