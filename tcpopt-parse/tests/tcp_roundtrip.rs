//! proptest: header fields + options → bytes → parse → the same values; and
//! no input, whole or cut, makes the parser panic or the summary disagree
//! with the iterator.

mod tcp_util;

use proptest::prelude::*;
use tcp_util::summary_from_iterator;
use tcpopt_parse::tcp::{
    kind, SackBlocks, TcpFlags, TcpHeader, TcpHeaderFields, TcpOption, TcpOptions,
};

/// An option with owned bytes, so proptest can generate it.
#[derive(Clone, Debug)]
enum Opt {
    Nop,
    Mss(u16),
    Ws(u8),
    SackPerm,
    Sack(Vec<u8>),
    Ts(u32, u32),
    Md5(Vec<u8>),
    Uto(bool, u16),
    Ao(u8, u8, Vec<u8>),
    Mptcp(u8, Vec<u8>),
    FastOpen(Vec<u8>, bool),
    AccEcn(u8, Vec<u8>),
    Exp(u8, u16, Vec<u8>),
    Unknown(u8, Vec<u8>),
}

impl Opt {
    fn view(&self) -> TcpOption<'_> {
        match self {
            Opt::Nop => TcpOption::Nop,
            Opt::Mss(v) => TcpOption::Mss(*v),
            Opt::Ws(v) => TcpOption::WindowScale(*v),
            Opt::SackPerm => TcpOption::SackPermitted,
            Opt::Sack(b) => TcpOption::Sack(SackBlocks::new(b).unwrap()),
            Opt::Ts(a, b) => TcpOption::Timestamps {
                tsval: *a,
                tsecr: *b,
            },
            Opt::Md5(d) => TcpOption::Md5 { digest: d },
            Opt::Uto(g, t) => TcpOption::UserTimeout {
                granularity_minutes: *g,
                timeout: *t,
            },
            Opt::Ao(k, r, mac) => TcpOption::TcpAo {
                key_id: *k,
                rnext_key_id: *r,
                mac,
            },
            Opt::Mptcp(st, data) => TcpOption::Mptcp { subtype: *st, data },
            Opt::FastOpen(c, e) => TcpOption::FastOpen {
                cookie: c,
                experimental: *e,
            },
            Opt::AccEcn(o, c) => TcpOption::AccEcn {
                order: *o,
                counters: c,
            },
            Opt::Exp(k, e, d) => TcpOption::Experimental {
                kind: *k,
                exid: *e,
                data: d,
            },
            Opt::Unknown(k, d) => TcpOption::Unknown { kind: *k, data: d },
        }
    }
}

fn bytes(n: impl Into<proptest::collection::SizeRange>) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), n)
}

const KNOWN: [u8; 16] = [0, 1, 2, 3, 4, 5, 8, 19, 28, 29, 30, 34, 172, 174, 253, 254];

fn opt() -> impl Strategy<Value = Opt> {
    prop_oneof![
        3 => Just(Opt::Nop),
        2 => any::<u16>().prop_map(Opt::Mss),
        2 => any::<u8>().prop_map(Opt::Ws),
        2 => Just(Opt::SackPerm),
        1 => (1usize..=4).prop_flat_map(|n| bytes(8 * n)).prop_map(Opt::Sack),
        3 => (any::<u32>(), any::<u32>()).prop_map(|(a, b)| Opt::Ts(a, b)),
        1 => bytes(16).prop_map(Opt::Md5),
        1 => (any::<bool>(), 0u16..0x8000).prop_map(|(g, t)| Opt::Uto(g, t)),
        1 => (any::<u8>(), any::<u8>(), bytes(0..=12)).prop_map(|(k, r, m)| Opt::Ao(k, r, m)),
        1 => (any::<u8>(), bytes(0..=10)).prop_map(|(b0, mut rest)| {
            rest.insert(0, b0);
            Opt::Mptcp(b0 >> 4, rest)
        }),
        1 => (prop_oneof![Just(0usize), (2usize..=8).prop_map(|h| 2 * h)], any::<bool>())
            .prop_flat_map(|(n, e)| (bytes(n), Just(e)))
            .prop_map(|(c, e)| Opt::FastOpen(c, e)),
        1 => (0u8..=1, 0usize..=3).prop_flat_map(|(o, n)| (Just(o), bytes(3 * n))).prop_map(|(o, c)| Opt::AccEcn(o, c)),
        1 => (prop_oneof![Just(253u8), Just(254u8)], any::<u16>(), bytes(0..=8))
            .prop_filter("Fast Open ExID", |(k, e, _)| !(*k == 254 && *e == kind::EXID_FAST_OPEN))
            .prop_map(|(k, e, d)| Opt::Exp(k, e, d)),
        1 => (any::<u8>().prop_filter("unknown kind", |k| !KNOWN.contains(k)), bytes(0..=10))
            .prop_map(|(k, d)| Opt::Unknown(k, d)),
    ]
}

