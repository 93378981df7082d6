"""Right-to-left comments in a real Chromium: the blocks the pages show a comment in (its heat-map, a rewrite's diff,
a queued item) and the text boxes take each paragraph's direction from its own first letter."""

import pytest

from cleanspeech.explain import Explanation
from cleanspeech.rewrite import word_diff
from views.highlight import TEXT_BOX_CSS, comment_html, diff_html, heatmap_html

# With the other browser tests: the worker that runs them has the Chromium (tests/helpers/browser.py) started.
pytestmark = pytest.mark.xdist_group("browser")

ARABIC = "أنت شخص رائع جدا"  # "you are a wonderful person"
HEBREW = "אתה אדם נפלא"
# Each line's gap to the block's left and right edges, in pixels: a line laid out right to left hugs the right edge.
LINE_GAPS = """e => { const text = e.textContent, box = e.getBoundingClientRect(), gaps = [];
  const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT), nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  let start = 0;
  for (const line of text.split('\\n')) {
    const range = document.createRange(), at = offset => {
      for (const node of nodes) { if (offset <= node.length) return [node, offset]; offset -= node.length; } };
    range.setStart(...at(start)); range.setEnd(...at(start + line.length)); start += line.length + 1;
    const r = range.getBoundingClientRect(); gaps.push([r.left - box.left, box.right - r.right]); }
  return gaps; }"""


@pytest.fixture
def page(browser):
    """A blank page of the integration tests' Chromium (tests/helpers/browser.py); no app server is needed here."""
    context = browser.new_context(viewport={"width": 800, "height": 600})
    yield context.new_page()
    context.close()


def _sides(page, block: str) -> list[str]:
    """Which edge each line of the block's text hugs (within a few pixels: a coloured word has a little padding)."""
    page.set_content(f'<body style="width:700px">{block}</body>')
    gaps = page.eval_on_selector("div", LINE_GAPS)
    return ["right" if right < 4 < left else "left" if left < 4 < right else "?" for left, right in gaps]


def _explanation(text: str) -> Explanation:
    words, position = [], 0
    for word in text.split():
        start = text.index(word, position)
        position = start + len(word)
        words.append({"word": word, "start": start, "end": position, "scores": {"insult": 0.5}})
    return Explanation(model="test", method="test", text=text, words=words, base_value={"insult": 0.0})


def test_a_right_to_left_comment_reads_from_the_right_and_an_english_line_beside_it_from_the_left(page):
    assert _sides(page, comment_html(ARABIC)) == ["right"]
    assert _sides(page, comment_html(f"{HEBREW}\nthanks, see you\n{ARABIC}")) == ["right", "left", "right"]
    assert _sides(page, comment_html("you are wonderful")) == ["left"]
    assert _sides(page, heatmap_html(_explanation(f"{ARABIC}\nyou idiot"), "insult")) == ["right", "left"]
    assert _sides(page, diff_html(word_diff("أنت غبي جدا", "أنت لطيف جدا"))) == ["right"]  # "stupid" → "kind"
    two_lines = diff_html(word_diff(f"{ARABIC}\nyou idiot", f"{ARABIC}\nyou there"))  # each line in its direction
    assert _sides(page, two_lines) == ["right", "left"]


def _ink_sides(page, selector: str) -> tuple[int, int]:
    """The box's first and last pixel columns holding text: its screenshot, the darkest columns."""
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(page.locator(selector).screenshot())).convert("L")
    width, height = image.size
    pixels = image.load()
    inked = [x for x in range(4, width - 4) if any(pixels[x, y] < 100 for y in range(4, height - 4))]
    return inked[0], width - inked[-1]


@pytest.mark.parametrize("box", ["textarea", "input"])
def test_the_text_boxes_follow_each_paragraphs_direction(page, box):
    page.set_content(f'{TEXT_BOX_CSS}<textarea style="width:500px;height:40px"></textarea>'
                     '<input type=text style="width:500px">')  # fmt: skip
    page.fill(box, ARABIC)
    left, right = _ink_sides(page, box)
    assert right < 20 < left  # typed from the right edge
    page.fill(box, "you are wonderful")
    left, right = _ink_sides(page, box)
    assert left < 20 < right
