-- Customer problems per brand and day: the posts assigned to each active problem and how
-- many of them are negative (a human label wins over the label at assignment time).
-- Posts of a merged problem count for the problem it was merged into (chains of merges
-- are followed). Left out: duplicates, posts by the brand's official accounts, posts still
-- waiting for a problem. model, version: the problem model (pipeline.nlp.problems).
CREATE VIEW v_problem_daily AS
WITH RECURSIVE problem_target (problem_id, target_id, depth) AS (
    SELECT problem_id, problem_id, 0 FROM problem
    UNION ALL
    SELECT t.problem_id, pr.merged_into, t.depth + 1
    FROM problem_target t
    JOIN problem pr ON pr.problem_id = t.target_id
    WHERE pr.status = 'merged' AND pr.merged_into IS NOT NULL AND t.depth < 50
)
SELECT
    pp.brand,
    tgt.problem_id,
    tgt.label,
    pp.day,
    COUNT(*) AS posts,
    SUM(CASE WHEN COALESCE(o.label, CASE WHEN pp.negative THEN 'negative' END) = 'negative'
        THEN 1 ELSE 0 END) AS negative,
    CAST(1.0 * SUM(CASE WHEN COALESCE(o.label, CASE WHEN pp.negative THEN 'negative' END)
        = 'negative' THEN 1 ELSE 0 END) / COUNT(*) AS DOUBLE PRECISION) AS negative_share,
    pp.model,
    pp.version
FROM post_problem pp
JOIN problem_target t ON t.problem_id = pp.problem_id
JOIN problem tgt ON tgt.problem_id = t.target_id AND tgt.status = 'active'
JOIN post p ON p.post_id = pp.post_id AND p.duplicate_of IS NULL
LEFT JOIN sentiment_override o ON o.post_id = pp.post_id
WHERE NOT EXISTS (
    SELECT 1 FROM official_account oa
    WHERE oa.brand = pp.brand AND oa.author_id = p.author_id
)
GROUP BY pp.brand, tgt.problem_id, tgt.label, pp.day, pp.model, pp.version
