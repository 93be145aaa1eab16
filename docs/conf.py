"""Sphinx configuration.  Builds offline: intersphinx is not enabled, so nothing
is fetched; the gallery runs the examples on the bundled digits."""

import os

import deepbelief

os.environ.setdefault("MPLBACKEND", "Agg")

project = "deepbelief"
author = "The deepbelief developers"
copyright = "2026, the deepbelief developers"
release = version = deepbelief.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
exclude_patterns = ["_build", "generated/*.examples", "*_results.rst"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False}
html_static_path = []
templates_path = ["_templates"]
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}
suppress_warnings = ["config.cache"]


def _skip_metadata_requests(app, what, name, obj, skip, options):
    """Hide scikit-learn's generated ``set_*_request`` methods (metadata routing)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
