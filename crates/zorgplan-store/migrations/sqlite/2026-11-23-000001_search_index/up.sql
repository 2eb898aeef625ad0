-- The other search index tables of the current versions (tokens are in search_token).
-- A CodeableConcept's text and a Coding's display (token :text) are string rows of the
-- parameter '<code>:text'. Each table is keyed by the resource first (deleting a resource's
-- rows is a range of the key) and has one index for lookups by value: two B-trees per
-- table, which every write of a resource touches.
CREATE TABLE search_string (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    normalized TEXT NOT NULL, -- lower case, without accents
    exact TEXT NOT NULL,
    PRIMARY KEY (res_pk, param, normalized, exact)
) WITHOUT ROWID;
CREATE INDEX search_string_value ON search_string (res_type, param, normalized, res_pk);

-- target_type/target_id: a reference to a resource ('' when it names none); url: an absolute
-- or canonical reference ('' for a relative one).
CREATE TABLE search_reference (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (res_pk, param, target_type, target_id, url)
) WITHOUT ROWID;
CREATE INDEX search_reference_target ON search_reference (res_type, param, target_id, target_type, res_pk);
CREATE INDEX search_reference_url ON search_reference (res_type, param, url) WHERE url <> '';

-- The instants a date value covers, microseconds since the epoch (UTC), first and last.
CREATE TABLE search_date (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    low BIGINT NOT NULL,
    high BIGINT NOT NULL,
    PRIMARY KEY (res_pk, param, low, high)
) WITHOUT ROWID;
CREATE INDEX search_date_low ON search_date (res_type, param, low, high, res_pk);

CREATE TABLE search_number (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (res_pk, param, text)
) WITHOUT ROWID;
CREATE INDEX search_number_value ON search_number (res_type, param, value, res_pk);

CREATE TABLE search_quantity (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    unit TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (res_pk, param, text, system, code, unit)
) WITHOUT ROWID;
CREATE INDEX search_quantity_value ON search_quantity (res_type, param, value, res_pk);

CREATE TABLE search_uri (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    uri TEXT NOT NULL,
    PRIMARY KEY (res_pk, param, uri)
) WITHOUT ROWID;
CREATE INDEX search_uri_value ON search_uri (res_type, param, uri, res_pk);
