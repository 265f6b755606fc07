//! Signing in: password, second factor, lockout, idle expiry, session rotation.

mod common;
use common::*;
use fanguai_service::{AuthFailure, LoginOutcome, ServiceError};

fn auth_err<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> AuthFailure {
    match r {
        Err(ServiceError::Auth(a)) => a,
        other => panic!("expected an authentication failure, got {other:?}"),
    }
}

both_backends!(password_then_totp_and_rotation, |t| {
    t.user("li.si", "psb", "investigator").await;
    let (first, secret) = t.sign_in("li.si").await;
    let secret = secret.expect("investigators must enrol a second factor");
    t.app.session(&ctx(), &first).await.unwrap();

    // Second login: password, then the code; the pending token is not a session.
    let LoginOutcome::TotpRequired { token: pending } =
        t.app.login(&ctx(), "li.si", PASSWORD).await.unwrap()
    else {
        panic!("enrolled users are asked for a code")
    };
    assert_eq!(
        auth_err(t.app.session(&ctx(), &pending).await),
        AuthFailure::SecondFactorPending
    );
    // The code of the step already used at enrolment is refused (replay); the next one works.
    t.app.clock().advance_secs(30);
    let code = secret.code_at(t.now_secs());
    let full = t.app.verify_totp(&ctx(), &pending, &code).await.unwrap();
    assert_ne!(full, pending, "the session id rotates at login");
    assert_eq!(
        auth_err(t.app.session(&ctx(), &pending).await),
        AuthFailure::SessionExpired
    );
    let s = t.app.session(&ctx(), &full).await.unwrap();
    assert_eq!(s.actor().username, "li.si");
    assert_eq!(s.actor().display_name, "测试·li.si");
});

both_backends!(wrong_passwords_lock_for_fifteen_minutes, |t| {
    t.user("wang.wu", "psb", "office").await;
    for _ in 0..4 {
        assert_eq!(
            auth_err(t.app.login(&ctx(), "wang.wu", "wrong-password-1A").await),
            AuthFailure::BadCredentials
        );
    }
    assert!(matches!(
        auth_err(t.app.login(&ctx(), "wang.wu", "wrong-password-1A").await),
        AuthFailure::Locked { .. }
    ));
    // Locked: even the right password is refused.
    assert!(matches!(
        auth_err(t.app.login(&ctx(), "wang.wu", PASSWORD).await),
        AuthFailure::Locked { .. }
    ));
    t.app.clock().advance_secs(14 * 60);
    assert!(matches!(
        auth_err(t.app.login(&ctx(), "wang.wu", PASSWORD).await),
        AuthFailure::Locked { .. }
    ));
    t.app.clock().advance_secs(61);
    t.app.login(&ctx(), "wang.wu", PASSWORD).await.unwrap();
});

both_backends!(unknown_user_fails_like_wrong_password, |t| {
    assert_eq!(
        auth_err(t.app.login(&ctx(), "nobody", PASSWORD).await),
        AuthFailure::BadCredentials
    );
});

both_backends!(wrong_codes_count_towards_lockout, |t| {
    t.user("zhao.liu", "psb", "investigator").await;
    t.sign_in("zhao.liu").await;
    let mut last = AuthFailure::BadCode;
    for _ in 0..5 {
        let LoginOutcome::TotpRequired { token } =
            t.app.login(&ctx(), "zhao.liu", PASSWORD).await.unwrap()
        else {
            panic!()
        };
        last = auth_err(t.app.verify_totp(&ctx(), &token, "000000").await);
    }
    assert!(matches!(last, AuthFailure::Locked { .. }), "{last:?}");
});

both_backends!(sessions_expire_after_thirty_idle_minutes, |t| {
    t.user("chen.qi", "psb", "office").await;
    let (token, _) = t.sign_in("chen.qi").await;
    t.app.clock().advance_secs(29 * 60);
    t.app.session(&ctx(), &token).await.unwrap();
    // The request above refreshed the idle timer.
    t.app.clock().advance_secs(29 * 60);
    t.app.session(&ctx(), &token).await.unwrap();
    t.app.clock().advance_secs(31 * 60);
    assert_eq!(
        auth_err(t.app.session(&ctx(), &token).await),
        AuthFailure::SessionExpired
    );
});

both_backends!(disabled_accounts_lose_their_sessions, |t| {
    t.user("admin1", "psb", "admin").await;
    let id = t.user("sun.ba", "civil-affairs", "caseworker").await;
    let (token, _) = t.sign_in("sun.ba").await;
    let admin = t.session("admin1").await.admin().await.unwrap();
    admin.disable(&id).await.unwrap();
    assert!(t.app.session(&ctx(), &token).await.is_err());
    assert_eq!(
        auth_err(t.app.login(&ctx(), "sun.ba", PASSWORD).await),
        AuthFailure::Disabled
    );
});

both_backends!(password_change_and_reenrolment, |t| {
    t.user("zhou.jiu", "psb", "investigator").await;
    let (token, secret) = t.sign_in("zhou.jiu").await;
    let s = t.app.session(&ctx(), &token).await.unwrap();
    let acct = s.account();
    let e = acct
        .change_password("not-it", "another-Password-22", Some(&token))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ServiceError::Invalid {
                field: "current_password",
                ..
            }
        ),
        "{e:?}"
    );
    let e = acct
        .change_password(PASSWORD, "short", Some(&token))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ServiceError::Invalid {
                field: "new_password",
                ..
            }
        ),
        "{e:?}"
    );
    acct.change_password(PASSWORD, "another-Password-22", Some(&token))
        .await
        .unwrap();
    t.app
        .session(&ctx(), &token)
        .await
        .expect("the session that changed the password stays");

    // Re-enrolment: the old authenticator works until the new one is confirmed.
    let e = acct.start_reenrolment().await.unwrap();
    let new_secret = fanguai_vault::totp::TotpSecret::from_base32(&e.secret_base32).unwrap();
    assert!(acct.confirm_reenrolment("000000").await.is_err());
    t.app.clock().advance_secs(30);
    acct.confirm_reenrolment(&new_secret.code_at(t.now_secs()))
        .await
        .unwrap();
    t.app.clock().advance_secs(30);
    let LoginOutcome::TotpRequired { token: p } = t
        .app
        .login(&ctx(), "zhou.jiu", "another-Password-22")
        .await
        .unwrap()
    else {
        panic!()
    };
    let old_code = secret.unwrap().code_at(t.now_secs());
    let new_code = new_secret.code_at(t.now_secs());
    if old_code != new_code {
        assert!(
            t.app.verify_totp(&ctx(), &p, &old_code).await.is_err(),
            "the old authenticator is retired"
        );
    }
    t.app.verify_totp(&ctx(), &p, &new_code).await.unwrap();
});
