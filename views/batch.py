"""Batch: upload a CSV or Excel file, choose the text column, score every row, see summary charts, download the
scored file (CSV or Excel) with every input row and column and a status per row."""

import hashlib
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from cleanspeech import LABELS, InputError
from cleanspeech.serving import (
    SCORED_STATUSES,
    neutralize_formulas,
    read_lines,
    read_table,
    renamed_inputs_notice,
    score_frame,
    status_column,
    xlsx_bytes,
)
from cleanspeech.serving.csv_files import TEXT_COLUMN
from cleanspeech.serving.tables import UNPARSED_COLUMN, missing_column_message
from cleanspeech.serving.xlsx import excel_problem
from views.common import MODEL_COLORS, as_text, require_models
from views.workbench import queue_section

# Streamlit drops a widget's state while its page is not shown: what this page's widgets held, and the file, are kept
# here, so that a visit to another page loses neither the file nor the scores (as Moderate keeps its comment).
KEPT, KEPT_FILE = "batch_kept", "batch_kept_file"
KEPT_WIDGETS = ("batch_lenient", "batch_lines", "batch_column", "batch_models")
for key, value in st.session_state.get(KEPT, {}).items():
    if key not in st.session_state:
        st.session_state[key] = value


def _keep() -> None:
    st.session_state[KEPT] = {key: st.session_state[key] for key in KEPT_WIDGETS if key in st.session_state}


def _forget_file() -> None:
    """The file, its text column and its scores are dropped (the settings stay, as for a new upload)."""
    for key in (KEPT_FILE, "batch_column", "batch_column_file", "batch_result"):
        st.session_state.pop(key, None)
    _keep()


def _file_changed() -> None:
    if st.session_state.get("batch_file") is None:  # the user removed it with the uploader's x
        _forget_file()


st.title("Score a file of comments")
models = require_models()
upload = st.file_uploader("CSV (comma, semicolon or tab separated; UTF-8, UTF-16 or Windows-1252), Excel .xlsx, "
                          "or plain text with one comment per line", type=["csv", "tsv", "txt", "xlsx"],
                          key="batch_file", on_change=_file_changed)  # fmt: skip
lenient = st.checkbox("Keep malformed rows", key="batch_lenient",
                      help="A row with the wrong number of fields, a quote never closed or a NUL byte is kept whole "
                      f"in an '{UNPARSED_COLUMN}' column (a line of a one-per-line file stays in its own), marked as "
                      "an error and not scored. Unticked, such a file is refused and the lines are named.")  # fmt: skip
lines = st.checkbox("One comment per line (plain text, no header)", key="batch_lines",
                    help="Each line that holds more than white space is one comment, commas and all; without this, "
                    "the first line is read as a header.")  # fmt: skip
# Shown on every run, with or without a file, as the two settings above: replacing a file can run the page once without
# one, and a Models box left out of that run came back empty in the browser while the page still held the models
# (and Score did nothing).
if "batch_models" not in st.session_state:
    st.session_state["batch_models"] = list(models)
chosen = st.multiselect("Models", list(models), key="batch_models")
_keep()
if upload is not None:
    st.session_state[KEPT_FILE] = (upload.name, upload.getvalue())
elif KEPT_FILE in st.session_state:
    kept_note, forget = st.columns([4, 1])
    kept_note.caption(as_text(f"{st.session_state[KEPT_FILE][0]}, uploaded earlier in this session. Upload another "
                              "file to replace it."))  # fmt: skip
    forget.button("Forget this file", key="batch_forget", on_click=_forget_file)
else:
    st.info("Upload a file with one comment per row. Every row and column is kept; each row gets a status "
            "(scored, empty, truncated or error) and the scores are added as new columns.")  # fmt: skip
    st.stop()

name, data = st.session_state[KEPT_FILE]
digest = hashlib.sha1(data).hexdigest()
if st.session_state.get("batch_column_file") != (digest, lines):  # a new file has its own text column
    st.session_state.pop("batch_column", None)
    st.session_state["batch_column_file"] = (digest, lines)
    _keep()  # nor may a visit to another page bring the last file's column back
try:
    if lines:
        table = read_lines(data, name, lenient=lenient, keep_how="by ticking Keep malformed rows")
    else:
        # a .txt read as CSV lost its first line, likely a comment, to the header: say how to read it instead (the CLI
        # suggests --lines)
        how = ", or read one comment per line by ticking One comment per line" if name.lower().endswith(".txt") else ""
        table = read_table(data, name=name, lenient=lenient, keep_how=f"by ticking Keep malformed rows{how}")
except InputError as exc:
    st.error(as_text(str(exc)))
    st.stop()
for notice in table.notices:
    st.warning(as_text(notice))
