"""The Streamlit app on the shipped models, driven through streamlit.testing."""

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import REPO


@pytest.fixture
def app(shipped_baseline_dir):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_moderate_page_starts_empty(app):
    assert app.title[0].value == "Moderate a comment"
    assert any("Enter a comment" in info.value for info in app.info)


def test_typed_insult_is_flagged(app):
    app.text_area(key="comment").input("You are a disgusting idiot.").run()
    assert not app.exception
    assert "toxic" in app.error[0].value and "insult" in app.error[0].value
    table = app.dataframe[0].value
    assert table.loc["toxic", "baseline"] > 0.8


def test_example_button_fills_the_comment(app):
    app.button(key="example_Polite disagreement").click().run()
    assert not app.exception
    assert app.text_area(key="comment").value.startswith("I don't think this source")
    assert app.success[0].value == "Not flagged"
