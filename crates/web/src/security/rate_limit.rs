//! In-memory token buckets that slow password guessing at the login form, keyed by
//! client address and by the username tried. Account lockout after repeated failures is
//! the service's job; this only bounds the rate at which anyone can try.

use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// `burst` attempts at once, then one more every `refill`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub refill: Duration,
}

impl Rate {
    /// Refuses a rate that would either block everyone or never refill.
    pub fn new(burst: u32, refill: Duration) -> Result<Rate, RateError> {
        if burst == 0 {
            return Err(RateError("burst must be at least 1"));
        }
        if refill.is_zero() {
            return Err(RateError("refill interval must be longer than zero"));
        }
        Ok(Rate { burst, refill })
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("login rate limit: {0}")]
pub struct RateError(&'static str);

/// Limits for the login form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginRateLimit {
    pub per_ip: Rate,
    pub per_username: Rate,
}

impl Default for LoginRateLimit {
    fn default() -> Self {
        // An office behind one NAT address has many honest users; a single username
        // has one person, who rarely needs more than a handful of tries a minute.
        LoginRateLimit {
            per_ip: Rate {
                burst: 30,
                refill: Duration::from_secs(2),
            },
            per_username: Rate {
                burst: 10,
                refill: Duration::from_secs(12),
            },
        }
    }
}

/// Refusal, with how long to wait before the next attempt can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

#[derive(Debug)]
pub struct LoginLimiter {
    ip: Buckets<IpAddr>,
    username: Buckets<String>,
}

impl LoginLimiter {
    pub fn new(limit: LoginRateLimit) -> Self {
        LoginLimiter {
            ip: Buckets::new(limit.per_ip),
            username: Buckets::new(limit.per_username),
        }
    }

    /// Takes one token from both the address's and the username's bucket, or neither.
    pub fn check(&self, ip: IpAddr, username: &str) -> Result<(), RetryAfter> {
        self.check_at(ip, username, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, username: &str, now: Instant) -> Result<(), RetryAfter> {
        let user = username.trim().to_lowercase();
        let wait_ip = self.ip.wait(&ip, now);
        let wait_user = self.username.wait(&user, now);
        match (wait_ip, wait_user) {
            (None, None) => {
                self.ip.take(ip, now);
                self.username.take(user, now);
                Ok(())
            }
            (a, b) => Err(RetryAfter(a.unwrap_or_default().max(b.unwrap_or_default()))),
        }
    }
}

/// One token bucket per client address, for forms anyone may post without logging in
/// (the public tip line). A flood from one address leaves every other address alone.
#[derive(Debug)]
pub struct AddressLimiter {
    ip: Buckets<IpAddr>,
}

impl AddressLimiter {
    pub fn new(rate: Rate) -> Self {
        AddressLimiter {
            ip: Buckets::new(rate),
        }
    }

    /// Whether `ip` may act now, without spending anything: a submission that turns out
    /// invalid should not count against a reporter who is still correcting the form.
    pub fn check(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        self.check_at(ip, Instant::now())
    }

    /// Spends one token of `ip`.
    pub fn spend(&self, ip: IpAddr) {
        self.ip.take(ip, Instant::now());
    }

