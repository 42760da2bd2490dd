"""checks.py: leak, duplicate, small held-out part and grid-edge warnings, on fixtures made here
and on clean public tables, against references computed another way."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold, cross_val_predict, train_test_split
from sklearn.tree import DecisionTreeClassifier

from dashboard import checks
from dashboard.errors import SoftmaxLabError
from dashboard.samples import SAMPLES, load_sample

Z95 = 1.959963984540054


def _split(table: pd.DataFrame, target: str, seed: int = 0):
    """The held-out split as training makes it: 20 %, stratified, seeded."""
    X = table.drop(columns=target)
    y = table[target].astype(str).to_numpy()
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)


def _leaks(table: pd.DataFrame, target: str, seed: int = 0) -> dict[str, checks.DataWarning]:
    X_train, _, y_train, _ = _split(table, target, seed)
    found = checks.leak_warnings(X_train, y_train, target=target, random_state=seed)
    return {w.column: w for w in found}


# --- fixtures: tables with a leak ------------------------------------------------------------


def loan_table(n: int = 2_000, seed: int = 0) -> pd.DataFrame:
    """A loan table whose sub-grade ("B3") contains the target grade ("B")."""
    rng = np.random.default_rng(seed)
    grades = np.array(list("ABCDEFG"))
    grade = rng.choice(grades, size=n, p=[0.18, 0.28, 0.22, 0.15, 0.1, 0.05, 0.02])
    step = np.searchsorted(grades, grade)
    level = rng.integers(1, 6, size=n)
    return pd.DataFrame(
        {
            "loan_amount": rng.integers(1_000, 35_000, size=n).astype(float),
            "interest_rate": 6 + 3.0 * step + rng.normal(0, 2.5, size=n),
            "home_ownership": rng.choice(["RENT", "OWN", "MORTGAGE"], size=n),
            "sub_grade": [f"{g}{k}" for g, k in zip(grade, level, strict=True)],
            "annual_income": rng.lognormal(11, 0.5, size=n),
            "grade": grade,
        }
    )


def people_table(n: int = 400, seed: int = 1, *, disagree: int = 0) -> pd.DataFrame:
    """People with a target 'gender' and a synonym 'sex' under other labels ('M'/'F')."""
    rng = np.random.default_rng(seed)
    gender = rng.choice(["male", "female"], size=n)
    sex = np.where(gender == "male", "M", "F").astype(object)
    flip = rng.choice(n, size=disagree, replace=False)
    sex[flip] = np.where(sex[flip] == "M", "F", "M")
    male = gender == "male"
    return pd.DataFrame(
        {
            "height_cm": np.where(male, 178, 165) + rng.normal(0, 7, size=n),
            "mass_kg": np.where(male, 80, 65) + rng.normal(0, 12, size=n),
            "birth_year": rng.integers(1950, 2005, size=n),
            "eye_color": rng.choice(["brown", "blue", "green"], size=n),
            "sex": sex,
            "gender": gender,
        }
    )


def penguins_like(seed: int = 2) -> pd.DataFrame:
    """A table shaped like the Palmer penguins (means and spreads per species), with gaps."""
    rng = np.random.default_rng(seed)
    spec = {  # n, islands (name: count), bill length, bill depth, flipper, mass: (mean, sd)
        "Adelie": (152, {"Torgersen": 52, "Biscoe": 44, "Dream": 56},
                   (38.8, 2.7), (18.3, 1.2), (190, 6.5), (3700, 460)),
        "Chinstrap": (68, {"Dream": 68}, (48.8, 3.3), (18.4, 1.1), (196, 7.1), (3733, 384)),
        "Gentoo": (124, {"Biscoe": 124}, (47.5, 3.1), (15.0, 1.0), (217, 6.5), (5076, 504)),
    }  # fmt: skip
    parts = []
    for species, (n, islands, bill_l, bill_d, flipper, mass) in spec.items():
        parts.append(
            pd.DataFrame(
                {
                    "island": np.repeat(list(islands), list(islands.values())),
                    "bill_length_mm": rng.normal(*bill_l, size=n).round(1),
                    "bill_depth_mm": rng.normal(*bill_d, size=n).round(1),
                    "flipper_length_mm": rng.normal(*flipper, size=n).round(0),
                    "body_mass_g": (rng.normal(*mass, size=n) / 25).round(0) * 25,
                    "sex": rng.choice(["male", "female"], size=n).astype(object),
                    "year": rng.choice([2007, 2008, 2009], size=n),
                    "species": species,
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    table.loc[rng.choice(len(table), size=11, replace=False), "sex"] = np.nan
    table.loc[rng.choice(len(table), size=2, replace=False), "bill_length_mm"] = np.nan
    return table


# --- leaks fire ------------------------------------------------------------------------------


def test_a_feature_that_encodes_the_target_is_flagged():
    found = _leaks(loan_table(), "grade")
    assert set(found) == {"sub_grade"}
    warning = found["sub_grade"]
    assert warning.kind == "leak"
    assert warning.score >= 0.98
    assert warning.message.startswith("Column 'sub_grade' alone predicts 'grade' for ")
    assert warning.message.endswith(
        " % of rows: is it known before the outcome? If not, leave it out."
    )


def test_a_synonym_under_other_labels_is_flagged():
    found = _leaks(people_table(), "gender")
    assert set(found) == {"sex"}
    assert "for 100.0 % of rows" in found["sex"].message


def test_a_synonym_that_disagrees_on_a_few_rows_is_flagged_without_rounding_up():
    table = people_table(n=300, disagree=3)  # all rows count as training rows here
    X, y = table.drop(columns="gender"), table["gender"]
    found = checks.leak_warnings(X, y, target="gender")
    assert [w.column for w in found] == ["sex"]
    assert found[0].score == pytest.approx(297 / 300)  # each disagreeing row is a miss
    assert "for 99.0 % of rows" in found[0].message


def test_a_boolean_synonym_is_flagged():
    table = people_table()
    table["is_male"] = table.pop("sex") == "M"
    assert set(_leaks(table, "gender")) == {"is_male"}


def test_a_numeric_copy_of_the_target_is_flagged():
    table = load_sample("iris")
    codes = {"setosa": 0.0, "versicolor": 1.0, "virginica": 2.0}
    table.insert(0, "species_code", table["species"].map(codes))
    assert set(_leaks(table, "species")) == {"species_code"}
    # Shuffled codes (no order a threshold could use) are found by the value mapping.
    table["species_code"] = table["species"].map({"setosa": 7, "versicolor": 3, "virginica": 5})
    assert set(_leaks(table, "species")) == {"species_code"}


def test_a_measurement_the_target_was_cut_from_is_flagged():
    rng = np.random.default_rng(3)
    bmi = rng.normal(26, 5, size=600)
    table = pd.DataFrame(
        {
            "bmi": bmi,
            "age": rng.integers(18, 90, size=600),
            "category": np.select([bmi < 18.5, bmi < 25, bmi < 30], ["under", "normal", "over"],
                                  "obese"),
        }
    )  # fmt: skip
    assert set(_leaks(table, "category")) == {"bmi"}


def test_a_date_that_decides_the_target_is_flagged():
    rng = np.random.default_rng(4)
    when = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1000, 500), unit="D")
    table = pd.DataFrame(
        {
            "signed_on": when,
            "amount": rng.normal(size=500),
            "contract": np.where(when < pd.Timestamp("2021-03-01"), "old", "new"),
        }
    )
    assert set(_leaks(table, "contract")) == {"signed_on"}


def test_leaks_are_found_on_a_large_table_through_a_sample():
    table = loan_table(n=30_000, seed=5)
    X_train, _, y_train, _ = _split(table, "grade")
    found = checks.leak_warnings(X_train, y_train, target="grade", max_rows=2_000)
    assert [w.column for w in found] == ["sub_grade"]


# --- leaks do not fire -------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SAMPLES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clean_public_tables_get_no_warning(key, seed):
    table = load_sample(key)
    X_train, X_test, y_train, y_test = _split(table, SAMPLES[key].target, seed)
    target = SAMPLES[key].target
    found = checks.check_data(X_train, y_train, X_test, y_test, target=target, random_state=seed)
    assert found == ()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_penguins_like_table_gets_no_warning(seed):
    table = penguins_like(seed=seed)
    X_train, X_test, y_train, y_test = _split(table, "species", seed)
    found = checks.check_data(X_train, y_train, X_test, y_test, target="species", random_state=seed)
    assert found == ()


def test_ids_do_not_fire_merely_because_each_is_unique():
    rng = np.random.default_rng(6)
    n = 500
    table = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in rng.permutation(n)],
            "row_number": rng.permutation(n).astype(float),
            "noise": rng.normal(size=n),
            "churn": rng.choice(["yes", "no"], size=n, p=[0.3, 0.7]),
        }
    )
    scores = checks.single_feature_accuracy(
        table.drop(columns="churn"), table["churn"], random_state=0
    )
    # A value never seen in the other folds is guessed as the most frequent class.
    assert scores.accuracy["customer_id"] == scores.always_guessing
    assert _leaks(table, "churn") == {}


def test_a_rare_outcome_does_not_flag_every_feature():
    # 99 % of rows are 'ok': a feature right on 99.3 % of rows is no shortcut worth a warning.
    rng = np.random.default_rng(7)
    n = 3_000
    y = np.where(rng.random(n) < 0.01, "fraud", "ok")
    hint = np.where(rng.random(n) < 0.3, y, "ok")  # catches 30 % of the frauds, no false alarm
    table = pd.DataFrame({"flagged": np.where(hint == "fraud", "yes", "no"), "outcome": y})
    scores = checks.single_feature_accuracy(table[["flagged"]], y)
    assert scores.accuracy["flagged"] >= 0.99
    assert _leaks(table, "outcome") == {}


def test_noise_columns_fit_no_trees(monkeypatch):
    def no_tree(*args, **kwargs):
        raise AssertionError("a tree was fitted on a noise column")

    monkeypatch.setattr(checks, "_tree_accuracy", no_tree)
    rng = np.random.default_rng(8)
    X = pd.DataFrame(rng.normal(size=(2_000, 30)), columns=[f"x{i}" for i in range(30)])
    assert checks.leak_warnings(X, rng.choice(list("abc"), size=2_000), target="t") == ()


def test_the_sample_bounds_the_rows_looked_at(monkeypatch):
    seen = []
    real = checks._mapping_accuracy

    def spy(keys, codes, *args):
        seen.append(codes.size)
        return real(keys, codes, *args)

    monkeypatch.setattr(checks, "_mapping_accuracy", spy)
    table = loan_table(n=6_000)
    checks.single_feature_accuracy(table.drop(columns="grade"), table["grade"], max_rows=1_500)
    assert seen and set(seen) == {1_500}
    seen.clear()
    wide = pd.DataFrame(np.zeros((3_000, 2_500)), columns=[f"c{i}" for i in range(2_500)])
    checks.single_feature_accuracy(wide, ["a", "b"] * 1_500, features=["c0", "c1"])
    assert set(seen) == {3_000}  # two columns: the whole (small) sample
    seen.clear()
    checks.single_feature_accuracy(wide.iloc[:, :2_500], ["a", "b"] * 1_500)
    assert set(seen) == {1_000}  # 2,500 columns: 1,000 rows each


# --- single-feature accuracy against references ------------------------------------------------


def _mapping_reference(values: pd.Series, y: np.ndarray, folds) -> float:
    """Each value -> the most frequent class among other folds' rows with it (ties: first
    class in sorted order); unseen -> the other folds' most frequent class."""
    right = 0
    frame = pd.DataFrame({"v": values.to_numpy(dtype=object), "y": y})
    frame["v"] = frame["v"].map(lambda v: "<missing>" if pd.isna(v) else str(v))
    for fit, held in folds:
        train = frame.iloc[fit]
        overall = train["y"].value_counts().sort_index().idxmax()
        best = train.groupby("v")["y"].agg(lambda s: s.value_counts().sort_index().idxmax())
        guesses = frame.iloc[held]["v"].map(best).fillna(overall)
        right += int((guesses == frame.iloc[held]["y"]).sum())
    return right / len(frame)


