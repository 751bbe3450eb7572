"""What the model is told: the system prompt, instruction memory and attached files.

Rules a reader must not break:
- Every section of the system prompt is a pure function of data gathered once at startup,
  so a golden test with a fixed clock pins it.
- Instruction files are read through the ``InstructionFileReader`` port; imports have a depth
  limit, cycle detection and character budgets, and never leave the folder the chain started in.
- Known secret values never reach the system prompt (``prompt_secrets``).

What lives where: ``system_prompt``, ``instruction_memory``, ``starter_instructions`` (``/init``),
``environment_info``, ``file_mentions`` (``@path``, pasted image paths), ``media`` (image and
PDF blocks, their limits and page ranges), ``prompt_secrets``, ``ports``.
"""