    /// Checks and spends in one step.
    pub fn take(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        self.take_at(ip, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        match self.ip.wait(&ip, now) {
            None => Ok(()),
            Some(wait) => Err(RetryAfter(wait)),
        }
    }

    fn take_at(&self, ip: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        self.check_at(ip, now)?;
        self.ip.take(ip, now);
        Ok(())
    }
}

#[derive(Debug)]
struct Buckets<K> {
    rate: Rate,
    map: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Above this many keys, full buckets are dropped: they carry no information.
const PRUNE_ABOVE: usize = 10_000;

impl<K: Eq + Hash + Clone> Buckets<K> {
    fn new(rate: Rate) -> Self {
        Buckets {
            rate,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn refilled(&self, b: Bucket, now: Instant) -> f64 {
        let per_sec = 1.0 / self.rate.refill.as_secs_f64();
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        (b.tokens + elapsed * per_sec).min(f64::from(self.rate.burst))
    }

    /// None when a token is available now, else how long until one is.
    fn wait(&self, key: &K, now: Instant) -> Option<Duration> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let tokens = map
            .get(key)
            .map_or(f64::from(self.rate.burst), |b| self.refilled(*b, now));
        if tokens >= 1.0 {
            None
        } else {
            Some(self.rate.refill.mul_f64(1.0 - tokens))
        }
    }

    fn take(&self, key: K, now: Instant) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > PRUNE_ABOVE {
            let burst = f64::from(self.rate.burst);
            map.retain(|_, b| self.refilled(*b, now) < burst);
        }
        let tokens = map
            .get(&key)
            .map_or(f64::from(self.rate.burst), |b| self.refilled(*b, now));
        map.insert(
            key,
            Bucket {
                tokens: (tokens - 1.0).max(0.0),
                at: now,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(ip_burst: u32, user_burst: u32) -> LoginLimiter {
        LoginLimiter::new(LoginRateLimit {
            per_ip: Rate::new(ip_burst, Duration::from_secs(1)).unwrap(),
            per_username: Rate::new(user_burst, Duration::from_secs(10)).unwrap(),
        })
    }

    #[test]
    fn username_bucket_empties_then_refills() {
        let l = limiter(100, 3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check_at(ip, "Zhang", t0).is_ok());
        }
        let RetryAfter(wait) = l.check_at(ip, "zhang ", t0).unwrap_err();
        assert!(
            wait > Duration::from_secs(9) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        // Another username from the same address is unaffected.
        assert!(l.check_at(ip, "li", t0).is_ok());
        assert!(
            l.check_at(ip, "zhang", t0 + Duration::from_secs(10))
                .is_ok()
        );
        assert!(
            l.check_at(ip, "zhang", t0 + Duration::from_secs(10))
                .is_err()
        );
    }

    #[test]
    fn address_bucket_limits_across_usernames() {
        let l = limiter(2, 100);
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        let other: IpAddr = "2001:db8::2".parse().unwrap();
        let t0 = Instant::now();
        assert!(l.check_at(ip, "a", t0).is_ok());
        assert!(l.check_at(ip, "b", t0).is_ok());
        assert!(l.check_at(ip, "c", t0).is_err());
        assert!(l.check_at(other, "c", t0).is_ok());
    }

    #[test]
    fn refused_attempt_spends_no_token() {
        let l = limiter(1, 1);
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        let t0 = Instant::now();
        assert!(l.check_at(ip, "a", t0).is_ok());
        // Address is empty; the refusal must not also drain user "b".
        assert!(l.check_at(ip, "b", t0).is_err());
        let other: IpAddr = "192.0.2.10".parse().unwrap();
        assert!(l.check_at(other, "b", t0).is_ok());
    }

    #[test]
    fn address_limiter_counts_per_address_and_checking_spends_nothing() {
        let l = AddressLimiter::new(Rate::new(2, Duration::from_secs(120)).unwrap());
        let ip: IpAddr = "198.51.100.7".parse().unwrap();
        let other: IpAddr = "198.51.100.8".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(l.check_at(ip, t0).is_ok());
        }
        assert!(l.take_at(ip, t0).is_ok());
        assert!(l.take_at(ip, t0).is_ok());
        let RetryAfter(wait) = l.take_at(ip, t0).unwrap_err();
        assert!(wait > Duration::from_secs(119) && wait <= Duration::from_secs(120));
        assert!(l.check_at(ip, t0).is_err());
        assert!(l.take_at(other, t0).is_ok());
        assert!(l.take_at(ip, t0 + Duration::from_secs(120)).is_ok());
    }

    #[test]
    fn zero_rates_are_refused() {
        assert!(Rate::new(0, Duration::from_secs(1)).is_err());
        assert!(Rate::new(1, Duration::ZERO).is_err());
    }
}
