"""A small structured dialplan: contexts → extensions → priorities.

The same value renders to `extensions.conf` text (`render()`, deterministic) and is what
the Asterisk emulator interprets (`callcenter.emulator.dialplan.steps_from_model`), so a
test that passes against the emulator ran the very contexts that real Asterisk gets.
Priorities are numbered 1, 2, ... in order; a label names one (`n(wait)`) for `Goto`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Priority:
    """One dialplan step: `app(data)`, optionally labelled."""

    app: str
    data: str = ""
    label: str = ""


@dataclass(frozen=True, slots=True)
class Extension:
    """An extension (`s`, `4000`, a pattern `_X.`) and its priorities from 1."""

    name: str
    priorities: tuple[Priority, ...]
    comment: str = ""

    def label_priority(self, label: str) -> int | None:
        """The priority number (1-based) carrying `label`, or None."""
        for i, p in enumerate(self.priorities, 1):
            if p.label == label:
                return i
        return None


@dataclass(frozen=True, slots=True)
class Context:
    name: str
    extensions: tuple[Extension, ...]
    comment: str = ""

    def extension(self, name: str) -> Extension | None:
        for ext in self.extensions:
            if ext.name == name:
                return ext
        return None


@dataclass(frozen=True, slots=True)
class Dialplan:
    """An ordered set of contexts."""

    contexts: tuple[Context, ...]

    def context(self, name: str) -> Context | None:
        for ctx in self.contexts:
            if ctx.name == name:
                return ctx
        return None

    def render(self) -> str:
        """`extensions.conf` text: `exten => X,1,App(data)` then ` same => n(label),...`."""
        out: list[str] = []
        for ctx in self.contexts:
            if out:
                out.append("")
            out.append(f"[{ctx.name}]" + (f"  ; {ctx.comment}" if ctx.comment else ""))
            for ext in ctx.extensions:
                if ext.comment:
                    out.append(f"; {ext.comment}")
                for i, p in enumerate(ext.priorities):
                    label = f"({p.label})" if p.label else ""
                    step = f"{p.app}({p.data})"
                    if i == 0:
                        out.append(f"exten => {ext.name},1{label},{step}")
                    else:
                        out.append(f" same => n{label},{step}")
        return "\n".join(out) + "\n"
