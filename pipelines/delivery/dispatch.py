"""Sending the morning brief, the alerts and a failed build's line (issue 21): for a channel of channels.yaml, its
viewer (`as:`; without access rules the whole company) → the goal tree as they may see it → the words
(pipelines.delivery.brief) and the picture (pipelines.delivery.render) → each service's messages
(pipelines.delivery.payloads) → posted (pipelines.delivery.send) or mailed, or written to a folder for a dry run →
remembered in the plan store's `brief_log`, so the next brief says what changed and the Data page lists every send and
its result.

What each channel gets:
- wecom: the summary as Markdown (≤ 4096 bytes) and the board's phone picture (≤ 2 MB, base64 + md5);
- dingtalk, feishu: the summary with the board's link (their robots cannot upload a picture: DingTalk's Markdown
  shows only an image at a public URL, Feishu's needs an app's image key; the link opens the same view);
- email: the summary as text and HTML with the picture inline, the A4 PDF attached.

A failed send is never lost: it is written to `brief_log` with the service's message and raised (the command exits
≠ 0). A dry run writes what would be sent and remembers nothing.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from pipelines.base import labels
from pipelines.base.errors import NorthstarError
from pipelines.delivery import brief, payloads, trees
from pipelines.delivery.channels import Channel, Channels, load_channels, secret_value
from pipelines.delivery.send import SendFailed, post_json
from pipelines.okr.goaltree import GoalTree
from pipelines.okr.status import RANK
from pipelines.plan.access import LOCAL, OPEN, Access, User


@dataclass
class Outcome:
    """One channel's send: delivered or not, what the service said, and where a dry run wrote."""
    channel: str
    kind: str
    ok: bool
    detail: str
    written: list[Path] = field(default_factory=list)


@dataclass
class Setup:
    db: Path
    access: Access
    channels: Channels


def setup(db: Path, config: Path) -> Setup:
    """The access rules (from the plan store, as the app reads them) and channels.yaml (from the plan folder)."""
    from pipelines.plan.store import read_plan

    plan = read_plan(db)
    access = plan.access if plan is not None else OPEN
    return Setup(db=Path(db), access=access, channels=load_channels(Path(config), access))


def viewer_of(channel: Channel, access: Access) -> User | None:
    """Whose view the channel gets: its `as:` person; None (the whole company) without one or without rules."""
    if channel.as_user is None or not access.configured:
        return None
    user = access.user(channel.as_user)
    if user is None:
        raise NorthstarError("channel_as_gone", channel=channel.id, user=channel.as_user)
    return user


def period(db: Path, month: str | None, as_of: dt.date | None) -> tuple[str, dt.date | None]:
    """The month and as-of to brief: as given, else the month of the data's last date, as of that date."""
    if month is not None:
        return month, as_of
    from pipelines.base.months import month_of
    from pipelines.okr.goaltree import data_dates, open_warehouse

    con = open_warehouse(db)
    try:
        _, last = data_dates(con)
    finally:
        con.close()
    if last is None:
        raise NorthstarError("nothing_to_brief")
    return month_of(as_of or last), as_of or last


def _esc(channel: Channel):
    """Plan text made inert in a Markdown message (WeCom, DingTalk); Feishu's text and email's are plain."""
    return payloads.md_escape if channel.type in ("wecom", "dingtalk") else str


# ---- the messages of one channel ---------------------------------------------------------------------------------

@dataclass
class Post:
    """One JSON message to a robot (the URL is a secret: only the variable's name is shown)."""
    url: str
    body: dict
    shown_as: str


def _webhook(channel: Channel, env, dry_run: bool) -> str:
    if dry_run and not secret_value(channel.webhook_env or "", env):
        return f"https://robot.invalid/${channel.webhook_env}"      # a dry run needs no secret
    return channel.webhook(env)


def _secret(channel: Channel, env, dry_run: bool) -> str | None:
    if dry_run and channel.secret_env and not secret_value(channel.secret_env, env):
        return "dry-run-secret"
    return channel.secret(env)


