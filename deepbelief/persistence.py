"""Saving and loading fitted models.

``pickle`` and ``joblib`` round trips are exact (every array, the random
generator, the optimizer state: a loaded model predicts, samples and
continues training as the saved one would), but unpickling runs whatever
code the file names, so load pickles only from sources you trust.

``skops.io`` is the safe path: its files hold data and the names of the
types to rebuild, and loading refuses any type not explicitly trusted.
:func:`save` and :func:`load` wrap it: :func:`load` trusts the types a
deepbelief model is made of (:data:`TRUSTED_TYPES`, on top of the numpy and
scikit-learn types skops trusts by default) and refuses a file holding any
other unless you name it in ``trusted`` after inspecting it.

Every fitted estimator stores the deepbelief version that saved it; loading
it under another version warns
(:class:`~deepbelief.errors.InconsistentVersionWarning`).

Examples
--------
>>> import tempfile, os
>>> from sklearn.datasets import load_digits
>>> from deepbelief import DBNClassifier
>>> from deepbelief.persistence import load, save
>>> X, y = load_digits(return_X_y=True)
>>> clf = DBNClassifier((32,), pretrain_n_iter=2, max_iter=5, random_state=0).fit(X / 16, y)
>>> path = os.path.join(tempfile.mkdtemp(), "dbn.skops")
>>> save(clf, path)
>>> (load(path).predict(X / 16) == clf.predict(X / 16)).all()
np.True_
"""

import importlib

#: the full names of the types a fitted deepbelief model is made of
TRUSTED_TYPES = (
    "deepbelief.estimators.autoencoder.StackedAutoencoder",
    "deepbelief.estimators.autoencoder_nets.StackedAutoencoderClassifier",
    "deepbelief.estimators.autoencoder_nets.StackedAutoencoderRegressor",
    "deepbelief.estimators.dbm.DBM",
    "deepbelief.estimators.dbm_classifier.DBMClassifier",
    "deepbelief.estimators.dbn.DBN",
    "deepbelief.estimators.dbn_nets.DBNClassifier",
    "deepbelief.estimators.dbn_nets.DBNRegressor",
    "deepbelief.estimators.deepnet.DeepNetClassifier",
    "deepbelief.estimators.deepnet.DeepNetRegressor",
    "deepbelief.estimators.rbm.RBM",
    "deepbelief.training.dbm_learning.DBMState",
)


def _skops_io():
    try:
        return importlib.import_module("skops.io")
    except ImportError as error:
        raise ImportError("deepbelief.persistence needs skops: pip install 'deepbelief[skops]' "
                          "(or pip install skops).") from error


def save(estimator, file):
    """Write ``estimator`` (fitted or not) to ``file`` (a path or a binary file) with ``skops.io``."""
    _skops_io().dump(estimator, file)


def untrusted_types(file):
    """The types ``file`` holds that :func:`load` would refuse: those that are
    neither trusted by skops by default nor in :data:`TRUSTED_TYPES`."""
    return [t for t in _skops_io().get_untrusted_types(file=file) if t not in TRUSTED_TYPES]


def load(file, trusted=()):
    """Read a model written by :func:`save` (or ``skops.io.dump``).

    Parameters
    ----------
    file : str, path-like or binary file
    trusted : sequence of str
        More type names to trust, beyond :data:`TRUSTED_TYPES` (a pipeline's
        other steps, say), after inspecting them (:func:`untrusted_types`).

    Raises
    ------
    ValueError
        When the file holds a type neither deepbelief's nor in ``trusted``;
        nothing of the file's code is run.
    """
    sio = _skops_io()
    if hasattr(file, "read"):
        file = file.read()
        listed = sio.get_untrusted_types(data=file)
    else:
        listed = sio.get_untrusted_types(file=file)
    unknown = [t for t in listed if t not in TRUSTED_TYPES and t not in trusted]
    if unknown:
        raise ValueError(f"The file holds types that are not deepbelief's: {unknown}. Inspect "
                         "them and, if you trust them, pass them as trusted=[...].")
    if isinstance(file, bytes):
        return sio.loads(file, trusted=listed)
    return sio.load(file, trusted=listed)
