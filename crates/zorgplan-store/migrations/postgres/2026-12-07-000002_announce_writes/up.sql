-- Writes that other servers on this database must hear of at once: those that change what
-- the access policy reads of a child (its Patient, CareTeams, Consents and RelatedPersons) or
-- of a professional or system (its PractitionerRoles and Organizations). Each commit of such a
-- write notifies channel `zorgplan_writes` with the resource type (once per type and
-- transaction); every server listens and reads again what it had read of that type.
-- PostgreSQL commits notifying transactions one at a time, so only these rarely written
-- types notify. The list is the store's `listen::ANNOUNCED`.
CREATE FUNCTION zorgplan_announce_write() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('zorgplan_writes', NEW.res_type);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER announce_writes AFTER INSERT ON resource_versions
    FOR EACH ROW
    WHEN (NEW.res_type IN ('Patient', 'CareTeam', 'Consent', 'RelatedPerson',
                           'PractitionerRole', 'Organization'))
    EXECUTE FUNCTION zorgplan_announce_write();
