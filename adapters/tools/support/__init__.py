"""What the tools share: the workspace boundary, safe writes, process groups, ripgrep.

Rules a reader must not break:
- A path is resolved and checked against the workspace before it is touched; writes never
  follow a symlink swapped in after the check.
- Long output is cut in the middle with bounded memory.

What lives where: ``tool_base`` (definitions), ``tool_input``, ``tool_errors``, ``workspace``,
``file_change`` / ``file_state`` / ``safe_write`` / ``text_files`` / ``text_edits`` / ``diffs``
(file-changing tools), ``process_group`` / ``group_liveness`` / ``background_jobs`` /
``truncation`` (Bash), ``ripgrep`` / ``search_tool`` / ``newest_files`` (Glob, Grep, LS),
``stop_signal`` / ``question_broker`` (calls and subagents on worker threads: Ctrl-C, questions).
"""