/// Options that fit in 40 bytes (a prefix of what was generated).
fn opts() -> impl Strategy<Value = Vec<Opt>> {
    proptest::collection::vec(opt(), 0..=12).prop_map(|v| {
        let mut total = 0;
        v.into_iter()
            .take_while(|o| {
                total += o.view().wire_len();
                total <= 40
            })
            .collect()
    })
}

fn fields() -> impl Strategy<Value = TcpHeaderFields> {
    (
        any::<(u16, u16, u32, u32)>(),
        0u16..0x200,
        any::<(u16, u16, u16)>(),
    )
        .prop_map(
            |((src_port, dst_port, seq, ack), flags, (window, checksum, urgent_ptr))| {
                TcpHeaderFields {
                    src_port,
                    dst_port,
                    seq,
                    ack,
                    flags: TcpFlags(flags),
                    window,
                    checksum,
                    urgent_ptr,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn round_trip(f in fields(), opts in opts(), payload in bytes(0..=24)) {
        let views: Vec<TcpOption<'_>> = opts.iter().map(Opt::view).collect();
        let mut buf = [0u8; 60];
        let hlen = f.emit(&views, &mut buf).unwrap();
        let mut seg = buf[..hlen].to_vec();
        seg.extend_from_slice(&payload);

        let h = TcpHeader::parse(&seg).unwrap();
        prop_assert_eq!(TcpHeaderFields::of(&h), f);
        prop_assert_eq!(h.header_len(), hlen);
        prop_assert_eq!(usize::from(h.data_offset()) * 4, hlen);
        prop_assert!(!h.options_truncated());
        prop_assert_eq!(h.payload(), &payload[..]);

        let mut expected = views.clone();
        let opt_len: usize = views.iter().map(TcpOption::wire_len).sum();
        if opt_len % 4 != 0 {
            expected.push(TcpOption::Eol); // the zero padding
        }
        let got: Vec<TcpOption<'_>> = h.options().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(got, expected);
        let s = h.summary();
        prop_assert!(s.complete);
        prop_assert_eq!(s, summary_from_iterator(h.options()));
    }

    /// A cut capture: every option before the cut comes back, then one
    /// truncation error (or the EOL padding was reached), never a panic.
    #[test]
    fn cut_capture(f in fields(), opts in opts(), cut in 20usize..60) {
        let views: Vec<TcpOption<'_>> = opts.iter().map(Opt::view).collect();
        let mut buf = [0u8; 60];
        let hlen = f.emit(&views, &mut buf).unwrap();
        let cut = cut.min(hlen);
        let h = TcpHeader::parse(&buf[..cut]).unwrap();
        prop_assert_eq!(h.options_truncated(), cut < hlen);
        let full: Vec<_> = TcpHeader::parse(&buf[..hlen]).unwrap().options().collect();
        let got: Vec<_> = h.options().collect();
        let s = h.summary();
        prop_assert_eq!(s, summary_from_iterator(h.options()));
        match got.last() {
            Some(Err(e)) => {
                prop_assert!(e.reason.is_truncation());
                prop_assert_eq!(&got[..got.len() - 1], &full[..got.len() - 1]);
                prop_assert!(!s.complete);
            }
            _ => {
                prop_assert_eq!(&got, &full);
                prop_assert!(s.complete);
            }
        }
    }

    /// Arbitrary bytes: no panic, and the fast summary agrees with the walk.
    #[test]
    fn arbitrary_bytes(data in bytes(0..=80)) {
        if let Ok(h) = TcpHeader::parse(&data) {
            prop_assert_eq!(h.summary(), summary_from_iterator(h.options()));
            let n = h.options().count();
            prop_assert!(n <= 40 + 1);
            prop_assert!(h.options_bytes().len() + h.payload().len() + 20 == data.len());
        }
        let area = data.get(..data.len().min(40)).unwrap();
        prop_assert_eq!(TcpOptions::new(area).summary(), summary_from_iterator(TcpOptions::new(area)));
    }
}
