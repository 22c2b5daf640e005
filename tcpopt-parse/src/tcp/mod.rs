//! TCP: the checked header view (RFC 9293 §3.1) and the options iterator
//! (RFC 9293 §3.2 and the option RFCs named on each [`TcpOption`] variant).
//!
//! There is one options decoder: [`TcpOptions`] frames the options and
//! [`TcpOption`] decodes each body; [`OptionsSummary`], what the analysis
//! reads on every segment, is a fold of the same items.
mod flags;
pub use flags::TcpFlags;

mod emit;
mod header;
pub mod kind;
mod option;
mod options;
mod sack;
mod summary;

pub use emit::TcpHeaderFields;
pub use header::{field, TcpHeader};
pub use option::{OptionError, OptionErrorReason, TcpOption};
pub use options::TcpOptions;
pub use sack::{SackBlockIter, SackBlocks};
pub use summary::OptionsSummary;
