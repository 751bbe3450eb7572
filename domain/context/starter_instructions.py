"""The starter CLAUDE.md that ``/init`` writes, drafted from what the repository holds.

Only facts that can be read from file names are filled in (languages, the commands their
tools define); everything that needs judgement is left as a short prompt for the user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from domain.repr_base import Record


@attrs.frozen(repr=False)
class RepositoryFacts(Record):
    name: str
    top_level: Sequence[str]
    """Names in the repository's root; folders end in ``/``."""
    make_targets: Sequence[str] = ()
    package_scripts: Mapping[str, str] = attrs.field(factory=dict)


_LANGUAGES = (
    ("pyproject.toml", "Python"),
    ("setup.py", "Python"),
    ("requirements.txt", "Python"),
    ("package.json", "JavaScript/TypeScript (npm)"),
    ("Cargo.toml", "Rust"),
    ("go.mod", "Go"),
    ("pom.xml", "Java (Maven)"),
    ("build.gradle", "Java/Kotlin (Gradle)"),
    ("Gemfile", "Ruby"),
    ("composer.json", "PHP"),
)
_TOOL_COMMANDS = (
    ("Cargo.toml", "Build", "cargo build"),
    ("Cargo.toml", "Test", "cargo test"),
    ("go.mod", "Build", "go build ./..."),
    ("go.mod", "Test", "go test ./..."),
    ("pyproject.toml", "Test", "pytest"),
)
_ROLES = ("build", "test", "lint", "check", "format", "dev", "start", "typecheck")


def _commands(facts: RepositoryFacts) -> list[str]:
    lines: list[str] = []
    seen_roles: set[str] = set()
    for target in facts.make_targets:
        if target in _ROLES:
            lines.append(f"- {target.capitalize()}: `make {target}`")
            seen_roles.add(target)
    for script in facts.package_scripts:
        if script in _ROLES and script not in seen_roles:
            runner = "npm test" if script == "test" else f"npm run {script}"
            lines.append(f"- {script.capitalize()}: `{runner}`")
            seen_roles.add(script)
    names = set(facts.top_level)
    for marker, role, command in _TOOL_COMMANDS:
        if marker in names and role.lower() not in seen_roles:
            lines.append(f"- {role}: `{command}`")
            seen_roles.add(role.lower())
    return lines


def starter_claude_md(facts: RepositoryFacts) -> str:
    names = set(facts.top_level)
    languages = list(dict.fromkeys(lang for marker, lang in _LANGUAGES if marker in names))
    folders = sorted(n for n in facts.top_level if n.endswith("/") and not n.startswith("."))
    commands = _commands(facts) or ["- Build: (how to build)", "- Test: (how to run the tests)"]
    parts = [
        "# CLAUDE.md",
        "",
        f"Guidance for coding agents working in {facts.name}. Keep it short and true; "
        "agents read it at the start of every session.",
        "",
        "## Project",
        "",
        f"{facts.name}: {', '.join(languages) if languages else '(languages and purpose)'}.",
        "",
        "## Commands",
        "",
        *commands,
        "- Run one test: (the command)",
        "",
        "## Layout",
        "",
        *([f"- `{folder}`: (what it holds)" for folder in folders] or ["- (the main folders)"]),
        "",
        "## Conventions",
        "",
        "- (Style, naming and testing rules a newcomer must follow.)",
        "- (What must not be changed, and why.)",
        "",
    ]
    return "\n".join(parts)
