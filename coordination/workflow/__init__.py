"""The workflow engine: one engine for every mechanism (shared/DESIGN.md §4.1).

- access.py   who sees a case and what they may do (participants → guardian object permissions)
- engine.py   creating cases, firing declared transitions, participants, audit chain, outbox
- patterns.py the reusable patterns (request–reply, notice with receipts) as abstract models
- deadlines.py reminders and escalation of overdue cases
- graph.py    each mechanism's transition graph as SVG
"""
