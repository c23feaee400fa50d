"""Destinations demo-gen writes to, behind one protocol (`base.Target`): docs/architecture.md."""
