"""
======================================================
A deep autoencoder against PCA
======================================================

The same code size, two encoders: PCA's linear projection, and a deep
autoencoder (64-32-8-32-64 with a linear 8-unit code) pretrained layer by layer
and fine-tuned on the reconstruction.  On the digits the autoencoder's
reconstructions are closer to the originals; on MNIST (``benchmarks/``) the
784-1000-500-250-30 version beats 30-component PCA by a wide margin.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from deepbelief import StackedAutoencoder
from deepbelief.datasets import load_digits_unit
from deepbelief.plotting import plot_filters

X, _ = load_digits_unit()
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
pca = PCA(8).fit(X_train)
R_pca = pca.inverse_transform(pca.transform(X_test))
ae = StackedAutoencoder((32, 8), activation="relu", code_activation="identity",
                        max_iter=200, learning_rate_init=3e-3, random_state=0).fit(X_train)
R_ae = ae.reconstruct(X_test)


def error(R):
    return np.mean(np.sum((X_test - R) ** 2, axis=1))


print(f"mean squared reconstruction error: PCA {error(R_pca):.3f}, autoencoder {error(R_ae):.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
plot_filters(X_test[:36], shape=(8, 8), ax=axes[0], title="held-out digits")
plot_filters(R_pca[:36], shape=(8, 8), ax=axes[1], title=f"PCA(8): {error(R_pca):.2f}")
plot_filters(R_ae[:36], shape=(8, 8), ax=axes[2], title=f"autoencoder: {error(R_ae):.2f}")
