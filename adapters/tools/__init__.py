"""The built-in tools, named and shaped as Claude Code names them."""
