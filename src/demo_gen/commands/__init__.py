"""The commands: the only modules that know the order of steps (DESIGN.md §3)."""
