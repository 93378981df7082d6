"""A table of comment files, well-formed and not, each with the one outcome every reader must give it.

The reader (`cleanspeech.serving.read_table`), the CLI (`predict --file`, `score`) and the app's Batch page are all
tested against this table: a refused file names what is wrong (`error`); a read file yields exactly `rows` (every
input row, no value shifted or altered) with these `statuses` once scored. `lenient_rows` is what `--lenient` keeps
for a file that is refused by default.
"""

import io
from dataclasses import dataclass, field

from cleanspeech.text import MAX_TEXT_CHARS

LONG = "you idiot " * (MAX_TEXT_CHARS // 10 + 1_000)  # past the limit: scored on its first part, marked truncated
FORMULA = '=HYPERLINK("http://evil.example","you idiot")'


@dataclass(frozen=True)
class Case:
    name: str
    file_name: str
    content: bytes
    error: str | None = None  # a refused file: this is in the one-line message
    rows: list[dict] | None = None  # a read file: every row, every column, as text
    statuses: list[str] = field(default_factory=list)
    notice: str | None = None  # a read file whose reading needed a word to the user
    lenient_rows: list[dict] | None = None  # a refused file read with --lenient
    lenient_statuses: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.name


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "comments"
    for row in (["id", "comment_text", "score"], [7, "you idiot", 1.5], ["007", FORMULA, None], [], [9, None, 2]):
        sheet.append(row)
    sheet["B3"].data_type = "s"  # typed as text, the way a user's pasted comment is stored
    book.create_sheet("notes").append(["ignored"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(*records: tuple, columns=("id", "comment_text")) -> list[dict]:
    return [dict(zip(columns, record)) for record in records]


THREE = ("id", "comment_text", "author")
BROKEN = {"unparsed_row": ""}

CASES = [
    Case("comma", "ok.csv", b'id,comment_text\n1,you idiot\n2,"thanks, friend"\n',
         rows=_rows(("1", "you idiot"), ("2", "thanks, friend")), statuses=["scored", "scored"]),
    Case("ragged: a field too many", "extra.csv", b"id,comment_text,author\n1,hello,ann\n2,you,idiot,bob\n3,hi,cy\n",
         error="line 3: 4 fields where the header has 3",
         lenient_rows=[_rows(("1", "hello", "ann"), columns=THREE)[0] | BROKEN,
                       {"id": "", "comment_text": "", "author": "", "unparsed_row": "2,you,idiot,bob"},
                       _rows(("3", "hi", "cy"), columns=THREE)[0] | BROKEN],
         lenient_statuses=["scored", "error: line 3: 4 fields where the header has 3", "scored"]),
    Case("ragged: a field missing", "short.csv", b"id,comment_text,author\n1,hello,ann\n2,you idiot\n",
         error="line 3: 2 fields where the header has 3"),
    Case("unterminated quote", "open_quote.csv", b'id,comment_text\n1,"hello\n2,world\n3,bye\n',
         error="line 2: a quoted field starts on this line and is never closed",
         lenient_rows=[{"id": "", "comment_text": "", "unparsed_row": '1,"hello'},
                       {"id": "2", "comment_text": "world", "unparsed_row": ""},
                       {"id": "3", "comment_text": "bye", "unparsed_row": ""}],
         lenient_statuses=["error: line 2: a quoted field starts on this line and is never closed", "scored",
                           "scored"]),
    Case("a quote that swallows rows", "merged.csv", b'id,comment_text,author\n1,"you idiot,ann\n2,ok,bob\n3,"hi",cy\n',
         error="line 2: a quoted field starts on this line and runs into line 4"),
    Case("semicolon (Excel, German and French locales)", "semicolon.csv",
         'id;comment_text;author\n1;du Idiot;Änne\n2;"merci; à bientôt";bob\n'.encode(),
         rows=_rows(("1", "du Idiot", "Änne"), ("2", "merci; à bientôt", "bob"), columns=THREE),
         statuses=["scored", "scored"], notice="semicolon-separated"),
    Case("tab", "tabs.tsv", b"id\tcomment_text\n1\tyou idiot, really\n",
         rows=_rows(("1", "you idiot, really")), statuses=["scored"], notice="tab-separated"),
    Case("UTF-8 with BOM", "bom.csv", "id,comment_text\n1,espèce d'idiot\n".encode("utf-8-sig"),
         rows=_rows(("1", "espèce d'idiot")), statuses=["scored"]),
    Case("UTF-16 (Excel's Unicode text)", "unicode.txt", "id\tcomment_text\n1\tidiota\n2\t😀 grazie\n".encode("utf-16"),
         rows=_rows(("1", "idiota"), ("2", "😀 grazie")), statuses=["scored", "scored"], notice="tab-separated"),
    Case("UTF-16 without BOM", "utf16le.csv", "id,comment_text\n1,Dummkopf\n".encode("utf-16-le"),
         rows=_rows(("1", "Dummkopf")), statuses=["scored"], notice="UTF-16 without a byte-order mark"),
    Case("Windows-1252", "latin.csv", 'id,comment_text\n1,"ça suffit, espèce d\'idiot"\n'.encode("cp1252"),
         rows=_rows(("1", "ça suffit, espèce d'idiot")), statuses=["scored"], notice="Windows-1252"),
    Case("Windows-1252 with a pair that reads as UTF-8", "spass.csv",
         'comment_text\n"Spaß… und Ärger über Bäume, Größe"\n'.encode("cp1252"),
         rows=[{"comment_text": "Spaß… und Ärger über Bäume, Größe"}], statuses=["scored"], notice="Windows-1252"),
    Case("UTF-8 with a damaged byte", "damaged.csv",
         "id,comment_text\n1,café 😀 à bientôt\n2,bad ".encode() + b"\xff byte\n",
         rows=_rows(("1", "café 😀 à bientôt"), ("2", "bad \ufffd byte")), statuses=["scored", "scored"],
         notice="1 place(s) that are not UTF-8"),
    Case("short UTF-8 with a damaged byte", "short.csv",
         "id,comment_text\n1,Café crème 😀 great\n2,stray ".encode() + b"\xff byte\n",
         rows=_rows(("1", "Café crème 😀 great"), ("2", "stray \ufffd byte")), statuses=["scored", "scored"],
         notice="1 place(s) that are not UTF-8"),  # was read as Windows-1252: "CafÃ© crÃ¨me ðŸ˜€"
    Case("NUL byte in a row", "nul.csv", b"id,comment_text\n1,hello\n2,bad\x00row\n",
         error="line 3: contains a NUL byte"),
    Case("binary file", "image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
         error="looks like a PNG image"),
    Case("0 bytes", "empty.csv", b"", error="is empty (0 bytes)"),
    Case("JSON lines", "comments.jsonl", b'{"id": 1, "comment_text": "you, idiot"}\n{"id": 2, "comment_text": "hi"}\n',
         error="Convert it, e.g. pandas.read_json(path, lines=True)"),  # not "3 fields where the header has 2"
    Case("JSON array", "comments.json", b'[{"id": 1, "comment_text": "you idiot"},\n {"id": 2}]\n',
         error="is JSON; comment files are CSV, TSV, .xlsx or plain text (one comment per line). Convert it, e.g. "
         "pandas.read_json(path).to_csv"),
    Case("header only", "header.csv", b"id,comment_text\n", rows=[]),
    Case("formula cells", "formulas.csv", ("id,comment_text\n1," + '"' + FORMULA.replace('"', '""') + '"\n2,+1 agree\n'
                                           "3,@all hi\n").encode(),
         rows=_rows(("1", FORMULA), ("2", "+1 agree"), ("3", "@all hi")), statuses=["scored"] * 3),
    Case("empty cells and blank lines", "gaps.csv", 'id,comment_text\n1,\n\n2,"   "\n3,hi\n4,\u200b \u200d\n'.encode(),
         rows=_rows(("1", ""), ("2", "   "), ("3", "hi"), ("4", "\u200b \u200d")),
         statuses=["empty", "empty", "scored", "empty"]),
    Case("one column, an empty cell before a bad quote", "column_quote.csv",
         b'comment_text\nhello\n\n"bad"x\nworld\n', error='line 4: badly quoted field',
         lenient_rows=[{"comment_text": "hello", "unparsed_row": ""}, {"comment_text": "", "unparsed_row": ""},
                       {"comment_text": "", "unparsed_row": '"bad"x'}, {"comment_text": "world", "unparsed_row": ""}],
         lenient_statuses=["scored", "empty", "error: line 4: badly quoted field (',' expected after '\"')",
                           "scored"]),
    Case("one column with empty cells (Excel's CSV)", "column.csv", b"comment_text\r\nhello\r\n\r\nyou idiot\r\n\r\n",
         rows=[{"comment_text": t} for t in ("hello", "", "you idiot")], statuses=["scored", "empty", "scored"]),
    Case("comment over the length limit", "long.csv", f"id,comment_text\n1,{LONG}\n".encode(),
         rows=_rows(("1", LONG)), statuses=["truncated"]),
    Case("multi-line comment, CRLF", "crlf.csv", b'id,comment_text\r\n1,"line one\r\nline two"\r\n2,ok\r\n',
         rows=_rows(("1", "line one\r\nline two"), ("2", "ok")), statuses=["scored", "scored"]),
    Case("the same column twice", "twice.csv", b"comment_text,comment_text\na,b\n", error="names column "
         "'comment_text' twice"),
    Case(".xlsx", "comments.xlsx", _xlsx(),
         rows=_rows(("7", "you idiot", "1.5"), ("007", FORMULA, ""), ("", "", ""), ("9", "", "2"),
                    columns=("id", "comment_text", "score")),  # the empty sheet row kept: rows stay aligned
         statuses=["scored", "scored", "empty", "empty"], notice="read the first, 'comments'"),
    Case("not really an .xlsx", "broken.xlsx", b"PK\x03\x04 this is no workbook", error="is not a readable .xlsx file"),
]  # fmt: skip

NO_TEXT_COLUMN = Case(
    "no comment_text column",
    "ids.csv",
    b"id,body\n1,you idiot\n",
    error="has no column 'comment_text'. Its columns are: 'id', 'body'. Which one holds the comments?",
)


def by_name(name: str) -> Case:
    return next(case for case in [*CASES, NO_TEXT_COLUMN] if case.name == name)
