"""``make mutation``: mutmut over each target module, then its tables, then docs/testing.md.

    .venv/bin/python -m tests.mutation.run [--max-children N] [--no-tables] [NAME ...]

NAME is a target's name (``shell-splitter``) or module path; none means every target, one
after the other. Each module runs in its own folder, ``mutants/<name>/``, holding links to
``domain`` and ``tests`` and a ``pyproject.toml`` that tells mutmut what to mutate and which
tests to run; mutmut copies the code into ``mutants/<name>/mutants/`` and puts that copy first
on ``sys.path`` (it also drops the folder it runs in from it, but not the checkout that the
development venv's ``.pth`` adds: that stays behind the copy, so ``domain`` comes from the
copy while ``adapters`` and ``entrypoints`` still import). A second run reuses mutmut's
results for unchanged functions.

Then each entry of each module-level table is dropped in turn (mutmut does not mutate
module-level code) and the same tests run against a copy holding that change.

Survivors listed in ``tests/mutation/equivalent_mutants.txt`` count as equivalent; the rest
are printed with their diff, and the module's row in ``docs/testing.md`` is rewritten.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import attrs

from tests.mutation.equivalents import DROPPED, Equivalent, load_equivalents
from tests.mutation.tables import table_mutants
from tests.mutation.targets import TARGETS, Target, target_named

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "mutants"
DOC = ROOT / "docs" / "testing.md"
BEGIN, END = "<!-- mutation table: begin -->", "<!-- mutation table: end -->"
TABLE_TIMEOUT = 600

# mutmut's exit-code verdicts (mutmut/stats.py), folded into what the table reports.
_STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests"}
_TIMEOUTS = {36, -24, 24, 152, 255}


@attrs.frozen
class Survivor:
    place: str
    before: str
    after: str
    diff: str


@attrs.define
class Outcome:
    target: Target
    counts: Counter[str] = attrs.field(factory=Counter)
    survivors: list[Survivor] = attrs.field(factory=list)
    seconds: float = 0.0


def slug(target: Target) -> str:
    return target.name.replace(" ", "-").lower()


def _toml_list(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def _prepare(target: Target, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("domain", "tests"):
        link = folder / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    tests = [t for t in target.tests if (ROOT / t).is_file()]
    (folder / "pyproject.toml").write_text(
        "\n".join(
            [
                "[tool.mutmut]",
                'source_paths = ["domain"]',
                f"only_mutate = {_toml_list([target.module])}",
                f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
                # A mutant that makes a lexer loop forever is caught by the timeout; a short
                # one keeps those from dominating the run.
                "timeout_multiplier = 5.0",
                "timeout_constant = 5.0",
                "use_git_change_detection = false",
                "",
                "[tool.pytest.ini_options]",
                "timeout = 120",
                'addopts = "-q -p no:cacheprovider"',
                'markers = ["tmux: -", "node: -", "fuzz: -"]',
                "",
            ]
        )
    )


def _place(mangled: str) -> str:
    """``xǁ_Lexerǁrun__mutmut_3`` -> ``_Lexer.run``; ``x_parse__mutmut_1`` -> ``parse``."""
    name = re.sub(r"__mutmut_\d+$", "", mangled)
    if name.startswith("xǁ"):
        return ".".join(name[2:].split("ǁ"))
    return name[2:] if name.startswith("x_") else name


def _changed_lines(diff: str) -> tuple[str, str]:
    removed = [
        line[1:].strip() for line in diff.splitlines() if line[:1] == "-" and line[:3] != "---"
    ]
    added = [
        line[1:].strip() for line in diff.splitlines() if line[:1] == "+" and line[:3] != "+++"
    ]
    return " / ".join(removed), " / ".join(added)


def _retest_survivors(meta_path: Path) -> None:
    """mutmut keeps a survivor's verdict until asked; tests written since may kill it."""
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        codes = meta["exit_code_by_key"]
        meta["exit_code_by_key"] = {k: None if v == 0 else v for k, v in codes.items()}
        meta_path.write_text(json.dumps(meta))


def run_mutmut(target: Target, folder: Path, workers: int, outcome: Outcome) -> None:
    meta_path = folder / "mutants" / (target.module + ".meta")
    _retest_survivors(meta_path)
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(workers)]
    with (folder / "mutmut.log").open("w") as log:
        subprocess.run(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, check=False)
    if not meta_path.is_file():
        raise SystemExit(f"mutmut wrote no results for {target.module}: see {folder}/mutmut.log")
    meta: dict[str, Any] = json.loads(meta_path.read_text())
    survived: list[str] = []
    for key, code in meta["exit_code_by_key"].items():
        if code in _TIMEOUTS:
            outcome.counts["timeout"] += 1
            continue
        status = _STATUS.get(code, "suspicious" if code is not None else "not checked")
        if status == "survived":
            survived.append(key)
        else:
            outcome.counts[status] += 1
    if sum(outcome.counts.values()) + len(survived) == 0:
        raise SystemExit(f"mutmut checked no mutant of {target.module}: see {folder}/mutmut.log")
    diffs: dict[str, str] = json.loads(
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("diffs.py"))],
            cwd=folder,
            input="\n".join(survived),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        or "{}"
    )
    for key in survived:
        before, after = _changed_lines(diffs[key])
        place = _place(key.rpartition(".")[2])
        outcome.survivors.append(Survivor(place, before, after, diffs[key]))


