//! STR kinship engine.
