"""Compare models: ROC/PR curves per label, metrics at tuned thresholds, a live threshold slider, how faithful each
explanation method is, how good the rewrites are, and the comments where the models disagree."""

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from cleanspeech import LABELS
from cleanspeech.classifiers import MODEL_COMMANDS, model_path
from cleanspeech.errors import DataFileNotFound
from cleanspeech.evaluation.metrics import precision_recall_f1
from cleanspeech.evaluation.reports import disagreements
from cleanspeech.paths import resolve_data_dir
from views.common import MODEL_COLORS, chart_text, comment_texts, read_json
from views.fairness import flag_step, functional_section, readable_fairness, sample_note


def interval_errors(group: dict, metric: str) -> dict:
    """Error-bar lengths above and below a term's benign FPR from its interval (none for other metrics, or for
    reports written before intervals were)."""
    interval = group.get(f"{metric}_ci")
    if not interval or interval[0] is None or group[metric] is None:
        return {}
    return {"above": interval[1] - group[metric], "below": group[metric] - interval[0]}


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
    a.metric(
        "precision",
        "–" if np.isnan(precision) else f"{precision:.3f}",
        help="– : no positive comment and nothing flagged",
    )
    b.metric("recall", "–" if np.isnan(recall) else f"{recall:.3f}", help="– : no positive comment")
    c.metric("F1", "–" if np.isnan(f1) else f"{f1:.3f}")
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

st.subheader("Fair to the people it moderates")
fairness = {name: read_json(model_path(name) / "fairness.json") for name in MODEL_COMMANDS}
fairness = {name: r for name, r in fairness.items() if readable_fairness(r)}
if not fairness:
    st.info("Measure it with `python scripts/evaluate_fairness.py`.")
else:
    st.caption("Identity-term bias (Borkan et al. 2019): benign FPR is the share of non-toxic sentences naming a group "
               "that a model flags at its tuned thresholds (target: at most 10%); BPSN AUC is low when benign mentions "
               "of a group score above attacks on others. Generalized means use p = -5, so the worst groups weigh "
               "most; the final metric is Jigsaw 2019's.")  # fmt: skip
    for name, report in fairness.items():
        if sample := sample_note(report.get("settings")):
            st.warning(f"{name}: {sample}. Its figures are not comparable with a full measurement.")
    left, right = st.columns(2)
    source = left.radio("Sentences", ["templates", "real comments"], horizontal=True, key="fair_source",
                        help="templates: our sentences, the same ones naming each term; real comments: held-out "
                        "comments that mention the terms")  # fmt: skip

    def by_language(report: dict) -> dict:
        return report["templates"]["languages"] if source == "templates" else report.get("real_comments", {})

    languages = list(dict.fromkeys(lang for r in fairness.values() for lang in by_language(r)))
    if not languages:
        st.info("No real comments were measured: run the script with a data directory.")
    else:
        # a choice per source, kept while the other is shown (Streamlit forgets a widget not drawn): real comments
        # have no "all", and switching there and back showed "en" instead of the language chosen
        chosen = st.session_state.setdefault("fair_lang_chosen", {})
        start = languages.index(chosen[source]) if chosen.get(source) in languages else 0
        lang = chosen[source] = right.selectbox("Language", languages, index=start, key=f"fair_lang_{source}")
        measured = {name: by_language(r)[lang] for name, r in fairness.items() if lang in by_language(r)}
        summary = ["overall_auc", "subgroup_auc_gmean", "bpsn_auc_gmean", "bnsp_auc_gmean", "final_metric",
                   "max_benign_fpr", "mean_benign_fpr", "terms_over_fpr_limit",
                   "terms_surely_over_fpr_limit"]  # fmt: skip
        st.dataframe(pd.DataFrame({name: {k: m.get(k) for k in summary} for name, m in measured.items()}).T,
                     key="fairness_summary")  # fmt: skip
        if source == "real comments":
            st.caption("Real comments name some terms only a few times: the worst benign FPR and the terms over 10% "
                       "count every term with a benign comment, so one flag on a term named twice reads as 50%. Each "
                       "bar below carries its 95% interval, and its benign count on hover.")  # fmt: skip
        metric = st.radio("Per term", ["benign_fpr", "bpsn_auc", "subgroup_auc", "bnsp_auc"], horizontal=True,
                          key="fair_metric")  # fmt: skip
        groups = [(name, term, g) for name, m in measured.items() for term, g in m.get("groups", {}).items()]
        per_term = pd.DataFrame([{"model": name, "term": chart_text(term), metric: g.get(metric),
                                  "benign": g.get("benign"), **interval_errors(g, metric)}
                                 for name, term, g in groups])  # fmt: skip
        if per_term.empty:
            st.info(f"No {source} in this language name a term.")
        else:
            bars = {"error_y": "above", "error_y_minus": "below"} if "above" in per_term else {}
            figure = px.bar(per_term, x="term", y=metric, color="model", barmode="group", hover_data=["benign"],
                            color_discrete_map=MODEL_COLORS, **bars)  # fmt: skip
            if metric == "benign_fpr":
                figure.add_hline(y=0.1, line_dash="dot", annotation_text="target 10%")
                st.caption(f"Bars: the share of each term's benign sentences flagged, with its 95% interval. "
                           f"{flag_step(per_term['benign'])}")  # fmt: skip
            st.plotly_chart(figure, key="fairness_terms")
    functional_section(fairness)

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
