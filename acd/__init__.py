"""acd: pure skill-based routing — skills, agents, queues, calls and the policy that matches them.

No I/O, no asyncio, no wall clock: every entry point takes `now` in float seconds
and returns decisions as data for the caller to apply.
"""
