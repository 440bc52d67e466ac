-- Share of voice per day: against the configured competitors (share_of_voice) and
-- against every tracked brand (share_all_brands).
CREATE VIEW v_share_of_voice AS
SELECT
    m.brand,
    m.day,
    m.volume,
    t.total_volume,
    CAST(CASE WHEN t.total_volume > 0 THEN 1.0 * m.volume / t.total_volume END
        AS DOUBLE PRECISION) AS share_all_brands,
    m.share_of_voice
FROM daily_brand_metrics m
JOIN (
    SELECT day, SUM(volume) AS total_volume FROM daily_brand_metrics GROUP BY day
) t ON t.day = m.day
