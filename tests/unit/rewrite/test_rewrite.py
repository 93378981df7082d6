"""Rewriting on the shipped models: the local backend, Gemini through the real SDK, the fallback, the CLI."""

import json
import re

import pytest

from cleanspeech.classifiers import flagged_labels, load_model
from cleanspeech.errors import InputError
from cleanspeech.labels import LABELS
from cleanspeech.rewrite import Rewriter, changed_spans, load_lexicon, load_rewriter, word_diff
from cleanspeech.rewrite import local as rewrite_local
from cleanspeech.rewrite.lexicon import Lexicon
from cleanspeech.rewrite.local import SENTENCE_WORDS, LocalRewriter, segments
from cleanspeech.text import MAX_TEXT_CHARS
from tests.helpers import run_cli
from tests.helpers.fake_gemini import KEY, KEY_INVALID, FakeGemini, api_error, ok, serving

INSULTS = [
    "You are a disgusting idiot.",
    "Shut up, you stupid moron!",
    "I don't give a shit what you think, asshole.",
    "What the fuck is wrong with you, dumbass?",
    "This fucking article is crap.",
]


@pytest.fixture(scope="module")
def judge(shipped_transformer):
    return shipped_transformer


@pytest.fixture(scope="module")
def local(judge):
    return Rewriter(judge, LocalRewriter(judge, load_lexicon(), guide=load_model("baseline")))


@pytest.fixture(autouse=True)
def no_gemini_settings(monkeypatch):
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL", "GOOGLE_GENAI_USE_VERTEXAI"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.artifact
@pytest.mark.parametrize("text", INSULTS)
def test_local_rewrite_lowers_toxicity_of_insults(local, judge, text):
    result = local.rewrite(text, "local")
    assert result.backend == "local" and result.rewrite != text
    assert result.flagged_before and re.search(r"\w", result.rewrite)
    assert max(result.after.values()) < max(result.before.values())
    scores = judge.predict_proba([text, result.rewrite])  # the reported scores are the judge's own
    assert result.before == pytest.approx(scores.iloc[0].to_dict(), abs=1e-4)
    assert result.after == pytest.approx(scores.iloc[1].to_dict(), abs=1e-4)
    assert result.still_toxic == bool(flagged_labels(result.after, judge.thresholds))
    for change in result.changes:  # every change names the exact span of the original it replaced
        assert text[change["start"] : change["end"]] == change["original"]


@pytest.mark.artifact
def test_most_insults_end_below_every_threshold(local):
    assert sum(not local.rewrite(text, "local").still_toxic for text in INSULTS) >= 4


@pytest.mark.parametrize("text", ["Thanks for the fix!", "I don't think this source supports the claim.", "Merci!"])
def test_clean_text_comes_back_unchanged(local, text):
    result = local.rewrite(text, "local")
    assert result.rewrite == text and result.changes == [] and not result.still_toxic and not result.flagged_before


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_a_clear_error(local, text):
    with pytest.raises(InputError, match="nothing to rewrite"):
        local.rewrite(text)
    for other in (None, 5):  # not "empty": the mistake is the type
        with pytest.raises(
            InputError, match=f"rewrite takes one comment as text \\(str\\), not {type(other).__name__}"
        ):
            local.rewrite(other)


def test_a_text_that_is_all_insult_is_never_emptied(local):
    result = local.rewrite("fuck you", "local")
    assert re.search(r"\w", result.rewrite)


def test_long_text_rewrites_the_toxic_sentence_and_keeps_the_rest(local):
    polite = "Thanks for the careful edit, the section reads much better now. "
    text = polite * 20 + "You are a disgusting idiot. " + polite * 20
    result = local.rewrite(text, "local")
    assert result.rewrite.count(polite) == 40 and "idiot" not in result.rewrite
    assert len(result.changes) >= 1 and all(
        "idiot" in c["original"] or "disgusting" in c["original"] for c in result.changes
    )


