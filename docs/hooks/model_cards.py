"""MkDocs hook: the model cards `models/<name>/README.md` become the site pages `models/<name>.md`.

The cards live beside the models, so they travel with them and read well on GitHub; the docs link to them by their
repository path (`../models/baseline/README.md`), which also works on GitHub. At build time this hook adds each card
as a generated page and rewrites repository-relative links into site links, both ways:

- in a docs page, `../models/<name>/README.md` -> `models/<name>.md` (one `../` fewer per directory level);
- in a card, `../../docs/<page>.md` -> `../<page>.md` and `../<other>/README.md` -> `<other>.md`.

Standard library and MkDocs only.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.structure.files import File

CARDS = ("baseline", "transformer", "embedding", "ensemble", "rewriter")
_NAMES = "|".join(CARDS)
_DOCS_LINK = re.compile(r"\]\(\.\./\.\./docs/")
_CARD_LINK = re.compile(r"\]\(\.\./(" + _NAMES + r")/README\.md")
_REPO_CARD_LINK = re.compile(r"\]\(((?:\.\./)+)models/(" + _NAMES + r")/README\.md")


def card_markdown(text: str) -> str:
    """A card's Markdown with its repository-relative links pointing at the site's pages."""
    return _CARD_LINK.sub(r"](\1.md", _DOCS_LINK.sub("](../", text))


def page_markdown(text: str, depth: int) -> str:
    """A docs page's links to the cards (`../models/<name>/README.md` from the top of docs/) as site links."""

    def site_link(match: re.Match) -> str:
        ups = len(match.group(1)) // 3
        if ups != depth + 1:  # not a path from docs/ to the repository's models/: leave it alone
            return match.group(0)
        return f"]({'../' * depth}models/{match.group(2)}.md"

    return _REPO_CARD_LINK.sub(site_link, text)


def on_files(files, config, **kwargs):
    root = Path(config.config_file_path).resolve().parent
    for name in CARDS:
        card = root / "models" / name / "README.md"
        if card.is_file():
            files.append(File.generated(config, f"models/{name}.md", content=card_markdown(card.read_text("utf-8"))))
    return files


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    if page.file.generated_by or page.file.src_uri.startswith("models/"):
        return markdown
    return page_markdown(markdown, page.file.src_uri.count("/"))
