DROP INDEX search_reference_to;
DROP INDEX resources_type_time;
DROP INDEX resources_type;
