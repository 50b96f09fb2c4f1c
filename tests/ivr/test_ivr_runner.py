"""Callers walked through flows: the example bank flow end to end, and each node type."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from ivr_helpers import EXAMPLES, at, flow

from ivr.flows import Flow, load_flow
from ivr.outcomes import Blocked, CallbackRequest, Enqueue, HangUp, Transfer, Voicemail
from ivr.ports import BlockEntry, CustomerInfo, QueueStatus
from ivr.runner import run_flow
from ivr.testing import Barge, FakeServices, Hangup, ScriptedChannel, ScriptEntry

MONDAY_10AM = at("2025-03-03 10:00")
SUNDAY_10AM = at("2025-03-02 10:00")
VALID_ACCOUNT = "4111111111111111"  # passes Luhn
VIP_PHONE = "13800000001"


@pytest.fixture(scope="module")
def main() -> Flow:
    return load_flow(EXAMPLES / "main.yaml")


def services(**queues: QueueStatus) -> FakeServices:
    return FakeServices(
        by_phone={VIP_PHONE: CustomerInfo("c-vip", "Ms Li", tier="vip")},
        by_account={VALID_ACCOUNT: CustomerInfo("c-42", "Mr Wang")},
        blacklist={"13900000666": BlockEntry("13900000666", "fraud")},
        queues=queues,
    )


async def call(main: Flow, script: Sequence[ScriptEntry], *, caller_id: str = "13700000000",
               now: float = MONDAY_10AM, svc: FakeServices | None = None
               ) -> tuple[object, ScriptedChannel]:
    channel = ScriptedChannel(script, caller_id=caller_id)
    outcome = await run_flow(main, channel, svc or services(), now=now)
    return outcome, channel


async def test_vip_gets_priority_boost_and_vip_skill(main: Flow) -> None:
    outcome, channel = await call(main, ["2", "2"], caller_id=VIP_PHONE)
    assert outcome == Enqueue(
        queue="support", priority=5, skills="support:2&vip:1", language="en", tier="vip",
        customer_id="c-vip",
        path=("screen", "identify", "hours", "welcome", "language_menu=2", "english",
              "main_menu=2", "support", "wait_check", "enqueue"),
    )
    assert channel.heard[:2] == ["cc/zh/welcome", "cc/zh/choose-language"]
    assert channel.heard[2] == "cc/en/main-menu"


async def test_account_number_identifies_customer(main: Flow) -> None:
    outcome, _ = await call(main, ["1", "1", VALID_ACCOUNT])
    assert isinstance(outcome, Enqueue)
    assert (outcome.queue, outcome.skills, outcome.customer_id) == ("billing", "billing:3", "c-42")
    assert "account_number=" + VALID_ACCOUNT in outcome.path


async def test_wrong_account_twice_goes_to_general_queue(main: Flow) -> None:
    outcome, channel = await call(main, ["1", "1", "4111111111111112", "123"])
    assert isinstance(outcome, Enqueue)
    assert outcome.queue == "general" and outcome.skills == "" and outcome.customer_id == ""
    assert outcome.path[-4:] == ("account_number", "general", "wait_check", "enqueue")
    assert channel.heard.count("cc/zh/invalid-account") == 2


async def test_out_of_hours_goes_to_voicemail(main: Flow) -> None:
    outcome, channel = await call(main, [], now=SUNDAY_10AM)
    assert outcome == Voicemail("general", language="zh", reason="closed",
                                path=("screen", "identify", "hours", "closed"))
    assert channel.heard == ["cc/zh/closed"]


async def test_holiday_is_closed_and_special_day_has_short_hours(main: Flow) -> None:
    assert isinstance((await call(main, [], now=at("2025-10-01 10:00")))[0], Voicemail)
    assert isinstance((await call(main, [], now=at("2025-01-28 11:00")))[0], Enqueue)
    assert isinstance((await call(main, [], now=at("2025-01-28 14:00")))[0], Voicemail)


async def test_blacklisted_caller_blocked_with_message(main: Flow) -> None:
    outcome, channel = await call(main, ["1"], caller_id="13900000666")
    assert outcome == Blocked("fraud", path=("screen",))
    assert channel.heard == ["cc/zh/blocked"]


async def test_hang_up_mid_menu(main: Flow) -> None:
    outcome, _ = await call(main, ["2", Hangup()])
    assert outcome == HangUp(
        reason="caller", caller_hung_up=True,
        # the hang-up shows at the next command: the language switch in `english`
        path=("screen", "identify", "hours", "welcome", "language_menu=2", "english"),
    )


async def test_dtmf_garbage_is_invalid_input(main: Flow) -> None:
    outcome, channel = await call(main, ["2", "*", "x", "12"])
    assert isinstance(outcome, Enqueue) and outcome.queue == "general"
    assert channel.heard.count("cc/en/invalid") == 3
    garbage_accounts = ["1", "1", "41111*1111111111", "411111111111111100001"]
    outcome, _ = await call(main, garbage_accounts)
    assert isinstance(outcome, Enqueue) and outcome.queue == "general"


async def test_language_menu_silence_keeps_default_language(main: Flow) -> None:
    outcome, channel = await call(main, ["", "0"])
    assert isinstance(outcome, Enqueue)
    assert (outcome.language, outcome.queue, outcome.priority) == ("zh", "general", 1)
    assert "cc/zh/invalid" not in channel.heard


async def test_long_wait_offers_callback_on_caller_id(main: Flow) -> None:
    busy = services(support=QueueStatus(waiting=3, expected_wait_s=900, agents_logged_in=4,
                                        agents_available=0))
    outcome, channel = await call(main, ["2", "2", "1", "1"], svc=busy)
    assert outcome == CallbackRequest(
        queue="support", number="13700000000", language="en",
        path=("screen", "identify", "hours", "welcome", "language_menu=2", "english",
              "main_menu=2", "support", "wait_check", "long_wait=1", "callback"),
    )
    assert "digits:13700000000" in channel.heard


async def test_callback_number_typed_when_withheld_or_given_up(main: Flow) -> None:
    busy = services(general=QueueStatus(30, None, 4, 0))
    to_long_wait = ["1", "9", "9", "9", "1"]  # zh, three wrong keys → general, 1 = callback
    outcome, channel = await call(main, [*to_long_wait, "13611112222", "1"], svc=busy,
                                  caller_id="")
    assert isinstance(outcome, CallbackRequest) and outcome.number == "13611112222"
    assert channel.heard[-1] == "cc/zh/callback-registered"
    outcome, _ = await call(main, [*to_long_wait, "12", "", "x"], svc=busy, caller_id="")
    assert isinstance(outcome, Enqueue) and outcome.path[-2:] == ("callback", "enqueue")


SMALL = """
    name: t
    queue: general
    languages: [en, zh]
    start: {start}
    tiers:
      gold: {{priority_boost: 8, skills: {{gold: 2}}, replace_skills: true, queue: premium}}
    nodes:
{nodes}
      bye: {{type: hangup, prompt: goodbye, reason: done}}
