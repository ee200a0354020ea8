"""Command line: ``python -m analysis <command>`` (see `analysis.cli.main`)."""
from analysis.cli.main import main

__all__ = ["main"]
