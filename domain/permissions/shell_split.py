"""Splitting a bash command line into the simple commands that permission rules judge.

``Bash(git diff:*)`` must not allow ``git diff && rm -rf ~``: a command line is cut at its
control operators (``&&``, ``||``, ``;``, ``|``, ``&``, newlines, parentheses) outside
quotes and comments, and each piece is judged on its own. The lexer follows bash's rules
for quotes (``'…'``, ``"…"``, ``$'…'`` with its backslash escapes), backslashes, line
continuations and comments (an unquoted ``#`` that starts a word runs to the end of the line).

It is not a full shell parser, and it reads by an allowlist: what it does not positively
understand makes the line ``dynamic``. It understands words made of plain characters,
quotes, backslashes, globs and braces; ``$name`` and the special parameters; ``${name}``,
``${#name}`` and ``${name:-word}`` (also ``-``, ``:=``, ``=``, ``:+``, ``+``, ``:?``, ``?``)
with a word of plain characters; ``$'…'``; redirections; and the control operators. Anything
else is dynamic: command and process substitution, arithmetic in any form (``$((…))``,
``((…))``, ``let``, ``${x:offset}``, ``${a[i]}``, an array subscript a builtin evaluates),
every other ``${…}`` form (``@`` transformations such as ``@P`` expand a prompt, which runs
substitutions, ``!`` indirection, pattern replacement), ``$_`` and the other variables
whose value is this very line or the last word of the previous command, a command name that
is a variable or a glob, a ``(`` after a word (a function definition), ``function``,
``coproc``, ``case``, ``select``, ``[[``, builtins that change what later commands run
(``alias``, ``trap``, ``hash``, ``enable``...), and anything bash could read differently
from this lexer (a newline inside quotes, an unbalanced quote, a here-document). A dynamic
line needs an exact rule or the user's approval; whatever follows the first doubt only has to
be read well enough for deny rules, which the policy backs up by asking. Substitution bodies
are pieces too, so a deny rule sees ``rm`` in ``echo "$(rm -rf x)"``. A redirection into a
file marks its piece ``writes_files``.
"""

from __future__ import annotations

import itertools
import re

import attrs

from domain.repr_base import Record

