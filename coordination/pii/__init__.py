"""Personal data for every mechanism that carries it: resident ID numbers (GB 11643) and phone
numbers encrypted at rest, searchable by keyed hash, masked by default, opened only through
an audited access."""
