"""Prefect flows: orchestration only, thin over ``lpi.pipeline``. Importing this package is cheap;
``flows.intake`` (which imports Prefect) is imported only where a flow actually runs."""