RESERVED_WORDS = frozenset(
    {"!", "{", "}", "if", "then", "elif", "else", "fi", "while", "until", "do", "done", "esac"}
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9?#@*$!-]")
# Variables whose value is text this line chose: the last word of the previous command, the
# command being run, the wrapper's own copy of the whole line. Used as a word they are data,
# but an arithmetic or prompt evaluation of them runs what they hold; fail closed on them.
_DYNAMIC_NAMES = frozenset(
    {"_", "BASH_COMMAND", "BASH_EXECUTION_STRING", "__hexclaw_command", "__hexclaw_cwd_file"}
)
_NAME = r"(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#$!@*-])"
# The only ${…} forms read as static: ${name}, ${#name}, and a default, assignment,
# alternative or error word made of plain characters.
_STATIC_BRACED = re.compile(rf"#?({_NAME})")
_DEFAULT_WORD = re.compile(rf"({_NAME})(:?[-=+?])([A-Za-z0-9_./,:@%+= -]*)")
# Commands the splitter does not read into: their words are commands, patterns or arithmetic
# bash evaluates (``[[ $x -eq 1 ]]`` evaluates what $x holds, subscripts included), or they
# change what later words run (an alias, a hashed path, a trap, a loaded builtin).
DYNAMIC_COMMANDS = frozenset(
    {
        "function", "coproc", "case", "select", "[[", "((", "let", "alias", "unalias",
        "trap", "hash", "enable", "bind", "complete", "compgen", "shopt", "fc", "history",
        "mapfile", "readarray",
    }
)  # fmt: skip
# Builtins that evaluate an array subscript in a name they are given (``printf -v 'a[i]'``,
# ``test -v 'a[i]'``, ``read 'a[i]'``): the subscript is arithmetic, which expands any
# substitution that a variable in it holds.
_SUBSCRIPT_EVALUATORS = frozenset(
    {
        "printf", "read", "test", "[", "unset", "mapfile", "readarray", "wait", "getopts",
        "declare", "typeset", "local", "export", "readonly", "let",
    }
)  # fmt: skip
_PASS_TO_BUILTIN = frozenset({"time", "command", "builtin"})
# Builtins whose options change how a value is read: -i (arithmetic), -n (a reference).
_DECLARING = frozenset({"declare", "typeset", "local", "export", "readonly"})
# ``set`` options that only make the shell stricter; any other (``-x`` expands PS4 with
# substitutions, ``-a`` exports, ``-T`` inherits traps) is not followed.
_SET_OPTIONS = re.compile(r"[-+][eu]*o?|pipefail|errexit|nounset")
# ``{fd}>file``: bash stores a new descriptor in fd; the word names no command.
_BRACE_FD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
# Variables other programs run or expand as commands when they see them: a prompt, a shell's
# startup file, a pager, an editor, git's helpers, the dynamic linker, an interpreter's
# startup options. An assignment to one runs what it holds later, out of sight.
_COMMAND_VARIABLES = frozenset(
    {
        "PS0", "PS1", "PS2", "PS3", "PS4", "PROMPT_COMMAND", "BASH_ENV", "ENV", "SHELLOPTS",
        "BASHOPTS", "BASH_XTRACEFD", "PATH", "IFS", "CDPATH", "GLOBIGNORE", "EXECIGNORE",
        "HOME", "PAGER", "MANPAGER", "MANOPT", "LESS", "LESSOPEN", "LESSCLOSE", "EDITOR",
        "VISUAL", "SSH_ASKPASS", "SUDO_ASKPASS", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME",
        "NODE_OPTIONS", "PERL5OPT", "PERL5LIB", "RUBYOPT", "RUBYLIB", "TERMINFO",
    }
)  # fmt: skip
_COMMAND_VARIABLE_PREFIXES = ("GIT_", "LD_", "BASH_FUNC_", "DYLD_")
_REDIRECT = re.compile(r"&>>|&>|<<<|<<-|<<|<>|<&|>>|>\||>&|<|>")
_FD_DUP = re.compile(r"(?:[0-9]+-?|-)(?=[ \t\n;&|()<>]|$)")
_FD_NUMBER = re.compile(r"[0-9]+")
_WRITING = frozenset({">", ">>", ">|", "<>", "&>", "&>>", ">&"})
_QUIET_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr"})
_GLOB_OR_BRACES = re.compile(r"[*?]|\[.*\]|\{.*(?:,|\.\.).*\}")
_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_ANSI_NUMBER = re.compile(
    r"([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{1,4})|U([0-9A-Fa-f]{1,8})"
)
_MAX_NESTING = 16


@attrs.frozen(repr=False)
class Word(Record):
    """One word of a simple command: as written, after quote removal, and whether that value
    is what bash passes on (no expansion: no variable, substitution, glob or brace)."""

    raw: str
    value: str
    literal: bool = True


@attrs.frozen(repr=False)
class SimpleCommand(Record):
    text: str
    writes_files: bool = False
    words: tuple[Word, ...] = ()


@attrs.frozen(repr=False)
class CommandLine(Record):
    commands: tuple[SimpleCommand, ...]
    dynamic: bool

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.commands)


def normalize(command: str) -> str:
    """Runs of bash's blanks as one space (other Unicode spaces are word characters to bash)."""
    return " ".join(part for part in re.split(r"[ \t\n]+", command) if part)


def is_assignment(word: Word) -> bool:
    return _ASSIGNMENT.match(word.raw) is not None


def is_command_variable(name: str) -> bool:
    """Whether a program runs or expands the value of the variable ``name`` as a command."""
    return name in _COMMAND_VARIABLES or name.startswith(_COMMAND_VARIABLE_PREFIXES)


def assigns_command_variable(text: str) -> bool:
    """Whether ``NAME=value`` (or ``NAME[…]=…``) assigns a variable a program runs."""
    name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
    return name is not None and "=" in text and is_command_variable(name.group())


def parse_command_line(command: str) -> CommandLine:
    lexer = _Lexer(command, 0, nested=False, level=0)
    lexer.run()
    return CommandLine(tuple(lexer.commands), lexer.dynamic)


