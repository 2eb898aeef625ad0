//! SMART on FHIR scopes (App Launch 2.x, with the 1.0 forms it still accepts).
//!
//! A token's `scope` claim is a list of scopes separated by spaces. Those that grant access to
//! resources have the form `context/type.permissions[?query]`:
//!
//! - `context`: `patient` (the resources of the patient in the token's launch context),
//!   `user` (what the user in `fhirUser` may see) or `system` (what the client's
//!   organisation may see);
//! - `type`: an R4 resource type, or `*` for all;
//! - `permissions`: SMART 2's letters `c` (create), `r` (read), `u` (update), `d` (delete), `s`
//!   (search), at least one, in that order; or SMART 1's `read` (`rs`), `write` (`cud`) or `*`
//!   (`cruds`);
//! - `query` (SMART 2 only): search parameters that the resources must match
//!   (`patient/Observation.rs?category=laboratory`), as `name=value` pairs joined by `&`.
//!
//! Every other scope (`openid`, `fhirUser`, `launch`, `launch/patient`, `offline_access`, …)
//! is kept as it is. A scope that looks like a resource scope but is not well-formed — an
//! unknown context or resource type, letters out of order — grants nothing and is kept
//! apart, so that a caller can report it.

use std::fmt;

/// Whose resources a scope is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// The patient of the token's launch context.
    Patient,
    /// What the user named by `fhirUser` may see.
    User,
    /// What the client (a system acting for its organisation) may see.
    System,
}

impl Context {
    fn parse(text: &str) -> Option<Context> {
        match text {
            "patient" => Some(Context::Patient),
            "user" => Some(Context::User),
            "system" => Some(Context::System),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Context::Patient => "patient",
            Context::User => "user",
            Context::System => "system",
        }
    }
}

/// An interaction as scopes name it: every FHIR interaction on a resource type is one of
/// these (vread and instance history are reads; type and system history, compartment
/// searches and `$everything` are searches; patch is an update).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interaction {
    Create,
    Read,
    Update,
    Delete,
    Search,
}

impl Interaction {
    fn permission(self) -> Permissions {
        match self {
            Interaction::Create => Permissions::CREATE,
            Interaction::Read => Permissions::READ,
            Interaction::Update => Permissions::UPDATE,
            Interaction::Delete => Permissions::DELETE,
            Interaction::Search => Permissions::SEARCH,
        }
    }
}

/// A set of the five permissions, `cruds`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions(u8);

impl Permissions {
    pub const CREATE: Permissions = Permissions(1);
    pub const READ: Permissions = Permissions(2);
    pub const UPDATE: Permissions = Permissions(4);
    pub const DELETE: Permissions = Permissions(8);
    pub const SEARCH: Permissions = Permissions(16);
    pub const ALL: Permissions = Permissions(31);
    /// The letters in their order.
    const LETTERS: [(char, Permissions); 5] = [
        ('c', Permissions::CREATE),
        ('r', Permissions::READ),
        ('u', Permissions::UPDATE),
        ('d', Permissions::DELETE),
        ('s', Permissions::SEARCH),
    ];

    pub fn contains(self, other: Permissions) -> bool {
        self.0 & other.0 == other.0
    }

    fn union(self, other: Permissions) -> Permissions {
        Permissions(self.0 | other.0)
    }

    /// SMART 2 letters (at least one, each once, in the order `cruds`) or a SMART 1 word.
    fn parse(text: &str) -> Option<Permissions> {
        match text {
            "read" => return Some(Permissions::READ.union(Permissions::SEARCH)),
            "write" => {
                return Some(
                    Permissions::CREATE
                        .union(Permissions::UPDATE)
                        .union(Permissions::DELETE),
                )
            }
            "*" => return Some(Permissions::ALL),
            "" => return None,
            _ => {}
        }
        let mut permissions = Permissions::default();
        let mut letters = Permissions::LETTERS.iter();
        for c in text.chars() {
            // Each letter must come after the previous one in `cruds`.
            let (_, p) = letters.by_ref().find(|(letter, _)| *letter == c)?;
            permissions = permissions.union(*p);
        }
        Some(permissions)
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (letter, p) in Permissions::LETTERS {
            if self.contains(p) {
                write!(f, "{letter}")?;
            }
        }
        Ok(())
    }
}

/// One scope that grants access to resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceScope {
    pub context: Context,
    /// `None` for `*`: every resource type.
    pub resource_type: Option<String>,
    pub permissions: Permissions,
    /// Search parameters the resources must match (`name`, `value`), all of them.
    pub query: Vec<(String, String)>,
}

