"""The vanishing-gradient lab: greedy pretraining beside the modern remedies.

``run_study`` trains every method at every depth on the same data with the
same fine-tuning budget and returns the measurements; ``write_report`` turns
them into a Markdown report with PNG figures.  ``python -m deepbelief`` runs
both.
"""

from .configs import METHODS, OPTIMIZER_SETTINGS, StudyConfig
from .report import results_table, write_report
from .runner import label_budget_study, load_dataset, run_study
from .selection import choose_learning_rate, choose_step, fit_and_score

__all__ = ["METHODS", "OPTIMIZER_SETTINGS", "StudyConfig", "run_study", "label_budget_study",
           "load_dataset", "results_table", "write_report", "choose_learning_rate",
           "choose_step", "fit_and_score"]
