//! TCP: the checked header view and the options iterator.
mod flags;
pub use flags::TcpFlags;
