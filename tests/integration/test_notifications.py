# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 19 item 6: the telemetry role posts the fleet notification to a webhook only when it is news.

The webhook is a local HTTP server (a thread of this test, bound to 127.0.0.1) that records every post.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec

REPO = Path(__file__).resolve().parents[2]
REPORT_TASK = "ctxlic.license_server.telemetry : Write the fleet compliance report"
POST_TASK = "ctxlic.license_server.telemetry : Post the fleet notification to the webhook"
TOKEN = "s3cret-token-value"


class Webhook:
    """Records each POST (headers and JSON body) and answers ``self.status``."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                hook.posts.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/abc"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


def lab_now(fleet) -> str:
    data = json.loads((fleet.root / "clock.json").read_text())
    return datetime.fromtimestamp(data["epoch"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_webhook_posts_only_news_and_keeps_the_state_when_the_post_fails(make_fleet, tmp_path, webhook):
    fleet = make_fleet([HostSpec("ls01", version="11.17.2.0 build 51000", last_upload={"days_ago": 1}),
                        HostSpec("ls-down", unreachable=True)])
    state = tmp_path / "state" / "notification.json"

    def run(limit: str | None, due_days: int = 7):
        result = fleet.run(REPO / "playbooks" / "fleet_report.yml", limit=limit, extra_vars={
            "ctxlic_telemetry_report_dir": str(tmp_path / "reports"),
            "ctxlic_telemetry_history_db": str(tmp_path / "evidence.sqlite"),
            "ctxlic_telemetry_as_of": lab_now(fleet),
            "ctxlic_telemetry_notify_webhook_url": webhook.url,
            "ctxlic_telemetry_notify_webhook_headers": {"Authorization": f"Bearer {TOKEN}"},
            "ctxlic_telemetry_notify_state_file": str(state),
            "ctxlic_telemetry_notify_due_days": due_days,
        })
        assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
        assert TOKEN not in result.stdout + result.stderr and "/hooks/abc" not in result.stdout + result.stderr
        return result

    # 1. first run: one post with the documented payload, the state written after it
    first = run("ls01")
    assert first.rc == 0, first.stdout[-3000:]
    report = next(iter(first.task_results(REPORT_TASK).values()))
    assert len(webhook.posts) == 1
    post = webhook.posts[0]
    assert post["path"] == "/hooks/abc"
    assert post["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert post["headers"]["Content-Type"] == "application/json"
    body = post["body"]
    assert (body["schema"], body["version"]) == ("ctxlic.license_server/fleet-notification", 1)
    assert body["reasons"] == ["first notification"]
    assert body["fleet"]["status"] == report["fleet"]["status"] == "Compliant"
    assert body["fleet"]["status_reason"] == report["fleet"]["status_reason"]
    assert body["fleet"]["previous_status"] is None
    assert body["fleet"]["counts"]["servers"] == 1
    assert body["verdict"]["headline"] == report["verdict"]["headline"]
    expected_todo = [{"host": h, "check": a["check"], "severity": a["severity"], "action": a["action"],
                      "deadline": a["deadline"], "when": a["when"]} for h, acts in report["todo"].items() for a in acts]
    assert sorted(body["todo"], key=json.dumps) == sorted(expected_todo, key=json.dumps)
    assert all(a["deadline"] is None or a["deadline"] > report["todo_week"]["until"] for a in body["todo"]), \
        "the fixture must have no action due within the week, or run 2 would post"
    assert body["as_of"] == report["todo_week"]["as_of"]
    assert str(tmp_path) not in json.dumps(body), "no controller path in the payload"
    saved = json.loads(state.read_text())
    assert saved["fleet_status"] == "Compliant"

    # 2. same status, nothing due: nothing posted, the state unchanged
    second = run("ls01")
    assert second.rc == 0, second.stdout[-3000:]
    assert len(webhook.posts) == 1
    assert next(iter(second.task_results(POST_TASK).values())).get("skipped") is True
    assert json.loads(state.read_text()) == saved

    # 3. the status changes (an unreachable server joins the run): posted again, naming the change; but the
    #    webhook answers 500: the run fails after the report, and the state still holds the old status
    webhook.status = 500
    failed = run(None)
    assert failed.rc != 0
    assert len(webhook.posts) == 2
    changed = webhook.posts[1]["body"]
    assert changed["fleet"]["status"] != "Compliant" and changed["fleet"]["previous_status"] == "Compliant"
    assert any(r.startswith("status changed: fleet status Compliant -> ") for r in changed["reasons"])
    assert "did not accept the fleet notification (HTTP status 500" in failed.stdout
    assert (tmp_path / "reports" / "compliance_report.json").exists()
    assert json.loads(state.read_text()) == saved, "a failed post must not record the notification as sent"

    # 4. the webhook is back: the same change is posted again, and the state now holds the new status
    webhook.status = 204
    again = run(None)
    assert len(webhook.posts) == 3
    assert webhook.posts[2]["body"]["fleet"]["status"] == changed["fleet"]["status"]
    assert webhook.posts[2]["body"]["reasons"] == changed["reasons"]
    assert json.loads(state.read_text())["fleet_status"] == changed["fleet"]["status"]
    assert "Fleet notification sent" in again.stdout

    # 5. and is quiet again while nothing changes and nothing is due within the window
    run(None)
    assert len(webhook.posts) == 3


def test_an_action_due_within_the_window_posts_without_a_status_change(make_fleet, tmp_path, webhook):
    # build 45000 is out of the upgrade window: its upgrade action has a deadline (overdue or close)
    fleet = make_fleet([HostSpec("ls01", last_upload={"days_ago": 1})])
    state = tmp_path / "notification.json"
    extra = {
        "ctxlic_telemetry_report_dir": str(tmp_path / "reports"),
        "ctxlic_telemetry_history_db": str(tmp_path / "evidence.sqlite"),
        "ctxlic_telemetry_as_of": lab_now(fleet),
        "ctxlic_telemetry_notify_webhook_url": webhook.url,
        "ctxlic_telemetry_notify_state_file": str(state),
        "ctxlic_telemetry_notify_due_days": 36500,
    }
    for _run in range(2):
        result = fleet.run(REPO / "playbooks" / "fleet_report.yml", extra_vars=extra)
        assert result.rc == 0, result.stdout[-3000:]
    assert len(webhook.posts) == 2
    assert webhook.posts[0]["body"]["reasons"][0] == "first notification"
    second = webhook.posts[1]["body"]
    assert len(second["reasons"]) == 1 and second["reasons"][0].endswith("due within 36500 day(s) or overdue")
    assert any(a["deadline"] for a in second["todo"])


def test_fail_on_fails_the_run_after_the_notification_is_sent(make_fleet, tmp_path, webhook):
    fleet = make_fleet([HostSpec("ls01", version="11.17.2.0 build 51000", last_upload={"days_ago": 1}),
                        HostSpec("ls-down", unreachable=True)])
    state = tmp_path / "notification.json"
    result = fleet.run(REPO / "playbooks" / "fleet_report.yml", extra_vars={
        "ctxlic_telemetry_report_dir": str(tmp_path / "reports"),
        "ctxlic_telemetry_history_db": str(tmp_path / "evidence.sqlite"),
        "ctxlic_telemetry_as_of": lab_now(fleet),
        "ctxlic_telemetry_notify_webhook_url": webhook.url,
        "ctxlic_telemetry_notify_state_file": str(state),
        "ctxlic_telemetry_fail_on": "partially_compliant",
    })
    assert result.rc != 0, result.stdout[-3000:]
    report = next(iter(result.task_results(REPORT_TASK).values()))
    assert report["failed"] is True and report["fleet"]["status"] == "Partially Compliant"
    assert len(webhook.posts) == 1 and webhook.posts[0]["body"]["fleet"]["status"] == "Partially Compliant"
    assert json.loads(state.read_text())["fleet_status"] == "Partially Compliant"
    held = next(iter(result.task_results(
        "ctxlic.license_server.telemetry : Fail as the report asked (fail_on), after the notification").values()))
    assert held["failed"] is True and held["msg"] == report["msg"]
