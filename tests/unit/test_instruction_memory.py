"""Instruction memory against an in-memory file system: plan, imports, cycles, budgets."""

from __future__ import annotations

import pytest

from domain.context.instruction_memory import (
    LoadedMemory,
    MemoryBudget,
    ancestors,
    describe_memory,
    discovery_plan,
    find_imports,
    load_memory,
    resolve_import,
)
from tests.fakes.instruction_files import InMemoryFiles

HOME = "/home/ana/.claude"
CWD = "/work/repo/pkg"


def load(
    files: dict[str, str | None],
    budget: MemoryBudget | None = None,
    cwd: str = CWD,
    links: dict[str, str] | None = None,
) -> LoadedMemory:
    reader = InMemoryFiles(files, links)
    return load_memory(discovery_plan(cwd, HOME), reader, budget, "/home/ana")


def paths(memory: LoadedMemory) -> list[str]:
    return [e.path for e in memory.included]


def test_ancestors_run_from_the_root_down() -> None:
    assert ancestors("/work/repo/pkg/") == ["/", "/work", "/work/repo", "/work/repo/pkg"]
    assert ancestors("/") == ["/"]


def test_plan_lists_user_file_first_then_each_directory_root_down() -> None:
    plan = discovery_plan("/w/r", HOME)
    assert [c.path for c in plan] == [
        "/home/ana/.claude/CLAUDE.md",
        "/CLAUDE.md",
        "/.claude/CLAUDE.md",
        "/AGENTS.md",
        "/CLAUDE.local.md",
        "/w/CLAUDE.md",
        "/w/.claude/CLAUDE.md",
        "/w/AGENTS.md",
        "/w/CLAUDE.local.md",
        "/w/r/CLAUDE.md",
        "/w/r/.claude/CLAUDE.md",
        "/w/r/AGENTS.md",
        "/w/r/CLAUDE.local.md",
    ]
    agents = plan[-2]
    assert agents.unless_present == ("/w/r/CLAUDE.md", "/w/r/.claude/CLAUDE.md")
    assert "working directory" in plan[-1].reason
    assert "/w, a parent directory" in plan[5].reason


def test_loads_in_plan_order_with_kinds_and_reasons() -> None:
    memory = load(
        {
            f"{HOME}/CLAUDE.md": "user rules",
            "/work/CLAUDE.md": "work rules",
            "/work/repo/pkg/CLAUDE.md": "pkg rules",
            "/work/repo/pkg/CLAUDE.local.md": "my pkg rules",
        }
    )
    assert paths(memory) == [
        f"{HOME}/CLAUDE.md",
        "/work/CLAUDE.md",
        "/work/repo/pkg/CLAUDE.md",
        "/work/repo/pkg/CLAUDE.local.md",
    ]
    assert [e.kind for e in memory.included] == ["user", "project", "project", "local"]
    assert [e.text for e in memory.included] == [
        "user rules",
        "work rules",
        "pkg rules",
        "my pkg rules",
    ]
    assert memory.total_chars == 10 + 10 + 9 + 12


def test_agents_md_is_read_only_where_no_claude_md_is_present() -> None:
    memory = load(
        {
            "/work/AGENTS.md": "agents at work",
            "/work/repo/CLAUDE.md": "claude in repo",
            "/work/repo/AGENTS.md": "agents in repo",
            "/work/repo/pkg/.claude/CLAUDE.md": "dot-claude in pkg",
            "/work/repo/pkg/AGENTS.md": "agents in pkg",
        }
    )
    assert paths(memory) == [
        "/work/AGENTS.md",
        "/work/repo/CLAUDE.md",
        "/work/repo/pkg/.claude/CLAUDE.md",
    ]
    skipped = {e.path: e.detail for e in memory.entries if e.status == "skipped"}
    assert skipped == {
        "/work/repo/AGENTS.md": "/work/repo/CLAUDE.md is read instead",
        "/work/repo/pkg/AGENTS.md": "/work/repo/pkg/.claude/CLAUDE.md is read instead",
    }


