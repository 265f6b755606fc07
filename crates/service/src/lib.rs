//! fanguai service
#![forbid(unsafe_code)]