class _Lexer:
    """Reads one command line (or the body of a substitution, up to its closing parenthesis)."""

    def __init__(self, source: str, start: int, *, nested: bool, level: int) -> None:
        self.s = source
        self.i = start
        self.nested = nested
        self.level = level
        self.depth = 0
        self.dynamic = False
        self.commands: list[SimpleCommand] = []
        self.raw: list[str] = []
        self.words: list[Word] = []
        self.writes = False
        self.redirect: str | None = None
        self.word_raw: list[str] = []
        self.word_value: list[str] = []
        self.word_literal = True
        self.word_started = False
        # The word's text from its first unquoted glob or brace character on.
        self.word_pattern: list[str] = []

    def run(self) -> int:
        """Reads to the end (or to the closing parenthesis when nested) and returns where."""
        s, n = self.s, len(self.s)
        while self.i < n:
            char = s[self.i]
            if char == "\\":
                self._backslash()
            elif char == "'":
                self._single_quoted()
            elif char == '"':
                self._double_quoted(1)
            elif char == "$":
                self._dollar(in_quotes=False)
            elif char == "`":
                self._backticks()
            elif char == "#" and not self.word_started:
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end
            elif char in "<>" and s.startswith("(", self.i + 1):
                self._substitution(self.i + 2)
            elif char in "<>" or s.startswith("&>", self.i):
                self._redirect()
            elif char == "(":
                # f(), f (), X=(…), @(…) and (( … )) are read differently by bash: "(" only
                # opens a subshell where a command starts.
                if self.word_started or self.words or s.startswith("((", self.i):
                    self.dynamic = True
                self._cut()
                self.depth += 1
                self.i += 1
            elif char == ")":
                self._cut()
                if self.nested and self.depth == 0:
                    return self.i
                self.depth = max(0, self.depth - 1)
                self.i += 1
            elif char in ";&|\n":
                self._cut()
                self.i += 1
            elif char in " \t":
                self._end_word()
                self.raw.append(" ")
                self.i += 1
            else:
                if char in "*?[{" and not self.word_pattern:
                    self.word_pattern.append("")  # from here on _add keeps the word's text
                # A leading "~" expands to a home directory: the value is not the text.
                self._add(char, char, literal=not (char == "~" and not self.word_started))
                self.i += 1
        self._cut()
        if self.nested:
            self.dynamic = True
        return n

    def _add(self, raw: str, value: str, *, literal: bool = True) -> None:
        if self.word_pattern:
            self.word_pattern.append(raw)
        self.raw.append(raw)
        self.word_raw.append(raw)
        self.word_value.append(value)
        self.word_started = True
        if not literal:
            self.word_literal = False

    def _reset_word(self) -> None:
        self.word_raw.clear()
        self.word_value.clear()
        self.word_literal = True
        self.word_started = False
        self.word_pattern.clear()

    def _end_word(self) -> None:
        if not self.word_started:
            return
        # "[" alone and "{}" are literal to bash; "*", "[ab]", "{a,b}", "{1..3}" are not.
        pattern = _GLOB_OR_BRACES.search("".join(self.word_pattern)) is not None
        literal = self.word_literal and not pattern
        word = Word("".join(self.word_raw), "".join(self.word_value), literal)
        self._reset_word()
        # printf -v, read, test -v, declare, [[ -eq ]] evaluate an array subscript, and a
        # substitution in it runs even when the word was quoted.
        if "[" in word.value and ("$(" in word.value or "`" in word.value):
            self.dynamic = True
        if self.redirect is not None:
            if self.redirect in _WRITING and not (word.literal and word.raw in _QUIET_TARGETS):
                self.writes = True
            self.redirect = None
            return
        self.words.append(word)

    def _cut(self) -> None:
        self._end_word()
        if self.redirect is not None:
            self.writes = self.writes or self.redirect in _WRITING
            self.redirect = None
        text = normalize("".join(self.raw))
        if text:
            words = tuple(self.words)
            if not _command_word_is_literal(words) or _piece_is_dynamic(words):
                self.dynamic = True
            self.commands.append(SimpleCommand(text, self.writes, words))
        self.raw.clear()
        self.words.clear()
        self.writes = False

    def _backslash(self) -> None:
        s, i = self.s, self.i
        if i + 1 >= len(s):
            self._add("\\", "\\")
            self.i += 1
        elif s[i + 1] == "\n":
            self.i += 2  # a line continuation disappears before bash reads words
        else:
            self._add(s[i : i + 2], s[i + 1])
            self.i += 2

    def _single_quoted(self) -> None:
        s, i = self.s, self.i
        end = s.find("'", i + 1)
        if end < 0:
            self.dynamic = True
            end = len(s) - 1
            content = s[i + 1 :]
        else:
            content = s[i + 1 : end]
        if "\n" in content:
            self.dynamic = True
        self._add(s[i : end + 1], content)
        self.i = end + 1

    def _ansi_c_quoted(self) -> None:
        s, i, n = self.s, self.i, len(self.s)
        j = i + 2
        while j < n and s[j] != "'":
            j += 2 if s[j] == "\\" else 1
        if j >= n:
            self.dynamic = True
        body = s[i + 2 : min(j, n)]
        value, certain = _ansi_c_value(body)
        if "\n" in body or not certain:
            self.dynamic = True
        self._add(s[i : min(j + 1, n)], value, literal=certain)
        self.i = min(j + 1, n)

    def _double_quoted(self, opening: int) -> None:
        s, n = self.s, len(self.s)
        self._add(s[self.i : self.i + opening], "")
        self.i += opening
        while self.i < n:
            char = s[self.i]
            if char == '"':
                self._add('"', "")
                self.i += 1
                return
            if char == "\\" and self.i + 1 < n:
                escaped = s[self.i + 1]
                if escaped == "\n":
                    self.i += 2
                    continue
                pair = s[self.i : self.i + 2]
                self._add(pair, escaped if escaped in '$`"\\' else pair)
                self.i += 2
            elif char == "$":
                self._dollar(in_quotes=True)
            elif char == "`":
                self._backticks()
            else:
                if char == "\n":
                    self.dynamic = True
                self._add(char, char)
                self.i += 1
        self.dynamic = True  # never closed

    def _dollar(self, *, in_quotes: bool) -> None:
        s, i = self.s, self.i
        after = s[i + 1 : i + 2]
        if after == "'" and not in_quotes:
            self._ansi_c_quoted()
        elif after == '"' and not in_quotes:
            self.dynamic = True  # $"…" is translated through a message catalogue first
            self._double_quoted(2)
        elif after == "(":
            self._substitution(i + 2)
        elif after == "{":
            self._parameter()
        elif after == "[":
            self.dynamic = True  # $[ … ], old arithmetic
            self._add("$[", "$[", literal=False)
            self.i += 2
        else:
            name = _PARAMETER.match(s, i + 1)
            if name is None:
                self._add("$", "$")
                self.i += 1
            else:
                text = s[i : name.end()]
                if name.group() in _DYNAMIC_NAMES:
                    self.dynamic = True
                self._add(text, text, literal=False)
                self.i = name.end()

    def _parameter(self) -> None:
        """``${…}``: only the forms ``_static_braced`` knows are static. The others run code
        (``@P``, arithmetic offsets and subscripts), choose a variable at run time (``!``), or
        have rules of their own for quotes and nested braces that bash alone follows."""
        s, i = self.s, self.i
        close = s.find("}", i + 2)
        if close < 0:
            self.dynamic = True
            stop = len(s)
        else:
            if not _static_braced(s[i + 2 : close]):
                self.dynamic = True
            stop = close + 1
        self._add(s[i:stop], s[i:stop], literal=False)
        self.i = stop

    def _substitution(self, body: int) -> None:
        """``$(…)``, ``$((…))``, ``<(…)``, ``>(…)``: the body's pieces are pieces too."""
        s, begin = self.s, self.i
        self.dynamic = True
        if self.level >= _MAX_NESTING:
            stop = len(s)
        else:
            inner = _Lexer(s, body, nested=True, level=self.level + 1)
            stop = min(inner.run() + 1, len(s))
            self.commands.extend(inner.commands)
        self._add(s[begin:stop], s[begin:stop], literal=False)
        self.i = stop

    def _backticks(self) -> None:
        s, i, n = self.s, self.i, len(self.s)
        self.dynamic = True
        j = i + 1
        while j < n and s[j] != "`":
            j += 2 if s[j] == "\\" else 1
        stop = min(j + 1, n)
        if self.level < _MAX_NESTING:
            body = re.sub(r"\\([\\`$\"])", r"\1", s[i + 1 : min(j, n)])
            inner = _Lexer(body, 0, nested=False, level=self.level + 1)
            inner.run()
            self.commands.extend(inner.commands)
        self._add(s[i:stop], s[i:stop], literal=False)
        self.i = stop

    def _redirect(self) -> None:
        s = self.s
        before = "".join(self.word_raw)
        if self.word_started and (_FD_NUMBER.fullmatch(before) or _BRACE_FD.fullmatch(before)):
            # "2>…" and "{fd}>…": the word names a descriptor, it is not a word of the command
            self._reset_word()
        else:
            self._end_word()
        if self.redirect is not None:
            self.writes = self.writes or self.redirect in _WRITING
        found = _REDIRECT.match(s, self.i)
        op = found.group() if found is not None else s[self.i]
        self.raw.append(op)
        self.i += len(op)
        self.redirect = op
        if op in ("<<", "<<-"):
            self.dynamic = True  # a here-document's body is not read as commands by bash
        elif op in (">&", "<&"):
            dup = _FD_DUP.match(s, self.i)
            if dup is not None:
                self.raw.append(dup.group())
                self.i = dup.end()
                self.redirect = None


