//! fanguai vault
#![forbid(unsafe_code)]
