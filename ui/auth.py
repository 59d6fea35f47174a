"""Sign-in, by access.yaml's `auth` (pipelines.plan.access): who reads this session, and nothing of the data before.

- `open`: no sign-in; the reader is `LOCAL` (every right) and the sidebar says so in one line.
- `password`: a sign-in form; the plan store checks the hash, counts failures and locks an id after too many; a
  session ends `session_hours` after its sign-in (or at sign-out, or when the browser tab is closed).
- `oidc`: Streamlit's own `st.login` with the provider of `.streamlit/secrets.toml` ([auth]); the claim named in
  access.yaml (`email` by default) is the person's id. Streamlit keeps the sign-in in a signed cookie; the session
  ends `session_hours` after the provider's `iat`, whatever the cookie's own lifetime.

`gate(db)` runs in dashboard.py before the navigation; the pages ask `viewer()` (ui.scope applies the rights).
"""
from __future__ import annotations

import datetime as dt
import hmac
import json
import os
from pathlib import Path

import streamlit as st

from pipelines.base.errors import NorthstarError
from pipelines.plan.access import LOCAL, OPEN, Access, Session, SignInRefused, User, oidc_sign_in, sign_in
from pipelines.plan.org import org_from_doc
from ui.i18n import error_text, fmt_time, md, t, tm

NOBODY = User(id="", name="", role="")      # no right at all: what a run reads before the gate has run


def viewer() -> User:
    """The person this session reads as (set by `gate`)."""
    return st.session_state.get("viewer") or NOBODY


def access_of(db: str) -> Access:
    from ui.data import access, versions

    try:
        current = access(db, versions(db))
    except NorthstarError as exc:
        st.error(tm("access_unreadable", err=error_text(exc)))
        st.stop()
    return current if current is not None else OPEN


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _store(db: str):
    from pipelines.plan.store import PlanStore, store_path

    return PlanStore(store_path(Path(db)))


def record(db: str, action: str, what: str, rows: int | None = None) -> None:
    """One line of the audit (an export, an unmasked view, a sign-out) in the name of this session's reader."""
    with _store(db) as store:
        store.runs.audit(viewer().id or "?", action, what, rows)


def record_once(db: str, action: str, what: str, rows: int | None = None) -> None:
    """`record`, once a session for the same action and what (a page redrawn by a widget is not a new view)."""
    done = st.session_state.setdefault("ns_recorded", set())
    if (action, what) not in done:
        record(db, action, what, rows)
        done.add((action, what))


def render_viewer() -> User | None:
    """The viewer of a render server (pipelines.delivery.render): its environment holds a random token and the person
    the board is drawn for; a session whose first URL carries the same token (compared in constant time) reads as that
    person. Any other server (no token in its environment) never has a render viewer."""
    if "ns_render_user" in st.session_state:
        return st.session_state["ns_render_user"]
    from pipelines.delivery.render import TOKEN_ENV, USER_ENV

    token, given = os.environ.get(TOKEN_ENV, ""), st.query_params.get("render", "")
    if not token or not given or not hmac.compare_digest(given.encode(), token.encode()):
        return None
    user = User(**json.loads(os.environ[USER_ENV]))
    st.session_state["ns_render_user"] = user
    return user


def gate(db: str) -> User:
    """The signed-in reader, or a sign-in form (and the run stops: no page, no data)."""
    rendered = render_viewer()
    if rendered is not None:             # the brief's or a board button's picture: no sidebar, no chrome
        from ui.style import RENDER_CSS

        st.markdown(RENDER_CSS, unsafe_allow_html=True)
        st.session_state["viewer"] = rendered
        return rendered
    access = access_of(db)
    if access.auth == "open":
        user = LOCAL
        st.sidebar.caption(t("auth_open" if access.configured else "auth_open_no_file"))
    elif access.auth == "password":
        user = _password(db, access)
    else:
        user = _oidc(db, access)
    st.session_state["viewer"] = user
    _guard_downloads(db, access)
    if access.auth != "open":
        _signed_in_line(db, user, access)
    return user


