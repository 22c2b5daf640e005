#![cfg(feature = "std")]
//! pcapng blocks that are not packets but take a frame number in
//! Wireshark (Custom Blocks), and Simple Packet Blocks, which carry no
//! time: pcapng-test-generator's test018.pcapng holds both (tshark: custom
//! blocks are frames 1, 4, 6 and 8; the SPBs, frames 2 and 5, show no time).

use tcpopt_parse::capture::packets;
use tcpopt_parse::pipeline::analyze_bytes;

const TEST018: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/captures/real/pcapng-test-generator/output_be_basic/test018.pcapng"
);

#[test]
fn custom_blocks_take_wireshark_frame_numbers() {
    let file = std::fs::read(TEST018).expect("capture");
    let recs: Vec<(u64, bool)> = packets(&file)
        .map(|r| r.expect("reads"))
        .map(|r| (r.frame, r.has_time))
        .collect();
    assert_eq!(recs, [(2, false), (3, true), (5, false), (7, true)]);
}

#[test]
fn simple_packet_blocks_carry_no_time() {
    let file = std::fs::read(TEST018).expect("capture");
    let c = analyze_bytes(&file, Default::default()).capture;
    assert_eq!((c.packets, c.untimed_packets), (4, 2));
    // The span is the timed packets' only: no 0.000000 start.
    assert_eq!(c.first_ts.as_deref(), Some("1340954905.298858"));
    assert_eq!(c.last_ts.as_deref(), Some("1340954905.300858"));
}
