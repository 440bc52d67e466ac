-- Brand volume and sentiment per source, community and language per day.
CREATE VIEW v_community_daily AS
SELECT
    brand,
    day,
    source,
    community,
    lang,
    COUNT(*) AS volume,
    SUM(CASE WHEN label = 'negative' THEN 1 ELSE 0 END) AS negative,
    SUM(CASE WHEN label = 'neutral' THEN 1 ELSE 0 END) AS neutral,
    SUM(CASE WHEN label = 'positive' THEN 1 ELSE 0 END) AS positive,
    COUNT(DISTINCT author_id) AS authors
FROM v_mention_sentiment
GROUP BY brand, day, source, community, lang
