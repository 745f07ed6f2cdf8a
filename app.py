"""cxdash: the Streamlit entry point. It sets up the page and routes.

The shared sidebar filters are drawn by each page through `ui.filters()` (drawn here, before
`page.run()`, AppTest loses them on reruns), so every page calls it first.
"""

import streamlit as st

st.set_page_config(page_title="cxdash: customer experience maturity", page_icon=":bar_chart:", layout="wide")

pages = {
    "For the board": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    ],
    "Explore": [
        st.Page("pages/maturity.py", title="Maturity", icon=":material/stairs:", url_path="maturity"),
        st.Page("pages/peers.py", title="Peers", icon=":material/groups:", url_path="peers"),
        st.Page("pages/trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
        st.Page("pages/journeys.py", title="Feedback and journeys", icon=":material/route:", url_path="journeys"),
    ],
    "Manage": [
        st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data"),
    ],
}
st.navigation(pages).run()
