"""The Policies page through streamlit.testing: a change's impact before it is saved, a new policy, the default.
Each test has its own store (CLEANSPEECH_STORE, the `store_path` fixture)."""

import pytest

from cleanspeech.moderation import ModerationStore, Policy
from tests.helpers.app_testing import fill_queue, signed_in

pytestmark = pytest.mark.xdist_group("app")  # the app's models load once per worker


def test_policy_edits_show_their_impact_before_saving(store_path, shipped_baseline):
    fill_queue(store_path, ["you stupid idiot"], shipped_baseline)
    at = signed_in("views/policies.py")
    key = "policy_default_1"
    at.text_area(key=f"{key}_blocklist").input("lovely")
    at.number_input(key=f"{key}_remove_toxic").set_value(0.3).run()
    assert not at.exception
    moves = at.dataframe[0].value
    assert moves.loc["review", "remove"] > 0  # validation comments that the lower threshold would remove
    note = "stricter for the launch"
    at.text_input(key="policy_note").input(note)
    at.button(key="policy_save").click().run()
    saved = ModerationStore(store_path).policies.get("default")
    assert saved.version == 2 and saved.remove["toxic"] == 0.3 and saved.blocklist == ("lovely",)
    assert any("Saved default v2" in s.value for s in at.success)
    assert at.text_input(key="policy_note").value == ""  # the next version gets a note of its own


def test_a_new_policy_is_created_from_the_page_and_cannot_take_an_existing_name(store_path, shipped_baseline):
    fill_queue(store_path, [], shipped_baseline)
    at = signed_in("views/policies.py")
    at.selectbox(key="policy_pick").select("＋ new policy").run()
    assert not at.exception and not at.error
    ModerationStore(store_path).policies.save(Policy(name="new policy"), by="bo")  # saved from the form before
    for taken in ("default", "new policy"):  # a rename onto another policy would silently change that one, and so
        at.text_input(key="policy_new policy_0_name").input(taken).run()
        assert "exists" in at.error[0].value and "policy_save" not in [b.key for b in at.button]
    at.text_input(key="policy_new policy_0_name").input("kids").run()
    at.text_area(key="policy_new policy_0_communities").input("forum-kids")
    at.button(key="policy_save").click().run()
    saved = ModerationStore(store_path).policies.get("kids")
    assert saved.version == 1 and saved.communities == ("forum-kids",)
    at.button(key="policy_default").click().run()  # the button goes: the page says what it did
    assert ModerationStore(store_path).policies.default_name() == "kids"
    assert any("kids is now the default" in s.value for s in at.success)
