//! TCP timestamp analysis.
