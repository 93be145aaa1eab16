"""The package's exceptions, on the ground floor so that every layer can raise them."""


class TrainingDivergedError(FloatingPointError):
    """Training produced non-finite parameters or a non-finite loss.

    Raised by every training loop (:func:`deepbelief.training.loop.run_epochs`) after
    the parameters of the last finite epoch have been restored, so the model
    is left as it was after that epoch.
    """


class InconsistentVersionWarning(UserWarning):
    """A model saved (pickle, joblib, ``skops.io``) under one deepbelief
    version was loaded under another: it may not work, or not give the same
    results.  Refit it, or load it under the version that saved it
    (``original_version``)."""

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version
        super().__init__(
            f"{estimator_name} model saved under deepbelief {original_version} loaded "
            f"under deepbelief {current_version}; it may not work or give other results. "
            "Refit it, or load it under the version that saved it.")
