"""The pure core of hexclaw: protocols, policies and state machines with no I/O.

Rule: nothing in this package touches the network, the filesystem, the clock or
randomness directly. Those arrive through the ports in ``domain.ports``.
"""
