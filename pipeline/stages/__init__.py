"""The pipeline's steps, in order: collect → analyze → aggregate → alert (→ report,
written by `pipeline.report`). `run` chains them; `tasks` is what the Airflow DAGs call.
See ARCHITECTURE.md."""
