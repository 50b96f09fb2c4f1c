"""Reports over the call records: KPIs computed in SQL, grouped, rendered, exported.

`aggregate` (counts and sums by group, from the roll-ups or the calls), `report` (a report:
rows of KPIs, with Erlang A by interval), `render` and `html_report` (text, CSV, JSON, HTML),
`exports` (Asterisk queue_log, Master.csv), `grouping` (what a report's rows are).
"""