frame = table.frame
if frame.empty:
    st.error(as_text(f"{name} has a header but no rows to score."))
    st.stop()

columns = [c for c in frame.columns if c != UNPARSED_COLUMN]
st.caption(as_text(f"{len(frame):,} rows, {len(columns)} columns."))
if st.session_state.get("batch_column") not in (None, *columns):  # Streamlit would quietly take the first column
    st.session_state.pop("batch_column")
# The widgets' starting values go into the session state, not into `index`/`default`, which are part of a widget's
# identity: one of those that changes between runs (a first value, then none) makes a new widget.
if "batch_column" not in st.session_state and TEXT_COLUMN in columns:
    st.session_state["batch_column"] = TEXT_COLUMN
column = st.selectbox("Text column", columns, index=None, placeholder="Choose the column that holds the comments",
                      key="batch_column")  # fmt: skip
if column is None:  # never guessed: scoring ids or names as if they were comments helps nobody
    st.info(as_text(missing_column_message(name, TEXT_COLUMN, columns, "Choose it above.")))
    st.stop()
_keep()
run_key = (digest, lines, lenient, column, tuple(chosen))

if st.button("Score", key="batch_score", type="primary", disabled=not chosen):
    bar = st.progress(0.0, text="Scoring…")
    scored = score_frame(frame, column, {name: models[name] for name in chosen}, row_errors=table.row_errors,
                         progress=lambda done: bar.progress(min(done, 1.0), text=f"Scoring… {done:.0%}"))  # fmt: skip
    bar.progress(1.0, text=f"Scored {len(scored):,} rows.")
    st.session_state["batch_result"] = {"key": run_key, "frame": scored}

result = st.session_state.get("batch_result")
if not result or result["key"] != run_key:
    st.stop()
scored = result["frame"]
if notice := renamed_inputs_notice(frame.columns, chosen):
    st.warning(as_text(notice))
status = scored[status_column(frame.columns)]
counts = status.str.split(":").str[0].value_counts()
st.caption(" · ".join(f"{kind}: {count:,}" for kind, count in counts.items()))
with_scores = scored[status.isin(SCORED_STATUSES)]
if with_scores.empty:
    st.warning("No row has a comment to score.")
else:
    # from the file's own flag column (flagged on the unrounded scores), so the chart and the download agree
    flagged = {name: with_scores[f"{name}_flagged"].fillna("").str.get_dummies(",").reindex(columns=list(LABELS),
                                                                                            fill_value=0).mean()
               for name in chosen}  # fmt: skip
    shares = pd.DataFrame([{"model": name, "label": label, "share flagged": share}
                           for name in chosen for label, share in flagged[name].items()])  # fmt: skip
    st.plotly_chart(px.bar(shares, x="label", y="share flagged", color="model", barmode="group",
                           color_discrete_map=MODEL_COLORS, title="Share of scored comments flagged per label"),
                    key="batch_shares")  # fmt: skip
    label = st.selectbox("Score distribution for", LABELS, key="batch_label")
    long = pd.concat([pd.DataFrame({"model": name, "probability": with_scores[f"{name}_{label}"]}) for name in chosen])
    st.plotly_chart(px.histogram(long, x="probability", color="model", nbins=50, barmode="overlay",
                                 color_discrete_map=MODEL_COLORS, title=f"{label}: probability per comment"),
                    key="batch_histogram")  # fmt: skip

queue_section(scored, status, column, run_key)

safe = st.checkbox("Safe to open in a spreadsheet", value=True, key="batch_safe_cells",
                   help="Cells (column names too) starting with =, +, -, @, a tab or a carriage return get a leading ' "
                   "so that a spreadsheet shows them as text, not as formulas. Untick for programs.")  # fmt: skip
download = neutralize_formulas(scored) if safe else scored
stem = Path(name).stem
left, right = st.columns(2)
# Both files are built when their button is clicked, not on every rerun of the page. on_click="ignore": a click that
# also reran the page could lose the file (the rerun clears the messages not yet sent, the file's address among them)
# and leave the button spinning.
left.download_button("Download CSV", lambda: download.to_csv(index=False).encode("utf-8"), mime="text/csv",
                     file_name=f"{stem}_scored.csv", key="batch_download", on_click="ignore")  # fmt: skip
if problem := excel_problem(scored):  # Excel's limits: 1 M rows, 32,767 characters a cell, no control characters
    right.caption(as_text(f"No Excel download: {problem}"))
else:
    right.download_button("Download Excel", lambda: xlsx_bytes(scored), file_name=f"{stem}_scored.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="batch_download_xlsx", on_click="ignore")  # fmt: skip
st.dataframe(scored.head(50), key="batch_preview")  # shown as data: HTML in a comment is never rendered
