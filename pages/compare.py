"""Compare models: ROC/PR curves per label, metrics at tuned thresholds, a live threshold slider, how faithful each
explanation method is, how good the rewrites are, and the comments where the models disagree."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cleanspeech import LABELS
from cleanspeech.classifiers import MODEL_COMMANDS, model_path
from cleanspeech.errors import DataFileNotFound
from cleanspeech.evaluation.metrics import precision_recall_f1
from cleanspeech.evaluation.reports import disagreements
from cleanspeech.paths import resolve_data_dir
from pages.common import MODEL_COLORS, comment_texts, read_json

st.title("Compare models")
reports = {name: read_json(model_path(name) / "evaluation.json") for name in MODEL_COMMANDS}
reports = {name: report for name, report in reports.items() if isinstance(report, dict) and "splits" in report}
if not reports:
    st.error("No evaluation found in `models/`. Create one with:")
    st.code(MODEL_COMMANDS["baseline"], language="bash")
    st.stop()

left, right = st.columns(2)
split = left.radio(
    "Data",
    ["validation", "test"],
    horizontal=True,
    key="compare_split",
    help="validation: held-out rows of every shipped source; test: the scored Jigsaw test rows",
)
label = right.selectbox("Label", LABELS, key="compare_label")

st.subheader("Metrics at the tuned thresholds")
rows = []
for name, report in reports.items():
    metrics = report["splits"].get(split, {}).get("metrics", {})
    for key in [*LABELS, "macro"]:
        if key in metrics:
            rows.append({"model": name, "label": key, **{k: metrics[key][k] for k in
                         ("roc_auc", "pr_auc", "precision", "recall", "f1", "threshold")}})  # fmt: skip
st.dataframe(pd.DataFrame(rows).round(4), hide_index=True, key="metrics_table")

roc, pr = go.Figure(), go.Figure()
for name, report in reports.items():
    curves = report["splits"].get(split, {}).get("curves", {}).get(label)
    if not curves:
        continue
    color = MODEL_COLORS.get(name, "#54A24B")
    roc.add_scatter(x=curves["roc"]["fpr"], y=curves["roc"]["tpr"], name=name, line={"color": color})
    pr.add_scatter(x=curves["pr"]["recall"], y=curves["pr"]["precision"], name=name, line={"color": color})
roc.add_scatter(x=[0, 1], y=[0, 1], name="chance", line={"dash": "dot", "color": "grey"})
roc.update_layout(
    title=f"ROC: {label}", xaxis_title="false positive rate", yaxis_title="true positive rate", height=380
)
pr.update_layout(title=f"Precision-recall: {label}", xaxis_title="recall", yaxis_title="precision", height=380)
left, right = st.columns(2)
left.plotly_chart(roc, key="roc_chart")
right.plotly_chart(pr, key="pr_chart")

st.subheader("Try a threshold")
st.caption("Precision, recall and F1 on the stored validation predictions (unknown labels left out).")
for name, report in reports.items():
    predictions = report["predictions"]["validation"]
    truth = np.array([np.nan if v is None else v for v in predictions["labels"][label]], dtype=float)
    scores = np.array(predictions["scores"][label], dtype=float)
    known = ~np.isnan(truth)
    tuned = float(report["thresholds"][label])
    threshold = st.slider(f"{name} threshold for {label}", 0.0, 1.0, round(tuned, 3), 0.005,
                          key=f"threshold_{name}_{label}")  # fmt: skip
    precision, recall, f1 = precision_recall_f1(truth[known].astype(int), scores[known], threshold)
    a, b, c, d = st.columns(4)
    a.metric("precision", f"{precision:.3f}")
    b.metric("recall", f"{recall:.3f}")
    c.metric("F1", f"{f1:.3f}")
    flagged = int((scores[known] >= threshold).sum())
    d.metric("flagged", f"{flagged / max(1, known.sum()):.1%}", help=f"{flagged:,} of {int(known.sum()):,} comments")

st.subheader("How faithful are the explanations")
faithfulness = {name: read_json(model_path(name) / "faithfulness.json") for name in MODEL_COMMANDS}
faithfulness = {name: report for name, report in faithfulness.items() if report}
if not faithfulness:
    st.info("Measure it with `python scripts/evaluate_explanations.py`.")
else:
    first = next(iter(faithfulness.values()))
    st.caption(f"ERASER measures on {first['comments']} {first['selection']}, label {first['label']}: "
               "comprehensiveness is the score lost when the top-ranked words are removed (higher is better), "
               "sufficiency the score lost keeping only them (lower is better), averaged over removing 1–50% of "
               "the words. A random ranking of the same words is the control.")  # fmt: skip
    rows = [{"model": name, "method": method, "comprehensiveness": m["comprehensiveness"],
             "random comprehensiveness": m["random"]["comprehensiveness"], "× random": m["comprehensiveness_vs_random"],
             "sufficiency": m["sufficiency"], "random sufficiency": m["random"]["sufficiency"],
             "seconds per comment": m["seconds_per_comment"]}
            for name, report in faithfulness.items() for method, m in report["methods"].items()]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="faithfulness_table")

st.subheader("How good are the rewrites")
rewriting = read_json(model_path("rewriter") / "evaluation.json")
if not rewriting:
    st.info("Measure it with `python scripts/evaluate_rewrite.py`.")
else:
    st.caption(f"{rewriting['sentences']:,} sentences of the {rewriting['data']} (never trained on). STA: share the "
               "transformer no longer flags (STA baseline: the baseline's view); SIM: e5 cosine to the input; FL: "
               "fluency, 1 for text as fluent as most human rewrites; chrF against the human rewrites; J: mean of "
               "STA × SIM × FL per sentence. copy and delete are floors; reference is a human rewrite.")  # fmt: skip
    table = pd.DataFrame(rewriting["systems"]).T.drop(columns=["sentences"], errors="ignore")
    st.dataframe(table.round(3), key="rewrite_table")

st.subheader("Where the models disagree")
if len(reports) < 2:
    st.info(f"This appears once a second model is shipped: `{MODEL_COMMANDS['transformer']}`.")
    st.stop()
left, right = st.columns(2)
model_a = left.selectbox("Model", list(reports), key="disagree_a")
model_b = right.selectbox("against", [name for name in reports if name != model_a], key="disagree_b")
top = disagreements(reports[model_a], reports[model_b], split, label)
st.caption(f"The {len(top)} {split} comments whose {label} scores differ most; difference = {model_a} − {model_b}.")
try:
    data_dir = resolve_data_dir()
except DataFileNotFound:
    data_dir = None
columns = {f"true {label}": top["truth"].map({1: "yes", 0: "no"}).fillna("unknown"), model_a: top["score_a"],
           model_b: top["score_b"], "difference": top["difference"], "source": top["source"]}  # fmt: skip
if data_dir is None:
    st.info("Comment texts come from the data directory (`CLEANSPEECH_DATA`, else `../shared/data`); none was found, "
            "so only the ids are shown.")  # fmt: skip
    table = pd.DataFrame({"id": top["id"], **columns})
else:
    texts = comment_texts(str(data_dir), tuple(zip(top["source"], top["id"])))
    if len(texts) < len(top):
        st.caption(f"{len(top) - len(texts)} of these ids are not in {data_dir}: those comments are left blank.")
    table = pd.DataFrame({"comment": top["id"].map(texts), **columns, "id": top["id"]})
# A DataFrame: HTML in a comment is shown as text, never rendered.
st.dataframe(table, hide_index=True, key="disagreement_table",
             column_config={"comment": st.column_config.TextColumn(width="large")})  # fmt: skip
