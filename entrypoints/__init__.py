"""The command line, the REPL and the composition root that wires adapters into the domain."""
