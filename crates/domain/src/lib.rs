//! fanguai domain
#![forbid(unsafe_code)]
