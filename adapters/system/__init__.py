"""The machine itself: the clock, randomness, and what the system prompt says about it.

What lives where: ``clock``, ``entropy`` (the OS's CSPRNG), ``environment_probe``.
"""
