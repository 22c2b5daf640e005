//! Hand-built captures for the edge cases the shared files do not cover:
//! every pcap magic and byte order, modified pcap, pcapng sections of both
//! byte orders, SHB/IDB/EPB/SPB/PB, if_tsresol base 2 and 10, negative
//! if_tsoffset, bad block lengths, caplen > snaplen / origlen, limits.
// Needs the allocator and std (`cargo test --all-features` runs it; a plain
// `cargo test -p tcpopt-parse` compiles it to nothing).
#![cfg(feature = "std")]

use proptest::prelude::*;
use tcpopt_parse::capture::{
    packets, CaptureParser, ChunkedReader, Event, Format, PacketRecord, ReadError, TsResolution,
};
use tcpopt_parse::{Error, ErrorKind, Layer, LinkType};

// ---------------------------------------------------------------- builders

#[derive(Clone, Copy)]
struct Order(bool); // big endian?

impl Order {
    fn u16(self, v: u16) -> [u8; 2] {
        if self.0 {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn u32(self, v: u32) -> [u8; 4] {
        if self.0 {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn i64(self, v: i64) -> [u8; 8] {
        if self.0 {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
}

fn pcap_header(magic: u32, o: Order, snaplen: u32, network: u32) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(o.u32(magic));
    v.extend(o.u16(2));
    v.extend(o.u16(4));
    v.extend([0; 8]);
    v.extend(o.u32(snaplen));
    v.extend(o.u32(network));
    v
}

fn pcap_record(o: Order, sec: u32, frac: u32, data: &[u8], origlen: u32, extra: usize) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(o.u32(sec));
    v.extend(o.u32(frac));
    v.extend(o.u32(data.len() as u32));
    v.extend(o.u32(origlen));
    v.extend(vec![0xee; extra]);
    v.extend(data);
    v
}

fn block(o: Order, t: u32, body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    while body.len() % 4 != 0 {
        body.push(0);
    }
    let total = 12 + body.len() as u32;
    let mut v = Vec::new();
    v.extend(o.u32(t));
    v.extend(o.u32(total));
    v.extend(body);
    v.extend(o.u32(total));
    v
}

fn shb(o: Order) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(o.u32(0x1A2B_3C4D));
    b.extend(o.u16(1));
    b.extend(o.u16(0));
    b.extend(o.i64(-1));
    block(o, 0x0A0D_0D0A, &b)
}

fn option(o: Order, code: u16, value: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(o.u16(code));
    v.extend(o.u16(value.len() as u16));
    v.extend(value);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v
}

fn idb(o: Order, linktype: u16, snaplen: u32, opts: &[Vec<u8>]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(o.u16(linktype));
    b.extend(o.u16(0));
    b.extend(o.u32(snaplen));
    for opt in opts {
        b.extend(opt);
    }
    if !opts.is_empty() {
        b.extend([0; 4]); // opt_endofopt
    }
    block(o, 1, &b)
}

fn epb(o: Order, iface: u32, units: u64, data: &[u8], origlen: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(o.u32(iface));
    b.extend(o.u32((units >> 32) as u32));
    b.extend(o.u32(units as u32));
    b.extend(o.u32(data.len() as u32));
    b.extend(o.u32(origlen));
    b.extend(data);
    block(o, 6, &b)
}

fn pb(o: Order, iface: u16, units: u64, data: &[u8], origlen: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(o.u16(iface));
    b.extend(o.u16(3)); // drops count
    b.extend(o.u32((units >> 32) as u32));
    b.extend(o.u32(units as u32));
    b.extend(o.u32(data.len() as u32));
    b.extend(o.u32(origlen));
    b.extend(data);
    block(o, 2, &b)
}

fn spb(o: Order, origlen: u32, data: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(o.u32(origlen));
    b.extend(data);
    block(o, 3, &b)
}

fn all_events(buf: &[u8]) -> (Vec<String>, Vec<PacketRecord<'_>>, Option<Error>) {
    let mut p = CaptureParser::new();
    let (mut pos, mut evs, mut recs) = (0, Vec::new(), Vec::new());
    loop {
        match p.next(&buf[pos..]) {
            Ok((n, ev)) => {
                assert!(n > 0);
                pos += n;
                if let Event::Packet(r) = ev {
                    recs.push(r);
                }
                evs.push(format!("{ev:?}"));
            }
            Err(ReadError::NeedMore { needed }) => {
                assert!(needed > buf.len() - pos);
                return (evs, recs, p.finish(&buf[pos..]).err());
            }
            Err(ReadError::Malformed(e)) => return (evs, recs, Some(e)),
        }
    }
}

fn single_error(buf: &[u8]) -> Error {
    let errs: Vec<Error> = packets(buf).filter_map(Result::err).collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    errs[0]
}

// ------------------------------------------------------------------- pcap

#[test]
fn every_pcap_magic_and_byte_order() {
    for (magic, nano, modified) in [
        (0xa1b2_c3d4, false, false),
        (0xa1b2_3c4d, true, false),
        (0xa1b2_cd34, false, true),
    ] {
        for be in [false, true] {
            let o = Order(be);
            let extra = if modified { 8 } else { 0 };
            let mut cap = pcap_header(magic, o, 65535, 1);
            cap.extend(pcap_record(
                o,
                1_700_000_000,
                123_456,
                &[1, 2, 3],
                60,
                extra,
            ));
            cap.extend(pcap_record(o, 1_700_000_001, 7, &[4, 5], 2, extra));
            let (evs, recs, err) = all_events(&cap);
            assert_eq!(err, None);
            assert_eq!(
                evs[0],
                format!(
                    "{:?}",
                    Event::Header(Format::Pcap {
                        nanosecond: nano,
                        big_endian: be,
                        modified
                    })
                )
            );
            assert_eq!(recs.len(), 2);
            let r = recs[0];
            assert_eq!(
                (r.frame, r.offset, r.caplen, r.origlen, r.data),
                (1, 24, 3, 60, &[1u8, 2, 3][..])
            );
            assert_eq!(r.linktype, LinkType::ETHERNET);
            let want = if nano {
                "1700000000.000123456"
            } else {
                "1700000000.123456"
            };
            assert_eq!(r.ts.to_string(), want);
            assert_eq!(recs[1].offset, 24 + 16 + extra as u64 + 3);
            assert_eq!(recs[1].frame, 2);
            let mut p = CaptureParser::new();
            p.next(&cap).unwrap();
            assert_eq!(p.interface(0).unwrap().snaplen, 65535);
        }
    }
}

#[test]
fn pcap_linktype_is_the_low_16_bits() {
    // FCS length 3 and reserved bits set around LINUX_SLL2.
    let o = Order(false);
    let mut cap = pcap_header(0xa1b2_c3d4, o, 100, 0x3400_0114);
    cap.extend(pcap_record(o, 0, 0, &[0; 20], 20, 0));
    assert_eq!(
        packets(&cap).next().unwrap().unwrap().linktype,
        LinkType::LINUX_SLL2
    );
}

#[test]
fn pcap_caplen_above_snaplen_and_origlen_is_read_as_written() {
    // As Wireshark: the record is read in full, frame numbering unchanged.
    let o = Order(false);
    let mut cap = pcap_header(0xa1b2_c3d4, o, 4, 1);
    cap.extend(pcap_record(o, 0, 0, &[0xab; 10], 2, 0)); // > snaplen and > origlen
    cap.extend(pcap_record(o, 0, 1, &[0xcd; 3], 3, 0));
    let recs: Vec<_> = packets(&cap).collect::<Result<_, _>>().unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(
        (recs[0].caplen, recs[0].origlen, recs[0].data.len()),
        (10, 2, 10)
    );
    assert_eq!((recs[1].frame, recs[1].data), (2, &[0xcd; 3][..]));
}

#[test]
fn pcap_record_above_the_limit_is_malformed_without_buffering() {
    let o = Order(false);
    let mut cap = pcap_header(0xa1b2_c3d4, o, 65535, 1);
    cap.extend(pcap_record(o, 0, 0, &[1], 1, 0));
    let mut big = pcap_record(o, 0, 0, &[], 0, 0);
    big[8..12].copy_from_slice(&o.u32(262_145));
    cap.extend(&big); // header only: the limit is checked before the data is needed
    let e = single_error(&cap);
    assert_eq!(
        e,
        Error::new(
            Layer::Pcap,
            41 + 8,
            ErrorKind::TooLarge {
                what: "record captured length",
                value: 262_145,
                max: 262_144
            }
        )
    );
    // The parser says which frame: frames() + 1, starting at offset().
    let mut p = CaptureParser::new();
    let mut pos = 0;
    loop {
        match p.next(&cap[pos..]) {
            Ok((n, _)) => pos += n,
            Err(ReadError::Malformed(_)) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!((p.frames() + 1, p.offset()), (2, 41));
    // A larger configured limit: then it is only a truncated file.
    let mut p = CaptureParser::with_max_record_len(1 << 20);
    let (n, _) = p.next(&cap).unwrap();
    let (m, _) = p.next(&cap[n..]).unwrap();
    assert_eq!(
        p.next(&cap[n + m..]),
        Err(ReadError::NeedMore {
            needed: 16 + 262_145
        })
    );
    let e = p.finish(&cap[n + m..]).unwrap_err();
    assert_eq!(e, Error::truncated(Layer::Pcap, 41, 16 + 262_145, 16));
}

#[test]
fn pcap_version_below_2_and_garbage_magic() {
    let mut cap = pcap_header(0xa1b2_c3d4, Order(false), 65535, 1);
    cap[4] = 1;
    assert_eq!(
        single_error(&cap).kind,
        ErrorKind::BadVersion { major: 1, minor: 4 }
    );
    let e = single_error(b"GIF89a..........................");
    assert_eq!(
        (e.layer, e.offset, e.kind),
        (
            Layer::Capture,
            0,
            ErrorKind::BadMagic { found: 0x4749_4638 }
        )
    );
    assert_eq!(packets(&[]).count(), 0, "empty input: no packets, no error");
    assert_eq!(
        single_error(&[0xd4, 0xc3]),
        Error::truncated(Layer::Capture, 0, 4, 2)
    );
    assert_eq!(
        single_error(&cap[..10]),
        Error::truncated(Layer::Capture, 0, 24, 10)
    );
}

// ----------------------------------------------------------------- pcapng

#[test]
fn pcapng_sections_with_their_own_byte_order() {
    let (le, be) = (Order(false), Order(true));
    let mut cap = shb(le);
    cap.extend(idb(le, 1, 0, &[]));
    cap.extend(idb(le, 113, 128, &[option(le, 9, &[9])]));
    cap.extend(epb(le, 1, 1_700_000_000_123_456_789, &[1, 2, 3], 3));
    cap.extend(block(le, 5, &[0; 8])); // ISB: skipped
    let second = cap.len() as u64;
    // Second section, big-endian: interface ids restart at 0.
    cap.extend(shb(be));
    cap.extend(idb(be, 101, 0, &[option(be, 14, &be.i64(-10))]));
    cap.extend(epb(be, 0, 2_000_000, &[4; 5], 9));
    cap.extend(spb(be, 2, &[7, 8]));
    let (evs, recs, err) = all_events(&cap);
    assert_eq!(err, None);
    assert_eq!(evs.len(), 9);
    assert!(evs[4].starts_with("Skipped { block_type: 5, len: 20 }"));
    assert_eq!(recs.len(), 3);
    let r = recs[0];
    assert_eq!(
        (r.frame, r.interface_id, r.linktype, r.ts.to_string()),
        (1, 1, LinkType::LINUX_SLL, "1700000000.123456789".into())
    );
    let r = recs[1];
    assert_eq!(
        (r.frame, r.interface_id, r.linktype, r.caplen, r.origlen),
        (2, 0, LinkType::RAW, 5, 9)
    );
    assert_eq!(
        r.ts.to_string(),
        "-8.000000",
        "2 s of microseconds, if_tsoffset -10 s"
    );
    assert!(r.offset > second);
    let r = recs[2];
    assert_eq!(
        (r.frame, r.interface_id, r.data, r.ts.nanos),
        (3, 0, &[7u8, 8][..], 0)
    );
    // A packet naming interface 1 in the second section is unknown there.
    let mut bad = cap.clone();
    let at = bad.len() as u64;
    bad.extend(epb(be, 1, 0, &[], 0));
    let e = single_error(&bad);
    assert_eq!(
        e,
        Error::new(Layer::Pcapng, at + 8, ErrorKind::UnknownInterface { id: 1 })
    );
}

#[test]
fn if_tsresol_base_2_and_base_10() {
    let o = Order(false);
    let mut cap = shb(o);
    cap.extend(idb(o, 1, 0, &[option(o, 9, &[0x80 | 32])])); // 2^-32 s
    cap.extend(idb(o, 1, 0, &[option(o, 9, &[3])])); // ms
    cap.extend(idb(o, 1, 0, &[option(o, 9, &[12])])); // ps
    cap.extend(epb(o, 0, (1_700_000_000u64 << 32) | (1 << 31), &[], 0));
    cap.extend(epb(o, 1, 1_700_000_000_250, &[], 0));
    cap.extend(epb(o, 2, 12_345_678_901_234_567, &[], 0));
    let (_, recs, err) = all_events(&cap);
    assert_eq!(err, None);
    assert_eq!(recs[0].ts.to_string(), "1700000000.500000000");
    assert_eq!(recs[1].ts.to_string(), "1700000000.250");
    assert_eq!(
        recs[2].ts.to_string(),
        "12345.678901234",
        "ps floored to ns, 9 digits"
    );
    let mut p = CaptureParser::new();
    let mut pos = 0;
    for _ in 0..4 {
        pos += p.next(&cap[pos..]).unwrap().0;
    }
    assert_eq!(p.interface(0).unwrap().resolution, TsResolution::Binary(32));
    assert_eq!(p.interface(1).unwrap().resolution, TsResolution::Decimal(3));
    assert_eq!(
        p.interface(2).unwrap().resolution,
        TsResolution::Decimal(12)
    );
}

#[test]
fn picosecond_and_huge_unit_counts_do_not_overflow() {
    let o = Order(true);
    let mut cap = shb(o);
    cap.extend(idb(o, 1, 0, &[option(o, 9, &[12])]));
    cap.extend(idb(
        o,
        1,
        0,
        &[option(o, 9, &[0]), option(o, 14, &o.i64(i64::MAX))],
    ));
    cap.extend(epb(o, 0, u64::MAX, &[], 0));
    cap.extend(epb(o, 1, u64::MAX, &[], 0));
    let recs: Vec<_> = packets(&cap).collect::<Result<_, _>>().unwrap();
    // u64::MAX ps = 18446744.073709551615 s, floored to ns.
    assert_eq!(recs[0].ts.to_string(), "18446744.073709551");
    assert_eq!(recs[1].ts.nanos, i64::MAX, "clamped, not wrapped");
}

#[test]
fn obsolete_packet_block_and_simple_packet_block() {
    let o = Order(false);
    let mut cap = shb(o);
    cap.extend(idb(o, 1, 4, &[option(o, 9, &[6])]));
    cap.extend(idb(o, 1, 0, &[]));
    cap.extend(pb(o, 1, 5_000_000, &[9; 6], 6));
    cap.extend(spb(o, 10, &[1, 2, 3, 4, 5, 6, 7, 8])); // snaplen 4 of IDB 0 wins
    cap.extend(spb(o, 3, &[1, 2, 3, 0xff])); // padding is not data
    let recs: Vec<_> = packets(&cap).collect::<Result<_, _>>().unwrap();
    assert_eq!(
        (recs[0].frame, recs[0].interface_id, recs[0].ts.to_string()),
        (1, 1, "5.000000".into())
    );
    assert_eq!(
        (recs[1].frame, recs[1].caplen, recs[1].origlen, recs[1].data),
        (2, 4, 10, &[1u8, 2, 3, 4][..])
    );
    assert_eq!(
        (recs[2].frame, recs[2].caplen, recs[2].data),
        (3, 3, &[1u8, 2, 3][..])
    );
}

#[test]
fn spb_or_epb_without_an_idb_is_unknown_interface() {
    let o = Order(false);
    let mut cap = shb(o);
    cap.extend(spb(o, 1, &[1]));
    assert_eq!(
        single_error(&cap),
        Error::new(Layer::Pcapng, 28 + 8, ErrorKind::UnknownInterface { id: 0 })
    );
    let mut cap = shb(o);
    cap.extend(epb(o, 0, 0, &[1], 1));
    assert_eq!(
        single_error(&cap).kind,
        ErrorKind::UnknownInterface { id: 0 }
    );
}

#[test]
fn bad_block_lengths_have_file_offsets() {
    let o = Order(false);
    let mut head = shb(o);
    head.extend(idb(o, 1, 0, &[]));
    let at = head.len() as u64;
    let with = |len: u32, tail: Option<u32>| {
        let mut cap = head.clone();
        let mut b = epb(o, 0, 0, &[1, 2, 3, 4], 4);
        b[4..8].copy_from_slice(&o.u32(len));
        if let Some(t) = tail {
            let n = b.len();
            b[n - 4..].copy_from_slice(&o.u32(t));
        }
        cap.extend(b);
        cap
    };
    let what = "pcapng block total length";
    assert_eq!(
        single_error(&with(8, None)),
        Error::new(
            Layer::Pcapng,
            at + 4,
            ErrorKind::BadLength { what, value: 8 }
        )
    );
    assert_eq!(
        single_error(&with(0, None)).kind,
        ErrorKind::BadLength { what, value: 0 }
    );
    assert_eq!(
        single_error(&with(37, None)).kind,
        ErrorKind::BadLength { what, value: 37 }
    );
    let e = single_error(&with(0xffff_fffc, None));
    assert_eq!(
        e,
        Error::new(
            Layer::Pcapng,
            at + 4,
            ErrorKind::TooLarge {
                what,
                value: 0xffff_fffc,
                max: 262_144 + 131_072
            }
        )
    );
    let e = single_error(&with(36, Some(40)));
    assert_eq!(e.offset, at + 32);
    assert!(matches!(e.kind, ErrorKind::BadLength { value: 40, .. }));
    // A longer head than the file: ended inside the block.
    let e = single_error(&with(40, None));
    assert_eq!(e, Error::truncated(Layer::Pcapng, at, 40, 36));
    // caplen past the block end
    let mut cap = head.clone();
    let mut b = epb(o, 0, 0, &[1, 2, 3, 4], 4);
    b[20..24].copy_from_slice(&o.u32(5));
    cap.extend(b);
    let e = single_error(&cap);
    assert_eq!(e.offset, at + 20);
    assert!(matches!(e.kind, ErrorKind::BadLength { value: 5, .. }));
    // SHB: unknown byte-order magic, unsupported major version.
    let mut cap = shb(o);
    cap[8..12].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        single_error(&cap),
        Error::new(Layer::Pcapng, 8, ErrorKind::BadMagic { found: 0xdead_beef })
    );
    let mut cap = shb(o);
    cap[12..14].copy_from_slice(&o.u16(2));
    assert_eq!(
        single_error(&cap).kind,
        ErrorKind::BadVersion { major: 2, minor: 0 }
    );
}

#[test]
fn pcapng_caplen_above_snaplen_and_origlen_and_the_limit() {
    let o = Order(false);
    let mut cap = shb(o);
    cap.extend(idb(o, 1, 2, &[]));
    cap.extend(epb(o, 0, 0, &[1, 2, 3, 4, 5], 1)); // > snaplen 2, > origlen 1: passed through
    let r = packets(&cap).next().unwrap().unwrap();
    assert_eq!((r.caplen, r.origlen, r.data.len()), (5, 1, 5));
    let mut p = CaptureParser::with_max_record_len(4);
    let mut pos = 0;
    for _ in 0..2 {
        pos += p.next(&cap[pos..]).unwrap().0;
    }
    let Err(ReadError::Malformed(e)) = p.next(&cap[pos..]) else {
        panic!()
    };
    assert_eq!(
        e,
        Error::new(
            Layer::Pcapng,
            pos as u64 + 20,
            ErrorKind::TooLarge {
                what: "pcapng packet captured length",
                value: 5,
                max: 4
            }
        )
    );
    assert_eq!(p.frames() + 1, 1);
}

#[test]
fn interface_table_is_capped_by_count() {
    let o = Order(false);
    let mut cap = shb(o);
    for _ in 0..5 {
        cap.extend(idb(o, 1, 0, &[]));
    }
    cap.extend(epb(o, 2, 0, &[], 0));
    cap.extend(epb(o, 3, 0, &[], 0));
    let recs: Vec<_> = packets(&cap).collect();
    assert_eq!(recs.len(), 2);
    assert!(recs.iter().all(Result::is_ok), "default cap is far above 5");
    let mut it =
        tcpopt_parse::capture::Packets::with_parser(&cap, CaptureParser::with_limits(262_144, 3));
    assert_eq!(it.next().unwrap().unwrap().interface_id, 2);
    assert_eq!(
        it.next().unwrap().unwrap_err().kind,
        ErrorKind::TooLarge {
            what: "interface id",
            value: 3,
            max: 3
        }
    );
    assert!(it.next().is_none());
}

#[test]
fn thousands_of_interfaces() {
    let o = Order(false);
    let mut cap = shb(o);
    for i in 0..3000u32 {
        cap.extend(idb(o, (i % 300) as u16, 0, &[]));
    }
    cap.extend(epb(o, 2999, 0, &[], 0));
    let r = packets(&cap).next().unwrap().unwrap();
    assert_eq!((r.interface_id, r.linktype), (2999, LinkType(2999 % 300)));
}

// ------------------------------------------------------------ no spinning

fn sample_capture() -> Vec<u8> {
    let (le, be) = (Order(false), Order(true));
    let mut cap = shb(le);
    cap.extend(idb(le, 1, 0, &[option(le, 9, &[9])]));
    cap.extend(epb(le, 0, 1, &[1, 2, 3], 3));
    cap.extend(shb(be));
    cap.extend(idb(be, 1, 0, &[]));
    cap.extend(spb(be, 3, &[1, 2, 3]));
    cap.extend(pb(be, 0, 9, &[5; 9], 9));
    cap
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any bytes: every Ok consumes, every NeedMore asks for more than is
    /// there, errors are sticky, nothing panics.
    #[test]
    fn arbitrary_bytes_always_progress(mut bytes in proptest::collection::vec(any::<u8>(), 0..512), pcapng in any::<bool>(), be in any::<bool>()) {
        // Give most inputs a valid magic so that the framing gets exercised.
        let magic: &[u8] = if pcapng { &[0x0a, 0x0d, 0x0d, 0x0a] } else if be { &[0xa1, 0xb2, 0xc3, 0xd4] } else { &[0xd4, 0xc3, 0xb2, 0xa1] };
        if bytes.len() >= 12 {
            bytes[..4].copy_from_slice(magic);
            if pcapng { bytes[8..12].copy_from_slice(if be { &[0x1a, 0x2b, 0x3c, 0x4d] } else { &[0x4d, 0x3c, 0x2b, 0x1a] }); }
        }
        let mut p = CaptureParser::with_limits(4096, 8);
        let mut pos = 0;
        for _ in 0..=bytes.len() {
            match p.next(&bytes[pos..]) {
                Ok((n, _)) => { prop_assert!(n > 0); pos += n; prop_assert!(pos <= bytes.len()); }
                Err(ReadError::NeedMore { needed }) => { prop_assert!(needed > bytes.len() - pos); break; }
                Err(e @ ReadError::Malformed(_)) => { prop_assert_eq!(p.next(&bytes[pos..]), Err(e)); break; }
            }
        }
        prop_assert_eq!(p.offset(), pos as u64);
        let whole: Vec<_> = packets(&bytes).map(|r| r.map(|p| (p.frame, p.offset, p.ts, p.data.to_vec()))).collect();
        let mut r = ChunkedReader::with_parser(CaptureParser::new());
        let mut chunked = Vec::new();
        for c in bytes.chunks(5) {
            r.push(c);
            loop {
                match r.next() {
                    Ok(Some(Event::Packet(p))) => chunked.push(Ok((p.frame, p.offset, p.ts, p.data.to_vec()))),
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => { chunked.push(Err(e)); break; }
                }
            }
            if matches!(chunked.last(), Some(Err(_))) { break; }
        }
        if !matches!(chunked.last(), Some(Err(_))) {
            if let Err(e) = r.finish() { chunked.push(Err(e)); }
        }
        prop_assert_eq!(whole, chunked);
    }

    /// A valid capture split anywhere: the chunked reader matches the whole-buffer one.
    #[test]
    fn valid_capture_any_split(split in proptest::collection::vec(1usize..40, 1..20)) {
        let cap = sample_capture();
        let whole: Vec<_> = packets(&cap).map(|r| r.unwrap().offset).collect();
        prop_assert_eq!(whole.len(), 3);
        let mut r = ChunkedReader::new();
        let (mut got, mut pos, mut i) = (Vec::new(), 0, 0);
        while pos < cap.len() {
            let n = split[i % split.len()].min(cap.len() - pos);
            r.push(&cap[pos..pos + n]);
            pos += n;
            i += 1;
            while let Some(ev) = r.next().unwrap() {
                if let Event::Packet(p) = ev { got.push(p.offset); }
            }
        }
        r.finish().unwrap();
        prop_assert_eq!(got, whole);
        prop_assert_eq!(r.bytes_consumed(), cap.len() as u64);
    }
}

#[test]
fn read_adapter_surfaces_io_errors() {
    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let cap = sample_capture();
            if self.0 >= 60 {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = buf.len().min(7).min(cap.len() - self.0);
            buf[..n].copy_from_slice(&cap[self.0..self.0 + n]);
            self.0 += n;
            Ok(n)
        }
    }
    let err = tcpopt_parse::capture::for_each_event(Failing(0), CaptureParser::new(), |_| {
        core::ops::ControlFlow::Continue(())
    })
    .unwrap_err();
    assert!(
        matches!(err, tcpopt_parse::capture::ReadFailure::Io(_)),
        "{err}"
    );
    let cap = sample_capture();
    let mut frames = Vec::new();
    let n = tcpopt_parse::capture::for_each_event(&cap[..], CaptureParser::new(), |ev| {
        if let Event::Packet(p) = ev {
            frames.push(p.frame);
        }
        core::ops::ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!((n, frames), (3, vec![1, 2, 3]));
}
