"""Sending the brief (pipelines/delivery/dispatch.py, issue 21) to local stand-ins of the robots and a real SMTP server
on 127.0.0.1 (tests/robots.py): each service gets its documented shape, signed where it must be; the words equal the
goal tree's as the channel's viewer may see it; what changed since the last brief; alerts told once; a failed send exits
≠ 0 with the service's words and is listed on the Data page; a failed build tells only the admin channel. The picture is
drawn by a stand-in here (tests/test_render.py draws the real one), except in the end-to-end command
line test at the bottom, which runs the real renderer."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from pipelines import cli
from pipelines.base.errors import NorthstarError
from pipelines.delivery import brief, dispatch, trees
from pipelines.delivery.channels import load_channels
from pipelines.delivery.payloads import md_escape
from pipelines.delivery.render import Rendered
from pipelines.plan.access import load_access
from pipelines.plan.org import load_org
from pipelines.plan.store import PlanStore, store_path
from tests.conftest import ROOT, copy_warehouse
from tests.robots import Mailbox, Robot

CHANNELS = """\
base_url: https://ns.example.com
channels:
- {id: hq-wecom, type: wecom, webhook_env: T_WECOM, as: ceo, lang: zh}
- {id: south-ding, type: dingtalk, webhook_env: T_DING, secret_env: T_DING_SECRET, as: lead-south, lang: zh,
   alerts: [status_worse]}
- {id: ops-feishu, type: feishu, webhook_env: T_FEISHU, secret_env: T_FEISHU_SECRET, as: admin, lang: en,
   alerts: [build_failed]}
- {id: hq-mail, type: email, smtp_env: T_SMTP, to: [ceo@example.com, cfo@example.com], as: ceo, lang: en}
"""
AS_OF = "2026-11-24"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (780, 1600), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n"
DRAWN = []


def fake_draw(db, viewer, lang, month, as_of, png=True, pdf=True, say=lambda line: None):
    """The renderer's stand-in: records whom it drew for."""
    DRAWN.append((viewer.id, lang, month, as_of.isoformat(), pdf))
    return Rendered(png=PNG, pdf=PDF if pdf else None, png_size=(780, 1600), smallest_text_px=11.0, scale=2,
                    pdf_pages=1 if pdf else None, seconds=0.1)


@pytest.fixture()
def site(tiny, tmp_path):
    """A copy of the tiny warehouse and its plan with the channels above."""
    db = copy_warehouse(tiny / "wh.duckdb", tmp_path)
    config = tmp_path / "config"
    shutil.copytree(tiny / "config", config)
    (config / "channels.yaml").write_text(CHANNELS, encoding="utf-8")
    DRAWN.clear()
    return db, config


@pytest.fixture()
def robots():
    made = {"wecom": Robot("wecom"), "dingtalk": Robot("dingtalk", secret="SEC-ding"),
            "feishu": Robot("feishu", secret="SEC-feishu")}
    mailbox = Mailbox()
    env = {"T_WECOM": made["wecom"].url, "T_DING": made["dingtalk"].url, "T_DING_SECRET": "SEC-ding",
           "T_FEISHU": made["feishu"].url, "T_FEISHU_SECRET": "SEC-feishu", **mailbox.env("T_SMTP")}
    yield made, mailbox, env
    for r in made.values():
        r.close()
    mailbox.close()


def tree_as(db, config, user_id):
    access = load_access(config, load_org(config))
    return trees.load(db, "2026-11", AS_OF, user=access.user(user_id))


def send(db, config, channel, env, **kw):
    return dispatch.send_brief(db, config, channel, "2026-11", dt.date(2026, 11, 24), env=env,
                               draw=fake_draw, **kw)


def people_of(tree, zone: str) -> set[str]:
    teams = {n.id for n in tree.nodes if n.level == "team" and n.parent == zone}
    return {n.name("zh") for n in tree.nodes if n.level == "person" and n.parent in teams}


