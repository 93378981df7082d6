"""The Batch page through streamlit.testing: uploads scored with every row kept, bad files explained."""

import pandas as pd
import pytest

from tests.helpers.app_testing import shown
from tests.helpers.malformed_files import CASES, NO_TEXT_COLUMN, by_name

# The app's models load once per process (st.cache_resource): under pytest-xdist the app's tests share one worker
# instead of paying that on each.
pytestmark = pytest.mark.xdist_group("app")


@pytest.mark.slow
def test_batch_page_scores_an_upload_and_keeps_every_row(app, data_dir):
    frame = pd.read_csv(data_dir / "jigsaw_sample" / "test.csv.gz", dtype=str, keep_default_na=False).head(40)
    frame["note"] = "<script>alert(1)</script>"
    app.switch_page("views/batch.py").run()
    app.file_uploader(key="batch_file").upload("comments.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    assert not app.exception and app.selectbox(key="batch_column").value == "comment_text"
    app.button(key="batch_score").click().run()
    assert not app.exception
    scored = app.session_state["batch_result"]["frame"]
    pd.testing.assert_frame_equal(scored[frame.columns], frame)
    assert (scored["baseline_toxic"] >= 0).all() and len(app.get("download_button")) == 2  # CSV and Excel
    assert len(app.get("plotly_chart")) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a PNG image"),
        (b"", "empty"),
        (b"comment_text\n", "no rows"),
    ],
)
def test_batch_page_explains_bad_files(app, content, message):
    app.switch_page("views/batch.py").run()
    app.file_uploader(key="batch_file").upload("bad.csv", content, "text/csv").run()
    assert not app.exception
    assert message in app.error[0].value


def test_batch_page_gives_each_file_its_one_outcome(app):
    app.switch_page("views/batch.py").run()
    for case in CASES:
        if case.file_name.rsplit(".", 1)[-1] not in ("csv", "tsv", "txt", "xlsx"):  # the uploader offers no other
            continue
        app.file_uploader(key="batch_file").upload(case.file_name, case.content, "application/octet-stream").run()
        assert not app.exception, case.name
        if case.error:
            assert case.error in shown(app.error[0].value), case.name
            continue
        if not case.rows:
            assert "has a header but no rows" in shown(app.error[0].value)
            continue
        assert case.notice is None or any(case.notice in shown(w.value) for w in app.warning), case.name
        app.button(key="batch_score").click().run()
        scored = app.session_state["batch_result"]["frame"]
        assert scored[list(case.rows[0])].to_dict("records") == case.rows, case.name  # nothing lost or shifted
        assert scored["status"].tolist() == case.statuses, case.name
        assert scored.loc[scored["status"] == "empty", "baseline_toxic"].isna().all()


def test_batch_page_keeps_malformed_rows_when_asked(app):
    case = by_name("ragged: a field too many")
    app.switch_page("views/batch.py").run()
    app.checkbox(key="batch_lenient").check().run()
    app.file_uploader(key="batch_file").upload(case.file_name, case.content, "text/csv").run()
    assert not app.exception and "not scored" in shown(app.warning[0].value)
    app.button(key="batch_score").click().run()
    scored = app.session_state["batch_result"]["frame"]
    assert scored[list(case.lenient_rows[0])].to_dict("records") == case.lenient_rows
    assert scored["status"].tolist() == case.lenient_statuses


def test_batch_page_asks_for_the_text_column(app):
    app.switch_page("views/batch.py").run()
    app.file_uploader(key="batch_file").upload("ids.csv", NO_TEXT_COLUMN.content, "text/csv").run()
    assert app.selectbox(key="batch_column").value is None and not app.button  # nothing scored on a guess
    assert NO_TEXT_COLUMN.error in shown(app.info[0].value)
    app.selectbox(key="batch_column").select("body").run()
    app.button(key="batch_score").click().run()
    assert app.session_state["batch_result"]["frame"]["status"].tolist() == ["scored"]


def test_batch_page_reads_a_plain_text_file_one_comment_per_line(app):
    app.switch_page("views/batch.py").run()
    notes = b"You are a disgusting idiot\nThanks, that fixed it.\nsee you tomorrow\n"
    app.file_uploader(key="batch_file").upload("notes.txt", notes, "text/plain").run()  # read as CSV: a comma too many
    assert shown(app.error[0].value).endswith("or read one comment per line by ticking One comment per line")
    app.checkbox(key="batch_lines").check().run()
    app.file_uploader(key="batch_file").upload("notes.txt", notes, "text/plain").run()
    assert not app.exception and app.selectbox(key="batch_column").value == "comment_text"
    app.button(key="batch_score").click().run()
    scored = app.session_state["batch_result"]["frame"]
    assert scored["comment_text"].tolist() == notes.decode().splitlines()  # the first comment too, commas and all
    assert scored["status"].tolist() == ["scored"] * 3


def test_batch_page_keeps_its_file_choices_and_scores_across_pages_and_starts_afresh_for_a_new_file(app):
    app.switch_page("views/batch.py").run()
    app.file_uploader(key="batch_file").upload("ids.csv", NO_TEXT_COLUMN.content, "text/csv").run()
    assert app.selectbox(key="batch_column").value is None  # no text column: the user is asked
    good = b"id,comment_text\n1,You are a disgusting idiot\n2,Thanks for the fix!\n"
    app.file_uploader(key="batch_file").upload("good.csv", good, "text/csv").run()
    assert app.selectbox(key="batch_column").value == "comment_text"  # its own column, not the last file's blank
    app.checkbox(key="batch_lenient").check().run()
    app.button(key="batch_score").click().run()
    scored = app.session_state["batch_result"]["frame"]
    app.switch_page("views/moderate.py").run()
    app.switch_page("views/batch.py").run()  # Streamlit drops the uploader's file while another page is shown
    assert not app.exception and not app.warning
    assert any(c.value.startswith("good\\.csv\\, uploaded earlier") for c in app.caption)
    assert app.checkbox(key="batch_lenient").value and app.selectbox(key="batch_column").value == "comment_text"
    assert app.dataframe[-1].value["comment_text"].tolist() == scored["comment_text"].tolist()  # the scores, shown


def test_a_file_without_a_text_column_is_never_given_another_files_column(app):
    app.switch_page("views/batch.py").run()
    app.file_uploader(key="batch_file").upload("a.csv", b"body,id\nYou idiot,1\n", "text/csv").run()
    app.selectbox(key="batch_column").select("body").run()  # chosen for a.csv
    app.file_uploader(key="batch_file").upload("b.csv", b"id,title,body\n1,Hello,Thanks\n", "text/csv").run()
    assert app.selectbox(key="batch_column").value is None
    app.switch_page("views/moderate.py").run()
    app.switch_page("views/batch.py").run()  # not a.csv's choice, nor the first column, after a visit elsewhere
    assert app.selectbox(key="batch_column").value is None and not [b for b in app.button if b.key == "batch_score"]
    app.button(key="batch_forget").click().run()  # the kept file can be dropped without an uploader to clear
    assert any(i.value.startswith("Upload a file") for i in app.info)
