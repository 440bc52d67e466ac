-- Daily brand metrics for BI tools: one row per brand and day.
CREATE VIEW v_brand_daily AS
SELECT
    m.brand,
    m.day,
    m.volume,
    m.negative,
    m.neutral,
    m.positive,
    m.unscored,
    m.net_sentiment,
    CAST(CASE WHEN m.volume > 0 THEN 1.0 * m.negative / m.volume END AS DOUBLE PRECISION)
        AS negative_share,
    m.share_of_voice,
    m.model,
    m.version,
    m.computed_at
FROM daily_brand_metrics m
