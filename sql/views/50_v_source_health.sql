-- Source health for operations dashboards.
CREATE VIEW v_source_health AS
SELECT
    source,
    kind,
    status,
    consecutive_failures,
    retry_after,
    last_run_at,
    last_success_at,
    last_items,
    last_duration_s,
    last_error
FROM source_state
