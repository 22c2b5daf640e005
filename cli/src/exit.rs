//! The process exit status, shared by every command.

/// The process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Nothing at or above the `--fail-on` threshold.
    Ok = 0,
    /// A finding at or above the threshold.
    Findings = 1,
    /// Unusable input (missing, not a capture) or bad arguments.
    Unusable = 2,
    /// The capture was damaged or cut: what came before was reported.
    Partial = 3,
}

impl ExitCode {
    /// How bad: an unusable input outweighs a partial one, which outweighs
    /// findings (a cut capture's findings are printed, but a script must
    /// learn that the report is incomplete).
    fn rank(self) -> u8 {
        match self {
            ExitCode::Ok => 0,
            ExitCode::Findings => 1,
            ExitCode::Partial => 2,
            ExitCode::Unusable => 3,
        }
    }

    /// The worse of two outcomes (several files give one status).
    pub fn worst(self, other: ExitCode) -> ExitCode {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}