impl ResourceScope {
    fn parse(text: &str) -> Option<ResourceScope> {
        let (context, rest) = text.split_once('/')?;
        let context = Context::parse(context)?;
        let (target, rest) = rest.split_once('.')?;
        let resource_type = match target {
            "*" => None,
            t if zorgplan_fhir::r4::is_resource_type(t) => Some(t.to_owned()),
            _ => return None,
        };
        let (permissions, query) = match rest.split_once('?') {
            Some((permissions, query)) => (permissions, Some(query)),
            None => (rest, None),
        };
        let is_v1 = matches!(permissions, "read" | "write" | "*");
        let permissions = Permissions::parse(permissions)?;
        let query = match query {
            None => Vec::new(),
            // SMART 1 scopes have no query.
            Some(_) if is_v1 => return None,
            Some(query) => query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, value)) if !name.is_empty() && !value.is_empty() => {
                        Some((name.to_owned(), value.to_owned()))
                    }
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?,
        };
        Some(ResourceScope {
            context,
            resource_type,
            permissions,
            query,
        })
    }

    fn covers(&self, context: Context, resource_type: &str, interaction: Interaction) -> bool {
        self.context == context
            && self
                .resource_type
                .as_deref()
                .is_none_or(|t| t == resource_type)
            && self.permissions.contains(interaction.permission())
    }
}