def run_tables(target: Target, folder: Path, outcome: Outcome) -> None:
    copy = folder / "tables"
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir()
    for name in ("domain", "tests"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("node_modules"))
    shutil.copy2(folder / "pyproject.toml", copy / "pyproject.toml")
    module = copy / target.module
    original = module.read_text()
    tests = [t for t in target.tests if (ROOT / t).is_file()]
    # The table-walking tests first: with -x, a dropped entry usually fails there at once.
    tests.sort(key=lambda t: "tables" not in t)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *tests]
    for mutant in table_mutants(original):
        module.write_text(mutant.source)
        try:
            code = subprocess.run(
                command, cwd=copy, capture_output=True, timeout=TABLE_TIMEOUT, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            outcome.counts["table timeout"] += 1
            continue
        finally:
            module.write_text(original)
        if code == 0:
            diff = f"{target.module}:{mutant.line}: {mutant.table} without {mutant.entry}"
            outcome.survivors.append(Survivor(f"table {mutant.table}", mutant.entry, DROPPED, diff))
        else:
            outcome.counts["table killed"] += 1


def reuse_tables(raw: Path, outcome: Outcome) -> None:
    """``--no-tables``: the table mutants' verdicts of the last run that made them."""
    if raw.is_file():
        last = _load_raw(outcome.target, raw)
        for key in ("table killed", "table timeout"):
            outcome.counts[key] += last.counts[key]
        outcome.survivors += [s for s in last.survivors if s.place.startswith("table ")]


def _save_raw(outcome: Outcome, path: Path) -> None:
    raw = {
        "counts": dict(outcome.counts),
        "seconds": outcome.seconds,
        "survivors": [attrs.asdict(s) for s in outcome.survivors],
    }
    path.write_text(json.dumps(raw, indent=1))


def _load_raw(target: Target, path: Path) -> Outcome:
    raw = json.loads(path.read_text())
    return Outcome(
        target,
        Counter(raw["counts"]),
        [Survivor(**s) for s in raw["survivors"]],
        raw["seconds"],
    )


def classify(outcome: Outcome, equivalents: list[Equivalent]) -> list[Survivor]:
    known = {e.key for e in equivalents}
    new: list[Survivor] = []
    for survivor in outcome.survivors:
        key = (outcome.target.module, survivor.place, survivor.before, survivor.after)
        if key in known:
            outcome.counts["equivalent"] += 1
        else:
            outcome.counts["survived"] += 1
            new.append(survivor)
    return new


def score(counts: Counter[str]) -> float:
    caught = counts["killed"] + counts["timeout"] + counts["table killed"] + counts["table timeout"]
    missed = counts["survived"] + counts["no tests"] + counts["suspicious"]
    return 100.0 * caught / (caught + missed) if caught + missed else 100.0


def table_row(outcome: Outcome) -> str:
    c = Counter(outcome.counts)
    c["killed"] += c["table killed"]
    c["timeout"] += c["table timeout"]
    return (
        f"| {outcome.target.name} | `{outcome.target.module}` | {c['killed']} | "
        f"{c['timeout']} | {c['survived']} | {c['equivalent']} | {c['no tests']} | "
        f"{score(c):.1f}% | {outcome.target.goal}% | {outcome.seconds / 60:.0f} min |"
    )


def update_doc(rows: dict[str, str]) -> None:
    text = DOC.read_text()
    head, _, rest = text.partition(BEGIN)
    old, _, tail = rest.partition(END)
    kept: dict[str, str] = {}
    for line in old.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) > 2 and cells[1].startswith("`domain/"):
            kept[cells[1].strip("`")] = line
    kept.update(rows)
    lines = [
        "| module | file | killed | timed out | survived | equivalent | no tests | score | goal "
        "| time |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for target in TARGETS:
        lines.append(
            kept.get(
                target.module,
                f"| {target.name} | `{target.module}` | not run | | | | | | {target.goal}% | |",
            )
        )
    DOC.write_text(head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--no-tables", action="store_true")
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument(
        "--reclassify",
        action="store_true",
        help="run nothing: sort the last run's survivors again against the equivalent list",
    )
    args = parser.parse_args(argv)
    targets = [target_named(n) for n in args.names] if args.names else list(TARGETS)
    equivalents = load_equivalents()
    failed = False
    for target in targets:
        folder = WORK / slug(target)
        raw = folder / "raw.json"
        if args.reclassify:
            if not raw.is_file():
                continue
            outcome = _load_raw(target, raw)
        else:
            _prepare(target, folder)
            outcome = Outcome(target)
            started = time.monotonic()
            run_mutmut(target, folder, args.max_children, outcome)
            if args.no_tables:
                reuse_tables(raw, outcome)
            else:
                run_tables(target, folder, outcome)
            outcome.seconds = time.monotonic() - started
            _save_raw(outcome, raw)
        new = classify(outcome, equivalents)
        report = "\n\n".join(
            f"[{target.module}] {s.place}\n- {s.before}\n+ {s.after}\n{s.diff}" for s in new
        )
        (folder / "survivors.txt").write_text(report + "\n")
        print(table_row(outcome), flush=True)
        if new:
            print(f"{len(new)} new survivors: {folder / 'survivors.txt'}", flush=True)
        failed = failed or score(outcome.counts) < target.goal
        if not args.no_doc:  # after each module: a long run stopped halfway keeps its rows
            update_doc({target.module: table_row(outcome)})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