def test_text_past_the_scored_length_is_kept_unchanged_with_a_note(local):
    tail = "Have a nice day. " * 200
    text = "Thanks for the edit. " * (MAX_TEXT_CHARS // 21 + 1) + tail
    result = local.rewrite(text, "local")
    assert result.rewrite == text  # nothing toxic: nothing changed, nothing lost
    assert any(f"first {MAX_TEXT_CHARS:,}" in note for note in result.notes)


def test_gemini_backend_through_the_real_sdk_is_rescored(judge, local):
    polite = "I think you are mistaken about this."
    with serving(FakeGemini().reply(200, ok(polite))) as fake:
        rewriter = load_rewriter(judge=judge, guide=local.local.guide, api_key=KEY, base_url=fake.url, backoff_s=0.01)
        result = rewriter.rewrite("You are a disgusting idiot.")  # auto: the key makes it Gemini
    assert (result.backend, result.rewrite, result.notes) == ("gemini", polite, [])
    assert result.after == pytest.approx(judge.predict_proba([polite]).iloc[0].to_dict(), abs=1e-4)
    assert not result.still_toxic


@pytest.mark.parametrize(
    "reply, why",
    [((500, api_error(500, "internal", "INTERNAL")), "unavailable"), ((400, KEY_INVALID), "rejected the API key")],
)
def test_gemini_failure_falls_back_to_the_local_rewriter(judge, local, reply, why):
    with serving(FakeGemini().reply(*reply)) as fake:
        rewriter = load_rewriter(judge=judge, guide=local.local.guide, api_key=KEY, base_url=fake.url, backoff_s=0.01)
        result = rewriter.rewrite("You are a disgusting idiot.", "gemini")
    assert result.backend == "local" and "idiot" not in result.rewrite
    assert any(why in note and "local rewriter" in note for note in result.notes)
    assert KEY not in json.dumps(result.to_dict())


def test_a_key_gemini_cannot_use_falls_back_to_the_local_rewriter_with_a_note(judge, local):
    rewriter = load_rewriter(judge=judge, guide=local.local.guide, api_key="abc\ndef")  # a key pasted with a break
    result = rewriter.rewrite("You are a disgusting idiot.", "gemini")
    assert result.backend == "local" and any("no API key has" in note for note in result.notes)
    assert "abc" not in json.dumps(result.to_dict())


def test_gemini_asked_without_a_key_says_so(local):
    result = local.rewrite("You are a disgusting idiot.", "gemini")
    assert result.backend == "local" and any("GEMINI_API_KEY" in note for note in result.notes)


def test_unknown_backend_is_rejected(local):
    with pytest.raises(InputError, match="unknown rewrite backend"):
        local.rewrite("hello", "gpt")


def test_english_however_abusive_is_english_and_rare_replacements_are_not_offered(local):
    assert local.rewrite("you are a idiot.", "local").rewrite == "you are a person."  # not the fragment "you are."
    adjectives = ("Muslims are stupid.", "Gays are disgusting.", "That is retarded.", "He's stupid.",
                  "They are so stupid.", "They are lazy and stupid.")  # fmt: skip
    for adjective in adjectives:
        assert "person" not in local.rewrite(adjective, "local").rewrite.lower(), adjective  # no noun to replace
    assert "people" in local.rewrite("They are morons who never learn.", "local").rewrite  # a plural noun is one
    assert local.rewrite("Moron!", "local").rewrite == "Person!"  # English, however abusive
    shares = dict(local.local.lexicon.replacement_shares("fuck you"))  # "middle": twice, of 37 rewrites
    assert "" in shares and "middle" not in shares


def test_lexicon_is_mined_from_what_people_changed():
    pairs = [
        ("you are a fucking idiot", "you are wrong"),
        ("this fucking thing", "this thing"),
        ("fucking great , you did it", "great , you did it"),
        ("you did not give a shit", "you did not care"),
        ("you never give a shit", "you never care"),
        ("they give a shit", "they care"),
    ]
    lexicon = Lexicon.mine(pairs, min_count=2, min_rate=0.5)
    assert lexicon.replacements("fucking") == [""]
    assert lexicon.replacements("give a shit") == ["care"]
    assert "you" not in lexicon.entries  # present everywhere, changed in one sentence of four
    assert lexicon.matches("They Give a Shit, fucking hell") == [(5, 16, "give a shit"), (18, 25, "fucking")]


def test_changed_spans_and_word_diff():
    original, rewritten = "You are a disgusting idiot, really.", "You are a person, really."
    assert changed_spans(original, rewritten) == [
        {"start": 10, "end": 27, "original": "disgusting idiot,", "replacement": "person,"}
    ]
    assert word_diff(original, rewritten) == [
        ("equal", "You are a"),
        ("delete", "disgusting idiot,"),
        ("insert", "person,"),
        ("equal", "really."),
    ]
    # a comment of two lines, each rewritten in place: the lines stay lines (they were joined into one)
    assert word_diff("you idiot\nthanks anyway", "you there\nthanks anyway") == [
        ("equal", "you"), ("delete", "idiot"), ("insert", "there"), ("newline", "\n"), ("equal", "thanks anyway"),
    ]  # fmt: skip
    # A long comment rewritten in its first sentences: the tail is set aside, the edits found word by word. Diffed
    # whole, exactly, 25,000 repeated words took minutes (difflib is quadratic in a word that recurs everywhere).
    long = "You are a stupid idiot. " * 5000
    edited = "You are a person. " * 3 + long[len("You are a stupid idiot. ") * 3 :]
    spans = changed_spans(long, edited)
    assert [(c["original"], c["replacement"]) for c in spans] == [("stupid idiot.", "person.")] * 3
    assert all(long[c["start"] : c["end"]] == c["original"] for c in spans)
    everywhere = changed_spans(long, long.replace("stupid ", ""))  # past the exact diff's size: coarser, still true
    assert all(long[c["start"] : c["end"]] == c["original"] for c in everywhere) and everywhere


def test_cli_rewrite_prints_json_with_scores_before_and_after(capsys):
    run = run_cli(capsys, "rewrite", "You are a disgusting idiot.", "--backend", "local")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert {"text", "rewrite", "backend", "before", "after", "still_toxic"} <= set(result)
    assert result["backend"] == "local" and set(result["before"]) == set(LABELS) == set(result["after"])
    assert result["after"]["toxic"] < result["before"]["toxic"]


def test_cli_rewrite_of_empty_text_is_one_line_error(capsys):
    run = run_cli(capsys, "rewrite", " ")
    assert run.returncode == 2 and run.stderr.strip() == "error: nothing to rewrite: the text is empty"


def test_a_clean_comment_costs_no_gemini_request(judge, local):
    with serving(FakeGemini().reply(200, ok("unused"))) as fake:
        rewriter = load_rewriter(judge=judge, guide=local.local.guide, api_key=KEY, base_url=fake.url)
        result = rewriter.rewrite("Thanks for the fix!")
    assert result.rewrite == "Thanks for the fix!" and fake.requests == []
    assert result.notes == ["no label is flagged: the comment is returned unchanged"]


@pytest.mark.parametrize(
    "text", ["  Hello there. You idiot!  Next\nline ", " ".join(map(str, range(100))), "a  b. ", "x. x. x. ", "\n\n  x"]
)
def test_segments_rebuild_the_text_exactly(text):
    pieces, separators = segments(text)
    assert "".join(p + s for p, s in zip(pieces, separators + [""])) == text
    assert all(len(p.split()) <= SENTENCE_WORDS for p in pieces)


def test_a_wall_of_abuse_is_rewritten_up_to_a_bound_and_says_so(local, monkeypatch):
    monkeypatch.setattr(rewrite_local, "MAX_REWRITTEN_SEGMENTS", 2)
    polite = "Thanks for the careful edit, the section reads much better now."
    text = " ".join([polite, "You are a disgusting idiot."] * 4)
    result = local.rewrite(text, "local")
    assert any("rewrote the first 2 of 4 flagged sentences (the limit)" in note for note in result.notes)
    assert result.rewrite.count("idiot") == 2 and result.rewrite.count(polite) == 4


def test_a_rewrite_past_its_time_budget_answers_with_what_it_has_rewritten(judge):
    """Sentences not reached within the time budget stay as they were; the first is always rewritten."""
    rewriter = Rewriter(judge, LocalRewriter(judge, load_lexicon(), guide=load_model("baseline"), time_budget_s=0))
    polite = "Thanks for the careful edit, the section reads much better now."
    result = rewriter.rewrite(" ".join([polite, "You are a disgusting idiot."] * 4), "local")
    assert any("rewrote the first 1 of 4 flagged sentences (the time limit (0 s))" in n for n in result.notes)
    assert result.rewrite.count("idiot") == 3 and result.rewrite.count(polite) == 4


def test_other_languages_get_deletions_only_and_a_note(local):
    text = "Halt die Klappe, du dummer Vollidiot."
    result = local.rewrite(text, "local")
    assert result.flagged_before and any("knows English only" in note for note in result.notes)
    original_words = {w.strip(",.!?") for w in text.split()}
    assert {w.strip(",.!?") for w in result.rewrite.split()} < original_words  # words removed, none added
