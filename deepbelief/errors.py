"""The package's exceptions, on the ground floor so that every layer can raise them."""


class TrainingDivergedError(FloatingPointError):
    """Training produced non-finite parameters or a non-finite loss.

    Raised by every training loop (:func:`deepbelief.training.loop.run_epochs`) after
    the parameters of the last finite epoch have been restored, so the model
    is left as it was after that epoch.
    """
