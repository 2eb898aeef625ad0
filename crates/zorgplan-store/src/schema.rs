//! The tables (see `migrations/`; the same shape on SQLite and PostgreSQL).

diesel::table! {
    resources (pk) {
        pk -> BigInt,
        res_type -> Text,
        res_id -> Text,
        version -> BigInt,
        last_updated -> BigInt,
        deleted -> Bool,
    }
}

diesel::table! {
    resource_versions (pk) {
        pk -> BigInt,
        res_pk -> BigInt,
        res_type -> Text,
        res_id -> Text,
        version -> BigInt,
        last_updated -> BigInt,
        method -> Text,
        content -> Nullable<Text>,
    }
}

diesel::table! {
    search_token (res_pk, param, system, code) {
        res_pk -> BigInt,
        res_type -> Text,
        param -> Text,
        system -> Text,
        code -> Text,
    }
}

diesel::table! {
    search_string (res_pk, param, normalized, exact) {
        res_pk -> BigInt,
        res_type -> Text,
        param -> Text,
        normalized -> Text,
        exact -> Text,
    }
}

diesel::table! {
    search_reference (res_pk, param, target_type, target_id, url) {
        res_pk -> BigInt,
        res_type -> Text,
        param -> Text,
        target_type -> Text,
        target_id -> Text,
        url -> Text,
    }
}

diesel::table! {
    search_date (res_pk, param, low, high) {
        res_pk -> BigInt,
        res_type -> Text,
        param -> Text,
        low -> BigInt,
        high -> BigInt,
    }
}

diesel::table! {
    search_number (res_pk, param, text) {
        res_pk -> BigInt,
        res_type -> Text,
        param -> Text,
        value -> Double,
        text -> Text,
    }
}

diesel::table! {
    search_quantity (res_pk, param, text, system, code, unit) {
        res_pk -> BigInt,
        res_type -> Text,
        param -> Text,
        value -> Double,
        system -> Text,
        code -> Text,
        unit -> Text,
        text -> Text,
    }
}

diesel::table! {
    search_uri (res_pk, param, uri) {
        res_pk -> BigInt,
        res_type -> Text,
        param -> Text,
        uri -> Text,
    }
}

diesel::joinable!(resource_versions -> resources (res_pk));
diesel::joinable!(search_token -> resources (res_pk));
diesel::joinable!(search_string -> resources (res_pk));
diesel::joinable!(search_reference -> resources (res_pk));
diesel::joinable!(search_date -> resources (res_pk));
diesel::joinable!(search_number -> resources (res_pk));
diesel::joinable!(search_quantity -> resources (res_pk));
diesel::joinable!(search_uri -> resources (res_pk));
diesel::allow_tables_to_appear_in_same_query!(
    resources,
    resource_versions,
    search_token,
    search_string,
    search_reference,
    search_date,
    search_number,
    search_quantity,
    search_uri,
);

diesel::table! {
    subscriptions (res_id) {
        res_id -> Text,
        criteria_type -> Text,
        criteria -> Text,
    }
}

diesel::table! {
    notifications (pk) {
        pk -> BigInt,
        subscription -> Text,
        res_type -> Text,
        res_id -> Text,
        version -> BigInt,
        due -> BigInt,
        attempts -> Integer,
        last_error -> Nullable<Text>,
    }
}
