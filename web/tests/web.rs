//! The bindings in headless Chromium: `wasm-pack test --headless --chrome web`
//! (scripts/test-web.sh). The capture is the page's bundled sample, a real
//! tcp_tw_recycle drop recorded in network namespaces.
#![cfg(target_arch = "wasm32")]

use tcpopt_web::{analyze_bytes, CaptureAnalysis};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SAMPLE: &[u8] = include_bytes!("../../www/samples/tw-recycle-drop.pcapng");

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).expect("property")
}

fn codes(report: &JsValue) -> Vec<String> {
    let findings = js_sys::Array::from(&get(report, "findings"));
    findings
        .iter()
        .filter_map(|f| get(&f, "code").as_string())
        .collect()
}

#[wasm_bindgen_test]
fn chunked_push_reports_progress_and_finds_the_drop() {
    let mut a = CaptureAnalysis::new();
    let mut last = 0.0;
    for chunk in SAMPLE.chunks(997) {
        let p = a.push(chunk).expect("push");
        let bytes = get(&p, "bytes").as_f64().expect("bytes is a number");
        assert!(bytes > last, "progress grows");
        last = bytes;
    }
    assert_eq!(last as usize, SAMPLE.len());
    let report = a.finish().expect("finish");
    // Plain objects (json_compatible): the capture section is an object with numbers.
    let capture = get(&report, "capture");
    assert_eq!(get(&capture, "packets").as_f64(), Some(112.0));
    assert_eq!(get(&capture, "complete").as_bool(), Some(true));
    let codes = codes(&report);
    assert!(
        codes.iter().any(|c| c == "TW_RECYCLE_PER_HOST_PAWS_DROP"),
        "{codes:?}"
    );
    assert!(
        codes.iter().any(|c| c == "MULTIPLE_TS_CLOCKS_BEHIND_IP"),
        "{codes:?}"
    );
    assert!(get(&report, "verdict")
        .as_string()
        .is_some_and(|v| !v.is_empty()));
}

#[wasm_bindgen_test]
fn whole_and_chunked_give_the_same_report() {
    let whole = analyze_bytes(SAMPLE).expect("analyze");
    let mut a = CaptureAnalysis::new();
    for chunk in SAMPLE.chunks(64) {
        a.push(chunk).expect("push");
    }
    let chunked = a.finish().expect("finish");
    let s = |v: &JsValue| {
        js_sys::JSON::stringify(v)
            .expect("json")
            .as_string()
            .expect("string")
    };
    assert_eq!(s(&whole), s(&chunked));
}

#[wasm_bindgen_test]
fn not_a_capture_is_an_error_in_the_report_not_an_exception() {
    let report =
        analyze_bytes(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n").expect("a report, not a throw");
    let capture = get(&report, "capture");
    let errors = js_sys::Array::from(&get(&capture, "errors"));
    assert!(errors.length() >= 1, "the reason is in capture.errors");
    assert_eq!(get(&capture, "complete").as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn truncated_capture_gives_a_partial_report() {
    let cut = &SAMPLE[..SAMPLE.len() / 2 + 3];
    let report = analyze_bytes(cut).expect("report");
    let capture = get(&report, "capture");
    assert_eq!(get(&capture, "complete").as_bool(), Some(false));
    let packets = get(&capture, "packets").as_f64().expect("packets");
    assert!(packets > 10.0 && packets < 112.0, "{packets}");
}

#[wasm_bindgen_test]
fn finish_twice_is_an_error_not_a_panic() {
    let mut a = CaptureAnalysis::new();
    a.push(SAMPLE).expect("push");
    a.finish().expect("first finish");
    assert!(a.finish().is_err());
    assert!(a.push(SAMPLE).is_err());
}

#[wasm_bindgen_test]
fn plot_points_are_typed_arrays_with_every_syn() {
    let mut a = CaptureAnalysis::new();
    for chunk in SAMPLE.chunks(4096) {
        a.push(chunk).expect("push");
    }
    a.finish().expect("finish");
    let plot = a.plot_points().expect("plot");
    let pairs = js_sys::Array::from(&get(&plot, "pairs"));
    assert_eq!(pairs.length(), 1);
    let pair = pairs.get(0);
    assert_eq!(
        get(&pair, "client").as_string().as_deref(),
        Some("198.51.100.1")
    );
    assert_eq!(
        get(&pair, "server").as_string().as_deref(),
        Some("198.51.100.10")
    );
    let syn = js_sys::Uint8Array::new(&get(&pair, "syn")).to_vec();
    let t = js_sys::Float64Array::new(&get(&pair, "t")).to_vec();
    assert_eq!(syn.len(), t.len());
    // 40 SYNs from the NAT address, 32 of them dropped by the server.
    assert_eq!(syn.iter().filter(|&&s| s == 1).count(), 40);
    assert!(t.windows(2).all(|w| w[0] <= w[1]), "capture order");
}

#[wasm_bindgen_test]
fn view_rows_and_export_parts_after_end() {
    let mut a = CaptureAnalysis::new();
    a.push(SAMPLE).expect("push");
    assert!(a.view().is_err(), "no view before the end");
    a.end().expect("end");
    let view = a.view().expect("view");
    let report = a.report_without_flows().expect("report");
    assert_eq!(
        get(&view, "verdict").as_string(),
        get(&report, "verdict").as_string()
    );
    assert_eq!(
        js_sys::Array::from(&get(&report, "flows")).length(),
        0,
        "the page's report has no flows: they are paged"
    );
    let findings = js_sys::Array::from(&get(&view, "findings"));
    let filter = get(&findings.get(0), "wireshark_filter")
        .as_string()
        .unwrap();
    assert!(filter.starts_with("frame.number in {"), "{filter}");
    let page = a.flow_rows("", "index", true, 0, 5).expect("rows");
    let total = get(&page, "total").as_f64().unwrap();
    let rows = js_sys::Array::from(&get(&page, "rows"));
    assert_eq!(rows.length() as f64, total.min(5.0));
    let ids: Vec<f64> = rows
        .iter()
        .map(|r| get(&r, "index").as_f64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "descending: {ids:?}");
    let unanswered = a
        .flow_rows("syn_unanswered", "index", false, 0, 1000)
        .expect("rows");
    assert_eq!(get(&unanswered, "matched").as_f64(), Some(8.0), "{total}");
    // The JSON parts put together are the whole report, as serde_json writes it.
    let mut bytes = Vec::new();
    while let Some(p) = a.report_json_next().expect("json") {
        bytes.extend(p.to_vec());
    }
    let full = tcpopt_parse::pipeline::analyze_bytes(SAMPLE, Default::default());
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        serde_json::to_string_pretty(&full).unwrap() + "\n"
    );
    // The CSV of every flow was gathered from the retired flows; end() left the rest.
    let mut text = Vec::new();
    while let Some(p) = a.flows_csv_take(true) {
        text.extend(p.to_vec());
    }
    let text = String::from_utf8(text).unwrap();
    assert_eq!(
        text.lines().count(),
        16 + 1,
        "a header and one row per flow (the sample has 16)"
    );
    assert!(text.starts_with("index,client,client_port,"));
}
