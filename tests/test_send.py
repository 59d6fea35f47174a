"""Posting to a robot (pipelines/delivery/send.py, issue 21) against a local stand-in on 127.0.0.1 that answers like the
services: delivered, rate-limited then delivered, a server error then delivered, an error that is final, an answer
that is not JSON, a robot that cannot be reached. A failure is raised with the service's message, never swallowed,
and the webhook URL (a secret) is not in it."""
from __future__ import annotations

import pytest

from pipelines.delivery.send import SendFailed, post_json
from tests.conftest import free_port
from tests.robots import json_server


class StandIn:
    """Answers each POST with the next (status, body, headers) of `script` and keeps what it received."""

    def __init__(self, script):
        self.script, self.received = list(script), []

        def answer(path, kind, body):
            self.received.append((path, kind, body))
            return self.script.pop(0)

        self.server = json_server(answer)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=SECRET-KEY"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def stand_in():
    made = []

    def make(*script):
        made.append(StandIn(script))
        return made[-1]

    yield make
    for s in made:
        s.close()


BODY = {"msgtype": "markdown", "markdown": {"content": "北极星日报"}}


def test_delivered_first_time(stand_in):
    robot = stand_in((200, {"errcode": 0, "errmsg": "ok"}, {}))
    pauses = []
    done = post_json(robot.url, BODY, sleep=pauses.append)
    assert done.attempts == 1 and pauses == []
    path, kind, received = robot.received[0]
    assert received == BODY and kind == "application/json; charset=utf-8" and path.endswith("key=SECRET-KEY")


def test_rate_limited_and_server_errors_are_tried_again_with_growing_pauses(stand_in):
    robot = stand_in((200, {"errcode": 45009, "errmsg": "api freq out of limit"}, {}),
                     (503, {"error": "busy"}, {}),
                     (429, {"code": 11232, "msg": "frequency limited"}, {"Retry-After": "3"}),
                     (200, {"code": 0, "msg": "success"}, {}))
    pauses = []
    done = post_json(robot.url, BODY, sleep=pauses.append)
    assert done.attempts == 4 and pauses == [1.0, 2.0, 3.0]          # 1 s, 2 s, then the service's Retry-After
    assert len(robot.received) == 4


def test_a_final_error_is_raised_with_the_services_message_and_no_secret(stand_in):
    robot = stand_in((200, {"errcode": 310000, "errmsg": "sign not match"}, {}))
    with pytest.raises(SendFailed) as err:
        post_json(robot.url, BODY, what="the brief to north-ding", sleep=lambda s: None)
    text = str(err.value)
    assert "the brief to north-ding was not delivered after 1 attempt" in text and "310000 sign not match" in text
    assert "SECRET-KEY" not in text and "127.0.0.1" in text
    bad = stand_in((400, {"errcode": 40008}, {}))
    with pytest.raises(SendFailed, match="HTTP 400"):
        post_json(bad.url, BODY, sleep=lambda s: None)


def test_an_answer_that_is_not_json_and_a_robot_that_cannot_be_reached(stand_in):
    robot = stand_in((200, b"<html>proxy login</html>", {}))
    with pytest.raises(SendFailed, match="not JSON"):
        post_json(robot.url, BODY, sleep=lambda s: None)
    pauses = []
    with pytest.raises(SendFailed, match="could not be reached") as err:
        post_json(f"http://127.0.0.1:{free_port()}/robot/send?access_token=T0K", BODY, attempts=3, sleep=pauses.append)
    assert err.value.attempts == 3 and pauses == [1.0, 2.0] and "T0K" not in str(err.value)


def test_giving_up_after_every_attempt_is_rate_limited(stand_in):
    robot = stand_in(*[(200, {"errcode": 130101, "errmsg": "send too fast"}, {})] * 3)
    with pytest.raises(SendFailed, match="after 3 attempts: .* said 130101 send too fast"):
        post_json(robot.url, BODY, attempts=3, sleep=lambda s: None)


@pytest.mark.parametrize("url", ["http://bob:s3cret-pw@127.0.0.1:{port}/robot/send?access_token=T0K",
                                 "http://bob:s3cret-pw@[::1/robot/send?access_token=T0K"])
def test_a_webhook_with_a_user_and_password_never_shows_them(url):
    """Issue 33.9: a webhook URL with `user:password@` printed both in the CLI's error and the Data page's brief log
    (the message is what both show). Now only the host (and port) is named, whatever went wrong."""
    with pytest.raises(SendFailed) as err:
        post_json(url.format(port=free_port()), BODY, attempts=1, sleep=lambda s: None)
    text = str(err.value)
    assert "s3cret-pw" not in text and "bob" not in text and "T0K" not in text, text
    assert "not delivered after 1 attempt" in text
