"""LPI intake: configuration, the intake pipeline as plain functions, and the ``lpi`` command."""