def _static_braced(inside: str) -> bool:
    """Whether ``${inside}`` is a form whose expansion runs nothing and reads no other name."""
    plain = _STATIC_BRACED.fullmatch(inside)
    if plain is not None:
        return plain.group(1) not in _DYNAMIC_NAMES
    form = _DEFAULT_WORD.fullmatch(inside)
    if form is None:
        return False
    name, operator, _ = form.groups()
    if name in _DYNAMIC_NAMES:
        return False
    return "=" not in operator or not is_command_variable(name)


def _piece_is_dynamic(words: tuple[Word, ...]) -> bool:
    """Whether the words of one simple command hold syntax the splitter does not follow."""
    start = 0
    while start < len(words) and (
        words[start].raw in RESERVED_WORDS or is_assignment(words[start])
    ):
        word = words[start]
        if is_assignment(word) and (
            "[" in word.raw.partition("=")[0] or assigns_command_variable(word.raw)
        ):
            return True  # a subscript is arithmetic; a command variable runs its value later
        start += 1
    # time, command and builtin run the builtin that follows them (command let x evaluates).
    while start < len(words) and (
        words[start].value in _PASS_TO_BUILTIN or (start and words[start].value in ("-p", "--"))
    ):
        start += 1
    if start == len(words):
        return False
    head, args = words[start].value, words[start + 1 :]
    if head in DYNAMIC_COMMANDS:
        return True
    if head == "set":
        return not all(a.literal and _SET_OPTIONS.fullmatch(a.value) for a in args)
    if head in _DECLARING and any(
        a.value[:1] in "-+" or assigns_command_variable(a.value) or not a.literal for a in args
    ):
        return True  # -i makes assignments arithmetic, -n makes a name a reference
    if head in ("printf", "test", "["):
        names = [b for a, b in itertools.pairwise(args) if a.value in ("-v", "-R")]
        names += [a for a in args if a.value.startswith("-v") and len(a.value) > 2]
        return any("[" in a.value for a in names)
    if head in _SUBSCRIPT_EVALUATORS:
        return any("[" in a.value for a in args)
    return False


def _command_word_is_literal(words: tuple[Word, ...]) -> bool:
    for word in words:
        if word.raw in RESERVED_WORDS or is_assignment(word):
            continue
        return word.literal
    return True


def _ansi_c_value(body: str) -> tuple[str, bool]:
    """The value of ``$'body'``, and whether it is certain."""
    out: list[str] = []
    certain = True
    i, n = 0, len(body)
    while i < n:
        char = body[i]
        if char != "\\" or i + 1 >= n:
            out.append(char)
            i += 1
            continue
        escaped = body[i + 1]
        if escaped in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[escaped])
            i += 2
            continue
        number = _ANSI_NUMBER.match(body, i + 1)
        if number is not None:
            octal, *hexes = number.groups()
            code = int(octal, 8) if octal else int(next(h for h in hexes if h), 16)
            if code == 0 or code > 0x10FFFF:
                certain = False  # bash cuts the string at a NUL; beyond Unicode is undefined
            else:
                out.append(chr(code))
            i = number.end()
            continue
        if escaped == "c":
            certain = False
        out.append("\\" + escaped)
        i += 2
    return "".join(out), certain
