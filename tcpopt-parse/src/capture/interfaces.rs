//! The interface table of the current pcapng section.
//!
//! Interface IDs are the index of the IDB within its section (pcapng §4.2)
//! and restart at 0 at every SHB. The table never grows with a length
//! field, only with IDBs actually read, and is capped:
//! - without `alloc`: a fixed array of [`FIXED_INTERFACES`] entries;
//! - with `alloc`: a `Vec` capped at a configurable count (default
//!   [`DEFAULT_MAX_INTERFACES`]).
//!
//! IDBs past the cap are still counted (so later IDs keep their meaning);
//! only a packet that names one of them fails, with `TooLarge`.

use super::InterfaceInfo;
use crate::error::ErrorKind;

/// Capacity of the table without `alloc`.
pub const FIXED_INTERFACES: usize = 32;
/// Default cap of the table with `alloc`.
pub const DEFAULT_MAX_INTERFACES: u32 = 65_536;

#[derive(Clone, Debug)]
pub(crate) struct Interfaces {
    #[cfg(feature = "alloc")]
    stored: alloc::vec::Vec<InterfaceInfo>,
    #[cfg(not(feature = "alloc"))]
    stored: [InterfaceInfo; FIXED_INTERFACES],
    /// IDBs seen in this section (including any past the cap).
    count: u32,
    /// How many entries may be stored.
    cap: u32,
}

impl Interfaces {
    #[cfg(feature = "alloc")]
    pub(crate) fn new(cap: u32) -> Self {
        Interfaces {
            stored: alloc::vec::Vec::new(),
            count: 0,
            cap,
        }
    }

    #[cfg(not(feature = "alloc"))]
    pub(crate) fn new(cap: u32) -> Self {
        let cap = cap.min(FIXED_INTERFACES as u32);
        Interfaces {
            stored: [InterfaceInfo::PLACEHOLDER; FIXED_INTERFACES],
            count: 0,
            cap,
        }
    }

    pub(crate) fn clear(&mut self) {
        #[cfg(feature = "alloc")]
        self.stored.clear();
        self.count = 0;
    }

    /// The id the next IDB will get.
    pub(crate) fn next_id(&self) -> u32 {
        self.count
    }

    pub(crate) fn push(&mut self, info: InterfaceInfo) {
        if self.count < self.cap {
            #[cfg(feature = "alloc")]
            self.stored.push(info);
            #[cfg(not(feature = "alloc"))]
            if let Some(slot) = self.stored.get_mut(self.count as usize) {
                *slot = info;
            }
        }
        self.count = self.count.saturating_add(1);
    }

    pub(crate) fn get(&self, id: u32) -> Result<InterfaceInfo, ErrorKind> {
        if id >= self.count {
            return Err(ErrorKind::UnknownInterface { id });
        }
        let stored = if id < self.cap {
            self.stored.get(id as usize).copied()
        } else {
            None
        };
        stored.ok_or(ErrorKind::TooLarge {
            what: "interface id",
            value: id.into(),
            max: u64::from(self.cap),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_past_the_cap_are_counted_but_not_stored() {
        let mut t = Interfaces::new(2);
        for i in 0..3 {
            assert_eq!(t.next_id(), i);
            t.push(InterfaceInfo {
                id: i,
                ..InterfaceInfo::PLACEHOLDER
            });
        }
        assert_eq!(t.get(1).unwrap().id, 1);
        assert_eq!(
            t.get(2),
            Err(ErrorKind::TooLarge {
                what: "interface id",
                value: 2,
                max: 2
            })
        );
        assert_eq!(t.get(3), Err(ErrorKind::UnknownInterface { id: 3 }));
        t.clear();
        assert_eq!(t.get(0), Err(ErrorKind::UnknownInterface { id: 0 }));
    }

    #[cfg(not(feature = "alloc"))]
    #[test]
    fn fixed_table_holds_32() {
        let mut t = Interfaces::new(DEFAULT_MAX_INTERFACES);
        for i in 0..40 {
            t.push(InterfaceInfo {
                id: i,
                ..InterfaceInfo::PLACEHOLDER
            });
        }
        assert_eq!(t.get(31).unwrap().id, 31);
        assert_eq!(
            t.get(32),
            Err(ErrorKind::TooLarge {
                what: "interface id",
                value: 32,
                max: 32
            })
        );
        assert_eq!(t.get(40), Err(ErrorKind::UnknownInterface { id: 40 }));
    }
}
