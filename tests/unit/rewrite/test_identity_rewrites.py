"""A rewrite never harms the person it describes: identity terms stay, no broken fragments, one plain outcome."""

import re

import pytest

from cleanspeech.classifiers import load_model
from cleanspeech.data.identity_terms import IDENTITY_TERMS, identity_spans
from cleanspeech.rewrite import Rewriter, load_lexicon
from cleanspeech.rewrite.local import Edit, LocalRewriter

LANGUAGES = ("en", "de", "fr", "es", "it", "pt")
# Benign statements that name who someone is (the kind toxicity classifiers flag), and insults that name a group.
STATEMENTS = [
    "I am gay.", "I am a proud lesbian and a Muslim.", "As a Black woman I agree with you.",
    "Ich bin schwul.", "Meine Nachbarn sind Muslime und Flüchtlinge.",
    "Je suis musulman et homosexuel.", "Soy lesbiana.", "Sono gay e nero.", "Sou gay, negro e deficiente.",
]  # fmt: skip
INSULTS_NAMING_A_GROUP = [
    "You are a stupid gay idiot.", "Shut up, you dumb Muslim moron!", "Eres un idiota, gitano.",
    "Du bist ein dummer schwuler Idiot.", "Ta gueule, espèce d'idiot de musulman.", "Sei un idiota, ebreo.",
    "Cala a boca, seu idiota cigano.",
]  # fmt: skip


@pytest.fixture(scope="module")
def rewriter(shipped_transformer):
    return Rewriter(shipped_transformer, LocalRewriter(shipped_transformer, load_lexicon(), load_model("baseline")))


def terms(text: str) -> list[str]:
    return sorted(text[s:e].lower() for s, e in identity_spans(text))


def test_the_shared_list_covers_every_language_and_category():
    assert len({t for langs in IDENTITY_TERMS.values() for words in langs.values() for t in words}) >= 40
    for category, languages in IDENTITY_TERMS.items():
        assert set(languages) == set(LANGUAGES), category
    assert terms("As a Black woman, LGBTQ+ and non-binary") == ["black", "lgbtq+", "non-binary", "woman"]
    assert terms("gayness is not a word here") == []  # whole words only


@pytest.mark.parametrize("text", STATEMENTS + INSULTS_NAMING_A_GROUP)
def test_identity_terms_survive_every_rewrite(rewriter, text):
    result = rewriter.rewrite(text, "local")
    assert terms(result.rewrite) == terms(text), result.rewrite
    assert result.outcome in ("rewritten", "clean", "no_safe_rewrite")
    if result.outcome == "clean":
        assert result.rewrite == text and not result.flagged_before
    if result.rewrite == text and result.flagged_before:  # flagged only for who it names: nothing safe to change
        assert result.outcome == "no_safe_rewrite"
        assert result.notes[-1].startswith("no safe rewrite found: the comment is returned unchanged")


def test_a_benign_identity_statement_is_never_turned_into_something_else(rewriter):
    result = rewriter.rewrite("I am gay.", "local")
    assert result.rewrite == "I am gay." and result.changes == []  # never "I am person." or "I am."


@pytest.mark.parametrize("text", ["Muslims are stupid.", "Women are stupid and lazy.", "Gays are a plague."])
def test_a_verdict_on_a_group_has_no_polite_rewrite(rewriter, text):
    """Not "Muslims are wrong." nor "Women are lazy.": swapping or dropping the insult leaves the verdict standing."""
    result = rewriter.rewrite(text, "local")
    assert (result.rewrite, result.outcome) == (text, "no_safe_rewrite")
    assert rewriter.rewrite("You are a disgusting idiot.", "local").outcome == "rewritten"  # a person, not a group


def test_no_rewrite_leaves_an_article_without_its_noun(rewriter):
    def delete(word, text):
        start = text.index(word)
        return Edit(start, start + len(word), "", 1.0).apply(text)

    assert delete("idiota", "Eres un idiota") is None  # never the broken "Eres un"
    assert delete("Idiot", "Du bist ein Idiot.") is None
    assert delete("idiot", "You are a idiot.") is None  # nor "You are.": the article goes, and a copula is left
    assert delete("idiota", "Eres un idiota de mierda.") is None  # nor "Eres un de mierda."
    assert delete("mierda", "Eres un idiota de mierda.") is None  # nor "Eres un idiota de."
    assert delete("Idiot", "Ein Idiot von Beruf.") is None
    assert delete("vraiment", "C'est un de vraiment nos amis.") == "C'est un de nos amis."  # "un de" stood there
    for text in ("Eres un idiota", "Eres una idiota.", "Du bist ein Idiot.", "Tu es un idiot."):
        rewrite = rewriter.rewrite(text, "local").rewrite
        assert not re.search(r"\b(un|una|ein|une)\W*$", rewrite, re.IGNORECASE), rewrite


def test_each_outcome_says_what_happened_and_nothing_else(rewriter):
    clean = rewriter.rewrite("Thanks for the careful review, it helped.", "local")
    assert clean.outcome == "clean" and clean.notes == ["no label is flagged: the comment is returned unchanged"]
    fixed = rewriter.rewrite("You are a disgusting idiot.", "local")
    assert fixed.outcome == "rewritten" and not fixed.still_toxic
    assert not any("no safe rewrite" in note for note in fixed.notes)
