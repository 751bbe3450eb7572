"""Recording and replaying HTTP traffic as httpx transports, and the cassette files.

Rules a reader must not break:
- Replay never reaches the network; recording redacts before anything is written.

What lives where: ``recorder``, ``replay``, ``file`` (vcrpy's YAML layout, written atomically),
``mcp_http`` (the async transports of remote MCP servers' clients, into the same cassette).
"""
