"""The Moderate page on the shipped models, driven through streamlit.testing: scores, rewrites, explanations, and
what a comment's HTML or broken text does to them."""

import json
import re

import pytest

from cleanspeech.labels import LABELS
from cleanspeech.text import is_blank
from tests.helpers import REPO
from tests.helpers.app_testing import check, page_html, shown
from tests.helpers.fake_gemini import KEY, FakeGemini, ok, serving

# The app's models load once per process (st.cache_resource): under pytest-xdist the app's tests share one worker
# instead of paying that on each.
pytestmark = pytest.mark.xdist_group("app")


def test_moderate_page_starts_empty(app):
    assert app.title[0].value == "Moderate a comment"
    assert any("Enter a comment" in info.value for info in app.info)


def test_typed_insult_is_flagged(app, shipped_baseline):
    check(app, "You are a disgusting idiot.")
    assert not app.exception
    verdict = app.error[0].value  # one verdict from the default policy comes first, in plain words
    assert verdict.startswith("Remove") and "Toxic" in verdict and "Insult" in verdict
    assert "Toxic" in app.error[1].value and "Insult" in app.error[1].value  # then each model's flags
    table = app.dataframe[0].value
    assert table.loc["Toxic", "baseline"] > 0.8
    assert table.loc["Insult", "baseline threshold"] == round(shipped_baseline.thresholds["insult"], 3)
    chart = app.get("plotly_chart")[0].proto.spec  # each threshold mark grouped with its model's horizontal bar
    marks = [trace for trace in json.loads(chart)["data"] if trace["type"] == "scatter"]
    assert marks and all(mark["orientation"] == "h" and mark["offsetgroup"] for mark in marks)
    assert [h.value for h in app.subheader][-2:] == ["Explanation", "Rewrite"]
    assert app.button(key="rewrite_run") is not None  # rewriting runs when asked, not on every keystroke
    # explained at once with the first model's fastest method, for its first flagged label
    assert app.selectbox(key="explain_label").value == "toxic"
    assert page_html(app)[0].count('class="cs-word"') == 5 and "idiot." in page_html(app)[0]


def test_the_loading_note_goes_once_the_models_are_there(app, monkeypatch):
    import views.common

    monkeypatch.setattr(views.common, "models_ready", lambda: False)  # still loading when the run began
    app.run()
    assert any("loading in the background" in c.value for c in app.caption)  # said while the models load
    check(app, "You are a disgusting idiot.")  # this run waits for them and scores: the note is gone
    assert app.dataframe and not any("loading in the background" in c.value for c in app.caption)


def test_the_verdict_is_judged_on_the_scores_shown_not_scored_again(app, monkeypatch):
    import cleanspeech.moderation.verdicts as verdicts

    scored_again = []
    monkeypatch.setattr(verdicts, "score_texts", lambda model, texts, *a, **k: scored_again.append(texts))
    check(app, "You are a disgusting idiot.")
    app.run()  # any rerun (a label picked, a button pressed) judges the comment again
    assert not app.exception and app.error[0].value.startswith("Remove")
    assert scored_again == []  # a long comment took seconds on every rerun when the policy scored it again


def test_a_comment_with_an_allowlisted_word_is_scored_without_it_once_not_on_every_rerun(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    import cleanspeech.moderation.verdicts as verdicts
    from cleanspeech.moderation import ModerationStore, Policy

    store = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("CLEANSPEECH_STORE", store)
    book = ModerationStore(store).policies
    book.set_default(book.save(Policy(name="gamers", model="baseline", allowlist=("noob",)), by="test").name)
    real, rescored = verdicts.score_texts, []
    monkeypatch.setattr(verdicts, "score_texts", lambda model, texts, *a, **k: rescored.append(texts) or real(
        model, texts, *a, **k))  # fmt: skip
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.run()
    check(app, "gg you noob, rematch?")
    for _ in range(2):
        app.run()  # a label picked, a button pressed
    assert not app.exception and len(rescored) == 1 and "noob" not in rescored[0][0]  # scored once without it


def test_rewrite_shows_the_rewrite_its_backend_scores_and_diff(app, monkeypatch, shipped_transformer):
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    text = "You are a disgusting idiot."
    check(app, text)
    app.button(key="rewrite_run").click().run()
    assert not app.exception
    verdict = app.success[-1].value
    assert verdict.startswith("Written by the local rewriter (offline).") and "No label is flagged" in verdict
    rewrite = app.code[-1].value
    assert rewrite and "idiot" not in rewrite
    diff = page_html(app)[-1]  # the word diff: the insult struck through, the replacement marked as added
    assert '<del class="cs-delete"' in diff and "idiot." in diff
    after = shipped_transformer.predict_proba([rewrite]).iloc[0]
    chart = json.loads(app.get("plotly_chart")[-1].proto.spec)
    bars = {trace["name"]: dict(zip(trace["y"], trace["x"])) for trace in chart["data"] if trace["type"] == "bar"}
    assert bars["after"]["toxic"] == pytest.approx(after["toxic"], abs=1e-4)
    assert bars["after"]["toxic"] < 0.5 < bars["before"]["toxic"]
    # a new rerun (another widget) keeps the rewrite on screen
    app.selectbox(key="explain_label").select("insult").run()
    assert app.code[-1].value == rewrite


def test_rewrite_with_a_key_in_streamlit_secrets_uses_gemini(app, monkeypatch):
    polite = "I think you are mistaken."
    with serving(FakeGemini().reply(200, ok(polite))) as fake:
        monkeypatch.setenv("GEMINI_BASE_URL", fake.url)
        app.secrets["GEMINI_API_KEY"] = KEY
        app.secrets["GEMINI_MODEL"] = "gemini-2.5-flash-lite"
        check(app, "You are a disgusting idiot.")
        app.button(key="rewrite_run").click().run()
    assert not app.exception
    assert app.success[-1].value.startswith("Written by Gemini (gemini-2.5-flash-lite).")
    assert ":generateContent" in fake.requests[0]["path"] and "gemini-2.5-flash-lite" in fake.requests[0]["path"]
    assert app.code[-1].value == polite
    assert fake.requests[0]["headers"]["x-goog-api-key"] == KEY
    shown = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "code") for e in app.get(kind)]
    assert not any(KEY in str(value) for value in shown)  # the key is never displayed