def _guard_downloads(db: str, access: Access) -> None:
    """Files this session downloads are served only to this browser's sign-in (ui.media_guard): note what
    identifies it — the password sign-in's cookie token, or the identity provider's cookie."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    from ui import media_guard

    media_guard.install()
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    cookie = st.session_state.get("ns_token")
    if cookie is None and access.auth == "oidc":
        try:
            cookie = st.context.cookies.get("_streamlit_user")
        except Exception:  # noqa: BLE001 - no request behind this run (AppTest)
            cookie = None
    media_guard.note_session(ctx.session_id, cookie if isinstance(cookie, str) else None, access.auth != "open", db)


def node_name(db: str, node_id: str | None) -> str:
    """A war zone's or center's name in the reader's language (its id when the org does not know it)."""
    from ui.data import plan, versions
    from ui.i18n import lang

    current = plan(db, versions(db))
    nodes = org_from_doc(current.org.doc).nodes if current is not None else []
    node = next((n for n in nodes if n["id"] == node_id), None)
    if node is None:
        return str(node_id or "")
    return node["name_zh"] if lang() == "zh" else node["name_en"]


def _role_line(db: str, user: User) -> str:
    scope = ""
    if user.war_zone:
        scope = tm("auth_scope_zone", zone=node_name(db, user.war_zone))
    elif user.center:
        scope = tm("auth_scope_center", center=node_name(db, user.center))
    return t("auth_signed_in", name=md(user.name), id=md(user.id), role=t(f"role_{user.role}"), scope=scope)


def _signed_in_line(db: str, user: User, access: Access) -> None:
    st.sidebar.caption(_role_line(db, user))      # st.caption shows text as text: a name is never markup
    if "ns_cookie" in st.session_state:
        with st.sidebar:
            _cookie_script(*st.session_state.pop("ns_cookie"))
    if st.sidebar.button(t("auth_sign_out"), key="sign_out"):
        record(db, "sign_out", "")      # nothing acted on (issue 36.14: it logged What = "password")
        _end_cookie_session(db)
        with _store(db) as store:          # every tab and browser of this person, not only this one
            store.accounts.end_sessions_of(user.id)
        for key in ("ns_session", "viewer", "ns_oidc"):
            st.session_state.pop(key, None)
        if access.auth == "oidc":
            st.logout()        # clears st.user now and sends the browser to /auth/logout (the cookie goes there)
            st.stop()
        st.rerun()


def _screen(render) -> None:
    """Shows `render` (the sign-in form, or a refusal) as the only page, then stops the run. It is registered under
    every page's URL with the navigation hidden: the sidebar lists no pages (without st.navigation Streamlit would
    list the files of pages/), a shared link such as /war_zone?zone=north is not "page not found", and once the
    person has signed in that same URL opens the page it names."""
    from pipelines.plan.access import PAGES

    def page(name: str):
        def show() -> None:
            render()
        show.__name__ = f"sign_in_{name}"
        return show

    pages = [st.Page(page("board"), title="Northstar", default=True)]
    pages += [st.Page(page(name), title="Northstar", url_path=name) for name in PAGES]
    if "ns_cookie" in st.session_state:        # signed out: the browser forgets the cookie too
        with st.sidebar:
            _cookie_script(*st.session_state.pop("ns_cookie"))
    st.navigation(pages, position="hidden").run()
    st.stop()


REFUSALS = {"unknown": "auth_not_listed", "unverified": "auth_unverified", "bound": "auth_bound_elsewhere",
            "incomplete": "auth_incomplete"}


def _refuse(access: Access, who: str, reason: str = "unknown") -> None:
    """A person the identity provider signed in whom Northstar does not take: not listed, an e-mail the provider
    did not verify, a person bound to another provider account, or claims without issuer and subject — why, whom
    to ask, and a way to sign in as someone else."""
    st.title("Northstar · 北极星")
    st.error(tm(REFUSALS.get(reason, "auth_not_listed"), id=who, admins=access.whom_to_ask()))
    if st.button(t("auth_sign_out"), key="sign_out_refused"):
        st.session_state.pop("ns_oidc", None)
        st.logout()