def test_user_file_found_again_under_home_is_loaded_once() -> None:
    memory = load({f"{HOME}/CLAUDE.md": "user rules"}, cwd="/home/ana/project")
    assert paths(memory) == [f"{HOME}/CLAUDE.md"]
    assert memory.included[0].kind == "user"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See @docs/style.md for style.", [(1, "docs/style.md")]),
        ("@a.md\n@b.md and @c.md.", [(1, "a.md"), (2, "b.md"), (2, "c.md")]),
        ("mail me at ana@example.com", []),
        ("inline `@not/this.md` but @this.md", [(1, "this.md")]),
        ("```\n@in/fence.md\n```\n@after.md", [(4, "after.md")]),
        ("~~~md\n```\n@still/fenced.md\n~~~\n@out.md", [(5, "out.md")]),
        (r"@my\ notes.md", [(1, "my notes.md")]),
        ("(see @~/shared.md)", [(1, "~/shared.md")]),
    ],
)
def test_find_imports(text: str, expected: list[tuple[int, str]]) -> None:
    assert find_imports(text) == expected


def test_resolve_import_relative_absolute_and_home() -> None:
    assert resolve_import("x.md", "/a/b/CLAUDE.md", None) == "/a/b/x.md"
    assert resolve_import("../y/z.md", "/a/b/CLAUDE.md", None) == "/a/y/z.md"
    assert resolve_import("/etc/rules.md", "/a/b/CLAUDE.md", None) == "/etc/rules.md"
    assert resolve_import("~/n.md", "/a/b/CLAUDE.md", "/home/ana") == "/home/ana/n.md"
    assert resolve_import("~/n.md", "/a/b/CLAUDE.md", None) is None


def test_imports_follow_the_importing_file_relative_to_it() -> None:
    memory = load(
        {
            "/work/repo/CLAUDE.md": "Shared: @shared.md",
            "/work/repo/pkg/CLAUDE.md": "Use @docs/style.md",
            "/work/repo/pkg/docs/style.md": "style, see @more.md",
            "/work/repo/pkg/docs/more.md": "more",
            "/work/repo/shared.md": "shared",
        }
    )
    assert paths(memory) == [
        "/work/repo/CLAUDE.md",
        "/work/repo/shared.md",
        "/work/repo/pkg/CLAUDE.md",
        "/work/repo/pkg/docs/style.md",
        "/work/repo/pkg/docs/more.md",
    ]
    assert [e.depth for e in memory.included] == [0, 1, 0, 1, 2]
    assert memory.included[4].reason == "imported by /work/repo/pkg/docs/style.md, line 1"
    assert memory.refusals() == []


def test_a_project_file_cannot_import_outside_its_folder() -> None:
    reader = InMemoryFiles(
        {
            "/work/repo/pkg/CLAUDE.md": "@../shared.md @~/.aws/credentials @/etc/passwd @ok.md",
            "/work/repo/pkg/ok.md": "fine, but not @../../secret.md",
            "/work/repo/shared.md": "shared",
            "/home/ana/.aws/credentials": "aws_secret_access_key = S3CRET",
            "/etc/passwd": "root:x:0:0",
            "/work/secret.md": "secret",
        }
    )
    memory = load_memory(discovery_plan(CWD, HOME), reader, None, "/home/ana")
    assert paths(memory) == ["/work/repo/pkg/CLAUDE.md", "/work/repo/pkg/ok.md"]
    refused = [e for e in memory.entries if e.refused]
    assert [e.path for e in refused] == [
        "/work/repo/shared.md",
        "/home/ana/.aws/credentials",
        "/etc/passwd",
        "/work/secret.md",
    ]
    assert all(e.status == "skipped" and e.text == "" for e in refused)
    assert refused[1].detail == "it is outside /work/repo/pkg, where this file's imports must stay"
    # Nothing outside the folder is even read.
    assert not {e.path for e in refused} & set(reader.reads)
    assert len(memory.refusals()) == 4
    assert memory.refusals()[1] == (
        "/home/ana/.aws/credentials was not loaded: it is outside /work/repo/pkg, where this "
        "file's imports must stay (imported by /work/repo/pkg/CLAUDE.md, line 1)"
    )


