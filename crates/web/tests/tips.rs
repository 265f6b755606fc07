//! The web face of tips: the public line (`/report`, `/report/status`), the staff desk
//! (`/tips…`), the home-page panel of overdue tips and `/api/v1/…tips`, each with its
//! refusals, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

mod common;

use common::{Account, Backend, Browser, Page, TEST_PASSWORD, TestApp, code_for};
use fanguai_service::{NewUser, RequestCtx, Role};
use fanguai_web::{WebConfig, security::rate_limit::Rate};
use reqwest::{Method, StatusCode};

fn today() -> String {
    // China time; the tests' clock is the service's real clock at start.
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8));
    now.date().to_string()
}

/// A complete, valid tip as the form sends it.
fn valid_tip(text: &str, phone: &str) -> Vec<(String, String)> {
    [
        ("what_happened", text),
        ("province", "430000"),
        ("prefecture", "430200"),
        ("division", "430212"),
        ("address", "渌口镇汽车站旁"),
        ("date", &today()),
        ("time", ""),
        ("people_at_risk[0].count", "2"),
        ("people_at_risk[0].sex", "female"),
        ("people_at_risk[0].age_band", "6-13"),
        ("phones[0]", phone),
        ("vehicles[0]", "湘B12345"),
        ("contact.name", "王举报"),
        ("contact.phone", "13912345678"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The text of the element with `id`, e.g. `<span … id="tracking-code">ABCD-…</span>`.
fn text_of(page: &Page, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let at = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in a {} page:\n{}", page.status, page.body))
        + marker.len();
    let rest = &page.body[at..];
    rest[..rest.find('<').unwrap()].trim().to_owned()
}

struct Receipt {
    code: String,
    secret: String,
}

async fn report(app: &TestApp, fields: &[(String, String)]) -> (Browser, Receipt) {
    let b = app.browser();
    assert_eq!(b.get_page("/report").await.status, StatusCode::OK);
    let page = b.post_form("/report", &pairs(fields)).await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    let r = Receipt {
        code: text_of(&page, "tracking-code"),
        secret: text_of(&page, "tracking-secret"),
    };
    (b, r)
}

/// The id of the newest tip in the investigator's list.
async fn tip_ids(b: &Browser) -> Vec<String> {
    let page = b.get_page("/tips").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body
        .match_indices("data-tip=\"")
        .map(|(at, m)| {
            let rest = &page.body[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

/// An extra account (the seed has one per role; triage needs two supervisors and a
/// receiving unit), enrolled and signed in.
async fn extra_account(app: &TestApp, username: &str, role: Role, unit: &str) -> Account {
    let operator = app.service.operator(RequestCtx::cli("test-seed"));
    operator
        .add(
            &NewUser {
                username: username.into(),
                display_name: format!("示例·{username}"),
                phone: None,
                unit_id: unit.into(),
                roles: vec![role.id().into()],
            },
            Some(TEST_PASSWORD),
        )
        .await
        .expect("adding an account");
    let mut account = Account {
        username: username.into(),
        password: TEST_PASSWORD.into(),
        display_name: username.into(),
        role,
        unit_id: unit.into(),
        totp_secret: None,
    };
    if role.requires_second_factor() {
        account.totp_secret = Some(app.enrol(&account).await);
    }
    account
}

async fn sign_in(app: &TestApp, a: &Account) -> Browser {
    let b = app.browser();
    app.service.clock().advance_secs(30);
    let code = a.totp_secret.as_ref().map(|s| code_for(s, &app.service));
    b.login(&a.username, &a.password, code.as_deref()).await;
    b
}

async fn user_id(app: &TestApp, username: &str) -> String {
    let b = app.signed_in(username).await;
    b.get_json("/api/v1/me").await.json()["user_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn public_line_round_trip(app: &TestApp) {
    let b = app.browser();
    let form = b.get_page("/report").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("举报涉嫌拐卖人口的线索");
    form.assert_contains("name=\"people_at_risk[0].count\"");
    form.assert_contains("enctype=\"multipart/form-data\"");
    // No staff navigation on the public page, and the phone viewport is declared.
    assert!(!form.body.contains("/admin/users"));
    form.assert_contains("width=device-width");
    // The province list is there; the prefecture list comes from the picker endpoint.
    form.assert_contains("<option value=\"430000\">湖南省</option>");
    let picker = b
        .get_page("/report/divisions?province=430000&prefecture=430200&division=")
        .await;
    assert_eq!(picker.status, StatusCode::OK);
    picker.assert_contains("<option value=\"430212\">渌口区</option>");
    assert!(!picker.body.contains("<html"), "a fragment, not a page");

    // English on request.
    b.post_form("/lang", &[("lang", "en"), ("next", "/report")])
        .await;
    b.get_page("/report")
        .await
        .assert_contains("Report suspected trafficking");

    let (_, r) = report(
        app,
        &valid_tip(
            "昨天在汽车站看到两个小女孩被一名男子强行带上面包车,女孩在哭。",
            "13800138000",
        ),
    )
    .await;
    assert_eq!(r.code.len(), 14, "{}", r.code);
    assert_eq!(r.secret.len(), 19, "{}", r.secret);

    // Status: received, then additional information.
    let s = app.browser();
    s.get_page("/report/status").await;
    let page = s
        .post_form(
            "/report/status",
            &[("code", &r.code), ("secret", &r.secret)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("data-status=\"received\"");
    page.assert_contains("已收到");
    let added = s
        .post_form(
            "/report/status/add",
            &[
                ("code", &r.code),
                ("secret", &r.secret),
                ("text", "面包车是白色的,车尾有划痕。"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    added.assert_contains("id=\"added-notice\"");
    let short = s
        .post_form(
            "/report/status/add",
            &[("code", &r.code), ("secret", &r.secret), ("text", "x")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.assert_contains("id=\"text-error\"");

    // A wrong secret looks exactly like an unknown code.
    let wrong_secret = s
        .post_form(
            "/report/status",
            &[("code", &r.code), ("secret", "AAAA-AAAA-AAAA-AAAA")],
        )
        .await;
    // Another well-formed code (its check character right) that no tip has.
    let unknown = fanguai_domain::tips::TrackingCode::from_entropy([7; 7]).grouped();
    let other_code = s
        .post_form(
            "/report/status",
            &[("code", &unknown), ("secret", &r.secret)],
        )
        .await;
    assert_eq!(wrong_secret.status, StatusCode::NOT_FOUND);
    wrong_secret.assert_contains("id=\"status-not-found\"");
    let strip = |p: &Page| {
        p.body
            .lines()
            .filter(|l| !l.contains("csrf") && !l.contains("name=\"code\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&wrong_secret), strip(&other_code));
    // A typing error in the code is named, beside the code.
    let typo = s
        .post_form("/report/status", &[("code", "ABCD"), ("secret", &r.secret)])
        .await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    typo.assert_contains("id=\"code-error\"");

    // The investigator sees the tip and the reporter's addition.
    let inv = app.signed_in("investigator").await;
    let ids = tip_ids(&inv).await;
    assert_eq!(ids.len(), 1);
    let detail = inv.get_page(&format!("/tips/{}", ids[0])).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    detail.assert_contains("面包车是白色的");
    detail.assert_contains("13800138000");
    // The reporter's name is not on the page until revealed.
    assert!(!detail.body.contains("王举报"));
}

async fn form_errors_are_shown_beside_fields(app: &TestApp) {
    let b = app.browser();
    b.get_page("/report").await;
    let mut fields = valid_tip("太短", "1380013800");
    fields.retain(|(k, _)| k != "division");
    fields.push(("phones[1]".into(), "13900139000".into()));
    fields.push(("date".into(), "2999-01-01".into()));
    let page = b.post_form("/report", &pairs(&fields)).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    page.assert_contains("id=\"what_happened-error\"");
    page.assert_contains("请描述发生的情况,至少 10 个字。");
    page.assert_contains("id=\"phones-0-error\"");
    page.assert_contains("id=\"division-error\"");
    page.assert_contains("id=\"date-error\"");
    assert!(!page.body.contains("id=\"phones-1-error\""));
    // What was typed is kept.
    page.assert_contains(">太短</textarea>");
    page.assert_contains("value=\"13900139000\"");
    page.assert_contains("value=\"湘B12345\"");
    page.assert_contains("<option value=\"430200\" selected>");
    page.assert_contains("id=\"form-problems\"");

    // The same problem in English.
    b.post_form("/lang", &[("lang", "en"), ("next", "/report")])
        .await;
    b.get_page("/report").await;
    let page = b.post_form("/report", &pairs(&fields)).await;
    page.assert_contains("Describe what happened in at least 10 characters.");
    page.assert_contains("Choose the county or district where it happened.");
    // A crafted row index is refused outright.
    let page = b
        .post_form("/report", &[("phones[9999]", "13800138000")])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

/// A 1×1 PNG with a `tEXt` chunk (metadata the service strips).
fn png() -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    chunk(&mut out, b"tEXt", b"Comment\0taken at 28.2N 113.1E");
    // zlib stream of one scanline: filter byte 0 and one grey pixel.
    chunk(
        &mut out,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF, 0x00, 0x80, 0x00, 0x81, 0x00, 0x81,
        ],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn multipart(
    fields: &[(String, String)],
    csrf: &str,
    files: Vec<(&str, Vec<u8>)>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_owned());
    for (k, v) in fields {
        form = form.text(k.clone(), v.clone());
    }
    for (name, bytes) in files {
        form = form.part(
            "photos",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    form
}

async fn photos_are_uploaded_checked_and_served_to_staff(app: &TestApp) {
    let b = app.browser();
    b.get_page("/report").await;
    let fields = valid_tip(
        "在火车站看到一名妇女被两名男子看管,神情恐惧,拍下了照片。",
        "13700137000",
    );
    // A text file posing as a photo comes back beside the photo field, input kept.
    let csrf = b.csrf();
    let bad = b
        .request(Method::POST, "/report", |r| {
            r.multipart(multipart(
                &fields,
                &csrf,
                vec![("a.jpg", b"not an image".to_vec())],
            ))
        })
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    bad.assert_contains("id=\"photos-error\"");
    bad.assert_contains("id=\"photos-again\"");
    // Without the CSRF token a multipart post is refused.
    let no_csrf = b
        .request(Method::POST, "/report", |r| {
            r.multipart(multipart(&fields, "", vec![("p.png", png())]))
        })
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    // Six photos are one too many.
    let csrf = b.csrf();
    let six = b
        .request(Method::POST, "/report", |r| {
            r.multipart(multipart(
                &fields,
                &csrf,
                (0..6).map(|_| ("p.png", png())).collect(),
            ))
        })
        .await;
    assert_eq!(six.status, StatusCode::UNPROCESSABLE_ENTITY);
    six.assert_contains("id=\"photos-error\"");
    let csrf = b.csrf();
    let ok = b
        .request(Method::POST, "/report", |r| {
            r.multipart(multipart(&fields, &csrf, vec![("p.png", png())]))
        })
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

    let inv = app.signed_in("investigator").await;
    let id = tip_ids(&inv).await.remove(0);
    let detail = inv.get_page(&format!("/tips/{id}")).await;
    let at = detail.body.find("/photos/").expect("a photo link");
    let rest = &detail.body[at + "/photos/".len()..];
    let photo_id = &rest[..rest.find('"').unwrap()];
    let img = inv
        .request(Method::GET, &format!("/tips/{id}/photos/{photo_id}"), |r| r)
        .await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.headers["content-type"], "image/png");
    assert!(
        img.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    // The office reads masked: no photo.
    let office = app.signed_in("office").await;
    let refused = office
        .request(Method::GET, &format!("/tips/{id}/photos/{photo_id}"), |r| r)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn every_tip_form_needs_the_csrf_token(app: &TestApp) {
    report(
        app,
        &valid_tip(
            "在码头看到几个孩子被锁在集装箱附近的板房里,无人照看。",
            "13600136000",
        ),
    )
    .await;
    let inv = app.signed_in("investigator").await;
    let id = tip_ids(&inv).await.remove(0);
    let anonymous = app.browser();
    anonymous.get_page("/report").await;
    for path in ["/report", "/report/status", "/report/status/add"] {
        let page = anonymous
            .post_form_raw(path, &[("code".into(), "x".into())])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        page.assert_contains("data-code=\"csrf\"");
    }
    for step in [
        "acknowledge",
        "reassign",
        "start-review",
        "decide",
        "approve-no-action",
        "reject-no-action",
        "acknowledge-referral",
        "reveal",
    ] {
        let path = format!("/tips/{id}/{step}");
        let page = inv
            .post_form_raw(&path, &[("csrf".into(), "0".repeat(64))])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let page = inv
        .post_form_raw("/tips/new", &[("source".into(), "walk_in".into())])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Nothing moved.
    let detail = inv.get_page(&format!("/tips/{id}")).await;
    detail.assert_contains("data-state=\"received\"");
}

async fn triage_to_a_referral_the_receiving_unit_acknowledges(app: &TestApp) {
    let (_, r) = report(
        app,
        &valid_tip(
            "工厂里有十几个工人被扣押身份证,每天工作十六个小时不给工资。",
            "13500135000",
        ),
    )
    .await;
    let inv = app.signed_in("investigator").await;
    let id = tip_ids(&inv).await.remove(0);
    let list = inv.get_page("/tips").await;
    list.assert_contains("data-state=\"received\"");
    list.assert_contains("紧急(1 小时)");
    let list = inv.get_page("/tips?state=decided").await;
    list.assert_contains("id=\"tips-none\"");

    let page = inv.get_page(&format!("/tips/{id}")).await;
    page.assert_contains("id=\"assign-form\"");
    assert!(
        !page.body.contains("id=\"decide-form\""),
        "only what the state allows"
    );
    let me = user_id(app, "investigator").await;
    let res = inv
        .post_form(&format!("/tips/{id}/acknowledge"), &[("assignee", &me)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = inv.get_page(res.location().unwrap()).await;
    page.assert_contains("data-state=\"acknowledged\"");
    page.assert_contains("id=\"tip-notice\"");
    page.assert_contains("id=\"start-review\"");

    inv.post_form(&format!("/tips/{id}/start-review"), &[])
        .await;
    // Referring without a reason comes back beside the reason field.
    let res = inv
        .post_form(
            &format!("/tips/{id}/decide"),
            &[("decision", "refer"), ("to_unit", "labour"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("id=\"reason-error\"");
    res.assert_contains("<option value=\"labour\" selected>");
    let res = inv
        .post_form(
            &format!("/tips/{id}/decide"),
            &[
                ("decision", "refer"),
                ("to_unit", "labour"),
                ("reason", "劳动争议,请劳动监察核查欠薪和扣押证件情况"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = inv.get_page(&format!("/tips/{id}")).await;
    page.assert_contains("data-state=\"decided\"");
    page.assert_contains("等待接收单位签收");

    // The reporter sees "being handled" until the labour bureau takes it up.
    let s = app.browser();
    s.get_page("/report/status").await;
    s.post_form(
        "/report/status",
        &[("code", &r.code), ("secret", &r.secret)],
    )
    .await
    .assert_contains("data-status=\"being_handled\"");

    let labour = extra_account(app, "labour.inspector", Role::Caseworker, "labour").await;
    let lb = sign_in(app, &labour).await;
    lb.get_page("/")
        .await
        .assert_contains("href=\"/tips/referrals\"");
    // The labour bureau cannot open the tip itself, only its inbox.
    assert_eq!(
        lb.get_page(&format!("/tips/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    let inbox = lb.get_page("/tips/referrals").await;
    inbox.assert_contains("劳动争议,请劳动监察核查欠薪和扣押证件情况");
    inbox.assert_contains("工厂里有十几个工人");
    assert!(!inbox.body.contains("王举报"), "never the reporter");
    // Another unit cannot acknowledge it.
    let edu = app.signed_in("liaison.education").await;
    edu.get_page("/tips/referrals").await;
    let res = edu
        .post_form(&format!("/tips/{id}/acknowledge-referral"), &[])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = lb
        .post_form(
            &format!("/tips/{id}/acknowledge-referral"),
            &[("next", "/tips/referrals?done=acknowledged")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    lb.get_page("/tips/referrals?done=acknowledged")
        .await
        .assert_contains("id=\"referrals-notice\"");
    s.post_form(
        "/report/status",
        &[("code", &r.code), ("secret", &r.secret)],
    )
    .await
    .assert_contains("data-status=\"closed\"");
}

async fn no_action_needs_a_second_supervisor(app: &TestApp) {
    report(
        app,
        &valid_tip(
            "邻居家新来一个年轻女子,不会说本地话,很少出门,怀疑是被买来的。",
            "13400134000",
        ),
    )
    .await;
    let sup1 = extra_account(app, "supervisor.a", Role::Supervisor, "psb").await;
    let sup2 = extra_account(app, "supervisor.b", Role::Supervisor, "psb").await;
    let a = sign_in(app, &sup1).await;
    let id = tip_ids(&a).await.remove(0);
    let me = user_id(app, "investigator").await;
    a.get_page(&format!("/tips/{id}")).await;
    a.post_form(&format!("/tips/{id}/acknowledge"), &[("assignee", &me)])
        .await;
    a.post_form(&format!("/tips/{id}/start-review"), &[]).await;
    let res = a
        .post_form(
            &format!("/tips/{id}/decide"),
            &[("decision", "no_action"), ("reason", "太短")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("请写明理由,至少 20 个字。");
    let reason = "经走访核实,该女子系合法务工人员,持有有效证件,本人否认被拐卖,无违法犯罪事实。";
    let res = a
        .post_form(
            &format!("/tips/{id}/decide"),
            &[("decision", "no_action"), ("reason", reason)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = a.get_page(&format!("/tips/{id}")).await;
    page.assert_contains("data-state=\"no_action_pending\"");
    page.assert_contains(reason);
    // The proposer cannot approve their own proposal.
    let res = a
        .post_form(&format!("/tips/{id}/approve-no-action"), &[])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("id=\"event-error\"");
    // An investigator is no reviewer: the button is not offered.
    let inv = app.signed_in("investigator").await;
    assert!(
        !inv.get_page(&format!("/tips/{id}"))
            .await
            .body
            .contains("id=\"approve-no-action\"")
    );
    let b = sign_in(app, &sup2).await;
    let page = b.get_page(&format!("/tips/{id}")).await;
    page.assert_contains("id=\"approve-no-action\"");
    let res = b
        .post_form(&format!("/tips/{id}/approve-no-action"), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = b.get_page(&format!("/tips/{id}")).await;
    page.assert_contains("data-state=\"decided\"");
    page.assert_contains("id=\"tip-decision\">不予处理");
}

async fn reporter_revealed_only_with_a_purpose(app: &TestApp) {
    report(
        app,
        &valid_tip(
            "网上有人发布收养婴儿的广告,留下了电话,疑似贩卖婴儿。",
            "13300133000",
        ),
    )
    .await;
    let inv = app.signed_in("investigator").await;
    let id = tip_ids(&inv).await.remove(0);
    let me = user_id(app, "investigator").await;
    inv.get_page(&format!("/tips/{id}")).await;
    inv.post_form(&format!("/tips/{id}/acknowledge"), &[("assignee", &me)])
        .await;
    let page = inv.get_page(&format!("/tips/{id}")).await;
    page.assert_contains("id=\"reveal-form\"");
    let res = inv
        .post_form(&format!("/tips/{id}/reveal"), &[("purpose", "")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"purpose-error\"");
    assert!(!res.body.contains("王举报"));
    let res = inv
        .post_form(
            &format!("/tips/{id}/reveal"),
            &[("purpose", "回访举报人核实广告发布者的电话")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.assert_contains("id=\"reporter\"");
    res.assert_contains("王举报");
    res.assert_contains("13912345678");
    // Another investigator of the unit, not assigned, is refused.
    let other = app.signed_in("investigator2").await;
    other.get_page(&format!("/tips/{id}")).await;
    let res = other
        .post_form(
            &format!("/tips/{id}/reveal"),
            &[("purpose", "回访举报人核实广告发布者的电话")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

async fn refusals_and_masked_views(app: &TestApp) {
    report(
        app,
        &valid_tip(
            "小区里有一户人家经常有不同的孩子出入,孩子们看起来营养不良。",
            "13200132000",
        ),
    )
    .await;
    let inv = app.signed_in("investigator").await;
    let id = tip_ids(&inv).await.remove(0);
    assert!(inv.get_page("/").await.body.contains("href=\"/tips\""));

    for who in ["admin", "auditor", "lab"] {
        let b = app.signed_in(who).await;
        assert!(
            !b.get_page("/").await.body.contains("href=\"/tips"),
            "{who}"
        );
        for path in [
            "/tips".to_string(),
            "/tips/new".into(),
            "/tips/referrals".into(),
            format!("/tips/{id}"),
        ] {
            let page = b.get_page(&path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{who} {path}");
        }
        let api = b.get_json("/api/v1/tips").await;
        assert_eq!(api.status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(
            api.json()["error"]["code"]
                .as_str()
                .unwrap()
                .split('.')
                .next(),
            Some("refused")
        );
    }
    // A caseworker of another unit may record a tip but not read the police's.
    let cw = app.signed_in("caseworker").await;
    assert_eq!(cw.get_page("/tips/new").await.status, StatusCode::OK);
    assert_eq!(cw.get_page("/tips").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        cw.get_page(&format!("/tips/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        cw.get_json(&format!("/api/v1/tips/{id}")).await.status,
        StatusCode::FORBIDDEN
    );

    // The office sees every tip, masked.
    let office = app.signed_in("office").await;
    let list = office.get_page("/tips").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("id=\"tips-masked\"");
    list.assert_contains(&id);
    assert!(!list.body.contains("营养不良"));
    let detail = office.get_page(&format!("/tips/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    detail.assert_contains("id=\"tip-masked\"");
    assert!(!detail.body.contains("营养不良"));
    assert!(!detail.body.contains("13200132000"));
    assert!(!detail.body.contains("id=\"tip-actions\""));
    let api = office.get_json(&format!("/api/v1/tips/{id}")).await.json();
    assert_eq!(api["summary"]["masked"], true);
    assert!(api["what_happened"].is_null());
    let res = office
        .post_form(&format!("/tips/{id}/start-review"), &[])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Refusals are audited.
    let auditor = app.signed_in("auditor").await;
    let events = auditor
        .get_json("/api/v1/audit?action=tips.open")
        .await
        .json();
    assert!(events["total"].as_u64().unwrap() >= 3, "{events}");
}

async fn overdue_tips_escalate_to_the_home_pages(app: &TestApp) {
    report(
        app,
        &valid_tip(
            "有人在网吧招募未成年人外出打工,许诺高薪,已带走三人。",
            "13100131000",
        ),
    )
    .await;
    let sup = extra_account(app, "supervisor.duty", Role::Supervisor, "psb").await;
    // Urgent: one hour. Two hours later nobody has acknowledged it.
    app.service.clock().advance_secs(2 * 3600);
    let n = app
        .service
        .escalate_overdue_tips(&RequestCtx::cli("test"))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let b = sign_in(app, &sup).await;
    let home = b.get_page("/").await;
    let id = tip_ids(&b).await.remove(0);
    home.assert_contains("id=\"home-overdue\"");
    home.assert_contains(&format!("data-tip=\"{id}\""));
    home.assert_contains("已督促");
    let office = app.signed_in("office").await;
    let home = office.get_page("/").await;
    home.assert_contains("id=\"home-overdue\"");
    home.assert_contains(&format!("data-tip=\"{id}\""));
    assert!(
        !home.body.contains("有人在网吧招募"),
        "masked for the office"
    );
    let inv = app.signed_in("investigator").await;
    assert!(!inv.get_page("/").await.body.contains("id=\"home-overdue\""));
    let list = inv.get_page("/tips?overdue=1").await;
    list.assert_contains("class=\"overdue\"");
    inv.get_page(&format!("/tips/{}", tip_ids(&inv).await[0]))
        .await
        .assert_contains("id=\"tip-overdue\"");
}

async fn staff_enter_tips_with_their_source(app: &TestApp) {
    let cw = app.signed_in("caseworker").await;
    cw.get_page("/tips/new").await;
    let mut fields = valid_tip(
        "学校老师反映一名学生连续一周未到校,家长电话关机,邻居说孩子被带走。",
        "13000130000",
    );
    let page = cw.post_form("/tips/new", &pairs(&fields)).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    page.assert_contains("id=\"source-error\"");
    fields.push(("source".into(), "mandatory_reporter".into()));
    let page = cw.post_form("/tips/new", &pairs(&fields)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("id=\"source_detail-error\"");
    fields.push(("source_reporter".into(), "school".into()));
    let page = cw.post_form("/tips/new", &pairs(&fields)).await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    text_of(&page, "tracking-code");
    assert!(
        !page.body.contains("id=\"open-entered\""),
        "a caseworker cannot read it"
    );

    let inv = app.signed_in("investigator").await;
    let list = inv.get_page("/tips").await;
    list.assert_contains("强制报告");
    // Two tips sharing a phone number are shown as possible duplicates.
    report(
        app,
        &valid_tip(
            "又看到那个电话号码在招人,说是去外地做保姆,只招十几岁的女孩。",
            "13000130000",
        ),
    )
    .await;
    let id = tip_ids(&inv).await.remove(0);
    let page = inv.get_page(&format!("/tips/{id}")).await;
    page.assert_contains("id=\"tip-duplicates\"");
    page.assert_contains("电话号码相同");
}

async fn json_api_for_tips(app: &TestApp) {
    // The public line through the API: CSRF from the double-submit cookie.
    let b = app.browser();
    b.get_page("/report").await;
    let token = b.cookie("fg_csrf").expect("a CSRF cookie");
    let send = |path: &'static str, body: serde_json::Value| {
        let b = b.clone();
        let token = token.clone();
        async move {
            b.request(Method::POST, path, |r| {
                r.header("content-type", "application/json")
                    .header("x-csrf-token", token)
                    .body(body.to_string())
            })
            .await
        }
    };
    let bad = send(
        "/api/v1/public/tips",
        serde_json::json!({"what_happened": "短", "division": "430212", "date": today(), "phones": ["123"]}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let errors = bad.json()["errors"].as_array().unwrap().clone();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"what_happened")
            && fields.contains(&"phones[0]")
            && fields.contains(&"people_at_risk"),
        "{fields:?}"
    );
    // Photos travel as base64: a damaged encoding names the photo, a GIF is refused.
    let tip_with = |photos: Vec<String>| {
        serde_json::json!({
            "what_happened": "在高速服务区看到一辆货车车厢里有人在拍打求救。",
            "division": "430212", "date": today(), "immediate_danger": true,
            "people_at_risk": [{"count": "3", "sex": "unknown", "age_band": "unknown"}],
            "photos": photos
        })
    };
    let damaged = send("/api/v1/public/tips", tip_with(vec!["not base64!".into()])).await;
    assert_eq!(damaged.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", damaged.body);
    assert_eq!(damaged.json()["errors"][0]["field"], "photos[0]");
    let gif = data_encoding::BASE64.encode(b"GIF89a\x01\x00\x01\x00");
    let refused = send("/api/v1/public/tips", tip_with(vec![gif])).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.json()["error"]["field"], "photos");
    let ok = send("/api/v1/public/tips", tip_with(vec![data_encoding::BASE64.encode(&png())])).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let receipt = ok.json();
    assert_eq!(receipt["urgency"], "urgent");
    let status = send(
        "/api/v1/public/tips/status",
        serde_json::json!({"tracking_code": receipt["tracking_code"], "secret": receipt["secret"]}),
    )
    .await;
    assert_eq!(status.json()["status"], "received");
    let wrong = send(
        "/api/v1/public/tips/status",
        serde_json::json!({"tracking_code": receipt["tracking_code"], "secret": "AAAA-AAAA-AAAA-AAAA"}),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let added = send(
        "/api/v1/public/tips/information",
        serde_json::json!({"tracking_code": receipt["tracking_code"], "secret": receipt["secret"], "text": "货车是蓝色的"}),
    )
    .await;
    assert_eq!(added.status, StatusCode::NO_CONTENT, "{}", added.body);
    // Without the token: refused.
    let no_csrf = b
        .request(Method::POST, "/api/v1/public/tips", |r| {
            r.header("content-type", "application/json").body("{}")
        })
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    let inv = app.signed_in("investigator").await;
    let list = inv.get_json("/api/v1/tips").await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let id = list[0]["id"].as_str().unwrap();
    assert_eq!(list[0]["state"], "received");
    let one = inv.get_json(&format!("/api/v1/tips/{id}")).await.json();
    assert_eq!(one["additions"][0], "货车是蓝色的");
    assert_eq!(one["photo_ids"].as_array().map(Vec::len), Some(1), "{one}");
    assert!(
        one["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "acknowledge")
    );
    let anonymous = app.browser().get_json("/api/v1/tips").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let doc = app.browser().get_json("/api/openapi.json").await.json();
    for path in [
        "/api/v1/tips",
        "/api/v1/tips/{id}",
        "/api/v1/public/tips",
        "/api/v1/public/tips/status",
        "/api/v1/public/tips/information",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
}

/// Opening a case from a tip: the tip links to the case and the case to the tip; an
/// unknown case to join is an error beside the case number.
async fn open_case_links_the_tip_and_the_case(app: &TestApp) {
    report(
        app,
        &valid_tip(
            "火车站附近有人带着两个小女孩乞讨,孩子不像是他亲生的。",
            "13600136000",
        ),
    )
    .await;
    let inv = app.signed_in("investigator").await;
    let id = tip_ids(&inv).await.remove(0);
    let me = user_id(app, "investigator").await;
    inv.post_form(&format!("/tips/{id}/acknowledge"), &[("assignee", &me)])
        .await;
    inv.post_form(&format!("/tips/{id}/start-review"), &[])
        .await;
    let res = inv
        .post_form(
            &format!("/tips/{id}/decide"),
            &[("decision", "join_case"), ("case_id", "no-such-case")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(text_of(&res, "case_id-error"), "没有这个编号的案件。");
    let res = inv
        .post_form(&format!("/tips/{id}/decide"), &[("decision", "open_case")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = inv.get_page(&format!("/tips/{id}")).await;
    page.assert_contains("data-state=\"decided\"");
    let case_id = text_of(&page, "tip-case");
    page.assert_contains(&format!("href=\"/cases/{case_id}\""));
    let case = inv.get_page(&format!("/cases/{case_id}")).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    case.assert_contains(&format!("href=\"/tips/{id}\" data-case-tip=\"{id}\""));
    case.assert_contains("据此立案");
    case.assert_contains("火车站附近有人带着两个小女孩乞讨");
}

on_both_databases!(
    public_line_round_trip,
    form_errors_are_shown_beside_fields,
    photos_are_uploaded_checked_and_served_to_staff,
    every_tip_form_needs_the_csrf_token,
    triage_to_a_referral_the_receiving_unit_acknowledges,
    no_action_needs_a_second_supervisor,
    reporter_revealed_only_with_a_purpose,
    refusals_and_masked_views,
    overdue_tips_escalate_to_the_home_pages,
    staff_enter_tips_with_their_source,
    json_api_for_tips,
    open_case_links_the_tip_and_the_case,
);

/// Submissions are limited per address with a localized 429; invalid ones do not count,
/// and staff pages from the same address are unaffected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_submissions_are_rate_limited_per_address() {
    let config = WebConfig {
        report_rate: Rate::new(2, std::time::Duration::from_secs(600)).unwrap(),
        ..TestApp::config()
    };
    let app = TestApp::start(Backend::Sqlite, config).await.unwrap();
    let b = app.browser();
    b.get_page("/report").await;
    for _ in 0..3 {
        let page = b.post_form("/report", &[("what_happened", "x")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    for i in 0..2 {
        let page = b
            .post_form(
                "/report",
                &pairs(&valid_tip(
                    &format!("第{i}次举报:车站有人贩卖儿童,情况紧急。"),
                    "13800138000",
                )),
            )
            .await;
        assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    }
    let page = b
        .post_form(
            "/report",
            &pairs(&valid_tip(
                "第三次举报:车站有人贩卖儿童,情况紧急。",
                "13800138000",
            )),
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key("retry-after"));
    page.assert_contains("请等几分钟后再试");
    // The public hears the public line's footer, not the staff warning.
    page.assert_contains("您可以匿名举报");
    assert!(!page.body.contains("仅限授权人员"), "{}", page.body);
    // Staff work from the same address goes on.
    let inv = app.signed_in("investigator").await;
    assert_eq!(inv.get_page("/tips").await.status, StatusCode::OK);
    app.stop().await;
}

/// Every code the tip form, the tip state machine and the tip desk can return has a
/// message in both languages, and so does every state, source, decision and history
/// entry the pages label.
#[test]
fn every_tip_code_and_label_has_text_in_both_languages() {
    use fanguai_web::{
        error::invalid_key,
        i18n::{LANGS, Locales},
    };
    let locales = Locales::load().expect("embedded locales parse");
    let mut codes: Vec<&str> = fanguai_domain::tips::ERROR_CODES.to_vec();
    codes.extend(fanguai_domain::ids::ERROR_CODES.iter().filter(|c| {
        ["phone.", "person_name.", "purpose.", "division_code."]
            .iter()
            .any(|p| c.starts_with(p))
    }));
    codes.extend([
        "tip.addition.too_short",
        "tip.addition.too_long",
        "tip.addition.control",
        "tip.source.unknown",
        "tip.source.reporter_unknown",
        "tip.photo.empty",
        "tip.photo.too_large",
        "tip.photo.too_many",
        "tip.photo.type",
        "tip.photo.malformed",
        "tip.assignee.unknown",
        "tip.assignee.not_investigator",
        "tip.case_id.invalid",
        "tip.case_id.unknown",
        "tip.case_id.refused",
        "tip.decision.unknown",
        "unit.unknown",
    ]);
    let mut keys: Vec<String> = codes.iter().map(|c| invalid_key(c)).collect();
    for state in [
        "received",
        "acknowledged",
        "under_review",
        "no_action_pending",
        "decided",
    ] {
        keys.push(format!("tips-state-{state}"));
    }
    for source in [
        "public_web_form",
        "phone_line",
        "walk_in",
        "letter",
        "mandatory_reporter",
        "other_unit",
        "other_region",
    ] {
        keys.push(format!("tips-source-{source}"));
    }
    for m in fanguai_domain::tips::MandatoryReporter::ALL {
        keys.push(format!("tips-reporter-{}", m.id()));
    }
    for d in ["open_case", "join_case", "refer", "no_action"] {
        keys.push(format!("tips-decision-{d}"));
    }
    for e in fanguai_domain::tips::TipEventKind::ALL {
        keys.push(format!("tips-history-{}", e.id()));
    }
    for h in [
        "received",
        "escalated",
        "information_added",
        "reporter_revealed",
    ] {
        keys.push(format!("tips-history-{h}"));
    }
    for r in [
        "same_phone",
        "same_account",
        "same_vehicle",
        "same_place_and_time",
        "similar_text",
    ] {
        keys.push(format!("tips-duplicate-{r}"));
    }
    for s in ["received", "being_handled", "closed"] {
        keys.push(format!("report-status-{s}"));
        keys.push(format!("report-status-{s}-text"));
    }
    for s in ["female", "male", "mixed", "unknown"] {
        keys.push(format!("tip-sex-{s}"));
    }
    for d in [
        "acknowledged",
        "reassigned",
        "review_started",
        "decided",
        "no_action_proposed",
        "no_action_approved",
        "no_action_rejected",
        "referral_acknowledged",
    ] {
        keys.push(format!("tips-done-{d}"));
    }
    for lang in LANGS {
        let missing: Vec<&String> = keys
            .iter()
            .filter(|k| !locales.keys(lang).contains(*k))
            .collect();
        assert!(missing.is_empty(), "{}: missing {missing:?}", lang.as_str());
    }
}
