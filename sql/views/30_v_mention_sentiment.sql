-- One row per counted mention (duplicates left out) with the label that feeds the
-- metrics: a human label if there is one, else the score of the model behind that
-- day's metrics. For drill-downs by source, community, language and author.
CREATE VIEW v_mention_sentiment AS
SELECT
    mn.brand,
    mn.day,
    p.post_id,
    p.created_at,
    p.source,
    p.community,
    p.lang,
    p.author_id,
    p.url,
    COALESCE(o.label, s.label) AS label,
    s.negative AS p_negative,
    s.neutral AS p_neutral,
    s.positive AS p_positive,
    CASE WHEN o.label IS NULL THEN 0 ELSE 1 END AS human_label
FROM mention mn
JOIN post p ON p.post_id = mn.post_id AND p.duplicate_of IS NULL
LEFT JOIN daily_brand_metrics d ON d.brand = mn.brand AND d.day = mn.day
LEFT JOIN sentiment s
    ON s.post_id = mn.post_id AND s.model = d.model AND s.version = d.version
LEFT JOIN sentiment_override o ON o.post_id = mn.post_id
