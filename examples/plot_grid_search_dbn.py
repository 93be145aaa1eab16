"""
====================================
Grid search over a DBN in a pipeline
====================================

:class:`deepbelief.DBNClassifier` is a scikit-learn estimator: it goes into a
:class:`~sklearn.pipeline.Pipeline` (here after a
:class:`~sklearn.preprocessing.MinMaxScaler`, since Bernoulli visible units
need data in [0, 1]) and :class:`~sklearn.model_selection.GridSearchCV` tunes
both its pretraining and its fine-tuning parameters.
"""

# %%
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from deepbelief import DBNClassifier

warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
pipe = Pipeline([
    ("scale", MinMaxScaler()),
    ("dbn", DBNClassifier(hidden_layer_sizes=(64,), pretrain_batch_size=10, batch_size=10,
                          max_iter=10, random_state=0)),
])
grid = GridSearchCV(pipe, {"dbn__hidden_layer_sizes": [(64,), (128, 64)],
                           "dbn__pretrain_n_iter": [2, 10]}, cv=3)
grid.fit(X_train, y_train)
print("best parameters:", grid.best_params_)
print(f"cross-validated accuracy {grid.best_score_:.3f}, test accuracy "
      f"{grid.score(X_test, y_test):.3f}")