def _purity_reference(values: pd.Series, y: np.ndarray) -> float:
    """Rows in their category's top class, over categories of 5+ rows holding 90 % of rows."""
    counts = pd.crosstab(values.fillna("<missing>").astype(str).to_numpy(), y)
    big = counts[counts.sum(axis=1) >= 5]
    if big.to_numpy().sum() < 0.9 * len(y):
        return 0.0
    return big.max(axis=1).sum() / big.to_numpy().sum()


def test_single_feature_accuracy_matches_a_reference():
    table = penguins_like(seed=4)
    y = table.pop("species").to_numpy()
    scores = checks.single_feature_accuracy(table, y, random_state=3)
    folds = list(KFold(n_splits=5, shuffle=True, random_state=3).split(table))
    for name in ("island", "sex", "year"):
        expected = max(_mapping_reference(table[name], y, folds), _purity_reference(table[name], y))
        assert scores.accuracy[name] == pytest.approx(expected), name
    # Island: Torgersen (Adelie), Biscoe (Gentoo) and Dream (Chinstrap) hold 244 of 344 rows.
    assert scores.accuracy["island"] == pytest.approx(244 / 344)
    expected_guess = _mapping_reference(pd.Series(["same"] * len(y)), y, folds)
    assert scores.always_guessing == pytest.approx(expected_guess)


