"""information.py against scipy and numbers worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax as scipy_softmax
from scipy.stats import entropy as scipy_entropy

from dashboard import information as info
from dashboard.errors import SoftmaxLabError

VECTORS = [
    [2.0, 1.0, 0.1],
    [0.0],
    [-3.5, 0.0, 12.25, 7.0],
    [1000.0, 1001.0, 999.0],
    [-1000.0, -1001.0],
]
DISTRIBUTIONS = [
    [0.5, 0.5],
    [0.7, 0.2, 0.1],
    [1.0, 0.0, 0.0],
    [0.1, 0.2, 0.3, 0.4],
]


@pytest.mark.parametrize("z", VECTORS)
@pytest.mark.parametrize("temperature", [1.0, 0.25, 3.0])
def test_softmax_matches_scipy(z, temperature):
    expected = scipy_softmax(np.asarray(z) / temperature)
    np.testing.assert_allclose(info.softmax(z, temperature=temperature), expected, rtol=1e-12)


def test_softmax_is_stable_for_huge_scores():
    p = info.softmax([1e308, 0.0])
    np.testing.assert_allclose(p, [1.0, 0.0])
    assert np.all(np.isfinite(p))


def test_softmax_hand_worked():
    # e^1 / (e^1 + e^0) = e / (e + 1)
    np.testing.assert_allclose(info.softmax([1, 0]), [math.e / (math.e + 1), 1 / (math.e + 1)])


@pytest.mark.parametrize("temperature", [0, -1, float("nan"), float("inf"), "hot"])
def test_softmax_rejects_bad_temperature(temperature):
    with pytest.raises(SoftmaxLabError, match="temperature"):
        info.softmax([1, 2], temperature=temperature)


@pytest.mark.parametrize("p", DISTRIBUTIONS)
@pytest.mark.parametrize(
    ("base", "scipy_base"), [(2, 2), ("bits", 2), (math.e, None), ("nats", None)]
)
def test_entropy_matches_scipy(p, base, scipy_base):
    assert info.entropy(p, base) == pytest.approx(scipy_entropy(p, base=scipy_base), abs=1e-12)
    assert info.entropy_terms(p, base).sum() == pytest.approx(info.entropy(p, base))


def test_entropy_hand_worked():
    assert info.entropy([0.5, 0.25, 0.25]) == pytest.approx(1.5)
    assert info.entropy([1 / 8] * 8) == pytest.approx(3.0)
    np.testing.assert_allclose(info.entropy_terms([0.5, 0.25, 0.25, 0.0]), [0.5, 0.5, 0.5, 0.0])


@pytest.mark.parametrize("p", DISTRIBUTIONS)
@pytest.mark.parametrize("q", [[0.25, 0.75], [0.2, 0.3, 0.5], [0.4, 0.3, 0.2, 0.1]])
def test_cross_entropy_and_kl_match_scipy(p, q):
    if len(p) != len(q):
        with pytest.raises(SoftmaxLabError, match="different lengths"):
            info.cross_entropy(p, q)
        return
    kl_ref = scipy_entropy(p, q, base=2)
    h_ref = scipy_entropy(p, base=2)
    assert info.kl_divergence(p, q) == pytest.approx(kl_ref, abs=1e-12)
    assert info.cross_entropy(p, q) == pytest.approx(h_ref + kl_ref, abs=1e-12)
    assert info.cross_entropy_terms(p, q, "nats").sum() == pytest.approx(
        scipy_entropy(p) + scipy_entropy(p, q)
    )
    assert info.kl_divergence_terms(p, q).sum() == pytest.approx(kl_ref, abs=1e-12)


def test_cross_entropy_hand_worked():
    # one-hot true class with q = 0.7: -ln 0.7 nats, -log2 0.7 bits
    assert info.cross_entropy([0, 1, 0], [0.2, 0.7, 0.1], "nats") == pytest.approx(-math.log(0.7))
    assert info.cross_entropy([0, 1, 0], [0.2, 0.7, 0.1]) == pytest.approx(-math.log2(0.7))
    np.testing.assert_allclose(
        info.cross_entropy_terms([0.5, 0.5], [0.25, 0.75]), [1.0, -0.5 * math.log2(0.75)]
    )
    assert info.kl_divergence([0.3, 0.7], [0.3, 0.7]) == 0.0


def test_zero_q_where_p_positive_is_explained():
    with pytest.raises(SoftmaxLabError, match="infinite") as err:
        info.cross_entropy([0.5, 0.5], [1.0, 0.0])
    assert err.value.where == "q, entry 2"
    with pytest.raises(SoftmaxLabError, match="infinite"):
        info.kl_divergence([0.5, 0.5], [0.0, 1.0])
    # q = 0 where p = 0 is fine: that outcome never happens
    assert info.cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0


@pytest.mark.parametrize(
    ("p", "match", "where"),
    [
        ([], "empty", "distribution p"),
        ([0.5, -0.5, 1.0], "negative", "distribution p, entry 2"),
        ([0.5, "a", 0.5], "not a number", "distribution p, entry 2"),
        ([0.5, None, 0.5], "not a number", "distribution p, entry 2"),
        ([0.5, float("nan")], "finite", "distribution p, entry 2"),
        ([0.5, 0.4], "adds up to 0.9", "distribution p"),
        ([2.0, -1.0], "negative", "distribution p, entry 2"),
        ([1.5, 0.0], "exceed 1", "distribution p, entry 1"),
        ("0.5, 0.5", "text", "distribution p"),
        ([[0.5, 0.5]], "one list", "distribution p"),
        ([True, False], "not a number", "distribution p, entry 1"),
    ],
)
def test_entropy_validation(p, match, where):
    with pytest.raises(SoftmaxLabError, match=match) as err:
        info.entropy(p)
    assert err.value.where == where


def test_tolerance_for_rounded_numbers():
    info.entropy([0.3333333, 0.3333333, 0.3333334])
    with pytest.raises(SoftmaxLabError, match="adds up to 0.999"):
        info.entropy([0.333, 0.333, 0.333])
    assert info.entropy([0.333, 0.333, 0.333], tolerance=0.01) > 0


@pytest.mark.parametrize("base", [10, 1, "decibans", None])
def test_unknown_bases_rejected(base):
    with pytest.raises(SoftmaxLabError):
        info.entropy([0.5, 0.5], base)


def test_unit_name():
    assert info.unit_name(2) == "bits"
    assert info.unit_name(math.e) == "nats"
    assert info.unit_name(np.e) == "nats"
    assert info.unit_name("Bits") == "bits"


def test_normalise():
    np.testing.assert_allclose(info.normalise([2, 6]), [0.25, 0.75])
    np.testing.assert_allclose(info.normalise([0, 5, 0]), [0, 1, 0])
    with pytest.raises(SoftmaxLabError, match="All the numbers are 0"):
        info.normalise([0, 0])
    with pytest.raises(SoftmaxLabError, match="entry 2"):
        info.normalise([1, -1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2, 1, 0.1", [2, 1, 0.1]),
        ("2 1\t0.1\n", [2, 1, 0.1]),
        ("2;1;;0.1", [2, 1, 0.1]),
        ("\u22121.5, \u20133", [-1.5, -3]),
        ("\uff11\uff0e\uff15, 2", [1.5, 2]),  # full-width 1.5
        ("1e-3, 1_000", [0.001, 1000]),
        ("  7  ", [7]),
    ],
)
def test_parse_numbers(text, expected):
    np.testing.assert_allclose(info.parse_numbers(text), expected)


@pytest.mark.parametrize(
    ("text", "match", "where"),
    [
        ("", "No numbers", "numbers"),
        (" , ; ", "No numbers", "numbers"),
        ("1, 2, x3", "'x3' is not a number", "entry 3"),
        ("1, nan", "'nan' is not a number", "entry 2"),
        ("inf", "'inf' is not a number", "entry 1"),
        ("50%, 50%", "percentages", "entry 1"),
    ],
)
def test_parse_numbers_errors(text, match, where):
    with pytest.raises(SoftmaxLabError, match=match) as err:
        info.parse_numbers(text)
    assert err.value.where == where


def test_parse_numbers_limit():
    with pytest.raises(SoftmaxLabError, match="at most 3"):
        info.parse_numbers("1 2 3 4", max_entries=3)


def test_can_normalise():
    assert info.can_normalise([1, 1, 2])
    assert info.can_normalise([0.333, 0.333, 0.333])
    assert not info.can_normalise([0.5, 0.5])
    assert not info.can_normalise([0, 0])
    assert not info.can_normalise([0.5, -0.5, 1.0])
    assert not info.can_normalise([])
    assert not info.can_normalise(["a", 1])
    # after normalising, the entropy is accepted
    assert info.entropy(info.normalise([1, 1, 2])) == pytest.approx(1.5)


# --- properties that must hold for any input ---------------------------------------------------


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
weights = st.lists(st.floats(min_value=0.0, max_value=1e3), min_size=1, max_size=20).filter(
    lambda w: sum(w) > 1e-9
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    z=st.lists(finite, min_size=1, max_size=20),
    shift=finite,
    t=st.floats(min_value=0.01, max_value=100),
)
def test_softmax_properties(z, shift, t):
    p = info.softmax(z, temperature=t)
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(
        info.softmax(np.asarray(z) + shift, temperature=t), p, atol=1e-6
    )  # adding a constant to every score changes nothing
    np.testing.assert_allclose(p, scipy_softmax(np.asarray(z) / t), atol=1e-12)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(a=weights, b=weights)
def test_information_inequalities(a, b):
    n = min(len(a), len(b))
    p = info.normalise(a[:n] if sum(a[:n]) > 1e-9 else [1.0] * n)
    q = info.normalise(np.asarray(b[:n]) + 1e-3)  # q > 0 everywhere
    h = info.entropy(p)
    assert -1e-12 <= h <= np.log2(n) + 1e-9
    assert info.cross_entropy(p, q) >= h - 1e-9  # Gibbs' inequality
    assert info.kl_divergence(p, q) == pytest.approx(info.cross_entropy(p, q) - h, abs=1e-9)
    assert info.entropy(p, "nats") == pytest.approx(h * np.log(2), abs=1e-12)
