//! Login passwords, stored as argon2id hashes in PHC string form
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
//!
//! Functions take the password as `&str` borrowed from wherever it is held
//! (a `Secret`, the domain's password type); copying it into a new wrapper
//! for the call would add a copy, not protection.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;

use crate::error::{Result, VaultError};

const OUTPUT_LEN: usize = 32;
const MIN_SALT_LEN: usize = 16;
/// 16 salt bytes in unpadded base64, as PHC strings carry them.
const MIN_SALT_B64_LEN: usize = 22;

/// argon2id cost parameters. Hashes made under older parameters still verify
/// (they carry their own parameters); `needs_rehash` tells the login flow to
/// re-hash them while it holds the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy::OWASP
    }
}

impl PasswordPolicy {
    /// OWASP's argon2id recommendation: 19 MiB of memory, 2 passes, 1 lane.
    pub const OWASP: PasswordPolicy = PasswordPolicy {
        m_cost_kib: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };

    pub fn new(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Result<Self> {
        let policy = PasswordPolicy {
            m_cost_kib,
            t_cost,
            p_cost,
        };
        policy.params()?;
        Ok(policy)
    }

    pub fn m_cost_kib(&self) -> u32 {
        self.m_cost_kib
    }

    pub fn t_cost(&self) -> u32 {
        self.t_cost
    }

    pub fn p_cost(&self) -> u32 {
        self.p_cost
    }

    fn params(&self) -> Result<Params> {
        Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(OUTPUT_LEN)).map_err(|e| {
            VaultError::InvalidInput {
                field: "password policy",
                reason: format!(
                    "argon2 rejects m={} KiB, t={}, p={}: {e}",
                    self.m_cost_kib, self.t_cost, self.p_cost
                ),
            }
        })
    }

    fn hasher(&self) -> Result<Argon2<'static>> {
        Ok(Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            self.params()?,
        ))
    }

    /// Hashes with a fresh random 16-byte salt.
    pub fn hash(&self, password: &str) -> Result<HashedPassword> {
        let salt = SaltString::generate(&mut OsRng);
        let phc = self
            .hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| VaultError::PasswordHashing {
                reason: e.to_string(),
            })?;
        Ok(HashedPassword(phc.to_string()))
    }

    /// Whether `hashed` was made with other parameters or another algorithm
    /// than this policy's, and should be replaced after a successful login.
    pub fn needs_rehash(&self, hashed: &HashedPassword) -> bool {
        let Ok(phc) = PasswordHash::new(&hashed.0) else {
            return true;
        };
        if phc.algorithm != Algorithm::Argon2id.ident()
            || phc.version != Some(Version::V0x13.into())
        {
            return true;
        }
        let salt_short = phc.salt.is_none_or(|s| s.as_str().len() < MIN_SALT_B64_LEN);
        let output_differs = phc.hash.is_none_or(|h| h.len() != OUTPUT_LEN);
        match Params::try_from(&phc) {
            Ok(p) => {
                salt_short
                    || output_differs
                    || p.m_cost() != self.m_cost_kib
                    || p.t_cost() != self.t_cost
                    || p.p_cost() != self.p_cost
            }
            Err(_) => true,
        }
    }

    /// Spends the work of one verification and discards it. Call it when the
    /// account does not exist, so the response time does not tell an attacker
    /// which user names are real.
    pub fn burn_time(&self, password: &str) {
        const SALT: &[u8; MIN_SALT_LEN] = b"fanguai-no-user!";
        let mut out = [0u8; OUTPUT_LEN];
        if let Ok(hasher) = self.hasher() {
            let _ = hasher.hash_password_into(password.as_bytes(), SALT, &mut out);
        }
        std::hint::black_box(out);
    }
}

/// A stored password hash (PHC string). Not secret like a password, but it
/// allows offline guessing, so `Debug` hides it too.
#[derive(Clone, PartialEq, Eq)]
pub struct HashedPassword(String);

impl fmt::Debug for HashedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashedPassword(***)")
    }
}

