"""cxdash: the Streamlit entry point. It only sets up the page and routes."""

import streamlit as st

st.set_page_config(page_title="cxdash: customer experience maturity", page_icon=":bar_chart:", layout="wide")

pages = {
    "Dashboard": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
}
st.navigation(pages).run()