"""


def small(start: str, nodes: str) -> Flow:
    indented = "\n".join("      " + line for line in nodes.strip().splitlines())
    return flow(SMALL.format(start=start, nodes=indented))


async def run(f: Flow, script: Sequence[ScriptEntry] = (), *, caller_id: str = "",
              svc: FakeServices | None = None, now: float = MONDAY_10AM
              ) -> tuple[object, ScriptedChannel]:
    channel = ScriptedChannel(script, caller_id=caller_id)
    return await run_flow(f, channel, svc or FakeServices(), now=now), channel


async def test_play_and_hangup() -> None:
    f = small("hi", "hi: {type: play, prompts: [hello, 'custom/{lang}/promo'], next: bye}")
    outcome, channel = await run(f)
    assert outcome == HangUp("done", path=("hi", "bye"))
    assert channel.heard == ["hello", "custom/en/promo", "goodbye"]


async def test_menu_barge_in_and_explicit_fallbacks() -> None:
    f = small("m", """
m:
  type: menu
  prompt: [one, two]
  choices: {1: bye, "#": bye}
  invalid: {prompt: wrong, next: op}
  timeout: {prompt: hurry}
  retries: 1
  on_exhausted: op
op: {type: transfer, extension: "100", context: operators}
""")
    outcome, channel = await run(f, [Barge("1")])
    assert isinstance(outcome, HangUp) and outcome.path == ("m=1", "bye")
    assert channel.heard == ["one", "goodbye"]
    outcome, channel = await run(f, ["5"])
    assert outcome == Transfer("100", context="operators", path=("m", "op"))
    assert channel.heard == ["one", "two", "wrong"]
    outcome, channel = await run(f, ["", ""])
    assert isinstance(outcome, Transfer)
    assert channel.heard.count("hurry") == 2


async def test_collect_regex_and_hidden_value() -> None:
    f = small("pin", """
pin:
  type: collect
  prompt: enter-pin
  min_digits: 4
  max_digits: 4
  validate: regex
  pattern: "[1-9][0-9]{3}"
  store: pin
  show_in_path: false
  next: check
  on_invalid: bye
check:
  type: branch
  when: [{variable: {name: pin, equals: "1234"}, next: out}]
  otherwise: bye
out: {type: transfer, number: "+8610123456"}
""")
    outcome, _ = await run(f, ["0123", "1234"])
    assert outcome == Transfer("+8610123456", path=("pin", "check", "out"))


async def test_lookup_by_caller_id_without_caller_id_is_not_found() -> None:
    f = small("who", """
