//! Placeholder until the web issue.
#![forbid(unsafe_code)]
