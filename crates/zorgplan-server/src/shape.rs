//! What a search answers of each resource: `_summary` and `_elements`.
//!
//! `_summary=true` keeps the elements the R4 definitions mark as summary, `text` the
//! narrative with the mandatory elements, `data` all but the narrative; `_elements=a,b` the
//! listed top-level elements with the mandatory ones. `resourceType`, `id` and `meta` are always
//! kept, and a subsetted resource carries the `SUBSETTED` tag. `_summary=count` answers only
//! the total (the search decides that).

use serde_json::{json, Map, Value};
use zorgplan_fhir::definitions::Definitions;
use zorgplan_fhir::FhirError;

/// `_summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    False,
    True,
    Text,
    Data,
    Count,
}

impl Summary {
    pub fn parse(value: Option<&str>) -> Result<Summary, FhirError> {
        Ok(match value {
            None | Some("false") => Summary::False,
            Some("true") => Summary::True,
            Some("text") => Summary::Text,
            Some("data") => Summary::Data,
            Some("count") => Summary::Count,
            Some(other) => {
                return Err(FhirError::bad_request(format!(
                    "_summary takes true, text, data, count or false, not '{other}'"
                )))
            }
        })
    }
}

/// How to cut each resource of a result, when at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Whole,
    Summary(Summary),
    Elements(Vec<String>),
}

impl Shape {
    /// From `_summary` and `_elements` (`_summary` wins when both are given).
    pub fn of(summary: Summary, elements: Option<&str>) -> Shape {
        match (summary, elements) {
            (Summary::True | Summary::Text | Summary::Data, _) => Shape::Summary(summary),
            (_, Some(list)) => Shape::Elements(
                list.split(',')
                    .map(|e| e.trim().to_owned())
                    .filter(|e| !e.is_empty())
                    .collect(),
            ),
            _ => Shape::Whole,
        }
    }

    /// The stored JSON text of a resource, cut to this shape (`None`: unchanged).
    pub fn apply(&self, content: &str) -> Option<String> {
        if *self == Shape::Whole {
            return None;
        }
        let Ok(Value::Object(resource)) = serde_json::from_str::<Value>(content) else {
            return None;
        };
        let res_type = resource
            .get("resourceType")
            .and_then(Value::as_str)?
            .to_owned();
        let def = Definitions::r4().type_def(&res_type)?;
        let mut out = Map::new();
        for (key, value) in &resource {
            let name = key.strip_prefix('_').unwrap_or(key);
            let element = def
                .property(&res_type, name)
                .map(|p| &def.elements[p.element]);
            let keep = match key.as_str() {
                "resourceType" | "id" | "meta" => true,
                _ => match self {
                    Shape::Whole => true,
                    Shape::Summary(Summary::True) => element.is_some_and(|e| e.summary),
                    Shape::Summary(Summary::Text) => {
                        name == "text" || element.is_some_and(|e| e.min > 0)
                    }
                    Shape::Summary(Summary::Data) => name != "text",
                    Shape::Summary(_) => true,
                    Shape::Elements(list) => {
                        let plain = element.map_or(name, |e| e.name.as_str());
                        list.iter().any(|l| l == plain) || element.is_some_and(|e| e.min > 0)
                    }
                },
            };
            if keep {
                out.insert(key.clone(), value.clone());
            }
        }
        if out.len() < resource.len() {
            let meta = out
                .entry("meta")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(meta) = meta {
                let tags = meta.entry("tag").or_insert_with(|| json!([]));
                if let Value::Array(tags) = tags {
                    tags.push(json!({
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                        "code": "SUBSETTED",
                        "display": "subsetted"
                    }));
                }
            }
        }
        serde_json::to_string(&Value::Object(out)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaped(shape: Shape, resource: Value) -> Value {
        serde_json::from_str(&shape.apply(&resource.to_string()).unwrap()).unwrap()
    }

    #[test]
    fn cuts_resources_to_the_summary_or_the_elements() {
        let patient = json!({"resourceType": "Patient", "id": "p", "meta": {"versionId": "1"},
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},
            "name": [{"family": "Jansen"}], "gender": "female", "photo": [{"url": "http://x"}],
            "birthDate": "2015-03-01", "_birthDate": {"id": "b"}});
        let summary = shaped(Shape::Summary(Summary::True), patient.clone());
        assert!(summary.get("name").is_some() && summary.get("_birthDate").is_some());
        assert!(summary.get("photo").is_none() && summary.get("text").is_none());
        assert_eq!(summary["meta"]["tag"][0]["code"], "SUBSETTED");
        let data = shaped(Shape::Summary(Summary::Data), patient.clone());
        assert!(data.get("text").is_none() && data.get("photo").is_some());
        let text = shaped(Shape::Summary(Summary::Text), patient.clone());
        assert!(text.get("text").is_some() && text.get("name").is_none());
        let elements = shaped(
            Shape::of(Summary::False, Some("gender, birthDate")),
            patient,
        );
        let keys: Vec<&String> = elements.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "resourceType",
                "id",
                "meta",
                "gender",
                "birthDate",
                "_birthDate"
            ]
        );
        assert_eq!(Shape::Whole.apply("{}"), None);
        assert!(Summary::parse(Some("maybe")).is_err());
    }
}
