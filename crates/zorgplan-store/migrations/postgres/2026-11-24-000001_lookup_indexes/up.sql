-- The current resources of a type in storage order (a search without a selective condition
-- pages through these), and by the time of their current version (`_lastUpdated`).
CREATE INDEX resources_type ON resources (res_type, pk);
CREATE INDEX resources_type_time ON resources (res_type, last_updated, pk);

-- What refers to a resource, of any type (a patient's compartment, `$everything`).
CREATE INDEX search_reference_to ON search_reference (target_type, target_id, res_type, param);
