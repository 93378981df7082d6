"""What the app's streamlit.testing tests do alike: type a comment and press Check; read a Markdown element."""

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