COOKIE = "northstar_session"


def _cookie_token() -> str | None:
    """The sign-in cookie this browser sent when the session began (st.context.cookies: read-only, per session)."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no request behind this run (AppTest): no cookie
        return None
    return token if isinstance(token, str) and 20 <= len(token) <= 100 else None


def _cookie_script(token: str | None, max_age: int) -> None:
    """Sets (or with None, deletes) the sign-in cookie in the browser: a script in a same-origin frame, the only
    way a Streamlit app can write a cookie. The token is random (secrets.token_urlsafe) and only its hash is in the
    plan store; SameSite=Strict, Secure over https. JavaScript can read it (a script sets it); every text the app
    shows is escaped, and a stolen cookie dies with the session (session_hours, or sign-out, which ends it in the
    store, not only in the browser)."""
    value = f"{COOKIE}={token or ''}; Path=/; Max-Age={max_age if token else 0}; SameSite=Strict"
    st.iframe(f"""<script>
const c = "{value}" + (window.parent.location.protocol === "https:" ? "; Secure" : "");
try {{ window.parent.document.cookie = c; }} catch (e) {{ document.cookie = c; }}
</script>""", height=1)


def _password(db: str, access: Access) -> User:
    session: Session | None = st.session_state.get("ns_session")
    if session is None and (token := _cookie_token()) is not None:     # signed in before this reload
        with _store(db) as store:
            found = store.accounts.session_of(token, _utcnow())
        if found is not None:
            session = st.session_state["ns_session"] = Session(found[0], "password", found[1])
            st.session_state["ns_token"] = token
    if session is not None:
        user = access.user(session.user_id)
        expired = session.expired(access)
        live = _live(db, session.user_id, session.started, st.session_state.get("ns_token"))
        if session.how == "password" and user is not None and not expired and live:
            return user
        st.session_state.pop("ns_session", None)
        _end_cookie_session(db)
        st.session_state["ns_auth_flash"] = ("auth_removed" if user is None else "auth_expired" if expired else
                                             "auth_ended")
    _screen(lambda: _sign_in_form(db, access))


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _source() -> str | None:
    """The sign-in's network address, for the per-address throttle: the browser's own, or — when the request comes
    from this machine's reverse proxy (deploy/nginx sets X-Real-IP, overwriting any a client sent) — the one the
    proxy saw."""
    try:
        peer = st.context.ip_address
        real = st.context.headers.get("X-Real-Ip") or st.context.headers.get("X-Real-IP")
    except Exception:  # noqa: BLE001 - no request behind this run (AppTest)
        return None
    if peer in LOOPBACK and real:
        return str(real).strip()[:64]
    return str(peer)[:64] if peer else None


def _live(db: str, user_id: str, started: dt.datetime, token: str | None) -> bool:
    """Every run asks the plan store whether this session is still open: a password reset, an account removed or
    a sign-out in another tab ends it at once, not at its expiry."""
    with _store(db) as store:
        return store.accounts.session_live(user_id, started, token, _utcnow())


def _end_cookie_session(db: str) -> None:
    """Ends this browser's stored session (a stolen cookie is worth nothing after) and deletes the cookie."""
    token = st.session_state.pop("ns_token", None)
    if token is not None:
        with _store(db) as store:
            store.accounts.end_session(token, _utcnow())
        st.session_state["ns_cookie"] = (None, 0)


