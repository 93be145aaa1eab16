"""The scikit-learn estimators (re-exported by :mod:`deepbelief`)."""
