"""The pure, seeded stages: planner, facts, content, scorecards, and the items they yield."""
