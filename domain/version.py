"""hexclaw's version, kept import-free so ``--version`` stays instant."""

VERSION = "0.1.0"
