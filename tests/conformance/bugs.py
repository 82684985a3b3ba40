"""Platform bugs the conformance suite found and the other engineer fixes: test-id pattern (a
regular expression searched in the node id) → what is wrong. Each marks its tests
`xfail(strict=True)`, so a fix makes them pass loudly and the entry is removed."""

KNOWN: dict[str, str] = {}
