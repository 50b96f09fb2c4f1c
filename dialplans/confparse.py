"""Asterisk's configuration file syntax, read as main/config.c reads it.

`[section](options)` headers, `key = value` and `key => value` lines, `;` comments (`\\;` is a
literal semicolon), `;-- ... --;` block comments, and `#include`/`#tryinclude` of a file
relative to the configuration directory. Every line keeps its file and number for findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dialplans.findings import Finding, Severity

_SECTION = re.compile(r"^\[([^\]]+)\]\s*(?:\(([^)]*)\))?\s*$")
_INCLUDE = re.compile(r"^#\s*(include|tryinclude)\s+\"?([^\"]+?)\"?\s*$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One `key = value` (or `key => value`) line."""

    key: str
    value: str
    file: Path
    line: int


@dataclass(slots=True)
class Section:
    """`[name](options)` and its entries, in order (across `#include`s)."""

    name: str
    options: tuple[str, ...]
    file: Path
    line: int
    entries: list[Entry] = field(default_factory=list)

    def values(self, key: str) -> list[Entry]:
        return [e for e in self.entries if e.key.lower() == key.lower()]

    def last(self, key: str) -> str | None:
        """The last value of `key` (Asterisk keeps the last assignment), or None."""
        found = self.values(key)
        return found[-1].value if found else None


@dataclass(slots=True)
class ConfFile:
    """A parsed file: its sections, and the problems met while reading it."""

    path: Path
    sections: list[Section] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def named(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]


def strip_comment(line: str) -> str:
    """The line without its `;` comment; `\\;` stays as a literal `;`."""
    out: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and line[i + 1] == ";":
            out.append(";")
            i += 2
            continue
        if ch == ";":
            break
        out.append(ch)
        i += 1
    return "".join(out).strip()


def read_conf(path: Path, base: Path | None = None) -> ConfFile:
    """Parse `path`, following `#include`s relative to `base` (default: its directory)."""
    result = ConfFile(path)
    _read_into(result, path, base or path.parent, [], None)
    return result


def _read_into(result: ConfFile, path: Path, base: Path, stack: list[Path],
               current: Section | None) -> Section | None:
    if path in stack:
        result.problems.append(Finding(Severity.ERROR, stack[-1], 0,
                                       f"#include loop through {path.name}"))
        return current
    text = path.read_text(encoding="utf-8", errors="replace")
    in_block = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw
        if in_block:
            end = line.find("--;")
            if end < 0:
                continue
            line, in_block = line[end + 3:], False
        start = line.find(";--")
        if start >= 0 and "--;" not in line[start + 3:]:
            line, in_block = line[:start], True
        line = re.sub(r";--.*?--;", "", line)
        line = strip_comment(line)
        if not line:
            continue
        include = _INCLUDE.match(line)
        if include:
            target = Path(include.group(2))
            target = target if target.is_absolute() else base / target
            if target.is_file():
                current = _read_into(result, target, base, [*stack, path], current)
            elif include.group(1) == "include":
                result.problems.append(Finding(Severity.ERROR, path, number,
                                               f"#include {include.group(2)}: no such file"))
            continue
        if line.startswith("#"):
            continue  # #exec and friends: not followed
        section = _SECTION.match(line)
        if section:
            options = tuple(o.strip() for o in (section.group(2) or "").split(",") if o.strip())
            current = Section(section.group(1).strip(), options, path, number)
            result.sections.append(current)
            continue
        key, eq, value = line.partition("=")  # `=>` is `=` then `>` (main/config.c)
        if not eq:
            result.problems.append(Finding(Severity.ERROR, path, number,
                                           f"expected key = value, got {line!r}"))
            continue
        value = value.removeprefix(">")
        if current is None:
            result.problems.append(Finding(Severity.ERROR, path, number,
                                           f"{key.strip()} outside any [section]"))
            continue
        current.entries.append(Entry(key.strip(), value.strip(), path, number))
    return current
