//! fanguai web
#![forbid(unsafe_code)]
