//! The report's contract for other tools: a JSON Schema and TypeScript
//! declarations, both derived from the report types themselves (feature
//! `schema`).
//!
//! The Rust types in [`crate::analysis`] (the report), [`crate::present`]
//! (what the faces show) and [`crate::correlate::report`] (the two-vantage
//! correlation report) are the single source: every field is documented
//! once, on the type, and those doc comments become the schema's
//! `description`s and the TypeScript's JSDoc. The generated files are
//! checked in (`tcpopt-parse/schema/*.schema.json`, `web/report.d.ts`);
//! `tests/schema.rs` fails when they are stale and rewrites them with
//! `TCPOPT_BLESS=1 cargo test -p tcpopt-parse --features schema --test schema`.
//!
//! The TypeScript is written from the JSON Schema rather than from a second
//! derive, so the two cannot disagree; integers are `number` because the
//! report is read through `JSON.parse` or serde-wasm-bindgen's
//! JSON-compatible serializer (every count fits in 2^53).

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::analysis::Report;
use crate::correlate::CorrelationReport;
use crate::present::{FlowRow, ReportView};

fn schema_of<T: JsonSchema>(id: &str, also: &[fn(&mut schemars::SchemaGenerator)]) -> Value {
    let settings = SchemaSettings::draft2020_12().for_serialize();
    let mut generator = settings.into_generator();
    for add in also {
        add(&mut generator);
    }
    let schema = generator.into_root_schema_for::<T>();
    let mut v = schema.to_value();
    if let Value::Object(o) = &mut v {
        o.insert("$id".into(), Value::String(id.into()));
    }
    v
}

/// The JSON Schema of [`Report`]: what `tcpopt analyze --format json`
/// prints and the browser engine's `finish()` returns.
pub fn report_schema() -> Value {
    schema_of::<Report>("https://tcpopt.invalid/schema/report.schema.json", &[])
}

/// The JSON Schema of [`ReportView`]: the presentation the CLI's text and
/// the page both show (the browser engine's `view()`), with [`FlowRow`]
/// (a row of the flows table, `flowRows()`) in its `$defs`.
pub fn view_schema() -> Value {
    schema_of::<ReportView>(
        "https://tcpopt.invalid/schema/view.schema.json",
        &[|g| {
            g.subschema_for::<FlowRow>();
        }],
    )
}

/// The JSON Schema of [`CorrelationReport`]: what `tcpopt correlate
/// --format json` prints (and `analyze --correlate` under `correlation`)
/// and the browser's `Correlator.finish()` returns.
pub fn correlation_schema() -> Value {
    schema_of::<CorrelationReport>("https://tcpopt.invalid/schema/correlation.schema.json", &[])
}

/// `web/report.d.ts`: TypeScript declarations of the report, the view and
/// the correlation report, written from [`report_schema`], [`view_schema`]
/// and [`correlation_schema`] (one file, so the types they share, such as
/// `Severity`, are declared once).
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from the Rust report types by tcpopt-parse's `schema` feature\n\
         // (tests/schema.rs; regenerate: TCPOPT_BLESS=1 cargo test -p tcpopt-parse --features schema --test schema).\n\
         // Do not edit.\n",
    );
    let mut done: Vec<String> = Vec::new();
    for root in [report_schema(), view_schema(), correlation_schema()] {
        let name = root["title"].as_str().unwrap_or("Root").to_owned();
        declare(&mut out, &mut done, &name, &root);
        if let Some(Value::Object(defs)) = root.get("$defs") {
            for (n, d) in defs {
                declare(&mut out, &mut done, n, d);
            }
        }
    }
    out
}

