"""Outputs: maps (folium, offline), charts, text tables, reports and their versions."""