def chat_posts(channel: Channel, lines: list[str], title: str, png: bytes | None, env=None, dry_run: bool = False,
               now: float | None = None) -> list[Post]:
    """The robot messages of one brief or alert, in order."""
    now = time.time() if now is None else now
    more = labels.say("dispatch_more", channel.lang)
    url = _webhook(channel, env, dry_run)
    shown = f"${channel.webhook_env}"
    if channel.type == "wecom":
        posts = [Post(url, payloads.wecom_markdown(lines, more), shown)]
        if png is not None:
            posts.append(Post(url, payloads.wecom_image(png), shown))
        return posts
    secret = _secret(channel, env, dry_run)
    if channel.type == "dingtalk":
        signed = payloads.dingtalk_url(url, secret, int(now * 1000))
        return [Post(signed, payloads.dingtalk_markdown(title, lines, more), shown)]
    if channel.type == "feishu":
        return [Post(url, payloads.feishu_text(lines, secret, int(now), more), shown)]
    raise ValueError(channel.type)


def smtp_settings(channel: Channel, env=None) -> dict:
    """The mail server from the variables `<smtp_env>_HOST`, `_PORT` (587), `_USER`, `_PASSWORD`, `_FROM`, `_TLS`
    (starttls | ssl | none; by default ssl on port 465, starttls on 587, none otherwise), each from the environment
    or the same key of .streamlit/secrets.toml."""
    prefix = channel.smtp_env

    def get(key: str, default: str = "") -> str:
        return secret_value(f"{prefix}_{key}", env) or default

    host = get("HOST")
    if not host:
        raise NorthstarError("smtp_unset", channel=channel.id, prefix=prefix)
    try:
        port = int(get("PORT", "587"))
    except ValueError:
        raise NorthstarError("smtp_port", channel=channel.id, prefix=prefix) from None
    tls = get("TLS").lower() or {465: "ssl", 587: "starttls"}.get(port, "none")
    if tls not in ("starttls", "ssl", "none"):
        raise NorthstarError("smtp_tls", channel=channel.id, prefix=prefix, tls=tls)
    user = get("USER")
    return {"host": host, "port": port, "tls": tls, "user": user, "password": get("PASSWORD"),
            "from": get("FROM") or user or "northstar@localhost"}


def email_message(channel: Channel, lines: list[str], subject: str, sender: str, png: bytes | None,
                  pdf: bytes | None, stem: str) -> EmailMessage:
    """Text for any mail program, HTML with the board's picture inline, the A4 PDF attached. Plan text is escaped
    in the HTML (a name is never markup)."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, sender, ", ".join(channel.to)
    msg["Date"] = formatdate(localtime=False)
    msg.set_content("\n".join(lines))
    body = "".join(f"<p style=\"margin:0 0 6px\">{html.escape(line)}</p>" for line in lines)
    cid = make_msgid(domain="northstar.local")
    if png is not None:
        body += f'<p><img src="cid:{cid[1:-1]}" alt="{html.escape(lines[0])}" style="max-width:100%"></p>'
    msg.add_alternative(f"<!doctype html><html><body style=\"font-family:sans-serif\">{body}</body></html>",
                        subtype="html")
    if png is not None:
        msg.get_payload()[1].add_related(png, maintype="image", subtype="png", cid=cid, filename=f"{stem}.png")
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{stem}.pdf")
    return msg


def send_email(settings: dict, msg: EmailMessage, timeout: float = 30.0) -> str:
    """Hands the message to the mail server; an error raises SendFailed with the server's words."""
    what = f"the mail to {msg['To']}"
    try:
        if settings["tls"] == "ssl":
            server = smtplib.SMTP_SSL(settings["host"], settings["port"], timeout=timeout,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings["host"], settings["port"], timeout=timeout)
        with server:
            if settings["tls"] == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings["user"]:
                server.login(settings["user"], settings["password"])
            refused = server.send_message(msg)
    except smtplib.SMTPException as exc:
        raise SendFailed(what, f"{settings['host']} said {exc}", 1) from None
    except OSError as exc:
        raise SendFailed(what, f"{settings['host']}:{settings['port']} could not be reached ({exc})", 1) from None
    if refused:
        raise SendFailed(what, f"{settings['host']} refused {', '.join(refused)}", 1)
    return f"{settings['host']} accepted it for {len(str(msg['To']).split(','))} recipient(s)"


# ---- one channel, from the tree to the service ---------------------------------------------------------------------

