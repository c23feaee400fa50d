"""`demo-gen export`: a run's records (or a plan's) as JSONL, CSV or Parquet tables."""
