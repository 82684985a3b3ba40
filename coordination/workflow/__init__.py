"""The workflow engine: one engine for every mechanism (shared/DESIGN.md §4.1).

- mechanisms.py  the registry: one typed declaration per mechanism, checked at start-up
- patterns/      the reusable patterns as abstract models (notice with receipts, request–reply,
                 request–review); transitions declared with transitions.case_transition
- engine/        creating cases, firing declared transitions (items included), bulk paths,
                 participants, audit chain, outbox
- access.py      who sees a case and what they may do (participants → guardian object permissions)
- opening.py     what opening a case does (read receipts, personal-data access log)
- deadlines.py   reminders and escalation of overdue cases; expiry
- graph.py       each mechanism's transition graph as SVG
"""
