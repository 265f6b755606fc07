//! The case pages and the case API: a case walked through its lifecycle by forms,
//! people and links, masked views and refusals per role, figures, key areas, special
//! operations, supervision, the series graph, and every message in both languages.

mod common;

use common::{Account, Browser, TestApp, code_for};
use fanguai_domain::ids::check_character;
use fanguai_service::{NewUser, RequestCtx, Role};
use fanguai_web::i18n::{LANGS, Locales};
use reqwest::{Method, StatusCode};

on_both_databases!(
    a_case_is_walked_through_its_lifecycle_by_forms,
    roles_see_what_the_policy_allows,
    links_are_reviewed_and_a_series_is_drawn,
    oversight_pages_for_the_office,
    the_api_follows_the_same_rules,
);

fn id_number(birth: &str, seq: u16) -> String {
    let first17 = format!("430202{birth}{seq:03}");
    format!("{first17}{}", check_character(&first17).unwrap())
}

/// The case id from the redirect after registering a report.
async fn new_case(b: &Browser, summary: &str) -> String {
    b.get_page("/cases/new").await;
    let res = b
        .post_form(
            "/cases",
            &[("summary", summary), ("division", "430202"), ("occurred_on", "2026-01-10")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location().unwrap().trim_start_matches("/cases/").to_owned()
}

async fn step(b: &Browser, id: &str, fields: &[(&str, &str)]) -> common::Page {
    b.get_page(&format!("/cases/{id}")).await;
    b.post_form(&format!("/cases/{id}/transition"), fields).await
}

/// A supervisor of the police, signed in.
async fn supervisor(app: &TestApp) -> Browser {
    let operator = app.service.operator(RequestCtx::cli("test"));
    let password = "Chief-Passphrase-2026-k";
    operator
        .add(
            &NewUser {
                username: "supervisor".into(),
                display_name: "示例·督导".into(),
                phone: None,
                unit_id: "psb".into(),
                roles: vec![Role::Supervisor.id().into()],
            },
            Some(password),
        )
        .await
        .unwrap();
    let account = Account {
        username: "supervisor".into(),
        password: password.into(),
        display_name: "示例·督导".into(),
        role: Role::Supervisor,
        unit_id: "psb".into(),
        totp_secret: None,
    };
    let secret = app.enrol(&account).await;
    app.service.clock().advance_secs(30);
    let b = app.browser();
    b.login("supervisor", password, Some(&code_for(&secret, &app.service)))
        .await;
    b
}

async fn a_case_is_walked_through_its_lifecycle_by_forms(app: &TestApp) {
    let b = app.signed_in("investigator").await;
    let home = b.get_page("/").await;
    home.assert_contains("href=\"/cases\"");
    let list = b.get_page("/cases").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("id=\"new-case\"");
    // A report with a bad division comes back with the message beside the field.
    b.get_page("/cases/new").await;
    let bad = b
        .post_form(
            "/cases",
            &[("summary", "群众报称有人以招工为名拐骗妇女"), ("division", "999999"), ("occurred_on", "2026-01-10")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"division-error\"");
    bad.assert_contains("群众报称有人以招工为名拐骗妇女");
    let id = new_case(&b, "群众报称有人以招工为名拐骗妇女").await;
    let page = b.get_page(&format!("/cases/{id}")).await;
    page.assert_contains("data-state=\"reported\"");
    page.assert_contains("id=\"step-accept\"");
    page.assert_contains("群众报称有人以招工为名拐骗妇女");
    // A step the state does not take is refused with the domain's rule, in words.
    let r = step(&b, &id, &[("event", "solve")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("案件当前状态不允许这一步");
    let r = step(&b, &id, &[("event", "accept"), ("receipt_number", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("受案回执号需 4 到 60 个字符");
    for fields in [
        vec![("event", "accept"), ("receipt_number", "株公（荷）受案字〔2026〕0007号")],
        vec![("event", "start_review")],
        vec![("event", "extend_review"), ("extension", "check_clues")],
        vec![("event", "register")],
        vec![("event", "start_investigation")],
    ] {
        let r = step(&b, &id, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{fields:?}: {}", r.body);
    }
    // People: an ID number with a wrong check character is refused; a good one is kept.
    let rid = id_number("19800101", 11);
    let wrong = format!("{}{}", &rid[..17], if rid.ends_with('1') { '2' } else { '1' });
    b.get_page(&format!("/cases/{id}")).await;
    let r = b
        .post_form(&format!("/cases/{id}/people"), &[("role", "suspect"), ("name", "张某甲"), ("id_number", &wrong)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post_form(&format!("/cases/{id}/people"), &[("role", "suspect"), ("name", "张某甲"), ("id_number", &rid), ("phone", "13912345678")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = b
        .post_form(&format!("/cases/{id}/people"), &[("role", "victim"), ("name", "李某"), ("sex", "female"), ("age", "16")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = b
        .post_form(&format!("/cases/{id}/identifiers"), &[("kind", "vehicle"), ("value", "湘B12345")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = b
        .post_form(
            &format!("/cases/{id}/classification"),
            &[("article", "240"), ("acts", "selling"), ("acts", "transiting"), ("exploitation", "forced_marriage")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get_page(&format!("/cases/{id}")).await;
    page.assert_contains("张某甲");
    page.assert_contains(&rid);
    page.assert_contains("湘B12345");
    page.assert_contains("拐卖妇女、儿童罪");
    // 破案 needs the three facts.
    let r = step(&b, &id, &[("event", "solve"), ("facts_proven", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("不符合破案条件");
    let r = step(
        &b,
        &id,
        &[("event", "solve"), ("facts_proven", "1"), ("suspect_identified", "1"), ("suspect_in_custody", "1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get_page(&format!("/cases/{id}")).await;
    page.assert_contains("data-state=\"solved\"");
    page.assert_contains("id=\"step-conclude_investigation\"");
    for term in ["接报", "受案登记", "立案", "侦查", "破案"] {
        page.assert_contains(term);
    }
    // The same page in English keeps the Chinese term beside the English label.
    b.set_cookie("lang", "en");
    let en = b.get_page(&format!("/cases/{id}")).await;
    en.assert_contains("Solved (破案)");
    en.assert_contains("Next steps");
    // The list filters by state.
    let solved = b.get_page("/cases?state=solved").await;
    solved.assert_contains(&format!("/cases/{id}"));
    let other = b.get_page("/cases?state=withdrawn").await;
    assert!(!other.body.contains(&format!("/cases/{id}\"")));
    // Search by ID number through the blind index, by POST.
    b.get_page("/cases").await;
    let hits = b.post_form("/cases/search", &[("id_number", &rid)]).await;
    assert_eq!(hits.status, StatusCode::OK);
    hits.assert_contains(&format!("/cases/{id}"));
    // Figures count it.
    let f = b.get_page("/cases/figures?from=2026-01-01&to=2999-12-31").await;
    assert_eq!(f.status, StatusCode::OK);
    f.assert_contains("id=\"fig-solved\">1<");
    f.assert_contains("id=\"fig-rate\">100.0%<");
    f.assert_contains("id=\"victim-groups\"");
    // Against the same days a year earlier, which hold the same case: no change.
    f.assert_contains("id=\"rate-change\">+0.0 points<");
    f.assert_contains("<td>woman (14 and over)</td><td>forced marriage</td><td class=\"num\">1</td>");
}

async fn roles_see_what_the_policy_allows(app: &TestApp) {
    let inv = app.signed_in("investigator").await;
    let id = new_case(&inv, "测试访问权限的案件，供测试使用").await;
    inv.get_page(&format!("/cases/{id}")).await;
    inv.post_form(&format!("/cases/{id}/people"), &[("role", "victim"), ("name", "王小红"), ("sex", "female"), ("age", "16")])
        .await;
    // No case pages at all for admin, auditor, lab and liaison; no navigation link.
    for u in ["admin", "auditor", "lab", "liaison.psb"] {
        let b = app.signed_in(u).await;
        assert!(!b.get_page("/").await.body.contains("href=\"/cases\""), "{u}");
        assert_eq!(b.get_page("/cases").await.status, StatusCode::FORBIDDEN, "{u}");
        assert_eq!(b.get_page(&format!("/cases/{id}")).await.status, StatusCode::FORBIDDEN, "{u}");
    }
    // The office sees the case masked, with no steps and no summary.
    let office = app.signed_in("office").await;
    let list = office.get_page("/cases").await;
    list.assert_contains(&format!("/cases/{id}"));
    let page = office.get_page(&format!("/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("id=\"case-masked\"");
    page.assert_contains("王**");
    assert!(!page.body.contains("王小红"));
    assert!(!page.body.contains("测试访问权限的案件"));
    assert!(!page.body.contains("id=\"step-accept\""));
    let r = office
        .post_form(&format!("/cases/{id}/transition"), &[("event", "accept"), ("receipt_number", "A0001")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A colleague not assigned sees it masked and may not write it.
    let inv2 = app.signed_in("investigator2").await;
    let page = inv2.get_page(&format!("/cases/{id}")).await;
    page.assert_contains("id=\"case-masked\"");
    let r = inv2
        .post_form(&format!("/cases/{id}/transition"), &[("event", "accept"), ("receipt_number", "A0001")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A caseworker of another unit: refused until the case is referred, then masked.
    let cw = app.signed_in("caseworker").await;
    assert_eq!(cw.get_page(&format!("/cases/{id}")).await.status, StatusCode::FORBIDDEN);
    inv.get_page(&format!("/cases/{id}")).await;
    let r = inv
        .post_form(&format!("/cases/{id}/refer"), &[("unit_id", "civil-affairs"), ("reason", "被害人救助")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = cw.get_page(&format!("/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("id=\"case-masked\"");
    // Oversight writes are the office's: the investigator is refused.
    inv.get_page("/cases/key-areas").await;
    let r = inv
        .post_form("/cases/key-areas", &[("division", "430202"), ("name", "某劳务市场")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(inv.get_page("/cases/supervision").await.status, StatusCode::FORBIDDEN);
    // Figures of another unit are refused to an investigator.
    assert_eq!(
        inv.get_page("/cases/figures?unit=civil-affairs").await.status,
        StatusCode::FORBIDDEN
    );
    // The supervisor may write and assign.
    let sup = supervisor(app).await;
    let page = sup.get_page(&format!("/cases/{id}")).await;
    assert!(!page.body.contains("id=\"case-masked\""));
    let r = sup
        .post_form(&format!("/cases/{id}/assign"), &[("username", "investigator2")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = inv2.get_page(&format!("/cases/{id}")).await;
    assert!(!page.body.contains("id=\"case-masked\""));
    page.assert_contains("王小红");
}

async fn links_are_reviewed_and_a_series_is_drawn(app: &TestApp) {
    let b = app.signed_in("investigator").await;
    let shared = id_number("19790203", 31);
    let mut ids = Vec::new();
    for text in ["系列案件甲：以介绍工作为名拐卖妇女", "系列案件乙：以介绍工作为名拐卖妇女"] {
        let id = new_case(&b, text).await;
        b.get_page(&format!("/cases/{id}")).await;
        let r = b
            .post_form(&format!("/cases/{id}/people"), &[("role", "suspect"), ("name", "周某"), ("id_number", &shared)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        ids.push(id);
    }
    let page = b.get_page(&format!("/cases/{}", ids[0])).await;
    page.assert_contains("同一嫌疑人");
    page.assert_contains("/review\"");
    let at = page.body.find("/cases/links/").unwrap();
    let rest = &page.body[at + "/cases/links/".len()..];
    let link = &rest[..rest.find('/').unwrap()];
    let r = b
        .post_form(
            &format!("/cases/links/{link}/review"),
            &[("case_id", &ids[0]), ("decision", "confirm"), ("reason", "同一嫌疑人身份证号")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get_page(&format!("/cases/{}", ids[0])).await;
    page.assert_contains("已串并");
    // Reviewing twice is refused with a message.
    let r = b
        .post_form(
            &format!("/cases/links/{link}/review"),
            &[("case_id", &ids[0]), ("decision", "reject"), ("reason", "重复审查")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let series = b.get_page(&format!("/cases/{}/series", ids[0])).await;
    assert_eq!(series.status, StatusCode::OK);
    series.assert_contains("<svg class=\"series-graph\"");
    assert_eq!(series.body.matches("r=\"18\"").count(), 2, "two case nodes");
    assert_eq!(series.body.matches("r=\"10\"").count(), 1, "one person node");
    assert!(!series.body.contains("<script>"));
}

async fn oversight_pages_for_the_office(app: &TestApp) {
    let office = app.signed_in("office").await;
    office.get_page("/cases/key-areas").await;
    let r = office
        .post_form("/cases/key-areas", &[("division", "430202"), ("name", "荷塘区某劳务市场"), ("listed_on", "2026-01-01")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = office.get_page("/cases/key-areas").await;
    page.assert_contains("荷塘区某劳务市场");
    page.assert_contains("已列入");
    let at = page.body.find("/cases/key-areas/").unwrap();
    let rest = &page.body[at + "/cases/key-areas/".len()..];
    let area = &rest[..rest.find('/').unwrap()];
    let r = office
        .post_form(&format!("/cases/key-areas/{area}/advance"), &[("on", "2026-02-01")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    office.get_page("/cases/key-areas").await.assert_contains("整治中");
    // An operation with a bad date range comes back with the message.
    office.get_page("/cases/operations").await;
    let r = office
        .post_form("/cases/operations", &[("name", "春季行动"), ("starts_on", "2026-03-01"), ("ends_on", "2026-02-01"), ("areas", "430200")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("结束日期早于开始日期");
    let r = office
        .post_form("/cases/operations", &[("name", "冬季打拐行动"), ("starts_on", "2026-01-01"), ("ends_on", "2026-02-28"), ("areas", "430200 430211")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let ops = office.get_page("/cases/operations").await;
    ops.assert_contains("冬季打拐行动");
    // The investigator counts a case under it.
    let inv = app.signed_in("investigator").await;
    let id = new_case(&inv, "专项行动期间破获的案件，供测试").await;
    let ops = inv.get_page("/cases/operations").await;
    let at = ops.body.find("class=\"mono\">").unwrap();
    let rest = &ops.body[at..];
    let op_id = rest[rest.find(": ").unwrap() + 2..rest.find("</p>").unwrap()].trim().to_owned();
    inv.get_page(&format!("/cases/{id}")).await;
    let r = inv
        .post_form(&format!("/cases/{id}/operations"), &[("operation_id", &op_id)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    office.get_page("/cases/operations").await.assert_contains("计入案件 1 起");
    // Supervision with an instruction, which the investigator then reads on the case.
    office.get_page("/cases/supervision").await;
    let r = office
        .post_form("/cases/supervision", &[("case_id", &id), ("level", "city"), ("deadline", "2999-01-01")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = office.get_page("/cases/supervision").await;
    page.assert_contains("市级督办");
    let at = page.body.find("action=\"/cases/supervision/").unwrap();
    let rest = &page.body[at + "action=\"/cases/supervision/".len()..];
    let sid = &rest[..rest.find('"').unwrap()];
    let r = office
        .post_form(&format!("/cases/supervision/{sid}"), &[("action", "instruct"), ("text", "十日内查清资金流向")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    inv.get_page(&format!("/cases/{id}")).await.assert_contains("十日内查清资金流向");
    // City figures for the office.
    let f = office.get_page("/cases/figures").await;
    assert_eq!(f.status, StatusCode::OK);
    f.assert_contains("全市");
}

async fn the_api_follows_the_same_rules(app: &TestApp) {
    let b = app.signed_in("investigator").await;
    b.get_page("/").await;
    let created = b
        .send_json(
            Method::POST,
            "/api/v1/cases",
            &serde_json::json!({"summary": "接口登记的测试案件一起", "division": "430202", "occurred_on": "2026-01-10"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["state_term_zh"], "接报");
    let refused = b
        .send_json(Method::POST, &format!("/api/v1/cases/{id}/transitions"), &serde_json::json!({"event": "register"}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"]["code"], "case.transition.not_allowed");
    let ok = b
        .send_json(
            Method::POST,
            &format!("/api/v1/cases/{id}/transitions"),
            &serde_json::json!({"event": "accept", "receipt_number": "A4302025100002026030001"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["state"], "accepted");
    let person = b
        .send_json(
            Method::POST,
            &format!("/api/v1/cases/{id}/people"),
            &serde_json::json!({"role": "victim", "name": "李小花", "sex": "female", "age": 9}),
        )
        .await;
    assert_eq!(person.status, StatusCode::CREATED, "{}", person.body);
    let gang = b
        .send_json(Method::POST, &format!("/api/v1/cases/{id}/gangs"), &serde_json::json!({"code_name": "甲团伙"}))
        .await;
    assert_eq!(gang.status, StatusCode::CREATED, "{}", gang.body);
    let gang_id = gang.json()["id"].as_str().unwrap().to_owned();
    let broken = b
        .send_json(
            Method::POST,
            &format!("/api/v1/cases/{id}/gangs/{gang_id}/break-up"),
            &serde_json::json!({"broken_up_on": "2026-01-20"}),
        )
        .await;
    assert_eq!(broken.status, StatusCode::NO_CONTENT, "{}", broken.body);
    let file = b.get_json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(file.json()["gangs"][0]["broken_up_on"], "2026-01-20");
    assert_eq!(file.json()["people"][0]["name"], "李小花");
    let list = b.get_json("/api/v1/cases?state=accepted").await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    let figures = b.get_json("/api/v1/cases/figures?from=2026-01-01&to=2999-12-31").await;
    assert_eq!(figures.json()["received"], 1);
    // The office reads it masked; the admin is refused.
    let office = app.signed_in("office").await;
    let masked = office.get_json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(masked.json()["people"][0]["name"], "李**");
    assert!(masked.json()["text"].is_null());
    // Supervision through the API: opened, raised and concluded by the office.
    let opened = office
        .send_json(
            Method::POST,
            "/api/v1/cases/supervisions",
            &serde_json::json!({"case_id": id, "level": "city", "deadline": "2999-01-01"}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let sid = opened.json()["id"].as_str().unwrap().to_owned();
    let raised = office
        .send_json(
            Method::POST,
            &format!("/api/v1/cases/supervisions/{sid}/raise"),
            &serde_json::json!({"level": "city"}),
        )
        .await;
    assert_eq!(raised.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(raised.json()["error"]["code"], "supervision.not_higher_level");
    let raised = office
        .send_json(
            Method::POST,
            &format!("/api/v1/cases/supervisions/{sid}/raise"),
            &serde_json::json!({"level": "province"}),
        )
        .await;
    assert_eq!(raised.json()["level"], "province");
    let done = office
        .send_json(Method::POST, &format!("/api/v1/cases/supervisions/{sid}/conclude"), &serde_json::json!({}))
        .await;
    assert!(done.json()["concluded_on"].is_string(), "{}", done.body);
    let refused = b
        .send_json(Method::POST, "/api/v1/cases/supervisions", &serde_json::json!({"case_id": id, "level": "city", "deadline": "2999-01-01"}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let admin = app.signed_in("admin").await;
    let r = admin.get_json("/api/v1/cases").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "refused.admin_no_case_data");
    // The OpenAPI document describes the case paths.
    let doc = b.get_json("/api/openapi.json").await.json();
    for path in ["/api/v1/cases", "/api/v1/cases/{id}", "/api/v1/cases/{id}/transitions", "/api/v1/cases/figures", "/api/v1/cases/{id}/series"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
}

#[test]
fn every_case_error_has_a_message_in_both_languages() {
    let l = Locales::load().unwrap();
    let codes = fanguai_web::pages::cases::CASE_ERROR_CODES
        .iter()
        .chain(fanguai_domain::cases::ERROR_CODES.iter())
        .filter(|c| !c.starts_with("blind_index.") && !c.starts_with("victim."));
    for code in codes {
        let key = fanguai_web::error::invalid_key(code);
        for lang in LANGS {
            assert!(l.keys(lang).contains(&key), "{}: {key}", lang.as_str());
        }
    }
}