def _sign_in_form(db: str, access: Access) -> None:
    st.title("Northstar · 北极星")
    flash = st.session_state.pop("ns_auth_flash", None)
    if flash:
        st.info(t(flash, h=f"{access.session_hours:g}"))
    # clear_on_submit: the typed password does not stay in the session's widget state after the attempt
    with st.form("sign_in", enter_to_submit=True, clear_on_submit=True):
        st.subheader(t("auth_title"))
        uid = st.text_input(t("auth_id"), key="auth_id", autocomplete="username")
        password = st.text_input(t("auth_password"), type="password", key="auth_password",
                                 autocomplete="current-password")
        sent = st.form_submit_button(t("auth_submit"), type="primary")
    st.caption(tm("auth_help", admins=access.whom_to_ask()))
    if not sent:
        return
    st.session_state.pop("auth_password", None)    # read once: the server keeps no copy of it for the session
    if not uid.strip() or not password:
        st.error(t("auth_need_both"))
        return
    try:
        with _store(db) as store:
            user = sign_in(store, access, uid, password, source=_source())
    except SignInRefused as exc:
        if exc.reason == "locked":
            st.error(tm("auth_locked", until=fmt_time(exc.until), admins=access.whom_to_ask()))
        else:
            st.error(t("auth_wrong", left=exc.left))
        return
    except NorthstarError as exc:
        st.error(tm("auth_failed", err=error_text(exc)))
        return
    import secrets

    token, started = secrets.token_urlsafe(32), _utcnow()
    with _store(db) as store:
        store.accounts.open_session(token, user.id, started, started + access.session)
    st.session_state["ns_session"] = Session(user.id, "password", started)
    st.session_state["ns_token"] = token
    st.session_state["ns_cookie"] = (token, int(access.session.total_seconds()))   # written by the next run
    st.rerun()


def _oidc(db: str, access: Access) -> User:
    info = st.user
    if not info.is_logged_in:
        _screen(lambda: _oidc_button(access))
    claims = info.to_dict()
    issued = claims.get("iat")
    # an ID token without its issue time cannot be aged: it is treated as expired, never as fresh for ever
    started = dt.datetime.fromtimestamp(issued, dt.timezone.utc) if isinstance(issued, (int, float)) else None
    if started is None or Session("", "oidc", started).expired(access):
        st.session_state["ns_auth_flash"] = "auth_expired"
        st.session_state.pop("ns_oidc", None)
        st.logout()
        st.stop()
    from ui.data import plan, versions

    key = (str(claims.get("iss")), str(claims.get("sub")), str(claims.get(access.oidc.user_id_claim)))
    decided = st.session_state.get("ns_oidc")
    if decided is None or decided[0] != key:       # once per sign-in: checked, bound and audited
        current = plan(db, versions(db))
        with _store(db) as store:
            user, reason, who = oidc_sign_in(store, access, claims,
                                             org_from_doc(current.org.doc) if current is not None else None)
        decided = st.session_state["ns_oidc"] = (key, user, reason, who)
    _, user, reason, who = decided
    if user is not None:
        if not _live(db, user.id, started, None):      # signed out elsewhere, or ended by an admin
            st.session_state["ns_auth_flash"] = "auth_ended"
            st.session_state.pop("ns_oidc", None)
            st.logout()
            st.stop()
        current = plan(db, versions(db))
        user = access.from_claims(claims, org_from_doc(current.org.doc) if current is not None else None)
        if user is None:                               # taken out of access.yaml since the sign-in
            reason = "unknown"
    if user is None:
        _screen(lambda: _refuse(access, who, reason))
    return user


def _oidc_button(access: Access) -> None:
    st.title("Northstar · 北极星")
    flash = st.session_state.pop("ns_auth_flash", None)
    if flash:
        st.info(tm(flash, h=f"{access.session_hours:g}"))
    st.subheader(t("auth_title"))
    if st.button(t("auth_oidc"), type="primary", key="oidc_sign_in"):
        st.login()
    st.caption(tm("auth_help_oidc", admins=access.whom_to_ask()))


def not_open(page: str, user, access):
    """The page a reader's role may not open, as a page of its own at the same address: a sentence saying so, whom
    to ask, and the way back to the board (issue 36: a zone lead's link to /cohorts silently became the board)."""
    def page_not_open():
        st.warning(tm("page_not_open", page=tm(f"page_{page}"), role=tm(f"role_{user.role}"),
                      admins=access.whom_to_ask()))
        st.page_link("pages/board.py", label=tm("page_not_open_back"), icon=":material/dashboard:")

    page_not_open.__name__ = f"page_not_open_{page}"
    return page_not_open