def test_rewrite_with_html_in_the_comment_shows_it_as_text(app):
    check(app, 'you idiot <img src=x onerror="alert(1)">')
    app.button(key="rewrite_run").click().run()
    assert not app.exception
    diff = page_html(app)[-1]
    assert "<img" not in diff and "&lt;img" in diff


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        ("Thanks for the careful review, it helped.", "Nothing to rewrite: no label is flagged"),
        ("I am gay.", None),  # flagged or not, the answer keeps who the writer is and never contradicts itself
    ],
)
def test_rewrite_messages_say_one_thing(app, monkeypatch, text, headline):
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    check(app, text)
    app.button(key="rewrite_run").click().run()
    assert not app.exception
    assert app.code[-1].value == text  # returned unchanged: nothing to rewrite, or nothing safe to change
    shown = [e.value for kind in ("success", "warning", "info") for e in app.get(kind)]
    assert not any("any more" in value for value in shown)  # never "no label is flagged any more" for a kept text
    if headline:
        assert app.success[-1].value.startswith(headline)
        assert not any("returned unchanged" in info.value for info in app.info)  # said once, in the headline


def test_explanation_shows_html_in_a_comment_as_text(app):
    check(app, 'you idiot <script>alert(1)</script> <img src=x onerror="alert(2)">')
    # the verdict above is the ensemble's (the default policy's model): the pickers say it is read through a member
    assert any("The ensemble model, whose verdict is shown" in shown(c.value) for c in app.caption)
    app.selectbox(key="explain_model").select("baseline").run()
    app.selectbox(key="explain_label").select("insult").run()
    assert not app.exception
    heatmap = page_html(app)[0]
    assert "<script" not in heatmap and "<img" not in heatmap
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in heatmap and "rgba(214,39,40" in heatmap  # idiot: red
    chart = app.get("plotly_chart")[-1].proto.spec
    assert "idiot" in chart and "contribution to insult" in chart


def test_a_2000_word_comment_is_explained_whole_its_last_words_too(app):
    check(app, "Thanks for the edit. " * 500 + "You idiot.")
    assert not app.exception
    assert page_html(app)[0].count('class="cs-word"') == 2002  # the insult at the end is among the words shown


def test_slow_explanation_runs_behind_a_button(app):
    check(app, "You are a disgusting idiot.")
    app.selectbox(key="explain_model").select("transformer").run()
    app.selectbox(key="explain_method_transformer").select("shap").run()
    assert not app.exception and not page_html(app)  # nothing computed until asked
    app.button(key="explain_run").click().run()
    assert not app.exception and "explain_run" not in [b.key for b in app.button]  # asked and answered: gone
    assert page_html(app)[0].count('class="cs-word"') == 5
    assert any("(shap, log-odds)" in caption.value for caption in app.caption)


def test_example_button_fills_the_comment(app):
    app.button(key="example_Polite disagreement").click().run()
    assert not app.exception
    assert app.text_area(key="comment").value.startswith("I don't think this source")
    assert app.success[0].value.startswith("Allow") and app.success[1].value == "Not flagged"


def test_moderate_page_shows_no_stale_scores_and_keeps_the_comment_across_pages(app):
    check(app, "You are a disgusting idiot.")
    assert app.error[0].value.startswith("Remove")
    app.text_area(key="comment").input("Thank you, that helped a lot.").run()  # edited, not checked yet
    assert not app.error and not app.dataframe and any("Press Check" in i.value for i in app.info)
    app.switch_page("views/compare.py").run()
    app.switch_page("views/moderate.py").run()
    assert app.text_area(key="comment").value == "Thank you, that helped a lot."
    app.button(key="moderate_check").click().run()
    assert app.success[0].value.startswith("Allow")
    # A draft sent with the click that leaves the page (a box that loses focus to a sidebar link) is kept too.
    app.text_area(key="comment").input("A draft, never checked")
    app.switch_page("views/training.py").run()
    app.switch_page("views/moderate.py").run()
    assert app.text_area(key="comment").value == "A draft, never checked"


