"""Flows are checked when loaded: errors name the file, the node and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from ivr_helpers import EXAMPLES, flow

from ivr.errors import IvrConfigError
from ivr.flows import load_flow


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_examples_load_clean(name: str) -> None:
    loaded = load_flow(EXAMPLES / name)
    assert loaded.warnings == ()


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nstart: a\nnodes:\n  a: {type: hangup\n  b: [\n")
    with pytest.raises(IvrConfigError, match=r"broken\.yaml:\d+: not valid YAML"):
        load_flow(path)


def test_missing_file() -> None:
    with pytest.raises(IvrConfigError, match=r"nowhere\.yaml: cannot read"):
        load_flow("nowhere.yaml")


def test_unknown_node_reference_names_node_and_key() -> None:
    with pytest.raises(IvrConfigError) as error:
        flow("""
            name: t
            start: menu
            nodes:
              menu:
                type: menu
                prompt: main
                choices: {1: biling}
                on_exhausted: bye
              billing: {type: hangup}
              bye: {type: hangup}
            """)
    assert "nodes.menu.choices.1: no node 'biling' (did you mean 'billing'?)" in str(error.value)


def test_unknown_node_type_names_node() -> None:
    with pytest.raises(IvrConfigError) as error:
        flow("""
            name: t
            start: a
            nodes:
              a: {type: dance, next: b}
              b: {type: hangup}
            """)
    message = str(error.value)
    assert "test.yaml" in message and "nodes.a" in message and "'dance'" in message


def test_unknown_key_rejected() -> None:
    with pytest.raises(IvrConfigError, match=r"nodes\.a\.hangup\.promt: Extra inputs"):
        flow("""
            name: t
            start: a
            nodes:
              a: {type: hangup, promt: bye}
            """)


def test_loop_without_input_rejected_with_cycle_named() -> None:
    with pytest.raises(IvrConfigError) as error:
        flow("""
            name: t
            queue: q
            start: a
            nodes:
              a: {type: play, prompts: [x], next: b}
              b:
                type: branch
                when: [{language: [en], next: c}]
                otherwise: q
              c: {type: play, prompts: [y], next: a}
              q: {type: enqueue}
            """)
    assert "loop a → b → c → a never waits for caller input" in str(error.value)


def test_menu_exhausted_back_to_itself_rejected() -> None:
    # A silent caller would hear the menu forever: on_exhausted is not caller input.
    with pytest.raises(IvrConfigError, match="loop menu → menu"):
        flow("""
            name: t
            start: menu
            nodes:
              menu: {type: menu, prompt: m, choices: {1: bye}, on_exhausted: menu}
              bye: {type: hangup}
            """)


def test_loop_through_a_menu_choice_accepted() -> None:
    loaded = flow("""
        name: t
        start: menu
        nodes:
          menu:
            type: menu
            prompt: m
            retries: 2
            choices: {1: hours, 9: bye}
            on_exhausted: bye
          hours: {type: play, prompts: [opening-hours], next: menu}
          bye: {type: hangup}
        """)
    assert set(loaded.nodes) == {"menu", "hours", "bye"}


def test_loop_through_collect_accepted_but_not_through_on_invalid() -> None:
    flow("""
        name: t
        start: pin
        nodes:
          pin: {type: collect, prompt: p, store: pin, next: again, on_invalid: bye}
          again: {type: play, prompts: [x], next: pin}
          bye: {type: hangup}
        """)
    with pytest.raises(IvrConfigError, match="loop pin → again → pin"):
        flow("""
            name: t
            start: pin
            nodes:
              pin: {type: collect, prompt: p, store: pin, next: bye, on_invalid: again}
              again: {type: play, prompts: [x], next: pin}
              bye: {type: hangup}
            """)


def test_unreachable_node_is_a_warning() -> None:
    loaded = flow("""
        name: t
        start: a
        nodes:
          a: {type: hangup}
          old: {type: hangup}
        """)
    assert loaded.warnings == ("nodes.old: not reachable from start 'a'",)


def test_names_a_node_uses_must_exist() -> None:
    with pytest.raises(IvrConfigError) as error:
        flow("""
            name: t
            start: look
            nodes:
              look: {type: lookup, by: variable, variable: acount, found: b, not_found: b}
              b:
                type: branch
                when: [{open: office, next: q}]
                otherwise: q
              q: {type: enqueue}
            """)
    message = str(error.value)
    assert "nodes.look.variable: no collect or set node writes 'acount'" in message
    assert "nodes.b.when.0.open: no calendar 'office'" in message
    assert "nodes.q: no queue here" in message


def test_queue_must_be_set_on_every_path_to_enqueue() -> None:
    text = """
        name: t
        start: m
        nodes:
          m: {type: menu, prompt: x, choices: {1: sales, 2: q}, on_exhausted: q}
          sales: {type: set, queue: sales, next: q}
          q: {type: enqueue}
        """
    with pytest.raises(IvrConfigError, match=r"nodes\.q: no queue here"):
        flow(text)
    assert flow(text.replace("2: q}, on_exhausted: q", "2: sales}, on_exhausted: sales"))


def test_bad_values_named() -> None:
    with pytest.raises(IvrConfigError) as error:
        flow("""
            name: t
            start: m
            time_zone: Mars/Olympus
            nodes:
              m: {type: menu, prompt: x, choices: {12: b}, on_exhausted: b, retries: -1}
              b: {type: collect, prompt: x, store: v, validate: regex, next: c, on_invalid: c}
              c: {type: hangup}
            """)
    message = str(error.value)
    assert "time_zone: expected an IANA time zone like 'Europe/Paris'" in message
    assert "nodes.m.menu.retries: Input should be greater than or equal to 0 (got -1)" in message
    assert "nodes.b.collect: pattern goes with validate: regex" in message
    with pytest.raises(IvrConfigError, match=r"nodes\.m\.menu: choices: expected single keys"):
        flow("""
            name: t
            start: m
            nodes:
              m: {type: menu, prompt: x, choices: {12: b}, on_exhausted: b}
              b: {type: hangup}
            """)