impl fmt::Display for ResourceScope {
    /// As a SMART 2 scope (`system/Patient.rs`, with its query).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = self.resource_type.as_deref().unwrap_or("*");
        write!(
            f,
            "{}/{target}.{:?}",
            self.context.as_str(),
            self.permissions
        )?;
        for (i, (name, value)) in self.query.iter().enumerate() {
            write!(f, "{}{name}={value}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// What the scopes permit for one interaction on one resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant<'a> {
    /// Nothing.
    Denied,
    /// Every resource of the type (within the context).
    All,
    /// Only resources that match at least one of these sets of search parameters.
    Matching(Vec<&'a [(String, String)]>),
}

/// The scopes of a token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes {
    /// The scopes that grant access to resources.
    pub resources: Vec<ResourceScope>,
    /// The other scopes (`openid`, `fhirUser`, `launch/patient`, `offline_access`, …).
    pub other: Vec<String>,
    /// Scopes that look like resource scopes but are not well-formed: they grant nothing.
    pub malformed: Vec<String>,
}

impl Scopes {
    /// The scopes of a `scope` claim: scopes separated by spaces.
    pub fn parse(text: &str) -> Scopes {
        let mut scopes = Scopes::default();
        for scope in text.split_ascii_whitespace() {
            match ResourceScope::parse(scope) {
                Some(resource) => scopes.resources.push(resource),
                None if looks_like_resource_scope(scope) => scopes.malformed.push(scope.to_owned()),
                None => scopes.other.push(scope.to_owned()),
            }
        }
        scopes
    }

    /// Whether the token holds scope `name` (for the scopes that are not about resources,
    /// such as `launch/patient` or `offline_access`).
    pub fn has(&self, name: &str) -> bool {
        self.other.iter().any(|s| s == name)
    }

    /// Whether one of these scopes grants all that `scope` grants (a client asks for no more
    /// than it was registered with).
    pub fn covers_scope(&self, scope: &ResourceScope) -> bool {
        self.resources.iter().any(|mine| {
            mine.context == scope.context
                && (mine.resource_type.is_none() || mine.resource_type == scope.resource_type)
                && mine.permissions.contains(scope.permissions)
                && (mine.query.is_empty() || mine.query == scope.query)
        })
    }

    /// What the scopes of `context` permit for `interaction` on resources of
    /// `resource_type`.
    pub fn grant(
        &self,
        context: Context,
        resource_type: &str,
        interaction: Interaction,
    ) -> Grant<'_> {
        let mut matching = Vec::new();
        for scope in &self.resources {
            if !scope.covers(context, resource_type, interaction) {
                continue;
            }
            if scope.query.is_empty() {
                return Grant::All;
            }
            matching.push(scope.query.as_slice());
        }
        if matching.is_empty() {
            Grant::Denied
        } else {
            Grant::Matching(matching)
        }
    }
}

/// `patient/…`, `user/…` or `system/…` with a `.`: meant as a resource scope.
fn looks_like_resource_scope(scope: &str) -> bool {
    scope
        .split_once('/')
        .is_some_and(|(context, rest)| Context::parse(context).is_some() && rest.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Interaction::*;

    fn allowed(scopes: &Scopes, context: Context, t: &str, i: Interaction) -> bool {
        scopes.grant(context, t, i) == Grant::All
    }

    #[test]
    fn registered_scopes_cover_what_a_client_may_ask_for() {
        let registered = Scopes::parse("system/*.rs system/CarePlan.cruds");
        let covered = |text: &str| {
            let asked = Scopes::parse(text);
            asked.resources.iter().all(|s| registered.covers_scope(s))
        };
        assert!(covered(
            "system/Patient.rs system/Goal.r system/CarePlan.cu"
        ));
        assert!(covered("system/*.read"));
        assert!(!covered("system/Goal.c"));
        assert!(!covered("user/Patient.rs"));
        assert!(!covered("system/*.cruds"));
        assert_eq!(
            Scopes::parse("system/Patient.read system/Goal.rs?category=medisch")
                .resources
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["system/Patient.rs", "system/Goal.rs?category=medisch"]
        );
    }

    #[test]
    fn smart_2_letters_grant_exactly_their_interactions() {
        let scopes = Scopes::parse("patient/*.rs user/CarePlan.cruds system/Goal.cu");
        assert!(scopes.malformed.is_empty() && scopes.other.is_empty());
        for t in ["Patient", "CarePlan", "Observation"] {
            assert!(allowed(&scopes, Context::Patient, t, Read));
            assert!(allowed(&scopes, Context::Patient, t, Search));
            for i in [Create, Update, Delete] {
                assert!(!allowed(&scopes, Context::Patient, t, i), "{t} {i:?}");
            }
        }
        for i in [Create, Read, Update, Delete, Search] {
            assert!(allowed(&scopes, Context::User, "CarePlan", i));
            assert!(!allowed(&scopes, Context::User, "Goal", i));
        }
        assert!(allowed(&scopes, Context::System, "Goal", Create));
        assert!(allowed(&scopes, Context::System, "Goal", Update));
        assert!(!allowed(&scopes, Context::System, "Goal", Read));
        // A context grants nothing in another.
        assert!(!allowed(&scopes, Context::System, "CarePlan", Read));
    }

    #[test]
    fn smart_1_words_are_read_write_and_all() {
        let scopes = Scopes::parse("patient/Observation.read user/Goal.write system/*.*");
        assert!(allowed(&scopes, Context::Patient, "Observation", Read));
        assert!(allowed(&scopes, Context::Patient, "Observation", Search));
        assert!(!allowed(&scopes, Context::Patient, "Observation", Update));
        for i in [Create, Update, Delete] {
            assert!(allowed(&scopes, Context::User, "Goal", i));
        }
        assert!(!allowed(&scopes, Context::User, "Goal", Read));
        for i in [Create, Read, Update, Delete, Search] {
            assert!(allowed(&scopes, Context::System, "Consent", i));
        }
    }

    #[test]
    fn a_query_limits_what_a_scope_grants() {
        let scopes = Scopes::parse(
            "patient/Observation.rs?category=laboratory \
             patient/Observation.rs?category=vital-signs&status=final",
        );
        let Grant::Matching(sets) = scopes.grant(Context::Patient, "Observation", Search) else {
            panic!("a constrained grant");
        };
        assert_eq!(sets.len(), 2);
        assert_eq!(sets[0], [("category".to_owned(), "laboratory".to_owned())]);
        assert_eq!(sets[1].len(), 2);
        // An unconstrained scope for the same interaction grants all.
        let wider = Scopes::parse("patient/Observation.rs?category=laboratory patient/*.r");
        assert_eq!(
            wider.grant(Context::Patient, "Observation", Read),
            Grant::All
        );
        assert!(matches!(
            wider.grant(Context::Patient, "Observation", Search),
            Grant::Matching(_)
        ));
    }

    #[test]
    fn malformed_resource_scopes_grant_nothing() {
        for scope in [
            "patient/Observation.sr",       // letters out of order
            "patient/Observation.rr",       // a letter twice
            "patient/Observation.",         // no permission
            "patient/Observation.x",        // an unknown letter
            "patient/Frobnicate.rs",        // not an R4 resource type
            "patient/observation.rs",       // types are case-sensitive
            "user/Observation.read?code=x", // SMART 1 has no query
            "user/Observation.rs?code",     // a parameter without a value
            "system/Observation.rs?=x",     // a value without a parameter
        ] {
            let scopes = Scopes::parse(scope);
            assert_eq!(scopes.malformed, [scope], "{scope}");
            assert!(scopes.resources.is_empty(), "{scope}");
            for i in [Create, Read, Update, Delete, Search] {
                for context in [Context::Patient, Context::User, Context::System] {
                    assert_eq!(
                        scopes.grant(context, "Observation", i),
                        Grant::Denied,
                        "{scope}"
                    );
                }
            }
        }
    }

    #[test]
    fn other_scopes_are_kept() {
        let scopes = Scopes::parse("openid fhirUser launch/patient offline_access  patient/*.rs");
        assert_eq!(scopes.resources.len(), 1);
        assert!(scopes.has("launch/patient"));
        assert!(scopes.has("fhirUser"));
        assert!(!scopes.has("launch"));
        assert_eq!(scopes.other.len(), 4);
        assert_eq!(Scopes::parse("   "), Scopes::default());
        assert_eq!(
            format!(
                "{:?}",
                Scopes::parse("user/*.cruds").resources[0].permissions
            ),
            "cruds"
        );
    }
}
