"""The pure core of hexclaw: protocols, policies and state machines with no I/O.

Rules a reader must not break:
- Nothing here touches the network, the filesystem, the clock or randomness directly: those
  arrive through ports (``domain.ports`` for the clock and randomness, each area's own
  ``ports`` module for the rest). import-linter forbids the I/O modules; ruff bans the calls
  that read the clock.
- Areas stack (import-linter checks it): ``loop`` on top; then ``permissions``, ``auth``,
  ``context``, ``sessions``, ``display``, ``commands``; then ``cassettes``; ``conversation``;
  ``stream``; ``settings`` and ``tools``; ``messages`` at the bottom. An area imports only
  areas below it, and no two modules or packages import each other in a cycle.

Root modules, usable by every area: ``errors`` (the root of the error hierarchy),
``repr_base`` (the one ``__repr__`` of every attrs class), ``version``, ``model_catalog``
(model families: output budget, context window), ``cost`` and ``price_table``,
``permission_modes``, ``secret_names``, ``startup_errors``, ``ports``.
"""
