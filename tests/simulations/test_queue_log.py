"""Replaying an Asterisk queue_log through the router."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulations.queue_log import read_queue_log
from simulations.runner import run_replications, workload
from simulations.scenario import ScenarioError, load_scenario

LOG = """\
1700000000|1700000000.12|support|NONE|ENTERQUEUE||5550001|1
1700000001|1700000000.12|support|PJSIP/1001|RINGNOANSWER|15000
1700000005|1700000000.12|support|PJSIP/1001|CONNECT|5|1700000005.13|2
1700000010|1700000010.14|support|NONE|ENTERQUEUE||5550002|1
1700000040|1700000010.14|support|NONE|ABANDON|1|1|30
1700000065|1700000000.12|support|PJSIP/1001|COMPLETECALLER|5|60|1
1700000070|1700000070.20|sales|NONE|ENTERQUEUE||5550003|1
1700000071|1700000070.20|sales|PJSIP/1002|CONNECT|1|1700000071.21|1
1700000171|1700000070.20|sales|PJSIP/1002|TRANSFER|2000|default|1|100|1
1700000200|1700000200.30|support|NONE|ENTERQUEUE||5550004|1
1700000300|NONE|NONE|PJSIP/1001|PAUSE|lunch
"""

SCENARIO = """
name: replay
horizon_s: 3600
queues: [{name: support}, {name: sales}]
call_types:
  - {name: support, queue: support, handle_time: {dist: exponential, mean_s: 60},
     patience: {dist: exponential, mean_s: 120}}
  - {name: sales, queue: sales, handle_time: {dist: exponential, mean_s: 60}}
agent_groups: [{name: g, count: 2, skills: {}}]
trace: {queue_log: queue_log}
"""


def test_reads_arrivals_waits_and_talk_times(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(LOG)
    calls, still_open = read_queue_log(path)
    assert still_open == 1  # the 1700000200 call never ended in this log
    assert [(c.arrival_s, c.queue, c.handle_s, c.waited_s, c.answered) for c in calls] == [
        (0.0, "support", 60.0, 5.0, True),
        (10.0, "support", 0.0, 30.0, False),
        (70.0, "sales", 100.0, 1.0, True),
    ]


def test_a_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(LOG.replace("|ABANDON|1|1|30", "|ABANDON|1|1|soon"))
    with pytest.raises(ScenarioError, match=r"queue_log:5: ABANDON line has bad or missing data"):
        read_queue_log(path)
    path.write_text("garbage\n")
    with pytest.raises(ScenarioError, match=r"queue_log:1: expected epoch"):
        read_queue_log(path)


def test_replay_through_the_router(tmp_path: Path) -> None:
    (tmp_path / "queue_log").write_text(LOG)
    (tmp_path / "s.yaml").write_text(SCENARIO)
    scenario = load_scenario(tmp_path / "s.yaml")
    calls = list(workload(scenario, np.random.SeedSequence(0), tmp_path))
    assert [(c.call_type, c.arrival_s) for c in calls] == [(0, 0.0), (0, 10.0), (1, 70.0)]
    assert calls[0].patience_s > 5.0  # answered after 5 s: patience drawn above that
    assert calls[1].patience_s == 30.0  # the abandon's logged wait
    assert calls[2].patience_s == float("inf")  # sales has no patience distribution
    [run] = run_replications(scenario, replications=1, seed=0, base_dir=tmp_path)
    offered = sum(t.offered for t in run.calls.values())
    answered = sum(t.answered for t in run.calls.values())
    assert (offered, answered) == (3, 3)  # two agents: nobody waits, nobody abandons


def test_a_log_queue_without_a_call_type_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "queue_log").write_text(LOG.replace("|sales|", "|billing|"))
    (tmp_path / "s.yaml").write_text(SCENARIO)
    scenario = load_scenario(tmp_path / "s.yaml")
    with pytest.raises(ScenarioError, match="queue 'billing' of the log has no call type"):
        list(workload(scenario, np.random.SeedSequence(0), tmp_path))
