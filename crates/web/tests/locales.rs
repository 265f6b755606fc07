//! Both locales define exactly the same messages, and every message the templates and
//! handlers ask for exists.

use std::{collections::BTreeSet, fs, path::Path};

use fanguai_domain::policy::Capability;
use fanguai_web::i18n::{LANGS, Lang, Locales};

fn locales() -> Locales {
    Locales::load().expect("embedded locales parse")
}

/// Literal keys passed to `t(..)`, `t1(..)` or `t_args(..)` in a source text.
fn keys_used(text: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for call in ["t(\"", "t1(\"", "t_args(\""] {
        let mut rest = text;
        while let Some(at) = rest.find(call) {
            let before = rest[..at].chars().last();
            rest = &rest[at + call.len()..];
            // `.t("` or `{{ t("` only, not e.g. `assert("`.
            if !matches!(before, Some('.') | Some(' ') | Some('(')) {
                continue;
            }
            if let Some(end) = rest.find('"') {
                keys.insert(rest[..end].to_owned());
            }
        }
    }
    keys
}

fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn both_locales_have_exactly_the_same_keys() {
    let l = locales();
    let zh = l.keys(Lang::ZhCn);
    let en = l.keys(Lang::En);
    let only_zh: Vec<_> = zh.difference(en).collect();
    let only_en: Vec<_> = en.difference(zh).collect();
    assert!(only_zh.is_empty(), "only in zh-CN: {only_zh:?}");
    assert!(only_en.is_empty(), "only in en: {only_en:?}");
}

#[test]
fn every_key_used_in_templates_and_handlers_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files(&root.join("templates"), "html", &mut sources);
    files(&root.join("src"), "rs", &mut sources);
    let mut used = BTreeSet::new();
    for f in &sources {
        used.extend(keys_used(&fs::read_to_string(f).unwrap()));
    }
    assert!(
        used.len() > 100,
        "the scan found only {} keys; is it still reading the templates?",
        used.len()
    );
    let l = locales();
    for lang in LANGS {
        let missing: Vec<_> = used.iter().filter(|k| !l.keys(lang).contains(*k)).collect();
        assert!(missing.is_empty(), "{}: missing {missing:?}", lang.as_str());
    }
}

#[test]
fn every_capability_of_the_policy_has_a_description() {
    let l = locales();
    for cap in Capability::ALL {
        for lang in LANGS {
            let key = fanguai_web::pages::capability_key(&cap);
            assert!(l.keys(lang).contains(&key), "{}: {key}", lang.as_str());
        }
    }
}

#[test]
fn every_error_key_and_notice_exists() {
    let l = locales();
    let mut keys: Vec<String> = fanguai_web::error::MESSAGE_KEYS
        .iter()
        .map(|k| k.to_string())
        .collect();
    keys.extend(
        ["assigned", "disabled", "enabled", "reset-2fa", "liaison"].map(|d| format!("users-done-{d}")),
    );
    keys.extend(["password", "2fa"].map(|d| format!("account-done-{d}")));
    for lang in LANGS {
        for k in &keys {
            assert!(l.keys(lang).contains(k), "{}: {k}", lang.as_str());
        }
    }
}
