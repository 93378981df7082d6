"""`POST /v1/files:score`: the service reads comment files with the same reader, and gives the same outcomes, as
the CLI and the app (the table in tests/helpers/malformed_files.py), over raw HTTP to a real server on loopback."""

import io
import json

import httpx
import openpyxl
import pandas as pd
import pytest

from cleanspeech.serving import read_table
from tests.helpers.malformed_files import CASES, FORMULA, NO_TEXT_COLUMN, by_name
from tests.helpers.service import assert_google_error

pytestmark = pytest.mark.xdist_group("service")
PATH = "/v1/files:score"


def upload(http, case, **params):
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if case.file_name.endswith(".xlsx") \
        else "text/csv"  # fmt: skip
    return http.post(PATH, content=case.content, params={"name": case.file_name, **params},
                     headers={"Content-Type": kind})  # fmt: skip


@pytest.mark.parametrize("case", [*CASES, NO_TEXT_COLUMN], ids=str)
def test_each_file_gets_the_same_outcome_as_everywhere_else(http, case):
    answer = upload(http, case, safe_cells="false")
    if case.error:
        assert case.error in assert_google_error(answer, 400, "INVALID_ARGUMENT")["message"]
        return
    assert answer.status_code == 200, answer.text
    notices = json.loads(answer.headers["x-cleanspeech-notices"])
    assert case.notice is None or any(case.notice in n for n in notices)
    scored = pd.read_csv(io.StringIO(answer.text), dtype=str, keep_default_na=False)
    if not case.rows:
        assert scored.empty and any("has a header but no rows" in n for n in notices)  # as the CLI says
        return
    assert scored[list(case.rows[0])].to_dict("records") == case.rows
    assert scored["status"].tolist() == case.statuses
    assert (scored.loc[scored["status"] == "empty", "baseline_toxic"] == "").all()


def test_lenient_and_every_output_format(http):
    case = by_name("ragged: a field too many")
    refused = assert_google_error(upload(http, case), 400, "INVALID_ARGUMENT")["message"]
    assert refused.endswith("keep such rows unscored with ?lenient=true")  # the service's way, not the CLI's flag
    kept = upload(http, case, lenient="true", output="json").json()
    assert [row["status"] for row in kept["rows"]] == case.lenient_statuses
    assert kept["rows"][1]["unparsed_row"] == "2,you,idiot,bob" and kept["rows"][1]["baseline_toxic"] is None
    for query in ({"output": "pdf"}, {"lenient": "maybe"}):  # a query parameter, not the JSON payload
        message = assert_google_error(upload(http, case, **query), 400, "INVALID_ARGUMENT")["message"]
        assert message.startswith(f"Invalid value at '{next(iter(query))}' (query parameter): "), message
    formulas = by_name("formula cells")
    safe = pd.read_csv(io.StringIO(upload(http, formulas).text), dtype=str, keep_default_na=False)
    assert safe["comment_text"][0] == "'" + FORMULA  # safe to open by default, as the CLI and the app
    as_json = upload(http, formulas, output="json").json()
    assert as_json["rows"][0]["comment_text"] == FORMULA  # JSON keeps the original
    workbook = upload(http, formulas, output="xlsx")
    assert workbook.headers["content-disposition"] == 'attachment; filename="formulas_scored.xlsx"'
    assert read_table(workbook.content, name="back.xlsx").frame["comment_text"][0] == FORMULA  # text, unchanged
    cell = openpyxl.load_workbook(io.BytesIO(workbook.content)).active["B2"]
    assert cell.data_type == "s" and cell.quotePrefix  # never a formula, and Excel keeps it text when edited


def test_a_key_is_needed_and_the_column_can_be_named(service, http):
    case = NO_TEXT_COLUMN
    assert httpx.post(f"{service}{PATH}", content=case.content).status_code == 403
    named = upload(http, case, column="body")
    assert named.status_code == 200 and "baseline_toxic" in named.text.splitlines()[0]