def test_wecom_gets_the_summary_as_markdown_and_the_board_as_a_picture(site, robots):
    db, config = site
    made, _, env = robots
    out = send(db, config, "hq-wecom", env)
    assert out.ok and out.detail == "2 message(s) delivered (2 attempt(s))"
    markdown, image = made["wecom"].received
    expected = brief.summary(tree_as(db, config, "ceo"), "zh", None, "https://ns.example.com", esc=md_escape)
    assert markdown == {"msgtype": "markdown", "markdown": {"content": "\n".join(expected)}}
    assert expected[0] == "北极星日报 · 2026年11月 · 截至 2026-11-24 周二（第 24 / 30 天）"
    assert expected[-1] == "查看总览：https://ns.example.com/?lang=zh&month=2026-11&as_of=2026-11-24"
    assert image["msgtype"] == "image" and image["image"]["md5"] == hashlib.md5(PNG).hexdigest()  # noqa: S324
    assert DRAWN == [("ceo", "zh", "2026-11", AS_OF, False)]        # as the channel's person, in its language
    with PlanStore(store_path(db)) as store:
        log = store.runs.brief_log()
        remembered = store.runs.last_statuses("hq-wecom")
    assert [(r["channel"], r["kind"], r["ok"], r["month"], r["as_of"]) for r in log] == \
        [("hq-wecom", "brief", 1, "2026-11", AS_OF)]
    assert remembered == brief.statuses(tree_as(db, config, "ceo"))


def test_the_next_brief_says_what_changed_since_the_last(site, robots):
    db, config = site
    made, _, env = robots
    send(db, config, "hq-wecom", env)
    first = made["wecom"].texts()[0].splitlines()
    # since last week (the tree's own week-ago statuses, issue 22); the first brief promises nothing more (issue 32)
    week = next(line for line in first if line.startswith("较上周"))
    assert week == brief.week_line(tree_as(db, config, "ceo"), "zh") and week.startswith("较上周（2026-11-17")
    assert not any(line.startswith("这是第一份简报") for line in first)
    send(db, config, "hq-wecom", env)
    second = made["wecom"].texts()[1].splitlines()
    assert second[second.index(week) + 1] == "与上次简报相比，状态没有变化。"
    # the brief before said the North zone's members were on track (they are off track now)
    now = brief.statuses(tree_as(db, config, "ceo"))
    assert now["north|members"] == "off_track"
    with PlanStore(store_path(db)) as store:
        store.runs.log_brief(
            "hq-wecom", "brief", True, "test", "2026-11", "2026-11-23", {**now, "north|members": "on_track"}
        )
    send(db, config, "hq-wecom", env)
    third = made["wecom"].texts()[2].splitlines()
    assert third[third.index(week) + 1] == "变差：华北战区 新增会员 ● 正常 → ✖ 落后"


def test_dingtalk_is_signed_and_a_zone_lead_hears_nothing_of_other_zones_people(site, robots):
    db, config = site
    made, _, env = robots
    send(db, config, "south-ding", env)
    assert made["dingtalk"].refused == [] and len(made["dingtalk"].received) == 1
    body = made["dingtalk"].received[0]
    assert body["markdown"]["title"] == "北极星日报 · 2026年11月 · 截至 2026-11-24 周二（第 24 / 30 天）"
    text = body["markdown"]["text"]
    assert text.split("\n\n") == brief.summary(tree_as(db, config, "lead-south"), "zh", None,
                                                "https://ns.example.com", esc=md_escape)
    full = trees.load(db, "2026-11", AS_OF)
    # the North zone needs attention; the leader hears who is behind in it (the largest shortfall), the South lead
    # does not
    assert "最需关注：华北战区 ✖ 落后" in text and "缺口最大" not in text
    assert not any(name in text for name in people_of(full, "north") | people_of(full, "east"))
    assert DRAWN == []                     # DingTalk's robot cannot take a picture: words and the link
    leader = "\n".join(brief.summary(tree_as(db, config, "ceo"), "zh"))
    assert "缺口最大：" in leader


def test_feishu_is_signed_in_the_body(site, robots):
    db, config = site
    made, _, env = robots
    send(db, config, "ops-feishu", env)
    (body,) = made["feishu"].received
    assert body["msg_type"] == "text" and body["timestamp"].isdigit() and body["sign"]
    assert body["content"]["text"].splitlines()[0] == "Northstar brief · Nov 2026 · as of Tue 2026-11-24 (day 24 of 30)"


def test_email_carries_the_picture_inline_and_the_pdf(site, robots):
    db, config = site
    _, mailbox, env = robots
    out = send(db, config, "hq-mail", env)
    assert out.ok and "127.0.0.1 accepted it" in out.detail
    ((rcpt, msg),) = mailbox.messages
    assert rcpt == ["ceo@example.com", "cfo@example.com"] and msg["From"] == "northstar@example.com"
    lines = brief.summary(tree_as(db, config, "ceo"), "en", None, "https://ns.example.com")
    assert msg["Subject"] == lines[0]
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == "\n".join(lines)  # SMTP: CRLF
    html = msg.get_body(("html",)).get_content()
    (image,) = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert image.get_content() == PNG and f'src="cid:{image["Content-ID"].strip("<>")}"' in html
    (pdf,) = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "northstar-board-2026-11-2026-11-24-en.pdf" and pdf.get_content() == PDF
    assert DRAWN == [("ceo", "en", "2026-11", AS_OF, True)]