@pytest.mark.parametrize("kind", ["text", "number"])
def test_single_feature_accuracy_of_all_distinct_values_matches_the_reference(kind):
    # Every value once (ids, continuous measurements): no held-out value is seen elsewhere.
    rng = np.random.default_rng(5)
    y = rng.choice(["a", "b", "c"], size=400, p=[0.5, 0.3, 0.2])
    values = rng.permutation(400) * 1.5
    X = pd.DataFrame({"v": [f"id{v}" for v in values] if kind == "text" else values})
    scores = checks.single_feature_accuracy(X, y, random_state=2)
    folds = list(KFold(n_splits=5, shuffle=True, random_state=2).split(X))
    expected = _mapping_reference(X["v"], y, folds)
    assert scores.accuracy["v"] == pytest.approx(expected)
    assert scores.accuracy["v"] == pytest.approx(scores.always_guessing)


def test_small_categories_split_one_to_one_do_not_hide_a_synonym():
    # 'none' has one row of each class: cross-validation misses both, purity misses one.
    sex = ["male"] * 50 + ["female"] * 13 + ["none", "none"]
    gender = ["masculine"] * 50 + ["feminine"] * 13 + ["masculine", "feminine"]
    X = pd.DataFrame({"sex": sex})
    scores = checks.single_feature_accuracy(X, gender, random_state=0)
    assert scores.accuracy["sex"] == pytest.approx(1.0)  # 'none' (2 rows) is not well supported
    found = checks.leak_warnings(X, gender, target="gender")
    assert [w.column for w in found] == ["sex"]
    X = pd.DataFrame({"sex": sex + ["none"] * 4})
    gender = gender + ["masculine"] * 4
    assert checks.single_feature_accuracy(X, gender).accuracy["sex"] == pytest.approx(68 / 69)


