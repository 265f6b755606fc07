//! fanguai store
#![forbid(unsafe_code)]
