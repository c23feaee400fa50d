"""Scripted stories for hero deals: a script found in the org, applied to its plan."""
