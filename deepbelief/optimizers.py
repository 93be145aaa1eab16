"""Learning-rate schedules (and, with the feed-forward engine, optimizers).

Schedules are plain functions of the epoch index so that every training loop
shares them; strings name them in estimator parameters.
"""

LEARNING_RATE_SCHEDULES = ("constant", "linear", "invscaling")


def scheduled_learning_rate(schedule, learning_rate, epoch, n_epochs, power_t=0.5):
    """Learning rate for epoch ``epoch`` (0-based) of ``n_epochs``.

    ``"constant"``: ``lr``; ``"linear"``: ``lr * (1 - epoch / n_epochs)``, which
    reaches ``lr / n_epochs`` in the last epoch and stays there afterwards;
    ``"invscaling"``: ``lr / (epoch + 1) ** power_t``.
    """
    if schedule == "constant":
        return learning_rate
    if schedule == "linear":
        n_epochs = max(int(n_epochs), 1)
        return learning_rate * (n_epochs - min(epoch, n_epochs - 1)) / n_epochs
    if schedule == "invscaling":
        return learning_rate / (epoch + 1.0) ** power_t
    raise ValueError(
        f"Unknown learning-rate schedule {schedule!r}; expected one of "
        f"{LEARNING_RATE_SCHEDULES}."
    )
