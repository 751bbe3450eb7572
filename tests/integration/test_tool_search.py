"""Glob, Grep (both over the real ripgrep binary) and LS against a real directory tree, with
the deny rules of a real permission policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapters.tools.glob import MAX_RESULTS, GlobTool, expand_braces, name_prefilter
from adapters.tools.grep import GrepTool
from adapters.tools.ls import LSTool
from adapters.tools.registry import Tool
from adapters.tools.support.ripgrep import ripgrep_path
from adapters.tools.support.workspace import Workspace
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext, parse_rule
from domain.settings.merge import Settings
from domain.tools.calls import ToolCall
from entrypoints.bootstrap import build_permissions, build_tools
from entrypoints.config import Config, RunOptions
from tests.integration.tool_harness import Harness
from tests.without_root import run_python_without_root


@pytest.fixture
def kit(kit: Harness, workspace: Path) -> Harness:
    """The shared harness over a small tree with ignored, hidden and dated files."""
    files = {
        "src/app.py": "import os\n\ndef main():\n    return os.getcwd()\n",
        "src/util/helpers.py": "def helper():\n    return 'Main'\n",
        "src/web/page.ts": "export const main = 1;\n",
        "src/web/view.tsx": "export const View = () => null;\n",
        "docs/guide.md": "# Guide\nmain ideas\n",
        "build/out.py": "def main(): pass\n",
        "notes.log": "main log\n",
        ".hidden/conf.py": "main = True\n",
    }
    for index, (name, text) in enumerate(files.items()):
        path = workspace / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (1_700_000_000 + index, 1_700_000_000 + index))
    (workspace / ".gitignore").write_text("build/\n*.log\n")
    return kit


def names(kit: Harness, text: str) -> list[str]:
    return [os.path.relpath(line, kit.root) for line in text.splitlines() if line.startswith("/")]


def test_ripgrep_comes_from_the_python_environment() -> None:
    assert Path(ripgrep_path()).parent == Path(__import__("sys").executable).parent


def test_glob_lists_matches_newest_first_and_honours_gitignore(kit: Harness) -> None:
    found = names(kit, kit.text("Glob", pattern="**/*.py"))
    assert found == [".hidden/conf.py", "src/util/helpers.py", "src/app.py"]


def test_glob_patterns_with_braces_slashes_and_a_path(kit: Harness) -> None:
    assert names(kit, kit.text("Glob", pattern="src/**/*.{ts,tsx}")) == [
        "src/web/view.tsx",
        "src/web/page.ts",
    ]
    assert names(kit, kit.text("Glob", pattern="*.py", path="src/util")) == ["src/util/helpers.py"]
    assert names(kit, kit.text("Glob", pattern=str(kit.root / "docs/*.md"))) == ["docs/guide.md"]
    assert kit.text("Glob", pattern="**/*.rs") == "No files found."
    assert kit.text("Glob", pattern="*.log") == "No files found."  # .gitignored
    assert kit.run("Glob", pattern="*", path="missing").is_error


def test_glob_caps_the_list_and_says_so(kit: Harness) -> None:
    many = kit.root / "many"
    many.mkdir()
    for i in range(MAX_RESULTS + 20):
        (many / f"f{i:03}.txt").write_text("")
    text = kit.text("Glob", pattern="many/*.txt")
    assert len(names(kit, text)) == MAX_RESULTS
    assert f"{MAX_RESULTS} most recently modified of {MAX_RESULTS + 20}" in text


def test_glob_keeps_the_newest_of_many_in_order(kit: Harness) -> None:
    # Modification times in a scrambled order across folders, so neither the walk order nor
    # the names give the answer.
    count = MAX_RESULTS + 50
    mtimes = {}
    for i in range(count):
        path = kit.root / "tree" / f"d{i % 7}" / f"f{i:03}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
        mtime = 1_600_000_000 + (i * 37) % count
        os.utime(path, (mtime, mtime))
        mtimes[f"tree/d{i % 7}/f{i:03}.txt"] = mtime
    text = kit.text("Glob", pattern="**/*.txt", path="tree")
    expected = sorted(mtimes, key=mtimes.__getitem__, reverse=True)[:MAX_RESULTS]
    assert names(kit, text) == expected
    assert f"{MAX_RESULTS} most recently modified of {count} files" in text


def test_glob_name_patterns_list_files_by_name_only(kit: Harness) -> None:
    for name in ("top.py", "a/b/c.py", "a/d.txt", "pkg.py/inner.txt", "sp ace/e.py", "C.PY"):
        (kit.root / name).parent.mkdir(parents=True, exist_ok=True)
        (kit.root / name).write_text("")
    every_py = {".hidden/conf.py", "src/util/helpers.py", "src/app.py", "top.py", "a/b/c.py"}
    every_py.add("sp ace/e.py")
    # A folder named like a match (pkg.py/) does not bring in what it holds.
    assert set(names(kit, kit.text("Glob", pattern="**/*.py"))) == every_py
    assert set(names(kit, kit.text("Glob", pattern="*.py"))) == every_py
    assert names(kit, kit.text("Glob", pattern="a/**/*.py")) == ["a/b/c.py"]
    assert names(kit, kit.text("Glob", pattern="**/c.py")) == ["a/b/c.py"]
    assert names(kit, kit.text("Glob", pattern="*.PY")) == ["C.PY"]
    assert set(names(kit, kit.text("Glob", pattern="*.{txt,PY}"))) == {"a/d.txt", "C.PY"} | {
        "pkg.py/inner.txt"
    }


def test_ties_in_modification_time_give_the_same_answer_every_time(kit: Harness) -> None:
    # Unpacked archives often give every file one mtime; rg's threads print in any order.
    count = MAX_RESULTS + 50
    for i in range(count):
        path = kit.root / "same" / f"d{i % 9}" / f"f{i:03}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("tie_needle\n")
        os.utime(path, (1_650_000_000, 1_650_000_000))
    every = sorted((f"same/d{i % 9}/f{i:03}.txt" for i in range(count)), reverse=True)
    for _ in range(5):
        assert names(kit, kit.text("Glob", pattern="**/*.txt", path="same")) == every[:MAX_RESULTS]
        grep = kit.text("Grep", pattern="tie_needle", path="same")
        assert names(kit, grep) == every[: len(names(kit, grep))]


def test_glob_question_marks_count_characters_not_bytes(kit: Harness) -> None:
    for name in ("ab.txt", "é.txt", "éé.txt", "abc.txt", "include:x.py"):
        (kit.root / "q" / name).parent.mkdir(parents=True, exist_ok=True)
        (kit.root / "q" / name).write_text("")
    assert set(names(kit, kit.text("Glob", pattern="??.txt", path="q"))) == {"q/ab.txt", "q/éé.txt"}
    assert names(kit, kit.text("Glob", pattern="**/é*.txt", path="q")) == ["q/éé.txt", "q/é.txt"]
    # rg would read a colon in a file type's glob as part of the definition.
    assert names(kit, kit.text("Glob", pattern="include:*.py", path="q")) == ["q/include:x.py"]


def test_grep_of_one_file_in_a_workspace_that_cannot_be_listed(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.py").write_text("the_needle = 1\n")
    script = (
        "import sys; from pathlib import Path; from adapters.tools.grep import GrepTool; "
        "from adapters.tools.support.workspace import Workspace; "
        "tool = GrepTool(Workspace(Path(sys.argv[1]))); "
        "out = tool.run({'pattern': 'the_needle', 'path': sys.argv[1] + '/src/a.py'}); "
        "print(out.is_error, out.content)"
    )
    root.chmod(0o311)  # searchable, not listable
    try:
        done = run_python_without_root(script, str(root))
    finally:
        root.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"False {root}/src/a.py"


def test_name_prefilter_is_exact_only_for_plain_name_patterns() -> None:
    for plain in (["**/*.py"], ["*.ts", "*.tsx"], ["**/*"]):
        assert name_prefilter(plain)[1], plain
    for inexact in (["src/**/*.py"], ["**/a/*.py"]):
        args, exact = name_prefilter(inexact)
        assert args, inexact
        assert not exact, inexact
    # rg reads these byte by byte or as part of the type definition: no prefilter at all.
    for unfiltered in (["test_?.py"], ["*.[ch]"], ["a\\*.py"], ["include:*.py"]):
        assert name_prefilter(unfiltered) == ([], False), unfiltered
    assert name_prefilter(["src/**"]) == ([], False)
    assert name_prefilter(["Makefile"]) == ([], False)


def test_brace_expansion() -> None:
    assert expand_braces("a.{x,y}/{1,2}") == ["a.x/1", "a.x/2", "a.y/1", "a.y/2"]
    assert expand_braces("plain") == ["plain"]


def test_grep_files_with_matches_is_the_default_and_skips_ignored_files(kit: Harness) -> None:
    found = names(kit, kit.text("Grep", pattern="main"))
    assert set(found) == {".hidden/conf.py", "docs/guide.md", "src/app.py", "src/web/page.ts"}
    assert found[0] == ".hidden/conf.py"  # newest first
    assert kit.text("Grep", pattern="zebra") == "No matches found."


def test_grep_content_mode_with_line_numbers_case_and_context(kit: Harness) -> None:
    content = kit.text("Grep", pattern="return", output_mode="content", path="src")
    assert sorted(content.splitlines()) == [
        f"{kit.root}/src/app.py:4:    return os.getcwd()",
        f"{kit.root}/src/util/helpers.py:2:    return 'Main'",
    ]
    insensitive = kit.text("Grep", pattern="MAIN", **{"-i": True}, output_mode="content")
    assert "helpers.py:2:" in insensitive
    context = kit.text("Grep", pattern="def main", output_mode="content", path="src", **{"-B": 2})
    assert f"{kit.root}/src/app.py-1-import os" in context
    no_numbers = kit.text(
        "Grep", pattern="getcwd", output_mode="content", path="src/app.py", **{"-n": False}
    )
    assert no_numbers == f"{kit.root}/src/app.py:    return os.getcwd()"


def test_grep_count_glob_type_multiline_and_head_limit(kit: Harness) -> None:
    counts = kit.text("Grep", pattern="e", output_mode="count", glob="*.{ts,tsx}")
    assert sorted(os.path.relpath(line, kit.root) for line in counts.splitlines()) == [
        "src/web/page.ts:1",
        "src/web/view.tsx:1",
    ]
    # A name glob does not bring back a .gitignored file.
    assert "out.py" not in kit.text("Grep", pattern="main", glob="*.py")
    assert names(kit, kit.text("Grep", pattern="main", type="md")) == ["docs/guide.md"]
    multi = kit.text("Grep", pattern=r"main\(\):\n\s+return", multiline=True)
    assert names(kit, multi) == ["src/app.py"]
    limited = kit.text("Grep", pattern=".", output_mode="content", path="src/app.py", head_limit=2)
    assert limited.splitlines()[:2] == [
        f"{kit.root}/src/app.py:1:import os",
        f"{kit.root}/src/app.py:3:def main():",
    ]
    assert "head_limit=2" in limited


def test_grep_reports_a_bad_pattern_and_a_missing_path(kit: Harness) -> None:
    bad = kit.run("Grep", pattern="(unclosed")
    assert bad.is_error
    assert "regex parse error" in str(bad.content)
    assert "does not exist" in str(kit.run("Grep", pattern="x", path="nowhere").content)


def test_ls_shows_a_tree_and_honours_ignore(kit: Harness) -> None:
    text = kit.text("LS", path=str(kit.root / "src"), ignore=["*.tsx"])
    assert text.splitlines() == [
        f"- {kit.root}/src/",
        "  - app.py",
        "  - util/",
        "    - helpers.py",
        "  - web/",
        "    - page.ts",
    ]
    (kit.root / "node_modules/pkg").mkdir(parents=True)
    assert "  - node_modules/ (not expanded)" in kit.text("LS", path=".")
    assert kit.run("LS", path="src/app.py").is_error


# Deny rules reach what a search shows, not only where it starts.

SECRET = "SECRET_TOKEN=hunter2"


@pytest.fixture
def secrets(workspace: Path) -> Path:
    for name, text in {
        ".env": f"{SECRET}\n",
        "app/.env": f"{SECRET} (not denied: the rule is anchored)\n",
        "keys/id.pem": f"{SECRET}\n",
        "src/config.py": f"before\nTOKEN = '{SECRET}'\nafter\n",
        "inner/.env": f"{SECRET}\n",
    }.items():
        path = workspace / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (workspace / "linked").symlink_to(workspace / "inner")
    return workspace


def search_tools(root: Path, policy: PermissionPolicy) -> dict[str, Tool]:
    workspace = Workspace(root)
    tools: list[Tool] = [
        GrepTool(workspace, policy.hidden_paths),
        GlobTool(workspace, policy.hidden_paths),
        LSTool(workspace, policy.hidden_paths),
    ]
    return {tool.name: tool for tool in tools}


def deny_policy(root: Path, *deny: str) -> PermissionPolicy:
    rules = PermissionRules(deny=[parse_rule(text) for text in deny])
    return PermissionPolicy("default", rules, RuleContext(workspace=str(root), home="/nohome"))


def output(tool: Tool, **tool_input: object) -> str:
    outcome = tool.run(tool_input)
    assert not outcome.is_error, outcome.content
    assert isinstance(outcome.content, str)
    return outcome.content


def test_grep_leaves_out_files_a_read_deny_rule_covers(secrets: Path) -> None:
    policy = deny_policy(secrets, "Read(./.env)", "Read(keys/**)", "Read(./inner/.env)")
    grep = search_tools(secrets, policy)["Grep"]
    files = output(grep, pattern="SECRET_TOKEN").splitlines()
    assert sorted(os.path.relpath(f, secrets) for f in files) == ["app/.env", "src/config.py"]
    content = output(grep, pattern="SECRET_TOKEN", output_mode="content", **{"-C": 1})
    assert "hunter2" in content
    assert f"{secrets}/.env" not in content
    assert "keys/id.pem" not in content
    assert f"{secrets}/src/config.py-1-before" in content
    assert f"{secrets}/src/config.py:2:TOKEN = '{SECRET}'" in content
    counts = output(grep, pattern="SECRET_TOKEN", output_mode="count")
    assert sorted(os.path.relpath(line, secrets) for line in counts.splitlines()) == [
        "app/.env:1",
        "src/config.py:1",
    ]
    # Searching the denied file by name is refused by the permission check itself.
    assert policy.decide(grep.access_of({"pattern": "x", "path": ".env"})).verdict == "deny"


def test_grep_without_line_numbers_still_tells_context_from_matches(secrets: Path) -> None:
    grep = search_tools(secrets, deny_policy(secrets))["Grep"]
    text = output(
        grep, pattern="TOKEN =", output_mode="content", path="src", **{"-n": False, "-A": 1}
    )
    assert text.splitlines() == [
        f"{secrets}/src/config.py:TOKEN = '{SECRET}'",
        f"{secrets}/src/config.py-after",
    ]


def test_glob_and_ls_leave_out_denied_paths(secrets: Path) -> None:
    policy = deny_policy(secrets, "Read(./.env)", "Read(keys/**)")
    tools = search_tools(secrets, policy)
    found = output(tools["Glob"], pattern="**/*").splitlines()
    assert sorted(os.path.relpath(f, secrets) for f in found) == [
        "app/.env",
        "inner/.env",
        "src/config.py",
    ]
    listing = output(tools["LS"], path=".").splitlines()
    assert "  - .env" not in listing
    assert "  - keys/" not in listing
    assert "  - app/" in listing
    assert "    - .env" in listing  # app/.env: the rule is anchored at the workspace


def test_a_search_through_a_symlinked_folder_checks_the_resolved_paths(secrets: Path) -> None:
    policy = deny_policy(secrets, "Read(./inner/.env)")
    tools = search_tools(secrets, policy)
    assert output(tools["Glob"], pattern="*", path="linked") == "No files found."
    assert output(tools["Grep"], pattern="SECRET", path="linked") == "No matches found."
    assert output(tools["LS"], path="linked").splitlines() == [f"- {secrets}/linked/"]


def test_rules_added_during_a_session_apply_to_the_next_search(secrets: Path) -> None:
    policy = deny_policy(secrets)
    glob = search_tools(secrets, policy)["Glob"]
    assert ".pem" in output(glob, pattern="**/*.pem")
    policy.add_rule("deny", "Read(*.pem)")
    assert output(glob, pattern="**/*.pem") == "No files found."


def test_the_composition_root_hands_the_deny_rules_to_the_search_tools(secrets: Path) -> None:
    settings = Settings(values={"permissions": {"deny": ["Read(./.env)"]}})
    ctx = Config(workspace=secrets, home=secrets / "home", environ={}, settings=settings)
    options = RunOptions(interactive=True)
    registry = build_tools(ctx, options, build_permissions(ctx, options))
    call = ToolCall(id="toolu_1", name="Grep", input={"pattern": "SECRET", "path": "."})
    outcome = registry.run(call)
    assert isinstance(outcome.content, str)
    assert f"{secrets}/.env\n" not in outcome.content + "\n"
    assert f"{secrets}/src/config.py" in outcome.content
