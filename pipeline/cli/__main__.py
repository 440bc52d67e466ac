"""`python -m pipeline.cli`: the `stimmung` command without its console script."""

from pipeline.cli.main import app

app()
