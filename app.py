"""CleanSpeech moderation dashboard: `streamlit run app.py`.

This file only routes: each page lives in `views/` and reads like a description of what the moderator sees. (Not
`pages/`: Streamlit would serve such a folder's files as pages of their own to a first visit by direct link.)
"""

import logging

import streamlit as st

from cleanspeech import available_models
from views.highlight import TEXT_BOX_CSS

st.set_page_config(page_title="CleanSpeech", page_icon="🧹", layout="wide")

pages = {
    "Moderation": [
        st.Page("views/moderate.py", title="Moderate", icon=":material/shield:", default=True),
        st.Page("views/queue.py", title="Queue", icon=":material/inbox:"),
        st.Page("views/batch.py", title="Batch", icon=":material/table_view:"),
        st.Page("views/history.py", title="History", icon=":material/history:"),
        st.Page("views/policies.py", title="Policies", icon=":material/tune:"),
    ],
    "Models": [
        st.Page("views/compare.py", title="Compare models", icon=":material/monitoring:"),
        st.Page("views/training.py", title="Training metrics", icon=":material/model_training:"),
    ],
}

# A comment in Arabic, Hebrew or Persian is typed and read right to left in the text boxes too: each paragraph takes
# its direction from its first letter, as the comments shown on the pages do.
st.html(TEXT_BOX_CSS)

with st.sidebar:
    st.markdown("**CleanSpeech** · offline toxicity moderation")
    models = available_models()
    st.caption("Models: " + (", ".join(models) if models else "none found in `models/`"))

# Streamlit's own error box shows a traceback with links to web search, in an app that promises to work offline.
# Every page handles the problems it can foresee; anything else ends the page with this one line, logged in full.
PAGE_FAILED = "This page could not finish"
page = st.navigation(pages)
try:
    page.run()
except Exception as exc:  # st.stop() and reruns are BaseExceptions and pass through
    logging.getLogger("cleanspeech.app").exception("the %s page failed", page.title)
    st.error(f"{PAGE_FAILED} ({type(exc).__name__}). The server log has the details.")
