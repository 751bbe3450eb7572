"""The built-in agent types, named as Claude Code names them."""

from __future__ import annotations

from domain.agents.definitions import AgentDefinition

AGENT_TOOL = "Agent"
FORMER_NAME = "Task"
GENERAL_PURPOSE = "general-purpose"
# Tools that read and change nothing; Bash only for read-only commands (``read_only.py``).
READ_ONLY_TOOLS = ("Bash", "Glob", "Grep", "LS", "Read", "WebFetch")

_GENERAL = """You are a general-purpose agent. Do the task you are given with the tools you \
have: search, read, and change code as the task needs. Work on your own until the task is \
done; nobody will answer questions in between. When you finish, reply with a concise report \
of what you found or did (files and lines where it matters): that report is all the agent \
that launched you will see."""

_EXPLORE = """You are an exploring agent: find things in the code base quickly. You are \
read-only: you may read, search and list files, fetch web pages and run read-only commands; \
never try to change a file or run anything that writes. Search broadly first (Glob, Grep), \
then read what matters. Reply with a concise report that answers the question, with file \
paths and line numbers: that report is all the agent that launched you will see."""

_PLAN = """You are a planning agent. You are read-only: read, search and run read-only \
commands to understand the code, and never change anything. Reply with a step-by-step \
implementation plan: the files to change, what to change in each and why, the order, and \
the risks and tests to run. That plan is all the agent that launched you will see."""

BUILTIN_AGENTS = (
    AgentDefinition(
        name=GENERAL_PURPOSE,
        description="General-purpose agent for researching complex questions, searching for "
        "code and doing multi-step tasks",
        system_prompt=_GENERAL,
        tools=None,
        source="built-in",
    ),
    AgentDefinition(
        name="Explore",
        description="Fast read-only agent for exploring a code base: finding files, searching "
        "code, answering questions about it",
        system_prompt=_EXPLORE,
        tools=READ_ONLY_TOOLS,
        source="built-in",
    ),
    AgentDefinition(
        name="Plan",
        description="Read-only agent that researches the code and returns an implementation plan",
        system_prompt=_PLAN,
        tools=READ_ONLY_TOOLS,
        source="built-in",
    ),
)
# The built-in types that may only read (custom agents with permissionMode plan are too).
READ_ONLY_TYPES = frozenset({"Explore", "Plan"})
