"""The ledger: runs, items keyed by target and signature, locks, plan and content caches."""
