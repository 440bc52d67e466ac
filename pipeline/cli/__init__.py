"""The `stimmung` command line, one module per command group (`pipeline.cli.main`
assembles them); see ARCHITECTURE.md."""

from pipeline.cli.main import EXIT_SOURCES_FAILED, app

__all__ = ["EXIT_SOURCES_FAILED", "app"]
