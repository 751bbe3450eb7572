"""``hexclaw doctor``: what it reports and how, apart from the probing that finds it out.

Rules a reader must not break:
- one line per check, and a check that fails names its fix on that line;
- a check never prints a secret: credentials are named by where they come from.

What lives where: ``checks`` holds the ``Check`` record and the report's lines; the probes
are in ``entrypoints/doctor.py``, which uses the adapters.
"""
