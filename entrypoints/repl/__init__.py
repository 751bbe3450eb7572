"""``hexclaw`` with no ``-p``: the interactive REPL.

What lives where: ``session`` (the read-eval loop), ``state`` (what it knows between turns),
``commands`` (the slash commands, one registry).
"""
