use std::fmt;

use zeroize::Zeroize;

/// A value that must never be printed or left in memory after use: keys,
/// passwords, TOTP seeds, decrypted personal fields.
///
/// The value lives on the heap so that moving a `Secret` moves a pointer and
/// leaves no stray copy of the bytes behind; it is wiped when dropped.
/// `Debug` and `Display` print `***`, so a secret that slips into a log line or
/// an error message leaks nothing. `Serialize` is deliberately not implemented.
///
/// Beware: `secret.to_string()` therefore yields `"***"`, not the value. To store
/// or send the value, take it with `expose()`.
pub struct Secret<T: Zeroize>(Box<T>);

impl<T: Zeroize> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(Box::new(value))
    }

    /// The only way to reach the value; grep for it when reviewing where secrets flow.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// For filling a secret in place (random bytes, decoded key files) so the
    /// value is never assembled on the stack first.
    pub(crate) fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> zeroize::ZeroizeOnDrop for Secret<T> {}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret::new(value)
    }
}

impl<T: Zeroize + Clone> Clone for Secret<T> {
    fn clone(&self) -> Self {
        Secret::new(self.expose().clone())
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Lets configuration structs hold secrets directly.
impl<'de, T: Zeroize + serde::Deserialize<'de>> serde::Deserialize<'de> for Secret<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new(String::from("hunter2-correct-horse"));
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(***)");
        assert_eq!(s.expose(), "hunter2-correct-horse");
    }

    #[test]
    fn to_string_is_the_mask_not_the_value() {
        let s = Secret::new(String::from("GEZDGNBV"));
        assert_eq!(s.to_string(), "***");
        assert_eq!(s.expose().clone(), "GEZDGNBV");
    }

    #[test]
    fn clone_is_independent() {
        let a = Secret::new(vec![1u8, 2, 3]);
        let b = a.clone();
        drop(a);
        assert_eq!(b.expose(), &vec![1u8, 2, 3]);
    }
}
