-- Schema version 4: comment themes and sentiment, stored so the app reads them instead of fitting the theme
-- model and scoring sentiment in every new process. Every import and the demo build end by calling
-- cxdash.insight.themes.refresh, which fits again only when the comments changed. meta 'themes_fingerprint'
-- names the comments they were computed on; while it matches the comments, readers use these tables,
-- otherwise they compute in-process as before.
CREATE TABLE comment_themes (
    comment_id VARCHAR NOT NULL,
    theme INTEGER NOT NULL,  -- -1: too short to classify
    strength DOUBLE NOT NULL,
    sentiment DOUBLE NOT NULL  -- VADER compound, -1..1
);

CREATE TABLE theme_words (
    theme INTEGER NOT NULL,
    rank INTEGER NOT NULL,  -- 1: the theme's strongest word
    word VARCHAR NOT NULL
);
