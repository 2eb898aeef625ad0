//! Bundles (history, searchset) written straight from the stored JSON text: an entry's
//! resource is spliced in as it is stored, never parsed and serialised again.

use serde_json::{json, Map, Value};
use zorgplan_store::{Timestamp, Version};

/// Builds a Bundle's JSON text.
pub struct BundleWriter {
    head: Map<String, Value>,
    entries: Vec<String>,
}

impl BundleWriter {
    /// A Bundle of `kind` (`history`, `searchset`) with these links (relation, url).
    pub fn new(kind: &str, links: &[(&str, String)]) -> Self {
        let mut head = Map::new();
        head.insert("resourceType".into(), "Bundle".into());
        head.insert("id".into(), uuid::Uuid::new_v4().to_string().into());
        head.insert(
            "meta".into(),
            json!({ "lastUpdated": Timestamp::now().to_instant() }),
        );
        head.insert("type".into(), kind.into());
        if !links.is_empty() {
            let links: Vec<Value> = links
                .iter()
                .map(|(relation, url)| json!({ "relation": relation, "url": url }))
                .collect();
            head.insert("link".into(), links.into());
        }
        BundleWriter {
            head,
            entries: Vec::new(),
        }
    }

    pub fn total(&mut self, total: usize) {
        self.head.insert("total".into(), total.into());
    }

    /// Adds an entry: `fullUrl`, the version's resource (when it has one) and `rest`
    /// (`request`, `response`, `search`: an object's members).
    pub fn entry(&mut self, full_url: &str, version: &Version, rest: Value) {
        let mut entry =
            String::with_capacity(version.content.as_ref().map_or(0, String::len) + 256);
        entry.push_str("{\"fullUrl\":");
        entry.push_str(&Value::String(full_url.to_owned()).to_string());
        if let Some(content) = &version.content {
            entry.push_str(",\"resource\":");
            entry.push_str(content);
        }
        if let Value::Object(rest) = rest {
            for (key, value) in rest {
                entry.push(',');
                entry.push_str(&Value::String(key).to_string());
                entry.push(':');
                entry.push_str(&value.to_string());
            }
        }
        entry.push('}');
        self.entries.push(entry);
    }

    /// Adds an entry given whole.
    pub fn raw_entry(&mut self, entry: Value) {
        self.entries.push(entry.to_string());
    }

    pub fn finish(self) -> String {
        let mut out = serde_json::to_string(&Value::Object(self.head)).unwrap_or_default();
        if !self.entries.is_empty() {
            out.pop(); // the closing brace
            out.push_str(",\"entry\":[");
            out.push_str(&self.entries.join(","));
            out.push_str("]}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_json_with_raw_resources() {
        let version = Version {
            res_type: "Patient".into(),
            id: "p1".into(),
            version: 2,
            last_updated: Timestamp(0),
            deleted: false,
            method: "PUT".into(),
            content: Some(
                r#"{"resourceType":"Patient","id":"p1","birthDate":"2015-03-01"}"#.into(),
            ),
        };
        let mut writer = BundleWriter::new("searchset", &[("self", "http://x/Patient".into())]);
        writer.total(1);
        writer.entry(
            "http://x/Patient/p1",
            &version,
            json!({"search": {"mode": "match"}}),
        );
        let bundle: Value = serde_json::from_str(&writer.finish()).unwrap();
        assert_eq!(bundle["type"], "searchset");
        assert_eq!(bundle["total"], 1);
        assert_eq!(bundle["entry"][0]["resource"]["birthDate"], "2015-03-01");
        assert_eq!(bundle["entry"][0]["search"]["mode"], "match");
        let empty: Value =
            serde_json::from_str(&BundleWriter::new("history", &[]).finish()).unwrap();
        assert!(empty.get("entry").is_none());
        assert!(empty.get("link").is_none());
    }
}
