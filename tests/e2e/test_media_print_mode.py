"""Images and PDFs reach the model through ``hexclaw -p``: a Read of an image or a PDF (pages
chosen) answers with image and document blocks, and ``@file`` or a pasted image path in the
prompt attaches them; what is too big or not allowed stays out, with one line saying why."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.media_files import pdf_bytes, pdf_page_widths, png_bytes, write
from tests.support import hexclaw_env, run_hexclaw


def run(
    server: ScriptedAnthropicServer, config_home: Path, workspace: Path, *args: str
) -> tuple[dict[str, Any], str]:
    done = run_hexclaw(
        ["-p", *args, "--output-format", "json"], hexclaw_env(server.url, config_home), workspace
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result, done.stderr


def first_user_content(server: ScriptedAnthropicServer) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = server.requests[0].body["messages"][0]["content"]
    return content


def tool_result_content(server: ScriptedAnthropicServer) -> list[dict[str, Any]]:
    result = server.requests[1].body["messages"][-1]["content"][0]
    assert result["type"] == "tool_result"
    assert result["is_error"] is False, result
    content: list[dict[str, Any]] = result["content"]
    return content


def test_read_of_an_image_sends_an_image_block_in_the_tool_result(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    data = write(workspace / "dot.png", png_bytes()).read_bytes()
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Read", {"file_path": "dot.png"})])),
        Reply.sse(text_message_events("A green dot.")),
    )
    run(anthropic_server, config_home, workspace, "what is in dot.png?", "--allowedTools", "Read")
    [image] = tool_result_content(anthropic_server)
    assert image["type"] == "image"
    assert base64.b64decode(image["source"]["data"]) == data


def test_read_of_pdf_pages_sends_a_document_of_those_pages(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    write(workspace / "report.pdf", pdf_bytes(12))
    call = ("toolu_1", "Read", {"file_path": "report.pdf", "pages": "10-12"})
    anthropic_server.add(
        Reply.sse(tool_use_events([call])), Reply.sse(text_message_events("Read it."))
    )
    run(anthropic_server, config_home, workspace, "summarise the end", "--allowedTools", "Read")
    note, document = tool_result_content(anthropic_server)
    assert note["text"] == "PDF report.pdf: pages 10-12 of 12."
    assert document["type"] == "document"
    assert pdf_page_widths(base64.b64decode(document["source"]["data"])) == [110, 111, 112]


def test_mentioned_image_and_pdf_are_attached_to_the_prompt(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    image = write(workspace / "shot.png", png_bytes()).read_bytes()
    pdf = write(workspace / "spec.pdf", pdf_bytes(2)).read_bytes()
    anthropic_server.add(Reply.sse(text_message_events("Seen both.")))
    _, stderr = run(anthropic_server, config_home, workspace, "compare @shot.png with @spec.pdf")
    assert stderr == ""
    content = first_user_content(anthropic_server)
    assert content[0]["text"] == "compare @shot.png with @spec.pdf"
    assert content[1]["text"] == "The user attached an image, shot.png:"
    assert base64.b64decode(content[2]["source"]["data"]) == image
    assert content[3]["text"] == "The user attached a PDF, spec.pdf:"
    assert content[4]["type"] == "document"
    assert base64.b64decode(content[4]["source"]["data"]) == pdf


def test_a_pasted_image_path_is_attached(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    folder = workspace / "My Shots"
    folder.mkdir()
    image = write(folder / "screen 1.png", png_bytes()).read_bytes()
    pasted = str(folder / "screen 1.png").replace(" ", "\\ ")
    anthropic_server.add(Reply.sse(text_message_events("A dot.")))
    run(anthropic_server, config_home, workspace, f"what is this {pasted} ?")
    content = first_user_content(anthropic_server)
    assert content[2]["type"] == "image"
    assert base64.b64decode(content[2]["source"]["data"]) == image


def test_too_big_or_outside_files_stay_out_with_one_line_each(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    write(workspace / "huge.png", png_bytes(4_000_000))
    outside = write(tmp_path / "elsewhere.png", png_bytes())
    anthropic_server.add(Reply.sse(text_message_events("Nothing attached.")))
    result, stderr = run(
        anthropic_server, config_home, workspace, f"look at @huge.png and {outside}"
    )
    assert result["result"] == "Nothing attached."
    content = first_user_content(anthropic_server)
    assert [block["type"] for block in content] == ["text"]
    lines = stderr.splitlines()
    assert any("@huge.png was not attached" in line and "cannot be sent" in line for line in lines)
    assert any(f"{outside} was not attached" in line for line in lines)


def test_words_in_an_attached_file_do_not_turn_thinking_on(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (config_home / "settings.json").write_text(json.dumps({"alwaysThinkingEnabled": False}))
    (workspace / "notes.txt").write_text("ultrathink everything\n")
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    run(anthropic_server, config_home, workspace, "summarise @notes.txt")
    body = anthropic_server.requests[0].body
    assert "ultrathink everything" in json.dumps(body["messages"])
    assert body["thinking"] == {"type": "disabled"}
