"""A comment as an HTML heat-map of one label's word attributions (red: towards the label, blue: away).

Every piece of the comment goes through `html.escape`, so a comment that contains HTML or a script shows as text;
the only markup is the `<span>`s built here. The spans come from the explanation, so the colours sit on the exact
characters of the original text; text outside the explained words (spaces, a capped tail) is kept, uncoloured.

Each block takes its direction from its own text (`dir="auto"`), and each paragraph from its first letter
(`unicode-bidi: plaintext`): an Arabic, Hebrew or Persian comment reads right to left, aligned right, and an English
one beside it left to right, as in the comment box.
"""

import html

RED, BLUE = (214, 39, 40), (31, 119, 180)
TEXT_STYLE = "line-height:1.9;white-space:pre-wrap;word-break:break-word;unicode-bidi:plaintext"
# The same for what is typed into the pages' text boxes and the rewrites shown in code boxes (app.py, every page).
TEXT_BOX_CSS = "<style>textarea, input[type=text], pre { unicode-bidi: plaintext; text-align: start; }</style>"
MIN_OPACITY = 0.06  # below this a colour is invisible: leave the word plain


def _background(score: float, scale: float) -> str | None:
    opacity = min(1.0, abs(score) / scale) * 0.85 if scale > 0 else 0.0
    if opacity < MIN_OPACITY:
        return None
    r, g, b = RED if score > 0 else BLUE
    return f"rgba({r},{g},{b},{opacity:.2f})"


def heatmap_html(explanation, label: str, scale: float | None = None) -> str:
    """The comment with each word's background coloured by its score for `label` (`scale`: the score of full
    colour, default the largest absolute score of the comment)."""
    text, words = explanation.text, explanation.words
    scores = [w["scores"][label] for w in words]
    scale = scale if scale is not None else max((abs(s) for s in scores), default=0.0)
    parts, position = [], 0
    for word, score in zip(words, scores):
        parts.append(html.escape(text[position : word["start"]]))
        piece = html.escape(text[word["start"] : word["end"]])
        color = _background(score, scale)
        title = html.escape(f"{label}: {score:+.3f}", quote=True)
        style = f"background:{color};" if color else ""
        style += "border-radius:3px;padding:0 1px"
        parts.append(f'<span class="cs-word" style="{style}" title="{title}">{piece}</span>')
        position = word["end"]
    parts.append(html.escape(text[position:]))
    body = "".join(parts)
    return f'<div class="cs-heatmap" dir="auto" style="{TEXT_STYLE}">{body}</div>'


def diff_html(runs: list[tuple[str, str]]) -> str:
    """A word diff (`cleanspeech.rewrite.word_diff` runs) as HTML: removed words struck through in red, added ones
    underlined in green; every word escaped."""
    styles = {
        "delete": "background:rgba(214,39,40,0.18);text-decoration:line-through;border-radius:3px;padding:0 2px",
        "insert": "background:rgba(44,160,44,0.22);text-decoration:underline;border-radius:3px;padding:0 2px",
    }
    tags = {"delete": "del", "insert": "ins"}
    parts = []
    for op, text in runs:
        piece = html.escape(text)
        parts.append(f'<{tags[op]} class="cs-{op}" style="{styles[op]}">{piece}</{tags[op]}>' if op in tags else piece)
    body = " ".join(parts).replace(" \n ", "\n")  # a newline run ends the line, without spaces around it
    return f'<div class="cs-diff" dir="auto" style="{TEXT_STYLE}">{body}</div>'


def comment_html(text: str) -> str:
    """A comment as it was written, escaped (markup in it shows as text), in its own direction."""
    return f'<div class="cs-comment" dir="auto" style="{TEXT_STYLE}">{html.escape(text)}</div>'
