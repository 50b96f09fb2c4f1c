"""extensions.conf read as pbx_config.c reads it: contexts, extensions, priorities, includes.

`exten => name,prio(label),App(args)`, `same => n(label),App(args)`, `n` priorities counted
from the previous one, `hint` priorities (not steps), `include => context`, `#include file`.
Each priority keeps its file and line, so a broken `Goto` is reported where it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dialplans.confparse import ConfFile, Entry, read_conf
from dialplans.findings import Finding, Severity

SPECIAL_SECTIONS = frozenset({"general", "globals"})
_PRIORITY = re.compile(r"^(\d+|n|hint)(?:\(([^)]*)\))?$")


@dataclass(frozen=True, slots=True)
class Step:
    """One priority: its number, label, application and raw arguments, and where it is."""

    number: int
    label: str
    app: str
    data: str
    file: Path
    line: int


@dataclass(slots=True)
class Exten:
    name: str  # as written: `4000`, `s`, or a pattern `_X.`
    steps: list[Step] = field(default_factory=list)

    def step(self, priority: str) -> Step | None:
        """The step with this number or label, or None."""
        for step in self.steps:
            if (priority.isdigit() and step.number == int(priority)) or step.label == priority:
                return step
        return None

    def matches(self, exten: str) -> bool:
        """Whether a dialled `exten` runs this extension (pattern rules of pbx.c)."""
        if not self.name.startswith("_"):
            return self.name == exten
        return _pattern(self.name).fullmatch(exten) is not None


@dataclass(slots=True)
class DialplanContext:
    name: str
    file: Path
    line: int
    extens: dict[str, Exten] = field(default_factory=dict)
    includes: list[Entry] = field(default_factory=list)


@dataclass(slots=True)
class ParsedDialplan:
    path: Path
    contexts: dict[str, DialplanContext] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)

    def find(self, context: str, exten: str) -> Exten | None:
        """The extension a channel at `context,exten` runs: a literal name before a pattern,
        then the included contexts in order (as pbx_find_extension searches)."""
        return self._find(context, exten, set())

    def _find(self, context: str, exten: str, seen: set[str]) -> Exten | None:
        ctx = self.contexts.get(context)
        if ctx is None or context in seen:
            return None
        seen.add(context)
        literal = ctx.extens.get(exten)
        if literal is not None and not literal.name.startswith("_"):
            return literal
        for candidate in ctx.extens.values():
            if candidate.matches(exten):
                return candidate
        for include in ctx.includes:
            found = self._find(include.value.split(",")[0].strip(), exten, seen)
            if found is not None:
                return found
        return None


def _pattern(name: str) -> re.Pattern[str]:
    out: list[str] = []
    body = name[1:]
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "[":
            end = body.find("]", i)
            end = len(body) if end < 0 else end
            out.append("[" + body[i + 1:end].replace("\\", "\\\\") + "]")
            i = end + 1
            continue
        out.append({"X": "[0-9]", "Z": "[1-9]", "N": "[2-9]", ".": ".+", "!": ".*"}.get(
            ch.upper(), re.escape(ch)))
        i += 1
    return re.compile("".join(out))


def split_args(data: str, sep: str = ",") -> list[str]:
    """Application arguments split on top-level `sep` (not inside (), [], {} or quotes)."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for ch in data:
        if quote:
            quote = "" if ch == quote else quote
        elif ch == '"':
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _application(text: str) -> tuple[str, str]:
    """`App(args)` (or the old `App,args`) → (app, args)."""
    paren = text.find("(")
    comma = text.find(",")
    if paren >= 0 and (comma < 0 or paren < comma):
        data = text[paren + 1:]
        return text[:paren].strip(), data[:-1] if data.endswith(")") else data
    if comma >= 0:
        return text[:comma].strip(), text[comma + 1:]
    return text.strip(), ""


def parse_extensions(path: Path, base: Path | None = None) -> ParsedDialplan:
    """Parse extensions.conf (and what it `#include`s)."""
    conf: ConfFile = read_conf(path, base)
    plan = ParsedDialplan(path, problems=list(conf.problems))
    for section in conf.sections:
        if section.name in SPECIAL_SECTIONS:
            continue
        ctx = plan.contexts.get(section.name)
        if ctx is None:
            ctx = plan.contexts[section.name] = DialplanContext(section.name, section.file,
                                                                section.line)
        last: Exten | None = None
        for entry in section.entries:
            key = entry.key.lower()
            if key == "include":
                ctx.includes.append(entry)
            elif key in ("exten", "same"):
                last = _add_step(plan, ctx, entry, last)
            elif key not in ("switch", "ignorepat", "eswitch", "lswitch"):
                plan.problems.append(Finding(Severity.WARNING, entry.file, entry.line,
                                             f"unknown dialplan keyword {entry.key!r}"))
    return plan


def _add_step(plan: ParsedDialplan, ctx: DialplanContext, entry: Entry,
              last: Exten | None) -> Exten | None:
    def problem(message: str) -> None:
        plan.problems.append(Finding(Severity.ERROR, entry.file, entry.line, message))

    if entry.key.lower() == "same":
        if last is None:
            problem("same => without an exten => before it in this context")
            return None
        exten, (prio, _, app_text) = last, entry.value.partition(",")
    else:
        name, _, rest = entry.value.partition(",")
        name = name.split("/", 1)[0].strip()  # `exten/callerid`: the caller ID match aside
        prio, _, app_text = rest.partition(",")
        exten = ctx.extens.get(name) or ctx.extens.setdefault(name, Exten(name))
    match = _PRIORITY.match(prio.strip())
    if match is None:
        problem(f"expected a priority (a number, n or hint), got {prio.strip()!r}")
        return exten
    number, label = match.group(1), match.group(2) or ""
    if number == "hint":
        return exten
    if number == "n":
        if not exten.steps:
            problem(f"priority n with no priority before it in {exten.name}")
            return exten
        value = exten.steps[-1].number + 1
    else:
        value = int(number)
    if exten.step(str(value)) is not None:
        problem(f"{ctx.name},{exten.name}: priority {value} defined twice")
    app, data = _application(app_text)
    exten.steps.append(Step(value, label, app, data, entry.file, entry.line))
    return exten
