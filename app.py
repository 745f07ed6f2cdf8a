"""cxdash: the Streamlit entry point. It sets up the page and routes.

Page scripts live in pages/. This file and each page start with `ui.through_app()`: until st.navigation
has run once, Streamlit treats pages/ as its legacy multipage layout (a fresh server's first request on a
deep link would run the page without this file); that call turns it off and reruns through here.

With sign-in configured, someone who may not read the dashboards sees only a sign-in page and Live
assessment (`ui.navigation`; the rules are in cxdash/access.py).

The shared sidebar filters are drawn by each page through `ui.filters()` (drawn here, before
`page.run()`, AppTest loses them on reruns), so every page calls it first.
"""

import streamlit as st

from cxdash import db, presentation, ui

ui.through_app(entry=True)
st.set_page_config(page_title="cxdash: customer experience maturity", page_icon=":bar_chart:", layout="wide")
presenting = presentation.start()  # ?present=1 or the sidebar switch: projector styling, no navigation

pages = {
    "For the board": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    ],
    "Explore": [
        st.Page("pages/maturity.py", title="Maturity", icon=":material/stairs:", url_path="maturity"),
        st.Page("pages/peers.py", title="Peers", icon=":material/groups:", url_path="peers"),
        st.Page("pages/trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
        st.Page("pages/journeys.py", title="Feedback and journeys", icon=":material/route:", url_path="journeys"),
        st.Page("pages/insight.py", title="Insight", icon=":material/lightbulb:", url_path="insight"),
    ],
    "Workshop": [
        st.Page("pages/assess.py", title="Live assessment", icon=":material/how_to_vote:", url_path="assess"),
        st.Page("pages/facilitate.py", title="Facilitator", icon=":material/co_present:", url_path="facilitate"),
    ],
    "Manage": [
        st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data"),
    ],
}
with db.session(hold=False):  # a query or computation asked twice in this rerun runs once
    ui.navigation(pages, hidden=presenting).run()  # with sign-in configured: only what this person may open
