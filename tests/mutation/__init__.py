"""Mutation testing (``make mutation``): the targets, the table mutants mutmut does not make,
the list of equivalent mutants and the runner that writes docs/testing.md's table."""
