"""Images and PDFs in the REPL (piped input): ``@image.png``, ``@doc.pdf`` and a pasted image
path attach image and document blocks; a pasted path outside the workspace is judged as a
Read would be and stays out."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.media_files import pdf_bytes, png_bytes, write
from tests.support import hexclaw_env, run_hexclaw


def test_mentions_and_pasted_paths_attach_images_and_pdfs(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    image = write(workspace / "logo.png", png_bytes()).read_bytes()
    pdf = write(workspace / "spec.pdf", pdf_bytes(1)).read_bytes()
    pasted = write(workspace / "drop.jpg", png_bytes()).read_bytes()
    outside = write(tmp_path / "private.png", png_bytes(10))
    anthropic_server.add(Reply.sse(text_message_events("Seen.")))
    line = f"see @logo.png and @spec.pdf and '{workspace / 'drop.jpg'}' and {outside}\n"
    done = run_hexclaw(
        [], hexclaw_env(anthropic_server.url, config_home), workspace, stdin=line + "/exit\n"
    )
    assert done.returncode == 0, done.stderr
    assert "attached logo.png (image)" in done.stdout
    assert "attached spec.pdf (PDF)" in done.stdout
    assert f"{outside} was not attached" in done.stdout
    content = anthropic_server.requests[0].body["messages"][0]["content"]
    media = [b for b in content if b["type"] in ("image", "document")]
    assert [base64.b64decode(b["source"]["data"]) for b in media] == [image, pdf, pasted]
    # A PNG saved as .jpg goes as the PNG it is: the API checks the bytes.
    assert media[2]["source"]["media_type"] == "image/png"
    assert base64.b64encode(outside.read_bytes()).decode() not in json.dumps(content)
