-- One row per logical resource: its current version.
CREATE TABLE resources (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    last_updated BIGINT NOT NULL, -- microseconds since the Unix epoch, UTC
    deleted BOOLEAN NOT NULL,
    UNIQUE (res_type, res_id)
);

-- Every version of every resource, the current one included. content is NULL for a deletion.
CREATE TABLE resource_versions (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    method TEXT NOT NULL,
    content TEXT,
    UNIQUE (res_pk, version)
);
CREATE INDEX resource_versions_type_time ON resource_versions (res_type, last_updated, pk);
CREATE INDEX resource_versions_time ON resource_versions (last_updated, pk);

-- Token search index of the current versions (system '' means: no system).
CREATE TABLE search_token (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (res_pk, param, system, code)
) WITHOUT ROWID;
CREATE INDEX search_token_value ON search_token (res_type, param, code, system, res_pk);
