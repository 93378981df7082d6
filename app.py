"""CleanSpeech moderation dashboard: `streamlit run app.py`.

This file only routes: each page lives in `pages/` and reads like a description of what the moderator sees.
"""

import streamlit as st

from cleanspeech import available_models

st.set_page_config(page_title="CleanSpeech", page_icon="🧹", layout="wide")

pages = [
    st.Page("pages/moderate.py", title="Moderate", icon=":material/shield:", default=True),
    st.Page("pages/batch.py", title="Batch", icon=":material/table_view:"),
    st.Page("pages/compare.py", title="Compare models", icon=":material/monitoring:"),
    st.Page("pages/training.py", title="Training metrics", icon=":material/model_training:"),
]

with st.sidebar:
    st.markdown("**CleanSpeech** · offline toxicity moderation")
    models = available_models()
    st.caption("Models: " + (", ".join(models) if models else "none found in `models/`"))

st.navigation(pages).run()
