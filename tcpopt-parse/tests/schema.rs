//! The checked-in contract is what the Rust types generate:
//! `tcpopt-parse/schema/report.schema.json`, `tcpopt-parse/schema/view.schema.json`
//! and `web/report.d.ts`. A stale file fails; `TCPOPT_BLESS=1` rewrites them:
//!
//! ```sh
//! TCPOPT_BLESS=1 cargo test -p tcpopt-parse --features schema --test schema
//! ```
//!
//! The page (`www/*.js`) may read only the fields the schemas declare.
// Needs the `schema` feature (`cargo test --all-features` runs it).
#![cfg(feature = "schema")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tcpopt_parse::schema;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Compares `path` with `want`; rewrites it under `TCPOPT_BLESS=1`.
fn check(path: &Path, want: &str) {
    let bless = std::env::var_os("TCPOPT_BLESS").is_some_and(|v| v == "1");
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have == want {
        return;
    }
    if bless {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, want).expect("write");
        eprintln!("rewrote {}", path.display());
        return;
    }
    let line = have
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
    panic!(
        "{} is stale (first difference at line {}): regenerate it with\n  \
         TCPOPT_BLESS=1 cargo test -p tcpopt-parse --features schema --test schema",
        path.display(),
        line + 1
    );
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).expect("json") + "\n"
}

#[test]
fn report_schema_is_current() {
    check(
        &repo().join("tcpopt-parse/schema/report.schema.json"),
        &pretty(&schema::report_schema()),
    );
}

#[test]
fn view_schema_is_current() {
    check(
        &repo().join("tcpopt-parse/schema/view.schema.json"),
        &pretty(&schema::view_schema()),
    );
}

#[test]
fn typescript_is_current() {
    check(&repo().join("web/report.d.ts"), &schema::typescript());
}

#[test]
fn every_field_is_documented() {
    fn walk(v: &serde_json::Value, at: &str, missing: &mut Vec<String>) {
        let Some(o) = v.as_object() else { return };
        if let Some(props) = o.get("properties").and_then(|p| p.as_object()) {
            for (k, p) in props {
                // A `$ref` field is documented on its type when not on itself.
                let documented = p.get("description").is_some();
                if !documented {
                    missing.push(format!("{at}.{k}"));
                }
                walk(p, &format!("{at}.{k}"), missing);
            }
        }
        if let Some(defs) = o.get("$defs").and_then(|d| d.as_object()) {
            for (k, d) in defs {
                if d.get("description").is_none() {
                    missing.push(format!("type {k}"));
                }
                walk(d, k, missing);
            }
        }
    }
    let mut missing = Vec::new();
    walk(&schema::report_schema(), "Report", &mut missing);
    walk(&schema::view_schema(), "ReportView", &mut missing);
    assert!(
        missing.is_empty(),
        "fields without a doc comment: {missing:#?}"
    );
}

/// Property reads in the page's scripts (`x.name`, `x?.name`; the page
/// does not destructure report data). Names the page defines itself (its
/// own objects, the DOM's and the libraries' members) are listed in
/// `www/fields-own.txt`; every other name must be a schema field.
#[test]
fn the_page_reads_only_schema_fields() {
    let fields: BTreeSet<String> = schema::field_names().into_iter().collect();
    let own_path = repo().join("www/fields-own.txt");
    let own_text = std::fs::read_to_string(&own_path).expect("www/fields-own.txt");
    let own: BTreeSet<&str> = own_text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    let mut unknown = BTreeSet::new();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(repo().join("www"))
        .expect("www/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 4, "the page's scripts: {scripts:?}");
    for path in &scripts {
        let text = std::fs::read_to_string(path).expect("script");
        for name in property_reads(&text) {
            if !fields.contains(&name) && !own.contains(name.as_str()) {
                unknown.insert(format!(
                    "{}: {name}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "www/ reads names that are neither in the report schema nor in www/fields-own.txt: {unknown:#?}"
    );
    for gone in [
        "frame_numbers",
        "handshake_outcome",
        "timestamps_negotiated",
        "ts_segments",
        "syn_count",
    ] {
        assert!(!own.contains(gone), "{gone} is no field of the report");
        for path in &scripts {
            let text = std::fs::read_to_string(path).expect("script");
            assert!(
                !text.contains(gone),
                "{} still names {gone}",
                path.display()
            );
        }
    }
}

/// `.name` and `?.name` property accesses, outside comments.
fn property_reads(js: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in js.lines() {
        let t = line.trim_start();
        if in_block {
            in_block = !t.contains("*/");
            continue;
        }
        if t.starts_with("/*") {
            in_block = !t.contains("*/");
            continue;
        }
        if t.starts_with("//") || t.starts_with('*') {
            continue;
        }
        let code = match line.find("//") {
            // Not inside a string or URL (`'http://…'`): a comment start.
            Some(i) if !line[..i].contains('\'') && !line[..i].contains('`') => &line[..i],
            _ => line,
        };
        let b = code.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'.' && (i == 0 || b[i - 1] != b'.') {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                let name = &code[start..j];
                if j > start && !b[start].is_ascii_digit() {
                    out.push(name.to_string());
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
    }
    out
}
