"""The local org's rows: the store, its indexes and its write transactions."""
