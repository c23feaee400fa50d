"""The objects and fields the local org holds."""
