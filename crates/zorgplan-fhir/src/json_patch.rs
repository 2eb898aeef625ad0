//! JSON Patch (RFC 6902) over a resource's JSON: `add`, `remove`, `replace`, `move`, `copy`
//! and `test`, with paths as JSON Pointers (RFC 6901). The operations apply in order to a
//! copy; any failure leaves the input as it was and names the operation.

use serde_json::Value;

/// Applies `patch` (a JSON array of operations) to `document`. `Err` says which operation
/// failed and why.
pub fn apply(document: &Value, patch: &Value) -> Result<Value, String> {
    let operations = patch
        .as_array()
        .ok_or("A JSON Patch is an array of operations")?;
    let mut doc = document.clone();
    for (i, op) in operations.iter().enumerate() {
        apply_one(&mut doc, op).map_err(|e| format!("JSON Patch operation {i}: {e}"))?;
    }
    Ok(doc)
}

fn text<'a>(op: &'a Value, name: &str) -> Result<&'a str, String> {
    op.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("'{name}' is missing or not a string"))
}

fn apply_one(doc: &mut Value, op: &Value) -> Result<(), String> {
    let path = parse_pointer(text(op, "path")?)?;
    let value = || op.get("value").cloned().ok_or("'value' is missing");
    match text(op, "op")? {
        "add" => add(doc, &path, value()?),
        "remove" => remove(doc, &path).map(drop),
        "replace" => {
            let target = get_mut(doc, &path)?;
            *target = value()?;
            Ok(())
        }
        "move" => {
            let from = parse_pointer(text(op, "from")?)?;
            if path.len() > from.len() && path[..from.len()] == from[..] {
                return Err("a value cannot be moved into itself".into());
            }
            let moved = remove(doc, &from)?;
            add(doc, &path, moved)
        }
        "copy" => {
            let from = parse_pointer(text(op, "from")?)?;
            let copied = get_mut(doc, &from)?.clone();
            add(doc, &path, copied)
        }
        "test" => {
            let actual = get_mut(doc, &path)?;
            if *actual == value()? {
                Ok(())
            } else {
                Err(format!(
                    "test failed: the value at {} differs",
                    text(op, "path")?
                ))
            }
        }
        other => Err(format!("unknown op '{other}'")),
    }
}

/// The reference tokens of a JSON Pointer, unescaped (`~1` is `/`, `~0` is `~`).
fn parse_pointer(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("'{pointer}' is not a JSON Pointer"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index(token: &str, len: usize, append: bool) -> Result<usize, String> {
    if append && token == "-" {
        return Ok(len);
    }
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    let i: usize = valid
        .then(|| token.parse().ok())
        .flatten()
        .ok_or_else(|| format!("'{token}' is not an array index"))?;
    let limit = if append { len } else { len.saturating_sub(1) };
    if i > limit || (!append && len == 0) {
        return Err(format!("index {i} is out of bounds"));
    }
    Ok(i)
}

fn get_mut<'a>(doc: &'a mut Value, path: &[String]) -> Result<&'a mut Value, String> {
    let mut at = doc;
    for token in path {
        at = match at {
            Value::Object(object) => object
                .get_mut(token)
                .ok_or_else(|| format!("path /{} does not exist", path.join("/")))?,
            Value::Array(items) => {
                let i = index(token, items.len(), false)?;
                &mut items[i]
            }
            _ => return Err(format!("path /{} does not exist", path.join("/"))),
        };
    }
    Ok(at)
}

fn add(doc: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let Some((last, parent)) = path.split_last() else {
        *doc = value;
        return Ok(());
    };
    match get_mut(doc, parent)? {
        Value::Object(object) => {
            object.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            let i = index(last, items.len(), true)?;
            items.insert(i, value);
            Ok(())
        }
        _ => Err(format!(
            "path /{} is not an object or array",
            parent.join("/")
        )),
    }
}

fn remove(doc: &mut Value, path: &[String]) -> Result<Value, String> {
    let (last, parent) = path
        .split_last()
        .ok_or("the whole document cannot be removed")?;
    match get_mut(doc, parent)? {
        Value::Object(object) => object
            .shift_remove(last)
            .ok_or_else(|| format!("path /{} does not exist", path.join("/"))),
        Value::Array(items) => {
            let i = index(last, items.len(), false)?;
            Ok(items.remove(i))
        }
        _ => Err(format!("path /{} does not exist", path.join("/"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_unescape() {
        let doc = json!({"a/b": {"m~n": 1}});
        let patch = json!([{"op": "replace", "path": "/a~1b/m~0n", "value": 2}]);
        assert_eq!(apply(&doc, &patch).unwrap(), json!({"a/b": {"m~n": 2}}));
        let bad = json!([{"op": "add", "path": "/x/01", "value": 2}]);
        assert!(apply(&json!({"x": [1, 2]}), &bad).is_err());
    }
}
