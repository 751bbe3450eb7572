"""The Agent tool through ``hexclaw -p`` against the scripted server: the subagent's own
request (fresh conversation, its tools, its system prompt), custom and --agents types,
concurrency, permissions, hooks, transcripts, stream-json and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.hook_scripts import hook, python_command, read_log, settings_with, write_scripts
from tests.e2e.live_process import start_hexclaw
from tests.e2e.subagent_script import (
    PARENT,
    Router,
    first_text,
    log_entries,
    results_in,
    session_logs,
    system_text,
    tool_names,
)
from tests.e2e.test_headless_schemas import check_lines
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


def agent_call(call_id: str, prompt: str, **extra: Any) -> tuple[str, str, dict[str, Any]]:
    return (call_id, "Agent", {"description": f"task {call_id}", "prompt": prompt, **extra})


def serve(router: Router) -> ScriptedAnthropicServer:
    return ScriptedAnthropicServer(responder=router, idle_timeout=60)


def interrupted_run(
    env: dict[str, str],
    cwd: Path,
    args: list[str],
    ready: Callable[[subprocess.Popen[bytes]], None],
) -> tuple[int, str, float]:
    """``hexclaw`` with ``args``, sent SIGINT once ``ready`` returns: its exit code, its
    stderr, and the seconds it took to stop."""
    process = start_hexclaw(args, env, cwd)
    try:
        ready(process)
        started = time.monotonic()
        os.kill(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=30)
        return process.returncode, err.decode(), time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()


def streaming(*asked: threading.Event) -> Callable[[subprocess.Popen[bytes]], None]:
    """Ready once every subagent has sent its request, and its answer has streamed a while."""

    def ready(_: subprocess.Popen[bytes]) -> None:
        assert all(event.wait(30) for event in asked)
        time.sleep(2.0)

    return ready


def test_an_explore_subagent_starts_fresh_with_its_tools_and_prompt(
    config_home: Path, workspace: Path
) -> None:
    prompt = "Find where the answer is defined and report the file."
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events([agent_call("toolu_a", prompt, subagent_type="Explore")])
                ),
                Reply.sse(text_message_events("It is in answer.py.")),
            ],
            prompt: [Reply.sse(text_message_events("Report: answer.py, line 1."))],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "where is the answer?", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "It is in answer.py."
    parent_first = router.seen[PARENT][0]
    assert "Agent" in tool_names(parent_first)
    assert (
        "Explore"
        in next(t for t in parent_first.body["tools"] if t["name"] == "Agent")["description"]
    )
    sub = router.seen[prompt][0]
    # A fresh conversation: the prompt alone, nothing of the parent's.
    assert len(sub.body["messages"]) == 1
    assert first_text(sub) == prompt
    assert "where is the answer?" not in json.dumps(sub.body["messages"])
    assert sorted(tool_names(sub)) == ["Bash", "Glob", "Grep", "LS", "Read", "WebFetch"]
    assert sub.body["system"][-1]["text"].startswith("You are an exploring agent")
    assert str(workspace) in system_text(sub)
    # The report is the Agent call's result.
    assert [r["content"] for r in results_in(router.seen[PARENT][1])] == [
        "Report: answer.py, line 1."
    ]
    # The subagent's transcript is its own log, linked from the parent's.
    logs = session_logs(config_home)
    assert len(logs) == 1
    links = [e for e in log_entries(logs[0]) if e["type"] == "subagent"]
    assert [(e["tool_use_id"], e["agent_type"]) for e in links] == [("toolu_a", "Explore")]
    transcript = logs[0].parent / links[0]["transcript"]
    entries = log_entries(transcript)
    assert entries[0]["type"] == "hexclaw-session"
    messages = [e["message"] for e in entries if e["type"] == "message"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"][0]["text"] == prompt


def test_a_custom_agent_gets_exactly_its_tools_model_and_body(
    config_home: Path, workspace: Path
) -> None:
    agents = workspace / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "reviewer.md").write_text(
        "---\nname: reviewer\ndescription: Reviews code\ntools: Read, Grep\nmodel: haiku\n---\n"
        "You review code. Be terse.\n"
    )
    prompt = "Review the diff."
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events([agent_call("toolu_r", prompt, subagent_type="reviewer")])
                ),
                Reply.sse(text_message_events("Reviewed.")),
            ],
            prompt: [Reply.sse(text_message_events("LGTM"))],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "review", "--allowedTools", "Bash"], env, workspace)
    assert done.returncode == 0, done.stderr
    sub = router.seen[prompt][0]
    assert tool_names(sub) == ["Read", "Grep"]
    assert sub.body["model"] == "claude-haiku-4-5"
    assert sub.body["system"][-1]["text"] == "You review code. Be terse."
    listing = next(t for t in router.seen[PARENT][0].body["tools"] if t["name"] == "Agent")
    assert "- reviewer: Reviews code (Tools: Read, Grep)" in listing["description"]


def test_a_subagent_is_offered_web_search_only_when_its_tools_name_it(
    config_home: Path, workspace: Path
) -> None:
    agents = workspace / ".claude" / "agents"
    agents.mkdir(parents=True)
    for name, tools in (("reviewer", "Read, Grep"), ("researcher", "Read, WebSearch")):
        (agents / f"{name}.md").write_text(
            f"---\nname: {name}\ndescription: {name}\ntools: {tools}\n---\nYou are {name}.\n"
        )
    review, research = "Review the diff.", "Find the release notes."
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [
                            agent_call("toolu_a", review, subagent_type="reviewer"),
                            agent_call("toolu_b", research, subagent_type="researcher"),
                        ]
                    )
                ),
                Reply.sse(text_message_events("Both done.")),
            ],
            review: [Reply.sse(text_message_events("LGTM"))],
            research: [Reply.sse(text_message_events("Found them."))],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "go", "--allowedTools", "Bash,WebSearch"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert "web_search" in tool_names(router.seen[PARENT][0])
    assert tool_names(router.seen[review][0]) == ["Read", "Grep"]
    assert tool_names(router.seen[research][0]) == ["Read", "web_search"]


def test_agents_flag_and_the_former_name_task(config_home: Path, workspace: Path) -> None:
    prompt = "Say hi."
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [
                            (
                                "toolu_t",
                                "Task",
                                {
                                    "description": "greet",
                                    "prompt": prompt,
                                    "subagent_type": "greeter",
                                    "model": "opus",
                                },
                            )
                        ]
                    )
                ),
                Reply.sse(text_message_events("Greeted.")),
            ],
            prompt: [Reply.sse(text_message_events("hi"))],
        }
    )
    flag = json.dumps({"greeter": {"description": "Greets", "prompt": "You greet.", "tools": []}})
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(
            ["-p", "greet", "--allowedTools", "Task", "--agents", flag], env, workspace
        )
    assert done.returncode == 0, done.stderr
    sub = router.seen[prompt][0]
    assert sub.body["model"] == "claude-opus-4-5"
    assert tool_names(sub) == []
    assert sub.body["system"][-1]["text"] == "You greet."
    assert [r["content"] for r in results_in(router.seen[PARENT][1])] == ["hi"]


def test_a_bad_agents_flag_is_one_line_and_exit_2(config_home: Path, workspace: Path) -> None:
    env = hexclaw_env("http://127.0.0.1:9", config_home)
    done = run_hexclaw(["-p", "x", "--allowedTools", "Read", "--agents", "[1]"], env, workspace)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        'hexclaw: --agents takes a JSON object: {"name": {"description": ...}}'
    ]


def test_two_subagents_run_at_the_same_time(config_home: Path, workspace: Path) -> None:
    both_asked = threading.Barrier(2, timeout=20)
    met: list[str] = []

    def gate(key: str) -> None:
        if key != PARENT:
            both_asked.wait()  # neither answers until the other has asked: they overlap
            met.append(key)

    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [agent_call("toolu_1", "First task."), agent_call("toolu_2", "Second.")]
                    )
                ),
                Reply.sse(text_message_events("Both done.")),
            ],
            "First task.": [Reply.sse(text_message_events("one"))],
            "Second.": [Reply.sse(text_message_events("two"))],
        },
        gate=gate,
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "do both", "--allowedTools", "Agent"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert sorted(met) == ["First task.", "Second."]
    answered = results_in(router.seen[PARENT][1])
    assert [(r["tool_use_id"], r["content"]) for r in answered] == [
        ("toolu_1", "one"),
        ("toolu_2", "two"),
    ]
    # A general-purpose subagent has the parent's tools, Agent included (depth 1 of 2).
    assert "Agent" in tool_names(router.seen["First task."][0])


def test_a_subagent_is_denied_what_the_parent_is_denied(config_home: Path, workspace: Path) -> None:
    (workspace / "secret.txt").write_text("hunter2\n")
    prompt = "Read secret.txt."
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_a", prompt)])),
                Reply.sse(text_message_events("Could not.")),
            ],
            prompt: [
                Reply.sse(tool_use_events([("toolu_s", "Read", {"file_path": "secret.txt"})])),
                Reply.sse(text_message_events("Denied, sorry.")),
            ],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(
            [
                "-p",
                "get it",
                "--allowedTools",
                "Agent",
                "--disallowedTools",
                "Read(secret.txt)",
                "--verbose",
            ],
            env,
            workspace,
        )
    assert done.returncode == 0, done.stderr
    denied = results_in(router.seen[prompt][1])
    assert denied[0]["is_error"] is True
    assert "Permission denied" in denied[0]["content"]
    assert "hunter2" not in json.dumps([r.body for r in router.seen[prompt]])
    assert [r["content"] for r in results_in(router.seen[PARENT][1])] == ["Denied, sorry."]
    # --verbose names the subagent's calls and what came of them on stderr.
    err = done.stderr.splitlines()
    assert "  ⎿  [general-purpose] ● Read(secret.txt)" in err
    assert "  ⎿  [general-purpose]   Read(secret.txt): denied" in err
    assert "  ⎿  general-purpose subagent finished: Done (0 tool uses" in done.stderr


def test_a_read_only_subagent_cannot_write_even_when_the_parent_may(
    config_home: Path, workspace: Path
) -> None:
    prompt = "Plan it."
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_p", prompt, subagent_type="Plan")])),
                Reply.sse(text_message_events("ok")),
            ],
            prompt: [
                Reply.sse(tool_use_events([("toolu_b", "Bash", {"command": "touch made.txt"})])),
                Reply.sse(text_message_events("1. do it")),
            ],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "plan", "--permission-mode", "bypassPermissions"], env, workspace)
    assert done.returncode == 0, done.stderr
    refused = results_in(router.seen[prompt][1])[0]
    assert refused["is_error"] is True
    assert "read-only" in refused["content"]
    assert not (workspace / "made.txt").exists()


def test_subagent_stop_hooks_fire_and_pre_tool_use_matches_task(
    config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    logger, _ = write_scripts(tmp_path / "hooks")
    log = tmp_path / "events.jsonl"
    command = python_command(logger, str(log))
    (config_home / "settings.json").write_text(
        settings_with(hook("SubagentStop", command), hook("PreToolUse", command, matcher="Task"))
    )
    prompt = "Just answer."
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_a", prompt)])),
                Reply.sse(text_message_events("done")),
            ],
            prompt: [Reply.sse(text_message_events("answer"))],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "go", "--allowedTools", "Agent"], env, workspace)
    assert done.returncode == 0, done.stderr
    events = [(e["hook_event_name"], e.get("tool_name")) for e in read_log(log)]
    assert events == [("PreToolUse", "Agent"), ("SubagentStop", None)]
    stop = read_log(log)[1]
    assert stop["last_assistant_message"] == "answer"


def test_stream_json_carries_subagent_messages_with_parent_tool_use_id(
    config_home: Path, workspace: Path
) -> None:
    prompt = "Look around."
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_x", prompt)])),
                Reply.sse(text_message_events("seen")),
            ],
            prompt: [
                Reply.sse(tool_use_events([("toolu_ls", "LS", {"path": "."})])),
                Reply.sse(text_message_events("two files")),
            ],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(
            [
                "-p",
                "look",
                "--allowedTools",
                "Agent",
                "--output-format",
                "stream-json",
                "--verbose",
                "--include-partial-messages",
            ],
            env,
            workspace,
        )
    assert done.returncode == 0, done.stderr
    # Every line, the subagent's too, matches its published JSON Schema.
    lines = check_lines(done.stdout)
    kinds = [(line["type"], line.get("parent_tool_use_id")) for line in lines]
    assert kinds.index(("assistant", "toolu_x")) < kinds.index(("user", "toolu_x"))
    sub_lines = [
        line
        for line in lines
        if line.get("parent_tool_use_id") == "toolu_x" and line["type"] != "stream_event"
    ]
    assert [line["type"] for line in sub_lines] == ["assistant", "user", "assistant"]
    # Raw stream events say whose they are too.
    events = [line for line in lines if line["type"] == "stream_event"]
    starts = [
        line["parent_tool_use_id"] for line in events if line["event"]["type"] == "message_start"
    ]
    assert starts == [None, "toolu_x", "toolu_x", None]
    assert sub_lines[0]["message"]["content"][0]["name"] == "LS"
    assert sub_lines[-1]["message"]["content"][0]["text"] == "two files"
    parent_result = next(
        line for line in lines if line["type"] == "user" and line["parent_tool_use_id"] is None
    )
    assert parent_result["message"]["content"][0]["content"] == "two files"
    result = lines[-1]
    assert result["type"] == "result"
    # Usage rolls up: the parent's two calls and the subagent's two.
    assert result["num_turns"] == 2
    assistants = [line["message"] for line in lines if line["type"] == "assistant"]
    assert len(assistants) == 4
    for key in ("input_tokens", "output_tokens"):
        assert result["usage"][key] == sum(m["usage"][key] for m in assistants), key
    assert result["usage"]["output_tokens"] > 0


def test_ctrl_c_during_a_subagent_leaves_valid_conversations(
    config_home: Path, workspace: Path
) -> None:
    prompt = "Take your time."
    asked = threading.Event()

    def gate(key: str) -> None:
        if key == prompt:
            asked.set()

    slow = Reply.sse(
        text_message_events("slowly " * 400), chunk_size=100, delay_between_chunks=0.05
    )
    router = Router(
        {
            PARENT: [Reply.sse(tool_use_events([agent_call("toolu_slow", prompt)]))],
            prompt: [slow],
        },
        gate=gate,
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        code, err, _ = interrupted_run(
            env, workspace, ["-p", "wait", "--allowedTools", "Agent"], streaming(asked)
        )
    assert code == 130, err
    log = session_logs(config_home)[0]
    entries = log_entries(log)
    messages = [e["message"] for e in entries if e["type"] == "message"]
    assert not api_problems(messages), api_problems(messages)
    last = messages[-1]["content"][0]
    assert last["tool_use_id"] == "toolu_slow"
    assert "interrupted" in last["content"]
    link = next(e for e in entries if e["type"] == "subagent")
    sub_entries = log_entries(log.parent / link["transcript"])
    sub_messages = [e for e in sub_entries if e["type"] == "message"]
    assert not api_problems([e["message"] for e in sub_messages])
    # What had streamed is kept, marked as interrupted by the user.
    assert sub_messages[-1]["interrupted"] is True
    assert sub_messages[-1]["message"]["content"][0]["text"].startswith("slowly")


def test_ctrl_c_reaches_every_concurrent_subagent(config_home: Path, workspace: Path) -> None:
    prompts = ("Slow one.", "Slow two.")
    asked: dict[str, threading.Event] = {p: threading.Event() for p in prompts}

    def gate(key: str) -> None:
        if key in asked:
            asked[key].set()

    def slow() -> Reply:
        return Reply.sse(
            text_message_events("slowly " * 400), chunk_size=100, delay_between_chunks=0.05
        )

    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [agent_call("toolu_1", prompts[0]), agent_call("toolu_2", prompts[1])]
                    )
                )
            ],
            prompts[0]: [slow()],
            prompts[1]: [slow()],
        },
        gate=gate,
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        code, err, stopped_in = interrupted_run(
            env, workspace, ["-p", "wait", "--allowedTools", "Agent"], streaming(*asked.values())
        )
    assert code == 130, err
    # Both were still streaming (some 40 kB at 2 kB a second): Ctrl-C cut them short.
    assert stopped_in < 5
    log = session_logs(config_home)[0]
    entries = log_entries(log)
    messages = [e["message"] for e in entries if e["type"] == "message"]
    assert not api_problems(messages), api_problems(messages)
    answered = messages[-1]["content"]
    assert [r["tool_use_id"] for r in answered] == ["toolu_1", "toolu_2"]
    assert all("interrupted" in r["content"] for r in answered)
    for link in (e for e in entries if e["type"] == "subagent"):
        sub = [e for e in log_entries(log.parent / link["transcript"]) if e["type"] == "message"]
        assert not api_problems([e["message"] for e in sub])
        assert sub[-1]["interrupted"] is True


def test_a_subagent_may_launch_one_more_level_and_no_deeper(
    config_home: Path, workspace: Path
) -> None:
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_m", "Delegate.")])),
                Reply.sse(text_message_events("all done")),
            ],
            "Delegate.": [
                Reply.sse(tool_use_events([agent_call("toolu_i", "Inner.")])),
                Reply.sse(text_message_events("middle got deep")),
            ],
            "Inner.": [Reply.sse(text_message_events("deep"))],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "go", "--allowedTools", "Agent"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert "Agent" in tool_names(router.seen["Delegate."][0])
    assert "Agent" not in tool_names(router.seen["Inner."][0])
    assert [r["content"] for r in results_in(router.seen["Delegate."][1])] == ["deep"]
    assert [r["content"] for r in results_in(router.seen[PARENT][1])] == ["middle got deep"]
    log = session_logs(config_home)[0]
    (middle,) = [e for e in log_entries(log) if e["type"] == "subagent"]
    middle_log = log.parent / middle["transcript"]
    (inner,) = [e for e in log_entries(middle_log) if e["type"] == "subagent"]
    assert inner["tool_use_id"] == "toolu_i"
    assert (middle_log.parent / inner["transcript"]).is_file()


def test_two_subagents_writing_at_once_are_checkpointed_and_rewound(
    config_home: Path, workspace: Path
) -> None:
    (workspace / "keep.txt").write_text("original\n")
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [agent_call("toolu_1", "Write one."), agent_call("toolu_2", "Write two.")]
                    )
                ),
                Reply.sse(text_message_events("written")),
            ],
            "Write one.": [
                Reply.sse(
                    tool_use_events(
                        [("toolu_w1", "Write", {"file_path": "one.txt", "content": "1\n"})]
                    )
                ),
                Reply.sse(text_message_events("one written")),
            ],
            "Write two.": [
                Reply.sse(
                    tool_use_events([("toolu_w2", "Bash", {"command": "echo changed > keep.txt"})])
                ),
                Reply.sse(text_message_events("two written")),
            ],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(
            ["-p", "write", "--permission-mode", "acceptEdits", "--allowedTools", "Bash"],
            env,
            workspace,
        )
        assert done.returncode == 0, done.stderr
        assert (workspace / "one.txt").read_text() == "1\n"
        assert (workspace / "keep.txt").read_text() == "changed\n"
        listing = run_hexclaw(["rewind", "--list"], env, workspace)
        assert "one.txt (new)" in listing.stdout, listing.stdout
        assert "keep.txt" in listing.stdout
        back = run_hexclaw(["rewind", "1", "--code", "--yes"], env, workspace)
        assert back.returncode == 0, back.stderr + back.stdout
    assert not (workspace / "one.txt").exists()
    assert (workspace / "keep.txt").read_text() == "original\n"


def test_a_subagents_cd_does_not_move_the_parents_shell(config_home: Path, workspace: Path) -> None:
    (workspace / "sub").mkdir()
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_a", "Go down.")])),
                Reply.sse(tool_use_events([("toolu_p", "Bash", {"command": "pwd"})])),
                Reply.sse(text_message_events("still home")),
            ],
            "Go down.": [
                Reply.sse(tool_use_events([("toolu_c", "Bash", {"command": "cd sub"})])),
                Reply.sse(tool_use_events([("toolu_d", "Bash", {"command": "pwd"})])),
                Reply.sse(text_message_events("went down")),
            ],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "go", "--allowedTools", "Bash"], env, workspace)
    assert done.returncode == 0, done.stderr
    sub_pwd = results_in(router.seen["Go down."][2])[0]["content"]
    parent_pwd = results_in(router.seen[PARENT][2])[0]["content"]
    assert sub_pwd.strip() == str((workspace / "sub").resolve())
    assert parent_pwd.strip() == str(workspace.resolve())


def test_the_result_prices_a_subagent_at_its_own_model(config_home: Path, workspace: Path) -> None:
    prompt = "Cheap task."
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_h", prompt, model="haiku")])),
                Reply.sse(text_message_events("done")),
            ],
            prompt: [Reply.sse(text_message_events("cheap answer"))],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(
            ["-p", "go", "--allowedTools", "Agent", "--output-format", "json"], env, workspace
        )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # Every scripted message uses 12 input and 7 output tokens.
    assert result["usage"]["input_tokens"] == 36
    assert result["usage"]["output_tokens"] == 21
    sonnet = 12 * 3.00 + 7 * 15.00
    haiku = 12 * 1.00 + 7 * 5.00
    assert result["total_cost_usd"] == pytest.approx((2 * sonnet + haiku) / 1_000_000)


def test_ctrl_c_stops_the_commands_of_concurrent_subagents(
    config_home: Path, workspace: Path
) -> None:
    prompts = ("Sleep one.", "Sleep two.")
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [agent_call("toolu_1", prompts[0]), agent_call("toolu_2", prompts[1])]
                    )
                )
            ],
            **{
                p: [
                    Reply.sse(
                        tool_use_events(
                            [(f"toolu_s{n}", "Bash", {"command": f"echo $$ > pid{n}; sleep 60"})]
                        )
                    )
                ]
                for n, p in enumerate(prompts)
            },
        }
    )
    pids = [workspace / "pid0", workspace / "pid1"]
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)

        def one_command_started(process: subprocess.Popen[bytes]) -> None:
            deadline = time.monotonic() + 30
            # With checkpoints on, Bash calls of concurrent subagents take turns: one runs.
            while not any(p.exists() and p.read_text().strip() for p in pids):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the commands never started: {process.communicate()}")
                time.sleep(0.1)

        code, err, stopped_in = interrupted_run(
            env,
            workspace,
            ["-p", "sleep", "--permission-mode", "bypassPermissions"],
            one_command_started,
        )
    assert code == 130, err
    assert stopped_in < 8
    ran = [p for p in pids if p.exists()]
    assert len(ran) == 1, "the other subagent's command waited, and was never started"
    for pid_file in ran:
        pid = int(pid_file.read_text())
        gone = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and time.monotonic() < gone:
            time.sleep(0.1)
        assert not Path(f"/proc/{pid}").exists(), f"{pid} still runs"
    messages = [e["message"] for e in log_entries(session_logs(config_home)[0]) if "message" in e]
    assert not api_problems(messages), api_problems(messages)


def test_a_subagents_task_list_is_its_own(config_home: Path, workspace: Path) -> None:
    def todo(call_id: str, content: str) -> tuple[str, str, dict[str, Any]]:
        item = {"content": content, "status": "pending", "activeForm": content}
        return (call_id, "TodoWrite", {"todos": [item]})

    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([todo("toolu_t1", "parent task")])),
                Reply.sse(tool_use_events([agent_call("toolu_a", "Plan your own.")])),
                Reply.sse(tool_use_events([todo("toolu_t2", "parent task 2")])),
                Reply.sse(text_message_events("done")),
            ],
            "Plan your own.": [
                Reply.sse(tool_use_events([todo("toolu_s", "sub task")])),
                Reply.sse(text_message_events("planned")),
            ],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(
            ["-p", "go", "--allowedTools", "Agent", "--output-format", "stream-json", "--verbose"],
            env,
            workspace,
        )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    results = [
        line["tool_use_result"]
        for line in lines
        if line["type"] == "user"
        and line.get("parent_tool_use_id") is None
        and isinstance(line.get("tool_use_result"), dict)
        and "oldTodos" in line["tool_use_result"]
    ]
    # The parent's second update replaces its own first list, untouched by the subagent's.
    assert [t["content"] for t in results[-1]["oldTodos"]] == ["parent task"]


@pytest.mark.parametrize("finished_while_answering", [False, True])
def test_a_background_subagent_reports_in_a_later_message_while_the_parent_goes_on(
    config_home: Path, workspace: Path, finished_while_answering: bool
) -> None:
    prompt = "Count the files, slowly."
    parent_went_on = threading.Event()
    subagent_answered = threading.Event()

    def hold_the_subagent(conversation: str) -> None:
        # The subagent answers only once the parent has had its launch result and answered
        # on: the report can only come later.
        if conversation == PARENT and len(router.seen[PARENT]) == 3:
            parent_went_on.set()
            if finished_while_answering:
                # The subagent's thread ends, its report queued, before the parent's answer
                # ends: the turn must not end as if nothing ran in the background.
                assert subagent_answered.wait(20)
                time.sleep(1)
        if conversation == prompt:
            assert parent_went_on.wait(20)
            subagent_answered.set()

    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events([agent_call("toolu_bg", prompt, run_in_background=True)])
                ),
                Reply.sse(tool_use_events([("toolu_r", "Read", {"file_path": "a.txt"})])),
                Reply.sse(text_message_events("Waiting for the count.")),
                Reply.sse(text_message_events("The subagent counted 3 files.")),
            ],
            prompt: [Reply.sse(text_message_events("Report: 3 files."))],
        },
        gate=hold_the_subagent,
    )
    (workspace / "a.txt").write_text("a\n")
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(
            ["-p", "count in the background", "--allowedTools", "Read", "--output-format", "json"],
            env,
            workspace,
        )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["result"] == "The subagent counted 3 files."
    parent = router.seen[PARENT]
    assert len(parent) == 4
    (launched,) = results_in(parent[1])
    assert "working in the background" in json.dumps(launched)
    assert "toolu_bg" in json.dumps(launched)
    # Nothing of the report before the subagent answered; then one notification naming the call.
    assert "Report: 3 files." not in json.dumps(parent[2].body["messages"])
    last = parent[3].body["messages"][-1]
    assert last["role"] == "user"
    (note,) = [b["text"] for b in last["content"] if b.get("type") == "text"]
    assert "<task-id>toolu_bg</task-id>" in note
    assert "<status>completed</status>" in note
    assert "Report: 3 files." in note
    for request in parent:
        assert api_problems(request.body["messages"]) == []
    assert len(router.seen[prompt]) == 1


def test_ctrl_c_while_the_parent_waits_for_a_background_subagent_stops_it(
    config_home: Path, workspace: Path
) -> None:
    prompt = "Take your time in the background."
    asked = threading.Event()

    def gate(key: str) -> None:
        if key == prompt:
            asked.set()

    slow = Reply.sse(
        text_message_events("slowly " * 400), chunk_size=100, delay_between_chunks=0.05
    )
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events([agent_call("toolu_bg", prompt, run_in_background=True)])
                ),
                Reply.sse(text_message_events("Waiting for it.")),
            ],
            prompt: [slow],
        },
        gate=gate,
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        code, err, _ = interrupted_run(
            env, workspace, ["-p", "wait", "--allowedTools", "Agent"], streaming(asked)
        )
    assert code == 130, err
    assert len(router.seen[PARENT]) == 2  # no report reached the parent's model
    log = session_logs(config_home)[0]
    entries = log_entries(log)
    messages = [e["message"] for e in entries if e["type"] == "message"]
    assert not api_problems(messages), api_problems(messages)
    assert messages[-1]["role"] == "assistant"
    link = next(e for e in entries if e["type"] == "subagent")
    sub_messages = [
        e for e in log_entries(log.parent / link["transcript"]) if e["type"] == "message"
    ]
    assert not api_problems([e["message"] for e in sub_messages])
    assert sub_messages[-1]["interrupted"] is True


def test_a_background_subagent_is_denied_what_the_parent_is_denied(
    config_home: Path, workspace: Path
) -> None:
    (workspace / "secret.txt").write_text("hunter2\n")
    victim = workspace / "victim.txt"
    victim.write_text("keep me\n")
    prompt = "Read secret.txt, then delete victim.txt."
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events([agent_call("toolu_bg", prompt, run_in_background=True)])
                ),
                Reply.sse(text_message_events("Started.")),
                Reply.sse(text_message_events("It could not.")),
            ],
            prompt: [
                Reply.sse(tool_use_events([("toolu_s", "Read", {"file_path": "secret.txt"})])),
                Reply.sse(tool_use_events([("toolu_rm", "Bash", {"command": f"rm {victim}"})])),
                Reply.sse(text_message_events("Denied twice.")),
            ],
        }
    )
    with serve(router) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(
            ["-p", "go", "--allowedTools", "Agent", "--disallowedTools", "Read(secret.txt)"],
            env,
            workspace,
        )
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "keep me\n"  # Bash would ask, and -p cannot ask: denied
    sub = router.seen[prompt]
    assert [r["is_error"] for r in results_in(sub[1]) + results_in(sub[2])] == [True, True]
    assert "hunter2" not in json.dumps([r.body for r in sub + router.seen[PARENT]])
    assert "Denied twice." in json.dumps(router.seen[PARENT][-1].body["messages"][-1])
