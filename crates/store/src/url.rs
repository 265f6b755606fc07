//! Database URLs as they may appear in errors and logs.

/// Hides the password of a database URL: in `user:password@host` and in a
/// `password=` query parameter. Everything else stays, so an operator can still see
/// which database was meant.
pub fn redact(url: &str) -> String {
    let mut out = match url.split_once("://") {
        Some((scheme, rest)) => {
            // The authority ends at the first '/', '?' or '#'; an '@' inside it separates
            // the credentials, and a ':' in the credentials starts the password.
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((credentials, host)) => match credentials.split_once(':') {
                    Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
                    None => url.to_owned(),
                },
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    };
    if let Some((base, query)) = out.split_once('?') {
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out = format!("{base}?{}", query.join("&"));
    }
    out
}

/// Replaces the database name in a PostgreSQL URL, keeping credentials and options.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn with_database(url: &str, database: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let query_start = rest.find(['?', '#']).unwrap_or(rest.len());
    let (before_query, query) = rest.split_at(query_start);
    let host_part = match before_query.find('/') {
        Some(i) => &before_query[..i],
        None => before_query,
    };
    Some(format!("{scheme}://{host_part}/{database}{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_password_in_authority() {
        assert_eq!(
            redact("postgres://fanguai:s3cr%40t@db.example:5432/fanguai?sslmode=require"),
            "postgres://fanguai:***@db.example:5432/fanguai?sslmode=require"
        );
    }

    #[test]
    fn hides_password_in_query() {
        assert_eq!(
            redact("postgres://db.example/fanguai?user=f&password=hunter2&sslmode=verify-full"),
            "postgres://db.example/fanguai?user=f&password=***&sslmode=verify-full"
        );
    }

    #[test]
    fn leaves_urls_without_password() {
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            redact("sqlite:///var/lib/fanguai/fanguai.db?mode=rwc"),
            "sqlite:///var/lib/fanguai/fanguai.db?mode=rwc"
        );
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn password_containing_at_sign_is_hidden_whole() {
        assert_eq!(redact("postgres://u:a@b@h/d"), "postgres://u:***@h/d");
    }

    #[test]
    fn swaps_database_name() {
        assert_eq!(
            with_database(
                "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
                "t1"
            )
            .as_deref(),
            Some("postgres://postgres@127.0.0.1:5432/t1?sslmode=disable")
        );
        assert_eq!(
            with_database("postgres://u:p@h", "t2").as_deref(),
            Some("postgres://u:p@h/t2")
        );
    }
}
