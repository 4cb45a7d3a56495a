"""Model back-ends against a local HTTP server speaking each documented protocol.

The server runs on 127.0.0.1 only, answers a bounded number of requests and is
shut down after each test.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from bulwark.analyze.text.backends.base import ModelBackendError
from bulwark.analyze.text.backends.config import configured_backends
from bulwark.analyze.text.backends.llama_guard import LlamaGuard
from bulwark.analyze.text.backends.openai_moderation import OpenAIModeration
from bulwark.analyze.text.backends.shieldgemma import ShieldGemma
from bulwark.cli import app

BAD = "those people are vermin"


class FakeModels(BaseHTTPRequestHandler):
    """Just enough of /v1/moderations and /v1/chat/completions."""

    seen: ClassVar[list[dict[str, Any]]] = []
    mode = "ok"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: object, raw: bool = False) -> None:
        data = body.encode() if raw and isinstance(body, str) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeModels.seen.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **payload}
        )
        if FakeModels.mode == "500":
            return self._send(500, {"error": "overloaded"})
        if FakeModels.mode == "garbage":
            return self._send(200, "<html>", raw=True)
        if self.path == "/v1/moderations":
            results = []
            for text in payload["input"]:
                hateful = "vermin" in text
                results.append(
                    {
                        "flagged": hateful,
                        "categories": {"hate": hateful, "sexual": False, "harassment": False},
                        "category_scores": {"hate": 0.93 if hateful else 0.01, "sexual": 0.0},
                    }
                )
            return self._send(200, {"id": "modr-1", "model": payload["model"], "results": results})
        if self.path == "/v1/chat/completions":
            content = payload["messages"][-1]["content"]
            if "Human Question" in content:  # ShieldGemma prompt
                yes = "vermin" in content and "Hate Speech" in content
                lp = math.log(0.9)
                top = [
                    {"token": "Yes" if yes else "No", "logprob": lp},
                    {"token": "No" if yes else "Yes", "logprob": math.log(0.1)},
                ]
                msg = "Yes" if yes else "No"
                choice = {
                    "message": {"content": msg},
                    "logprobs": {"content": [{"top_logprobs": top}]},
                }
            else:  # Llama Guard
                msg = "unsafe\nS10" if "vermin" in content else "safe"
                if FakeModels.mode == "weird":
                    msg = "maybe"
                choice = {"message": {"role": "assistant", "content": msg}}
            return self._send(200, {"choices": [choice]})
        return self._send(404, {"error": "no such path"})


@pytest.fixture
def server() -> Iterator[str]:
    FakeModels.seen = []
    FakeModels.mode = "ok"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeModels)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_openai_moderation_maps_categories(server: str) -> None:
    b = OpenAIModeration(server, api_key="sk-test")
    out = b.classify([BAD, "hello"])
    assert [e.category for e in out[0]] == ["hate"] and out[1] == []
    assert out[0][0].score == pytest.approx(0.93) and out[0][0].source == "model_api"
    req = FakeModels.seen[0]
    assert req["auth"] == "Bearer sk-test" and req["model"] == "omni-moderation-latest"
    assert req["input"] == [BAD, "hello"]


def test_llama_guard_maps_hazard_codes(server: str) -> None:
    b = LlamaGuard(server, model="llama-guard3")
    assert [e.category for e in b.classify([BAD])[0]] == ["hate"]
    assert b.classify(["a cat"])[0] == []
    assert FakeModels.seen[0]["messages"] == [{"role": "user", "content": BAD}]


def test_shieldgemma_reads_yes_probability(server: str) -> None:
    out = ShieldGemma(server).classify([BAD])[0]
    assert [e.category for e in out] == ["hate"]
    assert out[0].score == pytest.approx(0.9)
    assert len(FakeModels.seen) == 4  # one request per policy


@pytest.mark.parametrize(
    ("mode", "problem"),
    [("500", "HTTP 500"), ("garbage", "non-JSON"), ("weird", "expected 'safe'")],
)
def test_bad_answers_are_clear_errors(server: str, mode: str, problem: str) -> None:
    FakeModels.mode = mode
    with pytest.raises(ModelBackendError, match=problem):
        LlamaGuard(server).classify([BAD])


def test_unreachable_service() -> None:
    with pytest.raises(ModelBackendError, match="cannot reach"):
        OpenAIModeration("http://127.0.0.1:9", api_key="k", timeout_s=1).classify(["x"])


def test_backends_are_off_by_default_and_configured_from_env(server: str) -> None:
    assert configured_backends({}) == []
    found = configured_backends({"BULWARK_GUARD_URL": server, "BULWARK_GUARD_KIND": "shieldgemma"})
    assert [b.name for b in found] == ["model.shieldgemma"]
    with pytest.raises(ModelBackendError, match="OPENAI_API_KEY"):
        configured_backends({"BULWARK_OPENAI_MODERATION": "1"})
    with pytest.raises(ModelBackendError, match="BULWARK_GUARD_KIND"):
        configured_backends({"BULWARK_GUARD_URL": server, "BULWARK_GUARD_KIND": "nope"})


def test_cli_uses_a_configured_guard(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_GUARD_URL", server)
    r = CliRunner().invoke(app, ["text", "check", "--json", "a peaceful lake"])
    assert r.exit_code == 0, r.output
    assert any(s["path"] == "/v1/chat/completions" for s in FakeModels.seen)
    FakeModels.mode = "500"
    r = CliRunner().invoke(app, ["text", "check", "--json", "a peaceful lake"])
    row = json.loads(r.output.strip().splitlines()[-1])
    assert "HTTP 500" in row["error"]
