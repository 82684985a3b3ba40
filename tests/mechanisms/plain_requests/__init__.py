"""A test-only mechanism: a plain request–reply with one field of its own, registered in ~30
lines to prove a new mechanism needs nothing else (tests/mechanisms/test_a_new_mechanism.py)."""