who: {type: lookup, found: q, not_found: bye}
q: {type: enqueue}
""")
    svc = FakeServices(by_phone={"": CustomerInfo("ghost")})
    outcome, _ = await run(f, svc=svc)
    assert isinstance(outcome, HangUp) and svc.lookups == []


async def test_set_node_and_dedicated_tier_queue() -> None:
    f = small("s", """
s:
  type: set
  skills: {billing: 4}
  priority: 3
  language: zh
  queue: billing
  tier: gold
  variables: {segment: retail}
  next: q
q: {type: enqueue, skills: {english: 2}, alternatives: [{general: 1}]}
""")
    outcome, _ = await run(f)
    assert outcome == Enqueue(queue="premium", priority=9, skills="gold:2|gold:2",
                              language="zh", tier="gold", path=("s", "q"))


async def test_enqueue_alternatives_without_tier() -> None:
    f = small("q", "q: {type: enqueue, queue: sales, priority: 2, skills: {sales: 3}, "
                   "alternatives: [{general: 1}]}")
    outcome, _ = await run(f)
    assert outcome == Enqueue(queue="sales", priority=2, skills="sales:3|general:1",
                              path=("q",))


async def test_blacklisted_routed_to_supervisor() -> None:
    f = small("bl", """
bl: {type: blacklist_check, on_blocked: sup, next: bye}
sup: {type: enqueue, queue: supervisors}
""")
    svc = FakeServices(blacklist={"555": BlockEntry("555", "abuse")})
    outcome, channel = await run(f, caller_id="555", svc=svc)
    assert isinstance(outcome, Enqueue) and outcome.queue == "supervisors"
    assert channel.heard == []


@pytest.mark.parametrize(
    ("condition", "now", "status", "taken"),
    [
        ("time_between: '22:00-06:00'", at("2025-03-03 23:30", "UTC"), None, True),
        ("time_between: '22:00-06:00'", at("2025-03-03 12:00", "UTC"), None, False),
        ("weekday: [sat, sun]", at("2025-03-02 12:00", "UTC"), None, True),
        ("language: [zh]", MONDAY_10AM, None, False),
        ("agents_available_below: {queue: x, n: 1}", MONDAY_10AM, QueueStatus(0, 0, 3, 0), True),
        ("queue_waiting_at_least: {n: 5}", MONDAY_10AM, QueueStatus(5, 0, 3, 0), True),
        ("ewt_over_s: {queue: x, s: 60}", MONDAY_10AM, QueueStatus(5, None, 3, 0), False),
        ("holiday: cal", at("2025-12-25 12:00", "UTC"), None, True),
        ("holiday: cal", at("2025-12-26 12:00", "UTC"), None, False),
        ("closed: cal", at("2025-12-25 12:00", "UTC"), None, True),
    ],
)
async def test_branch_conditions(condition: str, now: float, status: QueueStatus | None,
                                 taken: bool) -> None:
    f = flow(f"""
        name: t
        start: b
        queue: x
        calendars:
          cal: {{weekly: {{thu: ["00:00-24:00"]}}, holidays: [2025-12-25]}}
        nodes:
          b:
            type: branch
            when: [{{{condition}, next: taken}}]
            otherwise: skipped
          taken: {{type: hangup, reason: "taken"}}
          skipped: {{type: hangup, reason: "skipped"}}
        """)
    svc = FakeServices(queues={"x": status} if status else {})
    outcome, _ = await run(f, svc=svc, now=now)
    assert isinstance(outcome, HangUp) and outcome.reason == ("taken" if taken else "skipped")


async def test_survey_node_sets_scores() -> None:
    f = small("s", "s: {type: survey, settings: {csat: true, nps: true}, next: bye}")
    outcome, channel = await run(f, ["4", "10"])
    assert isinstance(outcome, HangUp) and not outcome.caller_hung_up
    assert channel.variables == {"CHANNEL(language)": "en", "CC_SURVEY_CSAT": "4",
                                 "CC_SURVEY_NPS": "10"}


async def test_step_limit_stops_a_caller_looping_on_purpose() -> None:
    f = flow("""
        name: t
        start: m
        max_steps: 10
        nodes:
          m: {type: menu, prompt: m, choices: {1: again}, on_exhausted: bye}
          again: {type: play, prompts: [x], next: m}
          bye: {type: hangup}
        """)
    outcome, _ = await run(f, ["1"] * 50)
    assert isinstance(outcome, HangUp) and outcome.reason == "step_limit"
    assert len(outcome.path) == 10


async def test_the_channel_speaks_the_flows_language_and_follows_a_switch() -> None:
    f = small("s", "s: {type: set, language: zh, next: bye}")
    _, channel = await run(f, [])
    assert channel.variables["CHANNEL(language)"] == "zh"  # SAY NUMBER follows it
