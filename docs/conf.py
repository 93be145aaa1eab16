"""Sphinx configuration.  Builds offline: no intersphinx fetches."""

import deepbelief

project = "deepbelief"
author = "The deepbelief developers"
release = version = deepbelief.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build"]
html_theme = "pydata_sphinx_theme"
intersphinx_mapping = {}