def test_a_link_inside_the_project_that_leads_out_is_refused() -> None:
    memory = load(
        {
            "/work/repo/pkg/CLAUDE.md": "@notes.md @docs/key.md",
            "/home/ana/.ssh/id_ed25519": "PRIVATE KEY",
            "/home/ana/.aws/credentials": "S3CRET",
        },
        links={
            "/work/repo/pkg/notes.md": "/home/ana/.ssh/id_ed25519",
            "/work/repo/pkg/docs": "/home/ana/.aws",
        },
    )
    assert paths(memory) == ["/work/repo/pkg/CLAUDE.md"]
    details = {e.path: e.detail for e in memory.entries if e.refused}
    assert details == {
        "/work/repo/pkg/notes.md": "it is a link to /home/ana/.ssh/id_ed25519, outside "
        "/work/repo/pkg",
        "/work/repo/pkg/docs/key.md": "it is a link to /home/ana/.aws/key.md, outside "
        "/work/repo/pkg",
    }


def test_a_project_instruction_file_that_is_a_link_out_is_refused() -> None:
    memory = load(
        {"/home/ana/.aws/credentials": "S3CRET"},
        links={"/work/repo/pkg/CLAUDE.md": "/home/ana/.aws/credentials"},
    )
    assert paths(memory) == []
    [entry] = memory.entries
    assert (entry.path, entry.kind, entry.refused) == ("/work/repo/pkg/CLAUDE.md", "project", True)


def test_the_user_file_reaches_its_config_home_and_the_workspace_only() -> None:
    memory = load(
        {
            f"{HOME}/CLAUDE.md": "@rules.md @linked.md @/work/repo/pkg/team.md @~/notes.md",
            f"{HOME}/rules.md": "rules",
            "/home/ana/dotfiles/linked.md": "linked from dotfiles",
            "/work/repo/pkg/team.md": "team",
            "/home/ana/notes.md": "notes",
        },
        # Links inside the config home are the user's own: followed, not checked.
        links={f"{HOME}/linked.md": "/home/ana/dotfiles/linked.md"},
    )
    assert paths(memory) == [
        f"{HOME}/CLAUDE.md",
        f"{HOME}/rules.md",
        f"{HOME}/linked.md",
        "/work/repo/pkg/team.md",
    ]
    assert [e.path for e in memory.entries if e.refused] == ["/home/ana/notes.md"]


def test_import_cycle_is_reported_and_not_followed() -> None:
    memory = load(
        {
            "/work/repo/pkg/CLAUDE.md": "@a.md",
            "/work/repo/pkg/a.md": "A imports @b.md",
            "/work/repo/pkg/b.md": "B imports @a.md",
        }
    )
    assert paths(memory) == [
        "/work/repo/pkg/CLAUDE.md",
        "/work/repo/pkg/a.md",
        "/work/repo/pkg/b.md",
    ]
    [skipped] = [e for e in memory.entries if e.status == "skipped"]
    assert skipped.path == "/work/repo/pkg/a.md"
    assert skipped.detail == "import cycle: /work/repo/pkg/a.md -> /work/repo/pkg/b.md -> " + (
        "/work/repo/pkg/a.md"
    )


def test_a_file_importing_itself_is_a_cycle() -> None:
    memory = load({"/work/repo/pkg/CLAUDE.md": "me: @CLAUDE.md"})
    assert paths(memory) == ["/work/repo/pkg/CLAUDE.md"]
    assert memory.entries[1].detail.startswith("import cycle: /work/repo/pkg/CLAUDE.md -> ")


def test_import_of_an_already_loaded_file_is_not_repeated() -> None:
    memory = load(
        {
            "/work/CLAUDE.md": "@common.md",
            "/work/common.md": "common",
            "/work/repo/pkg/CLAUDE.md": "@../../common.md",
        }
    )
    assert paths(memory).count("/work/common.md") == 1
    assert memory.entries[-1].detail == "already loaded above"


