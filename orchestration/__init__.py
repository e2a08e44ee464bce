"""Dagster orchestration of Searchlight: raw sources, expectation checks, dbt, schedule, sensor.

Start the UI with ``dagster dev -m orchestration.definitions`` (see ``definitions.py``).
Every asset calls the same functions as the ``searchlight`` CLI: nothing is implemented
twice.
"""