def test_single_feature_accuracy_uses_a_tree_for_measurements():
    # Flipper length alone: the classes change seldom enough in value order for the trees.
    rng = np.random.default_rng(9)
    x = np.sort(rng.normal(size=300))
    y = np.where(x < -0.5, "low", np.where(x < 0.7, "mid", "high"))
    noisy = y.copy()
    noisy[rng.choice(300, size=4, replace=False)] = "mid"
    X = pd.DataFrame({"x": x})
    scores = checks.single_feature_accuracy(X, noisy, random_state=0)
    folds = KFold(n_splits=5, shuffle=True, random_state=0)
    tree = DecisionTreeClassifier(max_leaf_nodes=9, random_state=0)  # 3 classes -> 9 leaves
    by_tree = accuracy_score(noisy, cross_val_predict(tree, x[:, None], noisy, cv=folds))
    by_value = _mapping_reference(X["x"], noisy, list(folds.split(X)))
    assert scores.accuracy["x"] == pytest.approx(max(by_tree, by_value))
    assert scores.accuracy["x"] > 0.97


def test_single_feature_accuracy_errors():
    X = pd.DataFrame({"a": range(20)})
    with pytest.raises(SoftmaxLabError, match="no column named 'b'"):
        checks.single_feature_accuracy(X, [0, 1] * 10, features=["b"])
    with pytest.raises(SoftmaxLabError, match="19 values for 20 rows"):
        checks.single_feature_accuracy(X, [0] * 19)
    with pytest.raises(SoftmaxLabError, match="max_rows"):
        checks.single_feature_accuracy(X, [0, 1] * 10, max_rows=3)
    assert checks.leak_warnings(X.iloc[:5], [0, 1, 0, 1, 0], target="t") == ()
    assert checks.leak_warnings(X, ["one"] * 20, target="t") == ()


# --- duplicates --------------------------------------------------------------------------------


