"""What the app's streamlit.testing tests do alike: type a comment and press Check; read a Markdown element; sign in
on a page; fill a store's queue."""

import re


def check(app, text: str) -> None:
    """Type a comment on the Moderate page and press Check."""
    app.text_area(key="comment").input(text)
    app.button(key="moderate_check").click().run()


def shown(markdown: str) -> str:
    """What a user reads in a Markdown element: the backslash escapes of `views.common.as_text` undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


def page_html(app) -> list[str]:
    """The HTML blocks a page shows (heat-maps, diffs), in order: without the style sheet app.py adds to every page."""
    from views.highlight import TEXT_BOX_CSS

    return [block.value for block in app.html if block.value != TEXT_BOX_CSS]


def signed_in(page: str, name: str = "ana"):
    """app.py through streamlit.testing, on `page`, signed in as `name`."""
    from streamlit.testing.v1 import AppTest

    from tests.helpers import REPO

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    at.sidebar.text_input(key="reviewer_name").input(name)
    at.sidebar.button[0].click().run()
    assert not at.exception
    return at


def fill_queue(url: str, texts: list[str], shipped_baseline):
    """The store at `url` with a baseline policy as its default and `texts` judged and queued; returns the store."""
    from cleanspeech.moderation import ModerationStore, Policy, moderate

    store = ModerationStore(url)
    policy = store.policies.save(Policy(model="baseline"), by="test")
    store.policies.set_default(policy.name)
    judged = moderate(texts, policy, model=shipped_baseline)
    store.queue.enqueue(judged.queue_rows("cli", only=("allow", "review", "remove")))
    return store
