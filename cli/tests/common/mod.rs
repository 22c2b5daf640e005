//! Where the tests find the shared captures (read-only test data beside
//! the repository).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The shared captures relative to the workspace root: the tests run the
/// binary from there, so that snapshots and messages hold no absolute path.
pub const CAPTURES: &str = "../shared/captures";

/// The shared captures as a path that works from any directory.
pub fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(CAPTURES)
}