impl HashedPassword {
    /// Reads a PHC string back from the store. Only the argon2 family is
    /// accepted, with parameters argon2 can run.
    pub fn parse(phc: &str) -> Result<Self> {
        let invalid = |reason: String| VaultError::Malformed {
            what: "password hash",
            reason,
        };
        let parsed =
            PasswordHash::new(phc).map_err(|e| invalid(format!("not a PHC string: {e}")))?;
        Algorithm::try_from(parsed.algorithm)
            .map_err(|_| invalid(format!("algorithm {} is not argon2", parsed.algorithm)))?;
        Params::try_from(&parsed).map_err(|e| invalid(format!("unusable parameters: {e}")))?;
        if parsed.salt.is_none() || parsed.hash.is_none() {
            return Err(invalid("salt or hash is missing".into()));
        }
        Ok(HashedPassword(phc.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// Checks `password` against this hash using the parameters recorded in
    /// it; the final comparison takes the same time wherever the bytes differ.
    pub fn verify(&self, password: &str) -> bool {
        let Ok(phc) = PasswordHash::new(&self.0) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &phc)
            .is_ok()
    }
}

/// Hashes with [`PasswordPolicy::OWASP`].
pub fn hash(password: &str) -> Result<HashedPassword> {
    PasswordPolicy::OWASP.hash(password)
}

/// Checks `password` against a stored PHC string; a malformed stored value
/// never verifies.
pub fn verify(password: &str, stored: &str) -> bool {
    HashedPassword::parse(stored).is_ok_and(|h| h.verify(password))
}

/// Whether a stored PHC string should be replaced by a hash under
/// [`PasswordPolicy::OWASP`] (malformed values always should).
pub fn needs_rehash(stored: &str) -> bool {
    HashedPassword::parse(stored).map_or(true, |h| PasswordPolicy::OWASP.needs_rehash(&h))
}

/// [`PasswordPolicy::burn_time`] under [`PasswordPolicy::OWASP`].
pub fn burn_time(password: &str) {
    PasswordPolicy::OWASP.burn_time(password);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters keep the unit tests fast; one test uses the real policy.
    fn cheap() -> PasswordPolicy {
        PasswordPolicy::new(64, 1, 1).unwrap()
    }

    #[test]
    fn owasp_policy_hash_verifies() {
        let hashed = PasswordPolicy::OWASP.hash("正确 horse battery").unwrap();
        assert!(
            hashed
                .as_str()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hashed.as_str()
        );
        assert!(hashed.verify("正确 horse battery"));
        assert!(!hashed.verify("正确 horse batterY"));
        assert!(!PasswordPolicy::OWASP.needs_rehash(&hashed));
    }

    #[test]
    fn same_password_gets_different_salts() {
        let a = cheap().hash("x").unwrap();
        let b = cheap().hash("x").unwrap();
        assert_ne!(a, b);
        assert!(a.verify("x") && b.verify("x"));
    }

    #[test]
    fn parse_round_trips_and_rejects_garbage() {
        let hashed = cheap().hash("secret").unwrap();
        let again = HashedPassword::parse(hashed.as_str()).unwrap();
        assert!(again.verify("secret"));
        for bad in [
            "",
            "secret",
            "$argon2id$v=19$m=64,t=1,p=1",
            "$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA",
        ] {
            assert!(
                matches!(
                    HashedPassword::parse(bad),
                    Err(VaultError::Malformed { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn weaker_or_other_parameters_need_rehash() {
        let old = cheap().hash("p").unwrap();
        assert!(PasswordPolicy::OWASP.needs_rehash(&old));
        assert!(!cheap().needs_rehash(&old));
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            cheap().params().unwrap(),
        )
        .hash_password(b"p", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        let argon2i = HashedPassword::parse(&argon2i).unwrap();
        assert!(argon2i.verify("p"));
        assert!(cheap().needs_rehash(&argon2i));
    }

    #[test]
    fn policy_rejects_impossible_parameters() {
        assert!(matches!(
            PasswordPolicy::new(1, 1, 1),
            Err(VaultError::InvalidInput {
                field: "password policy",
                ..
            })
        ));
        assert!(PasswordPolicy::new(64, 0, 1).is_err());
    }

    #[test]
    fn module_functions_use_the_owasp_policy() {
        let stored = hash("长城 1987").unwrap().into_string();
        assert!(stored.contains("m=19456,t=2,p=1"));
        assert!(verify("长城 1987", &stored));
        assert!(!verify("长城 1988", &stored));
        assert!(!verify("长城 1987", "not a hash"));
        assert!(!needs_rehash(&stored));
        assert!(needs_rehash(cheap().hash("x").unwrap().as_str()));
        assert!(needs_rehash("garbage"));
    }

    #[test]
    fn debug_hides_the_hash() {
        let hashed = cheap().hash("p").unwrap();
        assert_eq!(format!("{hashed:?}"), "HashedPassword(***)");
    }
}
