"""The planner's parts: time zones, working days, stage cadence, slots and email threads.

Everything here is pure and deterministic; `demo_gen.stages.planner` is the entry point.
"""