def test_user_strings_are_shown_as_text(app):
    app.switch_page("views/batch.py").run()
    name = "**bold** [link](http://evil.example) :red[x].csv"
    app.file_uploader(key="batch_file").upload(name, b"", "text/csv").run()
    error = app.error[0].value
    assert r"\*\*bold\*\* \[link\]\(http\:\/\/evil\.example\) \:red\[x\]\.csv" in error
    assert shown(error).startswith(name)
    app.switch_page("views/moderate.py").run()
    check(app, "you <b>stupid</b> idiot &amp; moron")
    chart = next(json.loads(c.proto.spec) for c in app.get("plotly_chart") if "contribution to" in c.proto.spec)
    words = " ".join(chart["data"][0]["y"])
    assert "&lt;b&gt;stupid&lt;/b&gt;" in words and "<" not in words  # Plotly shows the entities as <b>, as text


BROKEN_COMMENTS = [
    " \t\u200b\n ",  # white space and a zero-width space only
    "\u3164 \u2800",  # blank fillers only (a Hangul filler, the Braille blank)
    "\x00\x01\x02\x1b[31m binary \x7f\ufffd",  # control characters, a terminal escape, a replacement character
    "🤬🤬🤬 💩",  # emoji only
    "‮you idiot‬ ‏שלום‏ مرحبا",  # bidirectional overrides, Hebrew and Arabic
    "<b>bold</b> <script>alert(1)</script> " * 20,  # markup
    "idiot " * 9_000,  # 54 KB: past the length limit
]


def test_moderate_page_survives_broken_comments(app):
    for text in BROKEN_COMMENTS:
        check(app, text)
        assert not app.exception, repr(text[:20])
        assert not [e.value for e in app.error if e.value.startswith("This page could not finish")], repr(text[:20])
        if is_blank(text):  # nothing to score or explain: said as for an empty box, not as an error
            assert not app.error and any(i.value.startswith("Enter a comment") for i in app.info), repr(text)
    assert any("the models read the first" in info.value for info in app.info)  # the long one says so


def test_moderate_page_says_which_language_and_how_the_ensemble_weighs_it(app):
    check(app, "Du bist ein dummer Idiot und alle wissen es.")
    route = next(c.value for c in app.caption if c.value.startswith("Detected language"))
    assert route.startswith("Detected language: German (de).")
    assert "The ensemble weighs " in route and "transformer" in route
    # where German's validation comments gave labels mixes of their own, each label is named with its mix
    spec = json.loads((REPO / "models" / "ensemble" / "ensemble.json").read_text())
    german = spec["language_weights"]["de"]
    mixes = {label: spec.get("label_weights", {}).get("de", {}).get(label, german) for label in LABELS}
    named = [label for label in LABELS if re.search(rf"\b{label}\b[^;]*: baseline", route)]
    assert named == (list(LABELS) if len({tuple(m.items()) for m in mixes.values()}) > 1 else [])
    # text clearly in a language no model was trained or measured on is named, and weighed by the default weights
    check(app, "Je bent een ontzettende idioot en niemand wil jou hier hebben.")
    route = next(c.value for c in app.caption if c.value.startswith("Detected language"))
    assert route.startswith("Detected language: nl, not one the models were trained or measured on.")
    default = {member["name"]: member["weight"] for member in spec["members"]}
    assert f"The ensemble weighs baseline {default['baseline']:.0%}, embedding {default['embedding']:.0%}" in route
    assert route.endswith("(its default weights, fitted for languages it has no weights for)."), route
    # a best guess below the confidence routing needs is said as a guess, not as the language detected
    check(app, "🤬🤬 you 🐷 🖕")
    route = next(c.value for c in app.caption if c.value.startswith("Detected language"))
    assert route.startswith("Detected language: unsure, perhaps English (en).") and "unsure of the language" in route


def test_no_pages_folder_lets_a_direct_link_run_a_page_without_app_py():
    """Streamlit serves a `pages/` folder beside app.py as pages of its own: the first visit after a start by a direct
    link (a bookmarked /history) ran that page without app.py, the helper modules listed as pages in the sidebar.
    The pages live in views/, each routed by app.py's st.navigation."""
    routed = re.findall(r'st\.Page\("([^"]+)"', (REPO / "app.py").read_text())
    assert not list((REPO / "pages").glob("*.py")) and routed and all((REPO / path).is_file() for path in routed)
    # (a checkout from before the move may keep an ignored pages/__pycache__: Streamlit serves .py files only)
    assert {path.split("/")[0] for path in routed} == {"views"}
