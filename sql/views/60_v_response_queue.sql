-- The response queue: one row per question or complaint that mentions a brand, with
-- whether one of that brand's official accounts answered it, i.e. replied anywhere in the
-- thread below the post (directly or deeper down). Open posts: WHERE answered = 0.
-- Left out: duplicates (cross-posts) and posts by the brand's own official accounts. A
-- reply by an official account answers even when it is itself a duplicate (canned answers
-- are exact duplicates of each other), and the thread is followed through duplicates.
-- intent: one row per intent model version (intent_model, intent_version: filter on the
-- one you use). label: as in v_mention_sentiment (a human label, else the score of the
-- model behind that day's metrics; NULL until the day is aggregated). first_answer_at:
-- when the first official reply below the post was written (NULL: unanswered).
-- engagement: the source's metrics (JSON), for reach (pipeline.reputation.reach).
CREATE VIEW v_response_queue AS
WITH RECURSIVE official_answer (post_id, brand, answered_at, depth) AS (
    -- every post above a reply by an official account (walked up the thread)
    SELECT r.parent_post_id, oa.brand, r.created_at, 1
    FROM post r
    JOIN official_account oa ON oa.author_id = r.author_id
    WHERE r.parent_post_id IS NOT NULL
    UNION ALL
    SELECT p.parent_post_id, a.brand, a.answered_at, a.depth + 1
    FROM official_answer a
    JOIN post p ON p.post_id = a.post_id
    WHERE p.parent_post_id IS NOT NULL AND a.depth < 100
)
SELECT
    mn.brand,
    p.post_id,
    p.source,
    p.community,
    p.url,
    p.title,
    p.text,
    p.lang,
    p.created_at,
    mn.day,
    p.engagement,
    i.label AS intent,
    i.model AS intent_model,
    i.version AS intent_version,
    COALESCE(o.label, s.label) AS label,
    CASE WHEN a.first_answer_at IS NULL THEN 0 ELSE 1 END AS answered,
    a.first_answer_at
FROM mention mn
JOIN post p ON p.post_id = mn.post_id AND p.duplicate_of IS NULL
JOIN intent i ON i.post_id = mn.post_id AND i.label IN ('question', 'complaint')
LEFT JOIN daily_brand_metrics d ON d.brand = mn.brand AND d.day = mn.day
LEFT JOIN sentiment s
    ON s.post_id = mn.post_id AND s.model = d.model AND s.version = d.version
LEFT JOIN sentiment_override o ON o.post_id = mn.post_id
LEFT JOIN (
    SELECT post_id, brand, MIN(answered_at) AS first_answer_at
    FROM official_answer
    GROUP BY post_id, brand
) a ON a.post_id = mn.post_id AND a.brand = mn.brand
WHERE NOT EXISTS (
    SELECT 1 FROM official_account oa
    WHERE oa.brand = mn.brand AND oa.author_id = p.author_id
)