def test_import_depth_is_limited() -> None:
    files: dict[str, str | None] = {"/work/repo/pkg/CLAUDE.md": "@1.md"}
    for level in range(1, 8):
        files[f"/work/repo/pkg/{level}.md"] = f"level {level} @{level + 1}.md"
    memory = load(files, MemoryBudget(max_import_depth=3))
    assert paths(memory) == [
        "/work/repo/pkg/CLAUDE.md",
        "/work/repo/pkg/1.md",
        "/work/repo/pkg/2.md",
        "/work/repo/pkg/3.md",
    ]
    last = memory.entries[-1]
    assert (last.path, last.status) == ("/work/repo/pkg/4.md", "skipped")
    assert last.detail == "imports nest at most 3 levels deep"


def test_missing_and_unreadable_files_are_recorded() -> None:
    memory = load(
        {
            "/work/repo/pkg/CLAUDE.md": "@gone.md and @sub/x.md",
            "/work/repo/CLAUDE.md": None,
        }
    )
    details = {e.path: e.detail for e in memory.entries if e.status == "skipped"}
    assert details == {
        "/work/repo/CLAUDE.md": "cannot be read: permission denied",
        "/work/repo/pkg/gone.md": "no such file",
        "/work/repo/pkg/sub/x.md": "no such file",
    }


def test_per_file_budget_cuts_at_a_line_and_says_so() -> None:
    text = "".join(f"line {i:03d}\n" for i in range(100))  # 900 characters
    memory = load({"/work/repo/pkg/CLAUDE.md": text}, MemoryBudget(per_file_chars=100))
    [entry] = memory.included
    assert entry.status == "cut"
    assert entry.chars == 99  # eleven whole lines, not a line cut in half
    assert entry.original_chars == 900
    assert entry.text.startswith(text[:99] + "\n\n[hexclaw:")
    assert entry.text.endswith(
        "[hexclaw: this file was cut here; 801 of 900 characters were not loaded "
        "because the per-file limit is 100 characters.]"
    )


def test_total_budget_cuts_then_skips_later_files_visibly() -> None:
    memory = load(
        {
            f"{HOME}/CLAUDE.md": "u" * 60,
            "/work/CLAUDE.md": "w" * 60,
            "/work/repo/pkg/CLAUDE.md": "p" * 60,
        },
        MemoryBudget(per_file_chars=100, total_chars=100),
    )
    statuses = [(e.path, e.status, e.chars) for e in memory.entries]
    assert statuses == [
        (f"{HOME}/CLAUDE.md", "loaded", 60),
        ("/work/CLAUDE.md", "cut", 40),
        ("/work/repo/pkg/CLAUDE.md", "skipped", 0),
    ]
    assert "the total budget of 100 characters ran out" in memory.entries[1].text
    assert memory.budget_notes() == [
        "[hexclaw: /work/repo/pkg/CLAUDE.md was not loaded: "
        "the total budget of 100 characters was used up.]"
    ]
    assert memory.total_chars == 100


def test_describe_memory_lists_every_file_status_and_reason() -> None:
    memory = load(
        {
            f"{HOME}/CLAUDE.md": "user",
            "/work/repo/pkg/CLAUDE.md": "@a.md " + "x" * 200,
            "/work/repo/pkg/a.md": "@CLAUDE.md",
        },
        MemoryBudget(per_file_chars=100),
    )
    lines = describe_memory(memory)
    assert lines[0] == "Instruction files: 3 loaded, 114 of 120,000 characters used."
    assert lines[1] == (
        f"  [loaded] {HOME}/CLAUDE.md: your instructions for every project; 4 characters"
    )
    assert lines[2].startswith("  [cut] /work/repo/pkg/CLAUDE.md: project instructions in the ")
    assert lines[2].endswith("100 of 206 characters, cut: the per-file limit is 100 characters")
    assert lines[3].startswith("    [loaded] /work/repo/pkg/a.md: imported by /work/repo/pkg/")
    assert lines[4].startswith("      [skipped] /work/repo/pkg/CLAUDE.md: imported by ")
    assert "not loaded: import cycle:" in lines[4]


def test_describe_memory_without_files() -> None:
    assert describe_memory(load({})) == [
        "No instruction files were found (CLAUDE.md, CLAUDE.local.md, AGENTS.md)."
    ]
