"""Batch: upload a CSV, choose the text column, score every row, see summary charts, download the scored file."""

import hashlib
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from cleanspeech import LABELS, InputError
from cleanspeech.serving import neutralize_formulas, read_comments_csv, score_frame
from pages.common import MODEL_COLORS, require_models

st.title("Score a CSV file")
models = require_models()
upload = st.file_uploader("CSV file of comments (UTF-8 or Windows-1252)", type=["csv", "txt"], key="batch_file")
if upload is None:
    st.info("Upload a CSV with one comment per row. Every row and column is kept; scores are added as new columns.")
    st.stop()

data = upload.getvalue()
try:
    frame, notices = read_comments_csv(data, name=upload.name)
except InputError as exc:
    st.error(str(exc))
    st.stop()
for notice in notices:
    st.warning(notice)
if frame.empty:
    st.error(f"{upload.name} has a header but no rows to score.")
    st.stop()

columns = list(frame.columns)
column = st.selectbox("Text column", columns, index=columns.index("comment_text") if "comment_text" in columns else 0,
                      key="batch_column")  # fmt: skip
chosen = st.multiselect("Models", list(models), default=list(models), key="batch_models")
st.caption(f"{len(frame):,} rows, {len(columns)} columns.")
run_key = (hashlib.sha1(data).hexdigest(), column, tuple(chosen))

if st.button("Score", key="batch_score", type="primary", disabled=not chosen):
    bar = st.progress(0.0, text="Scoring…")
    scored = score_frame(frame, column, {name: models[name] for name in chosen},
                         progress=lambda done: bar.progress(min(done, 1.0), text=f"Scoring… {done:.0%}"))  # fmt: skip
    bar.progress(1.0, text=f"Scored {len(scored):,} rows.")
    st.session_state["batch_result"] = {"key": run_key, "frame": scored}

result = st.session_state.get("batch_result")
if not result or result["key"] != run_key:
    st.stop()
scored = result["frame"]

shares = pd.DataFrame(
    [{"model": name, "label": label, "share flagged": (scored[f"{name}_{label}"] >= threshold).mean()}
     for name in chosen for label, threshold in models[name].thresholds.items()]
)  # fmt: skip
st.plotly_chart(px.bar(shares, x="label", y="share flagged", color="model", barmode="group",
                       color_discrete_map=MODEL_COLORS, title="Share of comments flagged per label"),
                key="batch_shares")  # fmt: skip
label = st.selectbox("Score distribution for", LABELS, key="batch_label")
long = pd.concat([pd.DataFrame({"model": name, "probability": scored[f"{name}_{label}"]}) for name in chosen])
st.plotly_chart(px.histogram(long, x="probability", color="model", nbins=50, barmode="overlay",
                             color_discrete_map=MODEL_COLORS, title=f"{label}: probability per comment"),
                key="batch_histogram")  # fmt: skip

safe = st.checkbox("Safe to open in a spreadsheet", value=True, key="batch_safe_cells",
                   help="Cells starting with =, +, -, @, a tab or a carriage return get a leading ' so that a "
                   "spreadsheet shows them as text, not as formulas. Untick for programs.")  # fmt: skip
download = neutralize_formulas(scored) if safe else scored
st.download_button("Download the scored CSV", download.to_csv(index=False).encode("utf-8"),
                   file_name=f"{Path(upload.name).stem}_scored.csv", mime="text/csv", key="batch_download")  # fmt: skip
st.dataframe(scored.head(50), key="batch_preview")  # shown as data: HTML in a comment is never rendered