def _deliver(channel: Channel, lines: list[str], title: str, picture, stem: str, env, dry_run: Path | None,
             say) -> tuple[str, list[Path]]:
    """Posts / mails (or writes, for a dry run) one channel's messages; returns what the service said."""
    png = picture.png if picture is not None else None
    pdf = picture.pdf if picture is not None else None
    written: list[Path] = []
    if dry_run is not None:
        folder = Path(dry_run) / channel.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(folder / "summary.txt")
        for name, data in (("board.png", png), ("board.pdf", pdf)):
            if data is not None:
                (folder / name).write_bytes(data)
                written.append(folder / name)
    if channel.type == "email":
        settings = smtp_settings(channel, env) if dry_run is None else {"from": "northstar@localhost"}
        msg = email_message(channel, lines, title, settings["from"], png, pdf, stem)
        if dry_run is not None:
            (folder / "message.eml").write_bytes(bytes(msg))
            return f"dry run: written to {folder}", [*written, folder / "message.eml"]
        say(f"{channel.id}: mailing {len(channel.to)} recipient(s)")
        return send_email(settings, msg), written
    posts = chat_posts(channel, lines, title, png, env, dry_run is not None)
    if dry_run is not None:
        doc = [{"to": p.shown_as, "body": p.body} for p in posts]
        (folder / "messages.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
        return f"dry run: written to {folder}", [*written, folder / "messages.json"]
    attempts = []
    for i, post in enumerate(posts, 1):
        say(f"{channel.id}: posting message {i} of {len(posts)} "
            f"({post.body.get('msgtype') or post.body.get('msg_type')})")
        attempts.append(post_json(post.url, post.body, what=f"{channel.id}'s message {i} of {len(posts)}").attempts)
    return f"{len(posts)} message(s) delivered ({sum(attempts)} attempt(s))", written


def _stem(tree: GoalTree, lang: str) -> str:
    return f"northstar-board-{tree.month}-{tree.as_of.isoformat()}-{lang}"


def send_brief(db: Path, config: Path, channel_id: str, month: str | None = None, as_of: dt.date | None = None,
               dry_run: Path | None = None, env=None, say=lambda line: None, draw=None) -> Outcome:
    """The brief of one channel, sent (or written to `dry_run`/<channel>/). `draw` stands in for the renderer in
    tests that do not need Chromium."""
    from pipelines.plan.store import PlanStore, store_path

    s = setup(db, config)
    channel = s.channels.get(channel_id)
    user = viewer_of(channel, s.access)
    month, as_of = period(s.db, month, as_of)
    tree = trees.load(s.db, month, as_of, user=user)
    with PlanStore(store_path(s.db)) as store:
        before = store.runs.last_statuses(channel.id, ("brief",))
    lines = brief.summary(tree, channel.lang, before, s.channels.base_url, esc=_esc(channel))
    title = lines[0]          # the head: the month and the day, no plan text to make inert
    picture = None
    if channel.type in ("wecom", "email"):
        who = user.label() if user is not None else labels.say("dispatch_whole_company", channel.lang)
        say(f"{channel.id}: drawing the board as {who} sees it ({channel.lang})")
        if draw is None:
            from pipelines.delivery.render import render_board

            draw = render_board
        picture = draw(s.db, user or LOCAL, channel.lang, tree.month, tree.as_of, png=True,
                       pdf=channel.type == "email", say=lambda line: say(f"{channel.id}: {line}"))
    return _finish(s.db, channel, "brief", lines, title, picture, _stem(tree, channel.lang), tree,
                   brief.statuses(tree), env, dry_run, say)


def _finish(db: Path, channel: Channel, kind: str, lines, title, picture, stem, tree, statuses, env, dry_run,
            say) -> Outcome:
    from pipelines.plan.store import PlanStore, store_path

    try:
        detail, written = _deliver(channel, lines, title, picture, stem, env, dry_run, say)
    except NorthstarError as exc:
        if dry_run is None:
            with PlanStore(store_path(db)) as store:
                store.runs.log_brief(channel.id, kind, False, str(exc), tree.month if tree else None,
                                tree.as_of.isoformat() if tree else None)
        raise
    if dry_run is None:
        with PlanStore(store_path(db)) as store:
            store.runs.log_brief(channel.id, kind, True, detail, tree.month if tree else None,
                            tree.as_of.isoformat() if tree else None, statuses)
    say(f"{channel.id}: {detail}")
    return Outcome(channel.id, kind, True, detail, written)


def _each(channels, work, say) -> list[Outcome]:
    """`work(channel)` for every channel; one failure does not stop the others, and is reported as an Outcome."""
    done = []
    for channel in channels:
        try:
            outcome = work(channel)
        except NorthstarError as exc:
            say(f"{channel.id}: NOT delivered: {exc}")
            outcome = Outcome(channel.id, "", False, str(exc))
        if outcome is not None:
            done.append(outcome)
    return done


def send_all(db: Path, config: Path, month=None, as_of=None, dry_run=None, env=None, say=lambda line: None,
             draw=None) -> list[Outcome]:
    """Every channel's brief (a channel that fails is reported and the others still go)."""
    s = setup(db, config)
    if not s.channels.channels:
        raise NorthstarError("no_channels", config=str(config))
    return _each(s.channels.channels, lambda c: send_brief(db, config, c.id, month, as_of, dry_run, env, say, draw),
                 say)


# ---- alerts and a failed build -------------------------------------------------------------------------------------

def worse_since(tree: GoalTree, before: dict[str, str]) -> list[str]:
    """The war zones' metrics and the key results whose status is worse now than in `before` (keys of
    brief.statuses), in the tree's order."""
    zones = {n.id for n in tree.nodes if n.level == "war_zone"}
    now = brief.statuses(tree)
    out = []
    for key, after in now.items():
        prior = before.get(key)
        watched = key.startswith("kr:") or key.split("|")[0] in zones
        if watched and prior in RANK and after in RANK and "no_target" not in (prior, after) \
                and RANK[after] < RANK[prior]:
            out.append(key)
    return out


def send_alert(db: Path, config: Path, channel: Channel, month=None, as_of=None, dry_run=None, env=None,
               say=lambda line: None) -> Outcome | None:
    """A short message when a war zone's or a key result's status got worse than at the channel's last brief or
    alert (nothing before the first brief, nothing when nothing got worse; a change is told once)."""
    from pipelines.plan.store import PlanStore, store_path

    s = setup(db, config)
    user = viewer_of(channel, s.access)
    month, as_of = period(s.db, month, as_of)
    tree = trees.load(s.db, month, as_of, user=user)
    with PlanStore(store_path(s.db)) as store:
        before = store.runs.last_statuses(channel.id, ("brief", "alert"))
    if before is None:
        say(f"{channel.id}: no brief sent yet, so nothing to compare with: no alert")
        return None
    keys = worse_since(tree, before)
    if not keys:
        say(f"{channel.id}: no status got worse: no alert")
        return None
    from pipelines.okr.fmt import fmt_date

    worse = brief.changes(tree, channel.lang, {k: before[k] for k in keys}, esc=_esc(channel))
    lines = [labels.say("dispatch_alert_head", channel.lang, date=fmt_date(tree.as_of, channel.lang)), *worse]
    if s.channels.base_url:
        lines.append(brief.link_line(s.channels.base_url, tree, channel.lang))
    return _finish(s.db, channel, "alert", lines, lines[0], None, _stem(tree, channel.lang), tree,
                   {**before, **brief.statuses(tree)}, env, dry_run, say)


def send_alerts(db: Path, config: Path, month=None, as_of=None, dry_run=None, env=None,
                say=lambda line: None) -> list[Outcome]:
    s = setup(db, config)
    asking = [c for c in s.channels.channels if "status_worse" in c.alerts]
    return _each(asking, lambda c: send_alert(db, config, c, month, as_of, dry_run, env, say), say)


def send_build_failed(db: Path, config: Path, error: str, env=None, say=lambda line: None) -> list[Outcome]:
    """One line to each channel that asks for `build_failed` alerts: the build failed and the board still shows
    the last good data. Leaders' channels get nothing."""
    from pipelines.okr.fmt import fmt_time

    try:
        s = setup(db, config)
    except NorthstarError as exc:
        say(f"the build-failure alert was not sent: {exc}")
        return []
    now = dt.datetime.now(dt.timezone.utc)
    first = error.strip().splitlines()[0] if error.strip() else "unknown error"
    asking = [c for c in s.channels.channels if "build_failed" in c.alerts]

    def work(channel):
        line = labels.say("dispatch_failed_line", channel.lang, at=fmt_time(now, channel.lang), err=first)
        return _finish(s.db, channel, "build_failed", [_esc(channel)(line)], line, None, "northstar", None, None,
                       env, None, say)

    return _each(asking, work, say)
