"""`dialplans.check`: a fresh render is clean; each kind of breakage is reported at its file
and line; the extensions.conf reader follows Asterisk's syntax."""

from __future__ import annotations

from pathlib import Path

from dialplans.check import check_directory
from dialplans.extensions_conf import parse_extensions
from dialplans.findings import Finding, Severity
from dialplans.inputs import RenderInput


def errors(findings: list[Finding]) -> list[str]:
    return [f"{f.file.name}:{f.line}: {f.message}" for f in findings
            if f.severity is Severity.ERROR]


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (once) and return the line number it was on."""
    text = path.read_text()
    assert text.count(old) == 1, old
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new))
    return line


def test_a_fresh_render_has_no_errors_only_the_sites_own_parts(
        rendered: Path, site_input: RenderInput) -> None:
    findings = check_directory(rendered, expected=site_input)
    assert errors(findings) == []
    assert [f.message.split(" (")[0].split(":")[0] for f in findings] == [
        "transfer context [from-internal] is not defined here",
        "no trunk endpoint [carrier]"]
    assert check_directory(rendered) == [f for f in findings if "trunk" in f.message]


def test_a_goto_to_a_missing_context_is_reported_at_its_line(rendered: Path) -> None:
    line = edit(rendered / "extensions.conf", " n,Answer()\n same => n,Goto(cc-hold,s,1)",
                " n,Answer()\n same => n,Goto(cc-holding,s,1)")
    assert errors(check_directory(rendered)) == [
        f"extensions.conf:{line + 1}: Goto(cc-holding,s,1): no context [cc-holding]"]


def test_a_missing_ivr_exit_value_is_reported(rendered: Path) -> None:
    edit(rendered / "extensions.conf", "exten => blocked,1,Hangup(21)\n", "")
    found = errors(check_directory(rendered))
    assert len(found) == 1
    assert "Goto(cc-ivr-exit,${CC_IVR_EXIT},1): no extension blocked in [cc-ivr-exit]" in found[0]


def test_a_missing_label_and_a_missing_include_are_reported(rendered: Path) -> None:
    path = rendered / "extensions.conf"
    edit(path, " same => n(wait),Wait(3600)", " same => n(waiting),Wait(3600)")
    edit(path, "[cc-outbound]  ; click-to-dial: the agent's device is originated here\n",
         "[cc-outbound]\ninclude => outbound-extra\n")
    found = errors(check_directory(rendered))
    assert any("Goto(wait): [cc-agent] s has no priority wait" in f for f in found)
    assert any("includes [outbound-extra], which does not exist" in f for f in found)


def test_an_agi_url_with_the_wrong_port_or_an_unknown_flow_is_an_error(
        rendered: Path, site_input: RenderInput) -> None:
    path = rendered / "extensions.conf"
    hold = edit(path, "AGI(agi://127.0.0.1:4573/hold)", "AGI(agi://127.0.0.1:4574/hold)")
    flow = edit(path, "AGI(agi://127.0.0.1:4573/ivr/main)", "AGI(agi://127.0.0.1:4573/ivr/mian)")
    found = errors(check_directory(rendered, expected=site_input))
    assert (f"extensions.conf:{hold}: AGI(agi://127.0.0.1:4574/hold): the engine listens on "
            "agi://127.0.0.1:4573, not agi://127.0.0.1:4574") in found
    assert (f"extensions.conf:{flow}: AGI(agi://127.0.0.1:4573/ivr/mian): unknown IVR flow "
            "'mian' (flows: main)") in found
    assert any("route 4000: expected AGI(.../ivr/main)" in f for f in found)


def test_an_unknown_script_and_a_missing_engine_context_are_errors(rendered: Path) -> None:
    path = rendered / "extensions.conf"
    edit(path, "AGI(agi://127.0.0.1:4573/survey)", "AGI(agi://127.0.0.1:4573/poll)")
    edit(path, "exten => whisper,1,Playback(${CC_WHISPER})\n same => n,Goto(s,1)\n", "")
    found = errors(check_directory(rendered))
    assert any("the engine serves no script 'poll'" in f for f in found)
    assert any("no extension whisper in [cc-agent]: the engine sends channels to "
               "cc-agent,whisper,1" in f for f in found)


def test_routes_that_differ_from_the_config_are_errors(
        rendered: Path, site_input: RenderInput) -> None:
    line = edit(rendered / "extensions.conf", "exten => 4009,1,", "exten => 4010,1,")
    found = errors(check_directory(rendered, expected=site_input))
    assert "route 4009 (queue billing) has no extension in [cc-inbound]" in found[0]
    assert f"extensions.conf:{line}: [cc-inbound] 4010 is not a route in the config" in found


def test_a_missing_agent_endpoint_is_an_error(rendered: Path, site_input: RenderInput) -> None:
    path = rendered / "pjsip.conf"
    path.write_text(path.read_text().replace("[1008]\ntype = endpoint", "[1009]\ntype = endpoint"))
    assert errors(check_directory(rendered, expected=site_input)) == [
        "pjsip.conf:0: no endpoint [1008] for agent 1008 (PJSIP/1008)"]


def test_a_manager_user_lacking_a_class_is_an_error_at_its_line(
        rendered: Path, site_input: RenderInput) -> None:
    path = rendered / "manager.conf"
    line = edit(path, "write = call,originate,reporting,system", "write = call,reporting")
    read = edit(path, "read = call,user", "read = all")
    assert errors(check_directory(rendered, expected=site_input)) == [
        f"manager.conf:{line}: manager user callcenter lacks write class(es) originate,system "
        "(docs/dialplan.md)"]
    assert read < line


def test_a_missing_music_class_is_an_error(rendered: Path) -> None:
    edit(rendered / "musiconhold.conf", "[callcenter]", "[default]")
    assert errors(check_directory(rendered)) == [
        "musiconhold.conf:0: no music class [callcenter] (MusicOnHold)"]


def test_missing_sound_files_are_listed_with_their_prompts_txt_line(
        rendered: Path, tmp_path: Path) -> None:
    sounds = tmp_path / "sounds"
    names = [line for line in (rendered / "prompts.txt").read_text().splitlines()
             if line and not line.startswith((";", "["))]
    for i, name in enumerate(names):
        if name != "cc/zh/all-agents-busy":
            file = sounds / f"{name}.{('wav', 'gsm', 'sln16')[i % 3]}"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(b"")
    lines = (rendered / "prompts.txt").read_text().splitlines()
    line = lines.index("cc/zh/all-agents-busy") + 1
    found = errors(check_directory(rendered, sounds=sounds))
    assert len(found) == 1 and found[0].startswith(
        f"prompts.txt:{line}: sound cc/zh/all-agents-busy not found in {sounds}")


def test_placeholder_secrets_are_warnings(rendered: Path) -> None:
    edit(rendered / "manager.conf", "secret = ami-s3cret", "secret = CHANGE-ME-set-X")
    warnings = [f for f in check_directory(rendered) if f.severity is Severity.WARNING]
    assert any("manager user callcenter: placeholder secret" in f.message for f in warnings)


def test_the_reader_follows_includes_n_priorities_labels_hints_and_comments(
        tmp_path: Path) -> None:
    (tmp_path / "extensions.conf").write_text(
        "[general]\nstatic=yes\n"
        "[globals]\nX=1\n"
        "#include \"site.conf\"\n")
    (tmp_path / "site.conf").write_text(
        "[from-trunk]\n"
        "include => cc ; the engine\n"
        "exten => 100,hint,PJSIP/100\n"
        "exten => 100,1,NoOp(semi\\;colon)\n"
        " same => n(again),Wait(1)\n"
        " same => n,GotoIf($[${X} = 1]?again:cc,57,1)\n"
        "exten => 200/5551234,1,Gosub(cc,55,lbl(arg1,arg2))\n"
        ";-- a block\n"
        "exten => 300,1,Goto(nowhere,s,1)\n"
        "--;\n"
        "[cc]\n"
        "exten => _5X,1,NoOp()\n"
        " same => n(lbl),Return()\n")
    plan = parse_extensions(tmp_path / "extensions.conf")
    assert plan.problems == []
    trunk = plan.contexts["from-trunk"]
    assert [s.number for s in trunk.extens["100"].steps] == [1, 2, 3]
    assert trunk.extens["100"].steps[0].data == "semi;colon"
    assert trunk.extens["100"].step("again") is not None
    assert "300" not in trunk.extens
    assert plan.find("from-trunk", "55") is plan.contexts["cc"].extens["_5X"]
    from dialplans.check import _jumps

    assert list(_jumps(plan)) == []
    assert plan.find("from-trunk", "65") is None