def test_duplicates_are_counted_as_an_exact_merge_counts_them():
    rng = np.random.default_rng(10)
    X_train = pd.DataFrame({"a": rng.integers(0, 1_000, 200), "b": rng.choice(["u", "v"], 200)})
    X_train.loc[3, "a"] = np.nan
    y_train = rng.choice(["p", "q"], size=200)
    copies = [3, 5, 8, 13, 21, 34, 55]
    X_test = pd.concat([X_train.iloc[copies], X_train.iloc[:0]]).reset_index(drop=True)
    y_test = y_train[copies].copy()
    y_test[-1] = "q" if y_test[-1] == "p" else "p"  # same features, other class: no copy
    fresh = pd.DataFrame({"a": rng.integers(2_000, 3_000, 23).astype(float), "b": "u"})
    X_test = pd.concat([X_test, fresh], ignore_index=True)
    y_test = np.concatenate([y_test, rng.choice(["p", "q"], size=23)])

    left = X_test.assign(_y=y_test).fillna(-1).reset_index()
    right = X_train.assign(_y=y_train).fillna(-1).drop_duplicates()
    expected = left.merge(right, on=["a", "b", "_y"])["index"].nunique()
    assert expected == 6

    warning = checks.duplicate_warning(X_train, y_train, X_test, y_test)
    assert warning.kind == "duplicates" and warning.column is None
    assert warning.score == pytest.approx(6 / 30)
    assert warning.message.startswith("6 of the 30 held-out rows (20 %) are exact copies")
    assert checks.duplicate_warning(X_train, y_train, X_test.iloc[6:], y_test[6:]) is None


def test_the_checks_read_the_parts_of_one_table_by_position():
    # The parts given as positions in one table (no copies) are checked as the parts taken
    # by hand: the same leaks from the same sampled rows, the same held-out copies (counted
    # here with a merge, as above).
    rng = np.random.default_rng(11)
    n = 12_000
    labels = rng.choice(["p", "q"], n)
    table = pd.DataFrame(
        {
            "a": rng.integers(0, 5, n).astype(float),
            "b": rng.choice(["u", "v", "w"], n),
            "c": np.where(rng.random(n) < 0.01, "x", labels),  # leaks the target
        }
    )
    table.loc[::9, "a"] = np.nan
    order = rng.permutation(n)
    train, test = order[:9_000], order[9_000:]
    X_train, X_test = table.iloc[train], table.iloc[test]
    y_train, y_test = labels[train], labels[test]

    by_hand = checks.check_data(X_train, y_train, X_test, y_test, target="t", random_state=3)
    ours = checks.check_data(
        table, y_train, table, y_test, target="t", random_state=3, train_rows=train, test_rows=test
    )
    assert [w.kind for w in by_hand] == ["leak", "duplicates"]
    assert ours == by_hand

    left = X_test.assign(_y=y_test).fillna(-1).reset_index(drop=True).reset_index()
    right = X_train.assign(_y=y_train).fillna(-1).drop_duplicates()
    expected = left.merge(right, on=["a", "b", "c", "_y"])["index"].nunique()
    assert expected > 0
    warning = checks.duplicate_warning(
        table, y_train, table, y_test, train_rows=train, test_rows=test
    )
    assert warning.score == pytest.approx(expected / len(test))


def test_duplicates_need_the_same_columns():
    X = pd.DataFrame({"a": [1, 2]})
    with pytest.raises(SoftmaxLabError, match="different columns"):
        checks.duplicate_warning(X, ["x", "y"], X.rename(columns={"a": "b"}), ["x", "y"])


# --- a small held-out part -----------------------------------------------------------------


def test_a_small_held_out_part_is_named_with_its_interval():
    warning = checks.small_test_warning(17)
    assert warning.kind == "small_test"
    assert "only 17 rows" in warning.message
    assert f"likely above {17 / (17 + Z95**2):.2f}" in warning.message  # 0.82, by hand
    assert f"by {1 / 17:.3f}" in warning.message
    assert checks.small_test_warning(checks.MIN_TEST_ROWS) is None


def test_a_wide_interval_is_named_once_the_model_is_scored():
    ci = binomtest(25, 40).proportion_ci(confidence_level=0.95, method="wilson")
    assert ci.high - ci.low > checks.MAX_INTERVAL_WIDTH
    warning = checks.small_test_warning(40, n_correct=25)
    assert f"from {ci.low:.2f} to {ci.high:.2f}" in warning.message
    assert checks.small_test_warning(400, n_correct=250) is None
    assert "from 0.82 to 1.00" in checks.small_test_warning(17, n_correct=17).message