fn declare(out: &mut String, done: &mut Vec<String>, name: &str, s: &Value) {
    if done.iter().any(|d| d == name) {
        return;
    }
    done.push(name.to_owned());
    out.push('\n');
    let mut described = s.clone();
    if let Some(Value::Array(alts)) = s.get("oneOf") {
        // A union's members cannot carry JSDoc: list them in the type's.
        let mut d = s["description"].as_str().unwrap_or_default().to_owned();
        for a in alts {
            if let (Some(c), Some(ad)) = (a.get("const"), a.get("description")) {
                let ad = ad.as_str().unwrap_or_default().replace('\n', " ");
                d.push_str(&format!("\n- {c}: {ad}"));
            }
        }
        described["description"] = Value::String(d);
    }
    doc(out, "", &described);
    match s.get("properties") {
        // Fields plus a flattened tagged enum (`CaptureError` and its
        // `kind`): the fields, and one of the variants' objects.
        Some(Value::Object(props)) if s.get("oneOf").is_some_and(Value::is_array) => {
            out.push_str(&format!("export type {name} = {{\n"));
            object_body(out, "  ", props, s);
            out.push_str("} & (\n");
            for a in s["oneOf"].as_array().into_iter().flatten() {
                out.push_str(&format!("  | {}\n", ts_type(a, "    ")));
            }
            out.push_str(");\n");
        }
        Some(Value::Object(props)) => {
            out.push_str(&format!("export interface {name} {{\n"));
            object_body(out, "  ", props, s);
            out.push_str("}\n");
        }
        _ => out.push_str(&format!("export type {name} = {};\n", ts_type(s, ""))),
    }
}

fn object_body(out: &mut String, indent: &str, props: &Map<String, Value>, s: &Value) {
    let required: Vec<&str> = s["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // The declaration order (serde's, kept by `required`), then the rest.
    let mut order: Vec<(&String, &Value)> = props.iter().collect();
    order.sort_by_key(|(k, _)| required.iter().position(|r| r == k).unwrap_or(usize::MAX));
    for (field, fs) in order {
        doc(out, indent, fs);
        let opt = if required.contains(&field.as_str()) {
            ""
        } else {
            "?"
        };
        let inner = format!("{indent}  ");
        out.push_str(&format!("{indent}{field}{opt}: {};\n", ts_type(fs, &inner)));
    }
}

fn doc(out: &mut String, indent: &str, s: &Value) {
    let Some(d) = s.get("description").and_then(Value::as_str) else {
        return;
    };
    out.push_str(&format!("{indent}/**\n"));
    for line in d.lines() {
        let line = line.replace("*/", "*\\/");
        if line.is_empty() {
            out.push_str(&format!("{indent} *\n"));
        } else {
            out.push_str(&format!("{indent} * {line}\n"));
        }
    }
    out.push_str(&format!("{indent} */\n"));
}

fn ts_type(s: &Value, indent: &str) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(c) = s.get("const") {
        return c.to_string();
    }
    if let Some(Value::Array(e)) = s.get("enum") {
        return e
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = s.get(key) {
            return alts
                .iter()
                .map(|a| ts_type(a, indent))
                .collect::<Vec<_>>()
                .join(" | ");
        }
    }
    match s.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .map(|t| {
                let mut one = s.clone();
                one["type"] = t.clone();
                ts_type(&one, indent)
            })
            .collect::<Vec<_>>()
            .join(" | "),
        Some(Value::String(t)) => match t.as_str() {
            "integer" | "number" => "number".into(),
            "string" => "string".into(),
            "boolean" => "boolean".into(),
            "null" => "null".into(),
            "array" => {
                let item = s
                    .get("items")
                    .map_or("unknown".into(), |i| ts_type(i, indent));
                if item.contains(' ') {
                    format!("({item})[]")
                } else {
                    format!("{item}[]")
                }
            }
            "object" => match s.get("properties") {
                Some(Value::Object(props)) => {
                    let mut body = String::from("{\n");
                    object_body(&mut body, indent, props, s);
                    body.push_str(&indent[..indent.len().saturating_sub(2)]);
                    body.push('}');
                    body
                }
                _ => "Record<string, unknown>".into(),
            },
            _ => "unknown".into(),
        },
        _ => "unknown".into(),
    }
}

/// Every property name the three schemas declare, at any depth: what the
/// page may read (tests/schema.rs greps `www/` against it).
pub fn field_names() -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::Object(props)) = o.get("properties") {
                    for k in props.keys() {
                        if !out.contains(k) {
                            out.push(k.clone());
                        }
                    }
                }
                for x in o.values() {
                    walk(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&report_schema(), &mut out);
    walk(&view_schema(), &mut out);
    walk(&correlation_schema(), &mut out);
    out.sort();
    out
}