def test_the_html_mail_shows_plan_text_as_text():
    channel = dispatch.Channel(id="m", type="email", to=("a@example.com",))
    msg = dispatch.email_message(channel, ["<b>head</b>", "a & b"], "s", "n@example.com", None, None, "x")
    html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;head&lt;/b&gt;" in html and "a &amp; b" in html and "<b>" not in html


def test_a_wrong_signature_fails_loudly_is_logged_and_the_command_exits_2(site, robots, monkeypatch, capsys):
    db, config = site
    made, _, env = robots
    with pytest.raises(NorthstarError, match="310000 sign not match"):
        send(db, config, "south-ding", {**env, "T_DING_SECRET": "not-the-secret"})
    with PlanStore(store_path(db)) as store:
        (row,) = store.runs.brief_log()
        assert store.runs.last_statuses("south-ding") is None       # a failed brief is not what the next compares with
    assert row["ok"] == 0 and "310000 sign not match" in row["detail"] and "TEST-TOKEN" not in row["detail"]
    for key, value in {**env, "T_DING_SECRET": "not-the-secret"}.items():
        monkeypatch.setenv(key, value)
    code = cli.main(["brief", "--channel", "south-ding", "--db", str(db), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and "sign not match" in err and "TEST-TOKEN" not in err and "not-the-secret" not in err


def test_a_rate_limit_answer_is_waited_out(site, robots):
    db, config = site
    made, _, env = robots
    made["feishu"].script = [(200, {"code": 9499, "msg": "too many request"}), (502, {"error": "bad gateway"})]
    out = send(db, config, "ops-feishu", env)
    assert out.ok and out.detail == "1 message(s) delivered (3 attempt(s))" and len(made["feishu"].received) == 1


def test_a_missing_webhook_variable_is_named(site):
    db, config = site
    with pytest.raises(NorthstarError, match="environment variable T_WECOM, which is not set"):
        send(db, config, "hq-wecom", {})


def test_every_channel_goes_even_when_one_fails(site, robots, capsys):
    db, config = site
    made, mailbox, env = robots
    done = dispatch.send_all(db, config, "2026-11", dt.date(2026, 11, 24),
                             env={k: v for k, v in env.items() if k != "T_WECOM"}, draw=fake_draw)
    assert [(o.channel, o.ok) for o in done] == [("hq-wecom", False), ("south-ding", True), ("ops-feishu", True),
                                                 ("hq-mail", True)]
    assert len(made["dingtalk"].received) == 1 and len(made["feishu"].received) == 1 and len(mailbox.messages) == 1


def test_a_dry_run_writes_what_would_be_sent_and_remembers_nothing(site, tmp_path):
    db, config = site
    out = send(db, config, "hq-wecom", {}, dry_run=tmp_path / "dry")
    folder = tmp_path / "dry" / "hq-wecom"
    assert sorted(p.name for p in folder.iterdir()) == ["board.png", "messages.json", "summary.txt"]
    assert (folder / "board.png").read_bytes() == PNG
    assert (folder / "summary.txt").read_text(encoding="utf-8").splitlines()[0].startswith("北极星日报 · 2026年11月")
    assert '"to": "$T_WECOM"' in (folder / "messages.json").read_text(encoding="utf-8")
    assert out.written == [folder / "summary.txt", folder / "board.png", folder / "messages.json"]
    mail = send(db, config, "hq-mail", {}, dry_run=tmp_path / "dry")
    assert [p.name for p in mail.written] == ["summary.txt", "board.png", "board.pdf", "message.eml"]
    with PlanStore(store_path(db)) as store:
        assert store.runs.brief_log() == []


def test_an_alert_when_a_status_got_worse_told_once(site, robots):
    db, config = site
    made, _, env = robots
    channel = load_channels(config, load_access(config, load_org(config))).get("south-ding")
    args = (db, config, channel, "2026-11", dt.date(2026, 11, 24))
    assert dispatch.send_alert(*args, env=env) is None               # no brief yet: nothing to compare with
    send(db, config, "south-ding", env)
    assert dispatch.send_alert(*args, env=env) is None               # nothing got worse since
    now = brief.statuses(tree_as(db, config, "lead-south"))
    with PlanStore(store_path(db)) as store:
        store.runs.log_brief("south-ding", "brief", True, "test", "2026-11", "2026-11-23",
                        {**now, "south|members": "on_track", "company|members": "on_track"})
    out = dispatch.send_alert(*args, env=env)
    assert out.ok and out.kind == "alert"
    assert made["dingtalk"].texts()[-1].split("\n\n") == [
        "北极星提醒 · 截至 2026-11-24 周二：状态变差",
        "变差：华南战区 新增会员 ● 正常 → ▲ 有风险",  # a zone, not the company
        "查看总览：https://ns.example.com/?lang=zh&month=2026-11&as_of=2026-11-24",
    ]
    assert now["south|members"] == "at_risk"
    assert dispatch.send_alert(*args, env=env) is None               # told once
    assert [o.channel for o in dispatch.send_alerts(db, config, "2026-11", dt.date(2026, 11, 24),
                                                    env=env)] == []   # only south-ding asks, and it was told


def test_a_failed_build_tells_the_admin_channel_only(site, robots, monkeypatch, tmp_path, capsys):
    db, config = site
    made, mailbox, env = robots
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    empty = tmp_path / "empty-raw"
    empty.mkdir()
    code = cli.main(["build", "--raw", str(empty), "--config", str(config), "--db", str(db), "--brief"])
    assert code == 2 and "no raw files" in capsys.readouterr().err
    (line,) = made["feishu"].texts()
    assert line.startswith("Northstar's data refresh failed (") and "no raw files in" in line
    assert line.endswith("The board still shows the last good data.")
    assert made["wecom"].received == [] and made["dingtalk"].received == [] and mailbox.messages == []
    with PlanStore(store_path(db)) as store:
        assert [(r["channel"], r["kind"], r["ok"]) for r in store.runs.brief_log()] == [
            ("ops-feishu", "build_failed", 1)
        ]


def test_a_build_then_every_channels_brief(site, robots, monkeypatch, tiny, capsys):
    """`build --brief` on chat channels that need no picture (the real renderer is the next test's)."""
    db, config = site
    made, _, env = robots
    (config / "channels.yaml").write_text(CHANNELS.split("- {id: hq-wecom")[0] + "- {id: south-ding"
                                          + CHANNELS.split("- {id: south-ding")[1].split("- {id: hq-mail")[0],
                                          encoding="utf-8")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code = cli.main(["build", "--raw", str(tiny / "raw"), "--config", str(config), "--db", str(db), "--brief",
                     "--as-of", AS_OF, "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert len(made["dingtalk"].received) == 1 and len(made["feishu"].received) == 1


def test_the_data_page_lists_the_sends_and_their_results(site, robots, monkeypatch, fresh_cache):
    from tests.conftest import open_app

    db, config = site
    made, _, env = robots
    send(db, config, "ops-feishu", env)
    with pytest.raises(NorthstarError):
        send(db, config, "hq-wecom", {})
    at = open_app(db, monkeypatch, "pages/data.py", lang="en")
    frame = next(d.value for d in at.dataframe if "Channel" in d.value.columns)
    assert list(frame["Channel"]) == ["hq-wecom", "ops-feishu"]
    assert list(frame["Result"]) == ["✖ Not delivered", "✔ Delivered"]
    assert "T_WECOM, which is not set" in frame["What the service said"].iloc[0]


def test_the_command_sends_a_real_picture_to_the_wecom_stand_in(tiny, tmp_path):
    """End to end, as cron runs it: `python -m pipelines brief --channel hq-wecom` on the tiny sample draws the board
    in Chromium and posts the summary and the picture to the stand-in."""
    db = copy_warehouse(tiny / "wh.duckdb", tmp_path)
    config = tmp_path / "config"
    shutil.copytree(tiny / "config", config)
    (config / "channels.yaml").write_text(CHANNELS, encoding="utf-8")
    robot = Robot("wecom")
    try:
        run = subprocess.run([sys.executable, "-m", "pipelines", "brief", "--channel", "hq-wecom", "--db", str(db),
                              "--config", str(config)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                             env={**os.environ, "T_WECOM": robot.url})
        assert run.returncode == 0, run.stderr
        assert "hq-wecom: drawing the board as 林总 (ceo) sees it (zh)" in run.stderr
        markdown, image = robot.received
        assert markdown["markdown"]["content"].startswith("北极星日报 · 2026年11月 · 截至 2026-11-24")
        import base64

        picture = Image.open(io.BytesIO(base64.b64decode(image["image"]["base64"])))
        assert picture.format == "PNG" and picture.size[0] == 780 and picture.size[1] > 3000
    finally:
        robot.close()
