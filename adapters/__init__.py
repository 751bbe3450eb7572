"""Implementations of the domain's ports: HTTP, files, processes, terminal."""
