DROP TRIGGER announce_writes ON resource_versions;
DROP FUNCTION zorgplan_announce_write();
