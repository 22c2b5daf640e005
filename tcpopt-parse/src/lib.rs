//! # tcpopt-parse
//!
//! A `no_std`, zero-copy, [nom]-based parser for packet captures (pcap and
//! pcapng), the link layers and tunnels that container networks use, IPv4,
//! IPv6 and TCP with every TCP option; and, behind the `alloc` feature, the
//! TCP timestamp analysis (RFC 7323, Linux PAWS and `tcp_tw_recycle`) that
//! the `tcpopt` command line and the browser inspector share.
//!
//! ## Layers
//! - [`capture`]: the sans-IO capture reader ([`capture::CaptureParser`]),
//!   the whole-buffer iterator and, with `alloc`, the chunked reader.
//! - [`decode()`]: link layer → tunnels → IP → TCP, lax: it returns every
//!   layer it could parse and why it stopped.
//! - [`tcp`]: the checked TCP header view and its options iterator.
//! - `analysis` (feature `alloc`): flows, clock lines and the detectors.
//! - `present` (feature `alloc`): the text the CLI and the page show.
//!
//! ## Features
//! - default: nothing that needs an allocator.
//! - `alloc`: the chunked reader and the analysis engine.
//! - `std`: an adapter over [`std::io::Read`] and `std::error::Error`.
//! - `serde`: `Serialize` for the report and the error values.
//! - `schema`: the report's JSON Schema and TypeScript types ([`schema`]).
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_debug_implementations)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// The README's examples compile (`cargo test --doc --all-features`).
#[cfg(all(doctest, feature = "std", feature = "compress"))]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

pub mod error;
pub mod linktype;
pub mod timestamp;

pub use error::{Error, ErrorKind, Layer};
pub use linktype::LinkType;
pub use timestamp::Timestamp;

pub mod capture;
pub mod decode;
pub mod segment;
pub mod tcp;

#[cfg(feature = "alloc")]
pub mod analysis;
#[cfg(feature = "alloc")]
pub mod present;
#[cfg(feature = "schema")]
pub mod schema;

pub use segment::Segment;

#[cfg(feature = "compress")]
pub mod compress;

pub mod dissect;
#[cfg(feature = "alloc")]
pub mod pipeline;

// decode
pub mod ip;
pub mod link;
pub mod tunnel;
pub use decode::{decode, Decoded, Transport};
