"""The shared parameter blocks: one definition per parameter, explicit signatures."""

import inspect

import pytest
from sklearn.base import clone

import deepbelief
from deepbelief.estimators import _params


def test_make_init_builds_an_explicit_storing_signature():
    block = {"a": (1, ["boolean"]), "b": ("x", [None])}

    class Est:
        __init__ = _params.make_init({"first": (0, [None])}, block, positional="first", b="y")

    sig = inspect.signature(Est.__init__)
    assert list(sig.parameters) == ["self", "first", "a", "b"]
    assert sig.parameters["first"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert sig.parameters["a"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["b"].default == "y"
    est = Est(5, a=2)
    assert (est.first, est.a, est.b) == (5, 2, "y")
    with pytest.raises(TypeError):
        Est(5, 6)  # keyword-only beyond the first
    with pytest.raises(TypeError, match="no block has"):
        _params.make_init(block, positional=None, c=1)


@pytest.mark.parametrize("name", deepbelief.__all__[:-1])
def test_every_estimator_takes_exactly_its_constrained_parameters(name):
    cls = getattr(deepbelief, name)
    params = set(inspect.signature(cls.__init__).parameters) - {"self"}
    assert params == set(cls._parameter_constraints)
    est = cls()
    assert clone(est).get_params() == est.get_params()


def test_the_stacks_share_one_definition_of_greedy_cd():
    # the DBN nets' and the DBM's pretraining RBMs take the same defaults
    dbn = deepbelief.DBNClassifier().get_params()
    dbm = deepbelief.DBM().get_params()
    for name in _params.GREEDY_CD:
        assert dbn[name] == dbm[name] == _params.GREEDY_CD[name][0]
    # and the DBN transformer the same values without the prefix
    stack = deepbelief.DBN().get_params()
    for name in _params.GREEDY_CD:
        assert stack[name.removeprefix("pretrain_")] == dbn[name]
