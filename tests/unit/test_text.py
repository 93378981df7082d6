import pytest

from cleanspeech.text import MAX_TEXT_CHARS, clean_text, dedup_key, is_blank, normalize_unicode, spoken_list


@pytest.mark.parametrize(
    ("evasive", "plain"),
    [
        ("Yоu аre an іdiot", "You are an idiot"),  # Cyrillic о, а, і inside Latin words
        ("𝐢𝐝𝐢𝐨𝐭", "idiot"),  # mathematical bold letters (NFKC)
        ("ｉｄｉｏｔ", "idiot"),  # full-width letters (NFKC)
        ("i\u200bd\u200di\u2060o\ufefft", "idiot"),  # zero-width characters and joiners
        ("id\u202eiot", "idiot"),  # bidi override
        ("stuuuuupid", "stuupid"),  # stretched letters
        ("ідііііот", "ідііот"),  # ... in a word with no Latin letter too (non-ASCII text)
        ("𝐢𝐝𝐢𝐢𝐢𝐨𝐭", "idiiot"),  # ... once NFKC has made them the same letter
        ("Sooo... 1000 reasons!!!\n\n\nNo", "Soo... 1000 reasons!!!\n\n\nNo"),  # only letters are shortened
    ],
)
def test_unicode_normalization_defeats_cheap_evasion(evasive, plain):
    assert normalize_unicode(evasive) == plain


@pytest.mark.parametrize("text", ["Привет, как дела?", "Καλημέρα κόσμε", "Straße für Ärzte", "çok güzel", "你好世界"])
def test_non_ascii_text_is_kept(text):
    assert clean_text(text) == text


def test_digits_and_urls():
    assert clean_text("Call 1000000 now http://spam.example/x?y=1 or www.spam.example ok") == "Call 1000000 now or ok"


def test_lowercase_is_opt_in_and_whitespace_collapses():
    assert clean_text("  Hello\n\tWORLD  ") == "Hello WORLD"
    assert clean_text("  Hello\n\tWORLD  ", lowercase=True) == "hello world"


def test_normalization_is_switchable():
    assert clean_text("Yоu", unicode_normalization=False) == "Yоu"
    assert clean_text("Yоu", unicode_normalization=True) == "You"


def test_what_shows_nothing_is_blank_and_a_lone_surrogate_reads_as_a_replacement_character():
    for text in (
        "",
        " \n",
        "\u200b\ufeff",
        "\x00",
        "\x01\x7f",
        "\u2800",
        "\u3164\uffa0",
        "\u115f\u1160",
        "\ufe0f",
        " \ufe0e\ufe0f ",
    ):
        assert is_blank(text), repr(text)
    for text in ("a", "\x00a", "\u2801", "é", "\ud800", "\u2764\ufe0f"):
        assert not is_blank(text), repr(text)
    assert clean_text("bad \ud800 idiot \udcff") == "bad \ufffd idiot \ufffd"


def test_non_strings_and_huge_text():
    assert clean_text(None) == ""
    assert clean_text(float("nan")) == ""
    assert len(clean_text("a " * 1_000_000)) <= MAX_TEXT_CHARS


def test_dedup_key_ignores_case_punctuation_spacing():
    assert dedup_key("You are a fucking idiot .") == dedup_key("you are a FUCKING idiot.")
    assert dedup_key("you are an idiot") != dedup_key("you are not an idiot")


def test_spoken_list_reads_as_a_sentence_lists():
    assert [spoken_list(items) for items in (["a"], ["a", "b"], ["a", "b", "c"])] == ["a", "a or b", "a, b or c"]
    assert spoken_list(("x", "y"), "and") == "x and y"
