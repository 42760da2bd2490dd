"""AppTest: a table whose signal is free text trains as it is; text beside numbers is one toggle
away; every page runs on a model with date and text columns; explain-a-row names the words."""

from __future__ import annotations

import pytest

from tests.app.test_pages import PAGES, assert_clean, new_app, train
from tests.signal_tables import csv_of, review_table, ticket_table, weather_table


def _upload(raw: bytes, name: str = "mine.csv"):
    at = new_app()
    at.file_uploader(key="upload").set_value((name, raw, "text/csv")).run()
    assert_clean(at)
    return at


def _page_text(at) -> str:
    parts = [str(e.value) for kind in ("markdown", "caption", "text") for e in at.get(kind)]
    return " ".join(parts)


def test_reviews_train_by_default_and_a_row_shows_the_words_that_pushed_each_class():
    at = train(_upload(csv_of(review_table(n=300))))
    model = at.session_state["model"]
    assert model.target == "score" and model.text_columns == ("review",)
    at.switch_page("app_pages/predict.py").run()
    assert_clean(at)
    assert "The words that pushed each class" in _page_text(at)
    shown = [f.value for f in at.dataframe]
    words = [frame for frame in shown if "words of this row that pushed it up" in frame.columns]
    assert words, "no table of the words that pushed each class"
    assert set(words[0]["class"]) == set(model.classes)
    assert words[0]["words of this row that pushed it up"].str.contains("review: ").any()


def test_free_text_beside_numbers_is_one_toggle_away():
    at = _upload(csv_of(ticket_table(n=300)))
    at.switch_page("app_pages/train.py").run()
    assert_clean(at)
    at.selectbox(key="target").set_value("team").run()
    assert at.multiselect(key="features").value == ["hours_waited"]
    at.toggle(key="use_text").set_value(True).run()
    at.button(key="train").click().run()
    assert_clean(at)
    model = at.session_state["model"]
    assert model.text_columns == ("message",)
    assert model.numeric_columns == ("hours_waited",)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_a_model_with_a_date_and_text(page):
    table = weather_table(n=300).assign(review=review_table(n=300)["review"])
    at = _upload(csv_of(table))
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="target").set_value("weather").run()
    at.toggle(key="use_text").set_value(True).run()
    at = train(at)
    model = at.session_state["model"]
    assert model.date_columns == ("when",) and model.text_columns == ("review",)
    at.switch_page(page).run()
    assert_clean(at)