# --- the grid's edge ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grid", "best", "extended", "words"),
    [
        ([0.001, 0.01, 0.1, 1, 10, 100], 100, (0.001, 0.01, 0.1, 1, 10, 100, 1000), "largest"),
        ([0.01, 0.1, 1], 0.01, (0.001, 0.01, 0.1, 1), "smallest"),
        ([0.5, 2, 8], 8, (0.5, 2, 8, 80), "largest"),
        ([1.0], 1.0, (0.1, 1, 10), "Only one C"),
        ([1e4, 1e5, 1e6], 1e6, (), "already reaches the limit"),
    ],
)
def test_grid_edge(grid, best, extended, words):
    warning = checks.grid_edge_warning(grid, best)
    assert warning.kind == "grid_edge" and warning.column is None
    assert warning.extended_grid == pytest.approx(extended)
    assert words in warning.message
    data = warning.as_dict()
    json.dumps(data)
    assert data.get("extended_grid", []) == pytest.approx(list(extended))


def test_grid_edge_inside_and_errors():
    assert checks.grid_edge_warning([0.1, 1, 10], 1) is None
    assert checks.grid_edge_warning([10, 0.1, 1], 1.0000000001) is None
    with pytest.raises(SoftmaxLabError, match="not one of the grid"):
        checks.grid_edge_warning([0.1, 1], 5)


def test_grid_edge_keeps_the_grid_within_the_limit():
    from dashboard.limits import Limits

    grid = [10.0**k for k in range(-3, 3)]
    warning = checks.grid_edge_warning(grid, 100, limits=Limits(max_c_values=6))
    assert warning.extended_grid == pytest.approx((0.01, 0.1, 1, 10, 100, 1000))
    assert math.isclose(max(warning.extended_grid), 1000)


# --- the record ------------------------------------------------------------------------------


def test_a_warning_is_a_frozen_record_with_a_known_kind():
    warning = checks.DataWarning(kind="leak", column="sub_grade", message="m", score=0.99)
    assert warning.as_dict() == {"kind": "leak", "column": "sub_grade", "message": "m"}
    with pytest.raises(AttributeError):
        warning.kind = "duplicates"
    with pytest.raises(SoftmaxLabError, match="no kind of warning called 'typo'"):
        checks.DataWarning(kind="typo", column=None, message="m")


def test_check_data_orders_leaks_duplicates_and_size():
    table = people_table(n=120)
    X_train, X_test, y_train, y_test = _split(table, "gender")
    X_test = pd.concat([X_test.iloc[:5], X_train.iloc[:10]])
    y_test = np.concatenate([y_test[:5], y_train[:10]])
    kinds = [w.kind for w in checks.check_data(X_train, y_train, X_test, y_test, target="gender")]
    assert kinds == ["leak", "duplicates", "small_test"]


def test_check_result_names_a_wide_interval_and_the_edge_once():
    kinds = [w.kind for w in checks.check_result([0.1, 1, 10], 10, n_test=40, n_correct=25)]
    assert kinds == ["small_test", "grid_edge"]
    # Under MIN_TEST_ROWS the size was named before the search: not again.
    assert checks.check_result([0.1, 1, 10], 1, n_test=17, n_correct=9) == ()
    assert checks.check_result([0.1, 1, 10], 1, n_test=500, n_correct=450) == ()


def test_every_kind_of_column_is_read():
    # Nullable integers, infinities, nullable booleans, time-zone dates, categoricals, text.
    X = pd.DataFrame(
        {
            "count": pd.array([1, None, 3, 4] * 10, dtype="Int64"),
            "ratio": [1.0, np.inf, -np.inf, 2.0] * 10,
            "flag": pd.array([True, None, False, True] * 10, dtype="boolean"),
            "when": pd.to_datetime(["2020-01-01", None, "2021-01-01", "2022-05-01"] * 10, utc=True),
            "kind": pd.Categorical(["x", "y", None, "x"] * 10),
            "text": pd.Series(["u", None, "w", "v"] * 10, dtype="str"),
        }
    )
    y = list("pqrs") * 10  # each position of the pattern is one class
    scores = checks.single_feature_accuracy(X, y)
    # Four distinct values (missing is one) name the four classes exactly.
    assert scores.accuracy["count"] == scores.accuracy["when"] == scores.accuracy["text"] == 1.0
    # Both infinities read as missing, like the two True rows and the two 'x' rows: each pair
    # of classes shares a value, so at best one row in two of those is right: 3 of 4.
    assert (
        scores.accuracy["ratio"]
        == scores.accuracy["flag"]
        == scores.accuracy["kind"]
        == pytest.approx(0.75)
    )
