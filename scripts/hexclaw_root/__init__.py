"""hexclaw's installed root.

In site-packages, hexclaw's code lives inside this folder (``hexclaw/domain``,
``hexclaw/adapters``, ``hexclaw/entrypoints``), so the install claims no generic top-level
names: PyPI's ``entrypoints`` or ``adapters`` installed beside it are untouched and still
import as themselves. The ``hexclaw`` launcher puts this folder first on ``sys.path`` and
then imports ``entrypoints.cli`` as the code itself does. Nothing is imported here.
"""
