"""Live assessment: a workshop participant joins the open session (or follows ?session=<code>), gives their role,
rates every statement pillar by pillar, and on submit sees their own scores, stage and where to start."""

import streamlit as st

from cxdash import ui, workshop
from cxdash.charts import workshop as charts
from cxdash.labels import md

ui.through_app()  # reruns through app.py if Streamlit started this page alone

f = ui.filters()
st.title("Live assessment")
if f.framework_id is None:
    st.info("No maturity framework is loaded yet, so there is nothing to assess. Ask your facilitator.")
    st.stop()

linked = workshop.normalise_code(st.query_params.get("session"))
view = ui.cached(workshop.joining, linked)  # one read: the linked session, the open ones, the questionnaire
session = view.session
state = st.session_state.setdefault("assess_state", {})  # per session id: answers, step, ids, saved submission
if linked and session is None:
    st.warning(f"No workshop has the join code **{linked}**. Check the link, or choose your workshop below.")
elif session and session["status"] == "closed" and not state.get(session["session_id"], {}).get("saved"):
    st.warning(f"**{md(session['name'])}** has closed, so it takes no more answers. Ask your facilitator.")
    st.stop()

listed = view.open_sessions.to_dict("records") if ui.may("view") else [session] if session else []  # else: code
labels = {row["join_code"]: workshop.session_label(row) for row in listed}
if session and session["status"] == "closed":
    labels[session["join_code"]] = workshop.session_label(session)
if not labels and not ui.may("view"):  # not signed in (sign-in configured): the join code is the key
    ui.ask_join_code()
    st.stop()
if not labels:
    st.info("No workshop is open right now. When your facilitator opens one, reload this page or use their link.")
    st.stop()
codes = list(labels)
start = codes.index(linked) if linked in codes else (0 if len(codes) == 1 else None)
code = st.selectbox(
    "Your workshop", codes, index=start, format_func=labels.get, key="assess_session", placeholder="Choose..."
)
if code is None:
    st.stop()
if code != linked:
    st.query_params["session"] = code
    view = ui.cached(workshop.joining, code)
    session = view.session
mine = state.setdefault(session["session_id"], workshop.new_progress())  # kept until saved, with the ids

if mine["saved"]:
    saved = mine["saved"]
    result = ui.cached(workshop.respondent_result, saved.session_id, saved.respondent_id)
    twice = " You sent them more than once; they count once." if saved.duplicate else ""
    st.success(f"Thank you: your answers are saved.{twice}")
    score, stage = st.columns([1, 2])
    score.metric("Your overall score", workshop.score_sentence(result, stage=False))
    stage.markdown(f"**Stage: {result.stage_name}**  \n*{result.descriptor}*")
    figure = ui.figure(charts.make_own_pillars, result.pillars, result.stages)
    st.plotly_chart(figure, key="assess_own_pillars", config={"displayModeBar": False})
    st.caption(
        "Each bar is the average of your answers for that pillar on 0-100 (1 = 0, 3 = 50, 5 = 100). Dotted lines "
        f"mark where stages start: {workshop.stage_starts(result.stages)}."
    )
    st.subheader("Where to start")
    st.caption("Your weakest pillars, the one that would lift your overall score most first.")
    for step in result.plan.to_dict("records"):
        st.markdown(f"- **{step['name']}**: {ui.step_summary(step)}. {step['text']}")
    st.caption("Your facilitator sees the room's combined result, never one person's answers.")
    if st.button("Answer again for someone else on this device", key="assess_again"):
        state.pop(session["session_id"])
        st.rerun()
    st.stop()

statements, scale, roles = view.statements, view.scale, view.roles
pillars = list(dict.fromkeys(statements["pillar_id"]))
steps, step = len(pillars) + 1, mine["step"]
answered = len(statements) - len(workshop.missing_answers(statements, mine["answers"]))
st.progress(answered / len(statements), text=f"{answered} of {len(statements)} answered")
if mine["notice"]:
    st.warning(mine["notice"])
    mine["notice"] = ""
legend = "  \n".join(f"**{s.value} {s.label}**: {s.descriptor}" for s in scale.itertuples())
options = dict(zip(scale["value"], scale["value"].astype(str) + " " + scale["label"], strict=True))


def keep(move: int) -> None:
    """Form callback: keep this page's answers (widget values), then move `move` pages or (0) check and submit."""
    ss = st.session_state
    given = {sid: ss.get(f"assess_{sid}") for sid in statements["statement_id"]}
    workshop.advance(mine, given, ss.get("assess_role"), ss.get("assess_comment"), statements, move)


last = step == steps - 1
with st.form(f"assess_step_{step}", border=False):
    if step == 0:
        st.subheader(f"Welcome to {md(session['name'])} ({md(session['org_name'])})")
        choices, role = list(roles), mine["role"]
        st.radio("Your role", choices, choices.index(role) if role else None, roles.get, horizontal=True,
                 key="assess_role")  # fmt: skip
        st.markdown(f"Next you rate {len(statements)} statements, one pillar per page, on this scale:  \n{legend}")
        st.caption("The room sees only combined scores, and a role's scores only once 3 or more people in it answer.")
    else:
        rows = statements[statements["pillar_id"] == pillars[step - 1]]
        st.subheader(f"Pillar {step} of {len(pillars)}: {rows['pillar'].iloc[0]}")
        st.caption(rows["pillar_description"].iloc[0])
        st.markdown(legend)
        for row in rows.itertuples():
            now = mine["answers"].get(row.statement_id)
            st.radio(
                f"**{row.statement_id}** · {row.text}", list(options), None if now is None else now - 1, options.get,
                horizontal=True, key=f"assess_{row.statement_id}",
            )  # fmt: skip
    if last:
        st.text_area("Anything you want to add? (optional)", mine["comment"], key="assess_comment")
    back, forward = st.columns(2)
    back.form_submit_button("← Back", disabled=step == 0, width="stretch", on_click=keep, args=(-1,), key="assess_back")
    label = "Submit my answers" if last else "Next →"
    forward.form_submit_button(
        label, type="primary", width="stretch", on_click=keep, args=(0 if last else 1,), key="assess_next"
    )

if mine["submit"]:
    mine["submit"] = False
    try:
        with st.spinner("Saving your answers..."):
            submission_id, respondent_id = mine["ids"]
            mine["saved"] = workshop.submit(
                session["session_id"], submission_id, respondent_id, mine["role"], mine["answers"], mine["comment"]
            )
        st.rerun()
    except workshop.NotSaved:
        st.error("Your answers are not saved yet (the database was busy). They are kept here: press Submit again.")
    except workshop.SessionClosed as exc:
        st.error(f"{md(exc)} Your answers could not be added.")
