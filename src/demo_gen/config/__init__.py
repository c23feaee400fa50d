"""The configuration: strict YAML with file:line errors, the secrets, preflight checks."""
