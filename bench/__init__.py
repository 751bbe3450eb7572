"""hexclaw's benchmarks against named peers, side by side in one run: ``python -m bench``."""
