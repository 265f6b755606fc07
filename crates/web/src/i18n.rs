//! User-facing text in Simplified Chinese (the default) and English, from Fluent files
//! compiled into the binary so a deployment can never run with a missing locale.

use std::{borrow::Cow, collections::BTreeSet, fmt, sync::Arc};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::{LanguageIdentifier, langid};

/// Source of every locale, embedded at compile time: one Fluent file per module, the
/// same file names in every language.
pub const ZH_CN_FTL: &[(&str, &str)] = &[("main.ftl", include_str!("../locales/zh-CN/main.ftl")),
    ("cases.ftl", include_str!("../locales/zh-CN/cases.ftl")),
    ("tips.ftl", include_str!("../locales/zh-CN/tips.ftl"))];
pub const EN_FTL: &[(&str, &str)] = &[("main.ftl", include_str!("../locales/en/main.ftl")),
    ("cases.ftl", include_str!("../locales/en/cases.ftl")),
    ("tips.ftl", include_str!("../locales/en/tips.ftl"))];

/// The interface languages: the service's own type, so a session's stored language and
/// the page language are one value.
pub use fanguai_service::Lang;

/// Every language with a bundle, the default first.
pub const LANGS: [Lang; 2] = [Lang::ZhCn, Lang::En];

fn langid(lang: Lang) -> LanguageIdentifier {
    match lang {
        Lang::ZhCn => langid!("zh-CN"),
        Lang::En => langid!("en"),
    }
}

fn sources(lang: Lang) -> &'static [(&'static str, &'static str)] {
    match lang {
        Lang::ZhCn => ZH_CN_FTL,
        Lang::En => EN_FTL,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LocaleError {
    #[error("locale {lang}: {file} line {line}: {reason}")]
    Syntax {
        lang: &'static str,
        file: &'static str,
        line: usize,
        reason: String,
    },
    #[error("locale {lang}: message {id:?} defined twice")]
    Duplicate { lang: &'static str, id: String },
}

/// Both bundles, shared by every request.
#[derive(Clone)]
pub struct Locales {
    inner: Arc<[Bundle; 2]>,
}

struct Bundle {
    bundle: FluentBundle<FluentResource>,
    keys: BTreeSet<String>,
}

impl fmt::Debug for Locales {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locales")
            .field("zh-CN", &self.inner[0].keys.len())
            .field("en", &self.inner[1].keys.len())
            .finish()
    }
}

impl Locales {
    /// Parses the embedded Fluent files; fails with the locale and line of the first error.
    pub fn load() -> Result<Locales, LocaleError> {
        Ok(Locales {
            inner: Arc::new([build(Lang::ZhCn)?, build(Lang::En)?]),
        })
    }

    /// Message ids defined for `lang`.
    pub fn keys(&self, lang: Lang) -> &BTreeSet<String> {
        &self.bundle(lang).keys
    }

    fn bundle(&self, lang: Lang) -> &Bundle {
        match lang {
            Lang::ZhCn => &self.inner[0],
            Lang::En => &self.inner[1],
        }
    }

    /// A translator bound to one language, handed to templates and error pages.
    pub fn tr(&self, lang: Lang) -> Tr {
        Tr {
            locales: self.clone(),
            lang,
        }
    }
}

fn build(lang: Lang) -> Result<Bundle, LocaleError> {
    let tag = lang.as_str();
    let mut keys = BTreeSet::new();
    let mut bundle = FluentBundle::new_concurrent(vec![langid(lang)]);
    // Unicode isolation marks would show up as stray characters in form values and tests.
    bundle.set_use_isolating(false);
    for &(file, source) in sources(lang) {
        let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| {
            let first = &errors[0];
            let line = source[..first.pos.start.min(source.len())]
                .lines()
                .count()
                .max(1);
            LocaleError::Syntax {
                lang: tag,
                file,
                line,
                reason: format!("{:?}", first.kind),
            }
        })?;
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry
                && !keys.insert(m.id.name.to_owned())
            {
                return Err(LocaleError::Duplicate {
                    lang: tag,
                    id: m.id.name.to_owned(),
                });
            }
        }
        bundle
            .add_resource(resource)
            .map_err(|errors| LocaleError::Duplicate {
                lang: tag,
                id: format!("{errors:?}"),
            })?;
    }
    Ok(Bundle { bundle, keys })
}

/// Looks up text in one language. A missing key renders as the key itself (and is
/// logged) so a page never fails because of a translation; a test keeps keys complete.
#[derive(Clone)]
pub struct Tr {
    locales: Locales,
    lang: Lang,
}

impl fmt::Debug for Tr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tr").field("lang", &self.lang).finish()
    }
}

impl Tr {
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Whether `key` exists in this language.
    pub fn has(&self, key: &str) -> bool {
        self.locales.bundle(self.lang).keys.contains(key)
    }

    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// Text with one named argument, the common case in templates (`{ $name }`).
    pub fn t1(&self, key: &str, name: &str, value: &dyn fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.format(key, Some(&args))
    }

    pub fn t_args(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            fargs.set(*name, FluentValue::from(value.clone()));
        }
        self.format(key, Some(&fargs))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = &self.locales.bundle(self.lang).bundle;
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = self.lang.as_str(), "missing translation");
            return key.to_owned();
        };
        let mut errors = Vec::new();
        let text: Cow<'_, str> = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                key,
                lang = self.lang.as_str(),
                ?errors,
                "translation formatting"
            );
        }
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_define_the_same_keys() {
        let locales = Locales::load().expect("embedded locales parse");
        let zh = locales.keys(Lang::ZhCn);
        let en = locales.keys(Lang::En);
        let only_zh: Vec<_> = zh.difference(en).collect();
        let only_en: Vec<_> = en.difference(zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only zh-CN: {only_zh:?}; only en: {only_en:?}"
        );
        assert!(zh.len() > 20);
    }

    #[test]
    fn default_is_chinese_and_every_language_has_a_bundle() {
        assert_eq!(Lang::default(), Lang::ZhCn);
        assert_eq!(LANGS[0], Lang::default());
        let locales = Locales::load().unwrap();
        for lang in LANGS {
            assert_eq!(Lang::parse(lang.as_str()), Some(lang));
            assert_eq!(locales.tr(lang).lang(), lang);
        }
    }

    #[test]
    fn arguments_are_substituted() {
        let locales = Locales::load().unwrap();
        let text = locales.tr(Lang::En).t1("page-of", "page", &3);
        assert!(text.contains('3'), "{text}");
    }
}
