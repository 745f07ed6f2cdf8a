"""Facilitator: open a workshop session for the organisation chosen in the sidebar, share its join code and link,
watch the room's answers arrive live, and close it to see the round's result and next steps."""

import datetime

import pandas as pd
import streamlit as st

from cxdash import maturity, reference, ui, workshop
from cxdash.charts import workshop as charts
from cxdash.labels import md

ui.through_app()  # reruns through app.py if Streamlit started this page alone

f = ui.filters()
st.title("Facilitator")
if f.framework_id is None or f.org_id is None:
    st.info(maturity.empty_message(f.framework_id, f.org_id))
    st.stop()


def show_room(session_id: str, final: bool) -> None:
    """The room so far (or finally): submissions by role, scores, spread of answers, roles, next steps."""
    room = ui.cached(workshop.room, session_id)
    if not final and room.session["status"] == "closed":  # closed from another tab
        st.rerun(scope="app")
    result, n = room.result, room.submissions
    people = maturity.respondents_phrase(room.people) if n else "no submissions yet"
    st.markdown(
        f"**{people[:1].upper()}{people[1:]}**" + ("" if final else f" · updated {pd.Timestamp.now():%H:%M:%S}")
    )
    if n < workshop.MIN_ROOM:
        st.info(
            f"The room's scores appear once {workshop.MIN_ROOM} people have submitted, so nobody's answers can be "
            f"singled out ({n} so far)."
        )
        return
    head, chart = st.columns([1, 2], gap="large")
    head.metric("The room's overall score", workshop.score_sentence(result))
    head.markdown(maturity.stage_ladder(result.stages, result.stage_level) + f"  \n*{result.descriptor}*")
    chart.plotly_chart(ui.figure(charts.make_room_pillars, result.pillars, result.stages, n), key="facilitate_pillars")
    chart.caption(
        "Each pillar's score averages its statements' mean answers on 0-100 (1 = 0, 3 = 50, 5 = 100). Dotted lines "
        f"mark where stages start: {workshop.stage_starts(result.stages)}."
    )
    spread, roles = st.columns(2, gap="large")
    spread.plotly_chart(ui.figure(charts.make_pillar_spread, room.spread, room.scale, n), key="facilitate_spread")
    spread.caption(
        "Each bar splits all the answers given for a pillar across the scale: wide colours mean disagreement."
    )
    gap = maturity.largest_gap(room.roles)
    roles.markdown(f"**{maturity.gap_sentence(gap)}**")
    if gap is not None:
        roles.plotly_chart(ui.figure(charts.make_role_gap, room.roles), key="facilitate_roles")
        roles.caption(
            "Each marker is one role's score for a pillar; the grey bar and 'gap' show how far apart they are."
        )
    roles.caption(maturity.hidden_note(room.roles))
    if final:
        st.subheader("Where to start")
        st.caption("The three weakest pillars, the one that would lift the overall score most first.")
        for step in result.plan.to_dict("records"):
            st.markdown(f"- **{step['name']}**: {ui.step_summary(step)}. {step['text']}")
        if room.comments:
            st.subheader(f"Comments ({len(room.comments)})")
            st.markdown("\n".join(f"- {md(c)}" for c in room.comments))  # as written: never links or HTML


allowed = ui.permitted("facilitate", key="facilitate_passcode")  # if not, says why or asks for the passcode

org_name = dict(ui.cached(reference.organisations)[["org_id", "name"]].values)[f.org_id]
sessions = ui.cached(workshop.sessions, f.org_id, f.framework_id)
with st.expander(f"Open a new session for {md(org_name)}", expanded=not (sessions["status"] == "open").any()):
    with st.form("facilitate_open", border=False):
        name, day, go = st.columns([3, 2, 1], vertical_alignment="bottom")
        name = name.text_input("Session name", placeholder="e.g. Leadership team workshop", key="facilitate_name")
        day = day.date_input("Date of the assessment round", datetime.date.today(), key="facilitate_date")
        opened = go.form_submit_button(
            "Open session", type="primary", disabled=not allowed, width="stretch", key="facilitate_open_button"
        )
    st.caption("The session's answers become this organisation's assessment round of that date on the Maturity page.")
    if opened and allowed:
        try:
            new = workshop.open_session(f.framework_id, f.org_id, name, day)
            st.session_state["facilitate_session"] = new["session_id"]
            st.rerun()
        except workshop.WorkshopError as exc:
            st.error(md(exc))
if sessions.empty:
    st.info(
        "This organisation has no workshop session yet"
        + (": open one above." if allowed else ". Opening one needs the facilitator permission (see above).")
    )
    st.stop()

labels = {
    s.session_id: f"{s.name} · {s.round_date:%-d %b %Y} · {s.status} ({s.join_code})" for s in sessions.itertuples()
}
chosen = st.selectbox("Session", list(labels), format_func=labels.get, key="facilitate_session")
session = sessions.set_index("session_id").loc[chosen]
if session["status"] == "open":
    link = workshop.join_link(st.context.url, session["join_code"])
    code, share = st.columns([1, 3], vertical_alignment="center")
    code.metric("Join code", session["join_code"])
    share.markdown(f"Participants open **{link}** on their phone or laptop (or pick this session on Live assessment).")
    with share.popover("Close session", disabled=not allowed):
        st.markdown("Closing stops new answers: anyone still answering cannot submit. It cannot be undone.")
        if st.button("Close it now", type="primary", key="facilitate_close") and allowed:
            workshop.close_session(chosen)
            st.rerun()
    st.fragment(run_every="3s")(show_room)(chosen, final=False)
else:
    st.success(
        f"Closed at {session['closed_at']:%H:%M on %-d %b %Y}. The final result below is also the round of "
        f"{session['round_date']:%-d %b %Y} on the Maturity page."
    )
    show_room(chosen, final=True)
