"""The engine's generated dialplan: golden text, parameter checks, the model's labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialplans.engine_contexts import (
    DialplanParamsError,
    EngineDialplanParams,
    Route,
    engine_contexts,
)

GOLDEN = Path(__file__).parent / "golden" / "engine_contexts.conf"


def _params() -> EngineDialplanParams:
    return EngineDialplanParams(
        (Route("4000", "support", hold_slice_s=30),
         Route("4001", "vip", priority=5, skills="billing:3&en:1|billing:5", language="zh",
               tier="vip"),
         Route("4002", "support", flow="main", hold_slice_s=30)),
        agi_url="agi://10.0.0.5:4573",
        trunk="carrier",
    )


def test_rendered_text_matches_the_golden_file() -> None:
    # Regenerate deliberately (and review the diff) when docs/engine.md changes.
    assert engine_contexts(_params()).render() == GOLDEN.read_text()


def test_render_is_deterministic_and_has_the_documented_contexts() -> None:
    plan = engine_contexts(_params())
    assert plan.render() == engine_contexts(_params()).render()
    assert [c.name for c in plan.contexts] == [
        "cc-inbound", "cc-ivr-exit", "cc-enqueue", "cc-hold", "cc-agent", "cc-connect",
        "cc-voicemail", "cc-overflow", "cc-outbound"]
    connect = plan.context("cc-connect")
    assert connect is not None
    s = connect.extension("s")
    assert s is not None and s.label_priority("bridge") == 4
    assert s.priorities[3].app == "Bridge"
    agent = plan.context("cc-agent")
    assert agent is not None and agent.extension("s") is not None
    assert "Dial(PJSIP/${EXTEN}@carrier,60)" in plan.render()


@pytest.mark.parametrize(("route", "field"), [
    (Route("40a0,1", "support"), "did"),
    (Route("4000", "sup port"), "queue"),
    (Route("4000", "support", priority=10), "priority"),
    (Route("4000", "support", skills="a:1,b:2"), "skills"),
    (Route("4000", "support", tier="${EVIL}"), "tier"),
    (Route("4000", "support", flow="main,1"), "flow"),
    (Route("4000", "support", hold_slice_s=-1), "hold_slice_s"),
])
def test_bad_routes_are_rejected_naming_the_field(route: Route, field: str) -> None:
    with pytest.raises(DialplanParamsError, match=rf"routes\[0\]\.{field}"):
        engine_contexts(EngineDialplanParams((route,)))


def test_a_did_routed_twice_is_rejected() -> None:
    with pytest.raises(DialplanParamsError, match="routed twice"):
        engine_contexts(EngineDialplanParams((Route("4000", "a"), Route("4000", "b"))))


@pytest.mark.parametrize("url", ["agi://127.0.0.1", "http://127.0.0.1:4573",
                                 "agi://127.0.0.1:4573/ivr", "agi://127.0.0.1:99999",
                                 "agi://127.0.0.1:"])
def test_a_bad_agi_url_is_rejected(url: str) -> None:
    with pytest.raises(DialplanParamsError, match="agi_url"):
        engine_contexts(EngineDialplanParams((Route("4000", "a"),), agi_url=url))


def test_a_flow_route_keeps_the_fallback_then_runs_the_ivr_and_jumps_to_its_exit() -> None:
    plan = engine_contexts(_params())
    inbound = plan.context("cc-inbound")
    assert inbound is not None
    flow, plain = inbound.extension("4002"), inbound.extension("4000")
    assert flow is not None and plain is not None
    assert [f"{p.app}({p.data})" for p in flow.priorities] == [
        "Set(CC_DID=${EXTEN})",
        "Set(CC_QUEUE=support)", "Set(CC_PRIORITY=0)", "Set(CC_SKILLS=)", "Set(CC_LANG=en)",
        "Set(CC_HOLD_SLICE=30)", "Answer()", "Set(CC_IVR_EXIT=failed)",
        "AGI(agi://10.0.0.5:4573/ivr/main)", "Goto(cc-ivr-exit,${CC_IVR_EXIT},1)"]
    assert plain.priorities[-1].data == "cc-enqueue,s,1"
    exits = plan.context("cc-ivr-exit")
    assert exits is not None
    assert {e.name for e in exits.extensions} == {
        "enqueue", "failed", "voicemail", "transfer", "callback", "blocked", "hangup", "i"}
    assert "VoiceMail" not in plan.render()


def test_the_contract_names_what_the_engine_uses() -> None:
    # Context names are spelled only in dialplans/contract.py: any string literal equal to
    # one elsewhere in the product's code is a second spelling that can drift.
    import ast
    from pathlib import Path

    from acd.queues import OverflowTarget
    from dialplans import contract

    names = {value for key, value in vars(contract).items()
             if key.isupper() and isinstance(value, str) and value.startswith("cc-")}
    assert {contract.AGENT, contract.CONNECT, contract.HOLD, contract.OVERFLOW} <= names
    root = Path(contract.__file__).resolve().parents[1]
    spelled = []
    for package in ("callcenter", "acd", "cdr", "dialplans", "ivr", "recording", "simulations"):
        for path in (root / package).rglob("*.py"):
            if path.name == "contract.py" and path.parent.name == "dialplans":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in names:
                    spelled.append(f"{path.relative_to(root)}:{node.lineno}: {node.value}")
    assert spelled == []
    overflow = {exten for ctx, exten in contract.ENTRY_POINTS if ctx == contract.OVERFLOW}
    assert overflow == {t.value for t in OverflowTarget if t is not OverflowTarget.QUEUE} | {
        "expired"}
