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
        (Route("4000", "support"),
         Route("4001", "vip", priority=5, skills="billing:3&en:1|billing:5", language="zh",
               tier="vip")),
        trunk="carrier",
    )


def test_rendered_text_matches_the_golden_file() -> None:
    # Regenerate deliberately (and review the diff) when docs/engine.md changes.
    assert engine_contexts(_params()).render() == GOLDEN.read_text()


def test_render_is_deterministic_and_has_the_documented_contexts() -> None:
    plan = engine_contexts(_params())
    assert plan.render() == engine_contexts(_params()).render()
    assert [c.name for c in plan.contexts] == [
        "cc-inbound", "cc-enqueue", "cc-hold", "cc-agent", "cc-connect", "cc-overflow",
        "cc-outbound"]
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
])
def test_bad_routes_are_rejected_naming_the_field(route: Route, field: str) -> None:
    with pytest.raises(DialplanParamsError, match=rf"routes\[0\]\.{field}"):
        engine_contexts(EngineDialplanParams((route,)))


def test_a_did_routed_twice_is_rejected() -> None:
    with pytest.raises(DialplanParamsError, match="routed twice"):
        engine_contexts(EngineDialplanParams((Route("4000", "a"), Route("4000", "b"))))
