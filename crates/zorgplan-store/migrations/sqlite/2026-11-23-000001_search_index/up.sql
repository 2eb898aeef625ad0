-- The other search index tables of the current versions (tokens are in search_token).
-- A CodeableConcept's text and a Coding's display (token :text) are string rows of the
-- parameter '<code>:text'.
CREATE TABLE search_string (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    normalized TEXT NOT NULL, -- lower case, without accents
    exact TEXT NOT NULL
);
CREATE INDEX search_string_value ON search_string (res_type, param, normalized);
CREATE INDEX search_string_res ON search_string (res_pk);

-- target_type/target_id: a reference to a resource ('' when it names none); url: an absolute
-- or canonical reference ('' for a relative one).
CREATE TABLE search_reference (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX search_reference_target ON search_reference (res_type, param, target_id, target_type);
CREATE INDEX search_reference_url ON search_reference (res_type, param, url);
CREATE INDEX search_reference_res ON search_reference (res_pk);

-- The instants a date value covers, microseconds since the epoch (UTC), first and last.
CREATE TABLE search_date (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    low BIGINT NOT NULL,
    high BIGINT NOT NULL
);
CREATE INDEX search_date_low ON search_date (res_type, param, low);
CREATE INDEX search_date_res ON search_date (res_pk);

CREATE TABLE search_number (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX search_number_value ON search_number (res_type, param, value);
CREATE INDEX search_number_res ON search_number (res_pk);

CREATE TABLE search_quantity (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    unit TEXT NOT NULL
);
CREATE INDEX search_quantity_value ON search_quantity (res_type, param, value);
CREATE INDEX search_quantity_res ON search_quantity (res_pk);

CREATE TABLE search_uri (
    res_pk BIGINT NOT NULL REFERENCES resources (pk),
    res_type TEXT NOT NULL,
    param TEXT NOT NULL,
    uri TEXT NOT NULL
);
CREATE INDEX search_uri_value ON search_uri (res_type, param, uri);
CREATE INDEX search_uri_res ON search_uri (res_pk);
