DROP TABLE search_uri;
DROP TABLE search_quantity;
DROP TABLE search_number;
DROP TABLE search_date;
DROP TABLE search_reference;
DROP TABLE search_string;
