"""Analyses: pure functions from snapshots to GeoDataFrames and tables (line of contact,
freeze, zones, diff, timeline, movement, compliance, statistics)."""
