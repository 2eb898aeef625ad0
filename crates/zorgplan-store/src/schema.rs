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

diesel::joinable!(resource_versions -> resources (res_pk));
diesel::joinable!(search_token -> resources (res_pk));
diesel::allow_tables_to_appear_in_same_query!(resources, resource_versions, search_token);
