"""scikit-learn's estimator checks on RBM.

The checks feed data from ``make_blobs`` and friends, with values outside
[0, 1].  Bernoulli visible units reject such data by design (a ValueError that
names the range), so with ``visible="bernoulli"`` the checks that fit on it are
expected to fail, and :func:`test_bernoulli_expected_failures_are_the_range_check`
verifies that each of them fails for that reason and no other.  With
``visible="gaussian"`` the same estimator code (fit, partial_fit, transform,
pickling, dtype handling, ...) runs every check, all of which must pass.
"""

import warnings

from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks

from deepbelief import RBM

RANGE_REASON = (
    "the check's data lies outside [0, 1], which Bernoulli visible units reject "
    "with a ValueError by design; the same code runs these checks with "
    "visible='gaussian'"
)
RANGE_CHECKS = {
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit",
    "check_estimators_dtypes",
    "check_pipeline_consistency",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_dict_unchanged",
    "check_fit_idempotent",
    "check_fit_check_is_fitted",
    "check_n_features_in",
    "check_fit2d_predict1d",
}


def _expected_failures(estimator):
    if estimator.visible == "bernoulli":
        return {name: RANGE_REASON for name in RANGE_CHECKS}
    return {}


ESTIMATORS = [
    RBM(n_components=8, n_iter=3, visible="gaussian", learning_rate=0.01, random_state=0),
    RBM(n_components=4, n_iter=2, visible="gaussian", method="cd", k=2, momentum=0.5,
        learning_rate=0.01, weight_decay=1e-3, random_state=0),
    RBM(n_components=8, n_iter=3, random_state=0),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _exception_chain(e):
    while e is not None:
        yield e
        e = e.__cause__ or e.__context__


def test_bernoulli_expected_failures_are_the_range_check():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(RBM(n_components=8, n_iter=3, random_state=0), on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    assert failed == RANGE_CHECKS
    for r in results:
        if r["status"] == "failed":
            messages = [str(e) for e in _exception_chain(r["exception"])]
            assert any("need data in [0, 1]" in m for m in messages), (r["check_name"], messages)
