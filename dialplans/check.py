"""Check a directory of Asterisk configuration against what the engine needs.

`check_directory(dir)` reads extensions.conf (following `#include`s), manager.conf,
musiconhold.conf, pjsip.conf and prompts.txt and reports each problem at its file and line:
jumps to places that do not exist, AGI URLs the engine does not serve, contexts the engine
sends channels to that are missing, routes that differ from the config, an AMI user without
the classes the engine needs, music classes, agents' endpoints and missing sound files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from dialplans import contract
from dialplans.confparse import Entry, Section, read_conf
from dialplans.extensions_conf import (
    DialplanContext,
    Exten,
    ParsedDialplan,
    Step,
    parse_extensions,
    split_args,
)
from dialplans.findings import Finding, Severity
from dialplans.inputs import RenderInput
from dialplans.manager_conf import write_classes
from dialplans.prompts import parse_prompts
from dialplans.render import EXTENSIONS, MANAGER, MUSICONHOLD, PJSIP, PROMPTS

SOUND_EXTENSIONS = ("wav", "gsm", "ulaw", "alaw", "sln", "g722", "sln16")
_JUMPS = frozenset({"goto", "gotoif", "gosub", "gosubif"})
_VARIABLE = re.compile(r"^\$\{([A-Za-z0-9_]+)\}$")
_AGI = re.compile(r"^agi://([^/:]+):(\d+)/(.+)$")
_SERVED = frozenset(s.value for s in contract.AgiScript)


def check_directory(directory: Path, *, expected: RenderInput | None = None,
                    sounds: Path | None = None) -> list[Finding]:
    """Every finding, ordered by file and line. `expected`: the config's view (routes, flows,
    AGI address, AMI user, agents); without it only what the files say of themselves is
    checked. `sounds`: the directory the prompts in prompts.txt must be found in."""
    findings: list[Finding] = []
    plan: ParsedDialplan | None = None
    path = directory / EXTENSIONS
    if path.is_file():
        plan = parse_extensions(path, directory)
        findings += plan.problems
        findings += _jumps(plan)
        findings += _includes(plan)
        findings += _agi(plan, expected)
        findings += _entry_points(plan, expected)
        if expected is not None:
            findings += _routes(plan, expected)
    else:
        findings.append(_missing(path))
    findings += _manager(directory / MANAGER, expected)
    findings += _music(directory / MUSICONHOLD, plan, expected)
    findings += _pjsip(directory / PJSIP, plan, expected)
    if sounds is not None:
        findings += _sounds(directory / PROMPTS, sounds)
    return sorted(findings, key=lambda f: (str(f.file), f.line))


def _missing(path: Path) -> Finding:
    return Finding(Severity.ERROR, path, 0, f"{path.name} is missing")


def _error(at: Step | Section, message: str) -> Finding:
    return Finding(Severity.ERROR, at.file, at.line, message)


# ----------------------------------------------------------------------- extensions.conf

def _steps(plan: ParsedDialplan) -> Iterator[tuple[DialplanContext, Exten, Step]]:
    for ctx in plan.contexts.values():
        for exten in ctx.extens.values():
            for step in exten.steps:
                yield ctx, exten, step


def _jumps(plan: ParsedDialplan) -> Iterator[Finding]:
    for ctx, exten, step in _steps(plan):
        app = step.app.lower()
        if app not in _JUMPS:
            continue
        specs = [step.data]
        if app.endswith("if"):
            _, _, branches = step.data.partition("?")
            specs = [b for b in split_args(branches, ":") if b]
        for spec in specs:
            yield from _target(plan, ctx, exten, step, spec, gosub=app.startswith("gosub"))


def _target(plan: ParsedDialplan, ctx: DialplanContext, exten: Exten, step: Step, spec: str,
            *, gosub: bool) -> Iterator[Finding]:
    parts = split_args(spec)
    if gosub:
        parts[-1] = parts[-1].split("(", 1)[0]  # Gosub(ctx,exten,prio(args))
    if not 1 <= len(parts) <= 3 or not all(parts):
        yield _error(step, f"{step.app}({spec}): expected [[context,]extension,]priority")
        return
    context = parts[0] if len(parts) == 3 else ctx.name
    priority = parts[-1]
    for part in (context, priority):
        if "${" in part:
            yield from _unchecked(step, part)
            return
    if context not in plan.contexts:
        yield _error(step, f"{step.app}({spec}): no context [{context}]")
        return
    if len(parts) == 1:
        targets: list[tuple[str, Exten | None]] = [(exten.name, exten)]
    else:
        name = parts[-2]
        variable = _VARIABLE.match(name)
        if variable is not None and variable.group(1) in contract.DYNAMIC_TARGETS:
            values = contract.DYNAMIC_TARGETS[variable.group(1)]
            targets = [(v, plan.find(context, v)) for v in values]
        elif "${" in name:
            yield from _unchecked(step, name)
            return
        else:
            targets = [(name, plan.find(context, name))]
    for name, found in targets:
        if found is None:
            yield _error(step, f"{step.app}({spec}): no extension {name} in [{context}]")
        elif found.step(priority) is None:
            yield _error(step, f"{step.app}({spec}): [{context}] {name} has no priority "
                               f"{priority}")


def _unchecked(step: Step, part: str) -> Iterator[Finding]:
    variable = _VARIABLE.match(part)
    if variable is None or variable.group(1) not in contract.SITE_TARGET_VARIABLES:
        yield Finding(Severity.WARNING, step.file, step.line,
                      f"{step.app}({step.data}): target depends on {part}, not checked")


def _includes(plan: ParsedDialplan) -> Iterator[Finding]:
    for ctx in plan.contexts.values():
        for include in ctx.includes:
            name = include.value.split(",", 1)[0].strip()
            if name not in plan.contexts:
                yield Finding(Severity.ERROR, include.file, include.line,
                              f"[{ctx.name}] includes [{name}], which does not exist")


def _agi(plan: ParsedDialplan, expected: RenderInput | None) -> Iterator[Finding]:
    address = expected.dialplan.agi_url.removeprefix("agi://") if expected else None
    for _, _, step in _steps(plan):
        if step.app.lower() != "agi" or not step.data.startswith("agi://"):
            continue
        url = split_args(step.data)[0]
        match = _AGI.match(url)
        if match is None:
            yield _error(step, f"AGI({url}): expected agi://host:port/script")
            continue
        here = f"{match.group(1)}:{match.group(2)}"
        if address is None:
            address = here  # without a config, every AGI must go where the first one goes
        elif here != address:
            yield _error(step, f"AGI({url}): the engine listens on agi://{address}, "
                               f"not agi://{here}")
        script = match.group(3)
        flow = script.removeprefix(contract.IVR_SCRIPT_PREFIX)
        if script.startswith(contract.IVR_SCRIPT_PREFIX):
            if expected is not None and flow not in expected.flows:
                known = ", ".join(expected.flows) or "none"
                yield _error(step, f"AGI({url}): unknown IVR flow {flow!r} (flows: {known})")
        elif script not in _SERVED:
            yield _error(step, f"AGI({url}): the engine serves no script {script!r} "
                               f"(ivr/<flow>, {', '.join(sorted(_SERVED))})")


def _entry_points(plan: ParsedDialplan, expected: RenderInput | None) -> Iterator[Finding]:
    for context, exten in contract.ENTRY_POINTS:
        if plan.find(context, exten) is None:
            ctx = plan.contexts.get(context)
            where = (ctx.file, ctx.line) if ctx is not None else (plan.path, 0)
            what = f"no extension {exten} in [{context}]" if ctx else f"no context [{context}]"
            yield Finding(Severity.ERROR, *where,
                          f"{what}: the engine sends channels to {context},{exten},1")
    if expected is not None and expected.transfer_context not in plan.contexts:
        yield Finding(Severity.WARNING, plan.path, 0,
                      f"transfer context [{expected.transfer_context}] is not defined here: "
                      "the site's dialplan must define it (agents' phones, IVR transfers)")


def _routes(plan: ParsedDialplan, expected: RenderInput) -> Iterator[Finding]:
    inbound = plan.contexts.get(contract.INBOUND)
    if inbound is None:
        return  # reported as a missing context already
    routes = {r.did: r for r in expected.dialplan.routes}
    for did, route in routes.items():
        exten = inbound.extens.get(did)
        if exten is None:
            yield Finding(Severity.ERROR, inbound.file, inbound.line,
                          f"route {did} (queue {route.queue}) has no extension in "
                          f"[{contract.INBOUND}]")
            continue
        if route.flow:
            script = f"/{contract.IVR_SCRIPT_PREFIX}{route.flow}"
            if not any(s.app.lower() == "agi" and split_args(s.data)[0].endswith(script)
                       for s in exten.steps):
                yield _error(exten.steps[0], f"route {did}: expected AGI(...{script}) for "
                                             f"flow {route.flow!r}")
    for name, exten in inbound.extens.items():
        if name not in routes and exten.steps:
            yield _error(exten.steps[0], f"[{contract.INBOUND}] {name} is not a route in "
                                         "the config")


# ---------------------------------------------------------------------- the other files

def _classes(section: Section, key: str) -> tuple[set[str], Path, int]:
    """The classes of the last `key` line (Asterisk keeps the last), and where it is."""
    values = section.values(key)
    at: Section | Entry = values[-1] if values else section
    classes = {c.strip().lower() for c in (section.last(key) or "").split(",") if c.strip()}
    return classes, at.file, at.line


def _manager(path: Path, expected: RenderInput | None) -> Iterator[Finding]:
    if not path.is_file():
        yield _missing(path)
        return
    conf = read_conf(path)
    yield from conf.problems
    users = [s for s in conf.sections if s.name != "general"]
    if expected is not None:
        users = conf.named(expected.manager.username)
        if not users:
            yield Finding(Severity.ERROR, path, 0,
                          f"no [{expected.manager.username}] user (ami.username)")
    needed = {"read": set(contract.MANAGER_READ),
              "write": set(write_classes(expected.manager) if expected else
                           contract.MANAGER_WRITE)}
    for user in users:
        for key, wanted in needed.items():
            have, file, line = _classes(user, key)
            lacking = sorted(wanted - have) if "all" not in have else []
            if lacking:
                yield Finding(Severity.ERROR, file, line,
                              f"manager user {user.name} lacks {key} class(es) "
                              f"{','.join(lacking)} (docs/dialplan.md)")
        yield from _secret(user, "secret", f"manager user {user.name}")


def _secret(section: Section, key: str, what: str) -> Iterator[Finding]:
    values = section.values(key)
    if not values:
        yield _error(section, f"{what} has no {key}")
    elif values[-1].value.startswith(contract.PLACEHOLDER_PREFIX):
        yield Finding(Severity.WARNING, values[-1].file, values[-1].line,
                      f"{what}: placeholder {key}; set the real one before going live")


def _music(path: Path, plan: ParsedDialplan | None,
           expected: RenderInput | None) -> Iterator[Finding]:
    if not path.is_file():
        yield _missing(path)
        return
    conf = read_conf(path)
    yield from conf.problems
    wanted = {expected.dialplan.music_class} if expected else set()
    for _, _, step in _steps(plan) if plan else ():
        if step.app.lower() == "musiconhold":
            wanted.add(split_args(step.data)[0] or "default")
    for name in sorted(wanted):
        if not conf.named(name):
            yield Finding(Severity.ERROR, path, 0, f"no music class [{name}] (MusicOnHold)")


def _endpoints(sections: list[Section]) -> set[str]:
    return {s.name for s in sections if (s.last("type") or "").lower() == "endpoint"}


def _trunk(plan: ParsedDialplan | None) -> str | None:
    for _, _, step in _steps(plan) if plan else ():
        if step.app.lower() == "dial" and "@" in step.data:
            return split_args(step.data)[0].rsplit("@", 1)[1]
    return None


def _pjsip(path: Path, plan: ParsedDialplan | None,
           expected: RenderInput | None) -> Iterator[Finding]:
    if not path.is_file():
        yield _missing(path)
        return
    conf = read_conf(path)
    yield from conf.problems
    endpoints = _endpoints(conf.sections)
    for agent in expected.agents if expected else ():
        if agent.endpoint not in endpoints:
            yield Finding(Severity.ERROR, path, 0, f"no endpoint [{agent.endpoint}] for agent "
                                                   f"{agent.agent_id} (PJSIP/{agent.endpoint})")
    for section in conf.sections:
        if (section.last("type") or "").lower() == "auth":
            yield from _secret(section, "password", f"auth {section.name}")
    trunk = expected.dialplan.trunk if expected else _trunk(plan)
    if trunk and trunk not in endpoints:
        yield Finding(Severity.WARNING, path, 0, f"no trunk endpoint [{trunk}] (cc-outbound "
                      "dials through it): the site's own pjsip configuration must define it")


def _sounds(path: Path, sounds: Path) -> Iterator[Finding]:
    if not path.is_file():
        yield _missing(path)
        return
    for line, prompt in parse_prompts(path.read_text(encoding="utf-8")):
        if not any((sounds / f"{prompt.name}.{ext}").is_file() for ext in SOUND_EXTENSIONS):
            yield Finding(Severity.ERROR, path, line,
                          f"sound {prompt.name} not found in {sounds} "
                          f"(.{', .'.join(SOUND_EXTENSIONS)})")
