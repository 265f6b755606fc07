//! The tip form as the browser sends it, shared by the public line and the staff entry
//! page: flat field names (`phones[2]`, `people_at_risk[0].count`, `contact.phone`) read
//! from a multipart upload (with photos) or a plain form, turned into the domain's
//! [`PublicTipForm`], and shown again with every error beside its field.

use std::collections::BTreeMap;

use axum::{
    body::Bytes,
    extract::{FromRequest, Multipart, Request},
    http::header,
};
use fanguai_domain::{
    divisions::{self, DivisionCode, Level},
    mask::AgeBand,
    tips::{ContactForm, PublicTipForm, RiskGroupForm, TipFormErrors},
};
use fanguai_service::{MAX_PHOTOS, PhotoUpload, ServiceError};

use crate::{
    error::{WebError, invalid_key},
    i18n::Tr,
    pages::FieldErrors,
};

/// Rows shown for each list when the reporter has not filled more.
const BLANK_ROWS: usize = 3;
/// Highest row index accepted in a field name; the domain's own limits are lower, so a
/// larger index is not a person typing but a crafted request.
const MAX_INDEX: usize = 64;
/// Text fields accepted in one submission, and characters in one of them.
const MAX_FIELDS: usize = 400;
const MAX_FIELD_CHARS: usize = 20_000;

/// What the browser sent: text fields in order, and the photos chosen.
#[derive(Debug, Default)]
pub struct TipUpload {
    pub fields: Vec<(String, String)>,
    pub photos: Vec<PhotoUpload>,
}

fn too_large_field() -> WebError {
    WebError::bad_request("form")
}

impl<S: Send + Sync> FromRequest<S> for TipUpload {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if content_type.starts_with("application/x-www-form-urlencoded") {
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(|_| WebError::payload_too_large())?;
            let fields: Vec<(String, String)> =
                serde_html_form::from_bytes(&bytes).map_err(|_| WebError::bad_request("form"))?;
            if fields.len() > MAX_FIELDS
                || fields
                    .iter()
                    .any(|(_, v)| v.chars().count() > MAX_FIELD_CHARS)
            {
                return Err(too_large_field());
            }
            return Ok(TipUpload {
                fields,
                photos: Vec::new(),
            });
        }
        if !content_type.starts_with("multipart/form-data") {
            return Err(WebError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "form_expected",
                "error-bad-request",
            ));
        }
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|_| WebError::bad_request("form"))?;
        let mut out = TipUpload::default();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| WebError::bad_request("form"))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            if field.file_name().is_some() {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| WebError::payload_too_large())?;
                // A file input left empty still sends a part without content.
                if name == "photos" && !bytes.is_empty() {
                    out.photos.push(PhotoUpload {
                        bytes: bytes.to_vec(),
                    });
                }
                continue;
            }
            let text = field
                .text()
                .await
                .map_err(|_| WebError::bad_request("form"))?;
            if out.fields.len() >= MAX_FIELDS || text.chars().count() > MAX_FIELD_CHARS {
                return Err(too_large_field());
            }
            out.fields.push((name, text));
        }
        Ok(out)
    }
}

/// One group of people at risk as typed.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub count: String,
    pub sex: String,
    pub age_band: String,
}

/// The tip form's fields as typed, kept to show the form again.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub what_happened: String,
    pub province: String,
    pub prefecture: String,
    pub division: String,
    pub address: String,
    pub date: String,
    pub time: String,
    pub groups: Vec<GroupInput>,
    pub suspects: Vec<String>,
    pub vehicles: Vec<String>,
    pub phones: Vec<String>,
    pub accounts: Vec<String>,
    pub child_involved: bool,
    pub immediate_danger: bool,
    pub contact_name: String,
    pub contact_phone: String,
    /// Fields outside the tip itself (the staff page's source), last value wins.
    pub other: BTreeMap<String, String>,
}

/// `name[3]` → (`name`, 3); `name[3].part` → (`name`, 3) and `part`.
fn indexed(name: &str) -> Option<(&str, usize, Option<&str>)> {
    let open = name.find('[')?;
    let close = name[open..].find(']')? + open;
    let index: usize = name[open + 1..close].parse().ok()?;
    let rest = &name[close + 1..];
    let part = if rest.is_empty() {
        None
    } else {
        Some(rest.strip_prefix('.')?)
    };
    Some((&name[..open], index, part))
}

fn set_at(list: &mut Vec<String>, index: usize, value: String) {
    if list.len() <= index {
        list.resize(index + 1, String::new());
    }
    list[index] = value;
}

fn ticked(v: &str) -> bool {
    matches!(v.trim(), "true" | "on" | "1" | "yes")
}

impl ReportInput {
    /// Reads the flat fields. A row index beyond any the form could have is refused.
    pub fn from_fields(fields: &[(String, String)]) -> Result<ReportInput, WebError> {
        let mut r = ReportInput::default();
        for (name, value) in fields {
            let v = value.clone();
            match name.as_str() {
                "what_happened" => r.what_happened = v,
                "province" => r.province = v,
                "prefecture" => r.prefecture = v,
                "division" => r.division = v,
                "address" => r.address = v,
                "date" => r.date = v,
                "time" => r.time = v,
                "child_involved" => r.child_involved = ticked(&v),
                "immediate_danger" => r.immediate_danger = ticked(&v),
                "contact.name" => r.contact_name = v,
                "contact.phone" => r.contact_phone = v,
                _ => match indexed(name) {
                    Some((_, i, _)) if i >= MAX_INDEX => {
                        return Err(WebError::bad_request("form").with_field(name.clone()));
                    }
                    Some(("people_at_risk", i, Some(part))) => {
                        if r.groups.len() <= i {
                            r.groups.resize(i + 1, GroupInput::default());
                        }
                        let g = &mut r.groups[i];
                        match part {
                            "count" => g.count = v,
                            "sex" => g.sex = v,
                            "age_band" => g.age_band = v,
                            _ => {}
                        }
                    }
                    Some(("suspects", i, None)) => set_at(&mut r.suspects, i, v),
                    Some(("vehicles", i, None)) => set_at(&mut r.vehicles, i, v),
                    Some(("phones", i, None)) => set_at(&mut r.phones, i, v),
                    Some(("accounts", i, None)) => set_at(&mut r.accounts, i, v),
                    _ => {
                        r.other.insert(name.clone(), v);
                    }
                },
            }
        }
        Ok(r)
    }

    /// A field outside the tip, or "" when absent.
    pub fn other(&self, name: &str) -> &str {
        self.other.get(name).map_or("", String::as_str)
    }

    /// The domain's form; blank rows stay so error fields keep the indexes shown.
    pub fn to_form(&self) -> PublicTipForm {
        PublicTipForm {
            what_happened: self.what_happened.clone(),
            division: self.division.clone(),
            address: self.address.clone(),
            date: self.date.clone(),
            time: self.time.clone(),
            people_at_risk: self
                .groups
                .iter()
                .map(|g| RiskGroupForm {
                    count: g.count.clone(),
                    sex: g.sex.clone(),
                    age_band: g.age_band.clone(),
                })
                .collect(),
            suspects: self.suspects.clone(),
            vehicles: self.vehicles.clone(),
            phones: self.phones.clone(),
            accounts: self.accounts.clone(),
            child_involved: self.child_involved,
            immediate_danger: self.immediate_danger,
            contact: ContactForm {
                name: self.contact_name.clone(),
                phone: self.contact_phone.clone(),
            },
        }
    }
}

/// One `<option>` of the division picker.
#[derive(Debug, Clone)]
pub struct DivisionOption {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

/// The three chained selects: province → prefecture (or a county directly under the
/// province) → county. Only counties in use can be chosen, as the domain requires.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub provinces: Vec<DivisionOption>,
    pub seconds: Vec<DivisionOption>,
    pub counties: Vec<DivisionOption>,
    pub error: Option<String>,
}

fn options(list: &[&divisions::Division], chosen: Option<DivisionCode>) -> Vec<DivisionOption> {
    list.iter()
        .map(|d| DivisionOption {
            code: d.code().to_string(),
            name: d.name().to_owned(),
            selected: Some(d.code()) == chosen,
        })
        .collect()
}

fn code(s: &str) -> Option<DivisionCode> {
    DivisionCode::parse(s.trim()).ok()
}

impl Picker {
    /// The picker with what was chosen. A county given alone (an API client, a form
    /// shown again) fills its province and prefecture; a choice that no longer belongs
    /// to the level above (the province was changed) is dropped.
    pub fn new(province: &str, second: &str, county: &str) -> Picker {
        let county = code(county).filter(|c| {
            divisions::lookup(*c).is_some_and(|d| d.level() == Level::County && d.is_in_use())
        });
        let mut province = code(province);
        let mut second = code(second);
        if let Some(c) = county
            && (province.is_none() || second.is_none())
        {
            province = Some(c.province());
            second = Some(c.prefecture().filter(|p| *p != c.province()).unwrap_or(c));
        }
        let provinces = divisions::provinces();
        let province = province.filter(|p| provinces.iter().any(|d| d.code() == *p));
        let seconds = province.map(divisions::children).unwrap_or_default();
        let second = second.and_then(|s| seconds.iter().find(|d| d.code() == s).copied());
        let counties: Vec<&divisions::Division> = match second {
            Some(s) if s.level() == Level::County => vec![s],
            Some(s) => divisions::children(s.code())
                .into_iter()
                .filter(|d| d.level() == Level::County)
                .collect(),
            None => Vec::new(),
        };
        let county = county
            .filter(|c| counties.iter().any(|d| d.code() == *c))
            .or_else(|| (counties.len() == 1).then(|| counties[0].code()));
        Picker {
            provinces: options(&provinces, province),
            seconds: options(&seconds, second.map(|s| s.code())),
            counties: options(&counties, county),
            error: None,
        }
    }
}

/// One row of a list field (`phones[1]`).
#[derive(Debug, Clone)]
pub struct ListRow {
    pub name: String,
    pub id: String,
    pub value: String,
    pub error: Option<String>,
}

/// One row of the people at risk.
#[derive(Debug, Clone)]
pub struct GroupRow {
    pub index: usize,
    pub count: String,
    pub sex: String,
    pub age_band: String,
    pub count_error: Option<String>,
    pub sex_error: Option<String>,
    pub age_error: Option<String>,
}

impl GroupRow {
    pub fn has_error(&self) -> bool {
        self.count_error.is_some() || self.sex_error.is_some() || self.age_error.is_some()
    }
}

/// Everything the shared tip fields template needs.
#[derive(Debug, Clone)]
pub struct TipFormView {
    pub input: ReportInput,
    pub errors: FieldErrors,
    pub picker: Picker,
    pub groups: Vec<GroupRow>,
    pub suspects: Vec<ListRow>,
    pub vehicles: Vec<ListRow>,
    pub phones: Vec<ListRow>,
    pub accounts: Vec<ListRow>,
    /// Errors of fields the form does not show, and how many problems there are.
    pub general: Vec<String>,
    pub problem_count: usize,
    /// Photos were chosen but the form came back: the browser cannot keep them.
    pub photos_lost: bool,
    pub sexes: Vec<(&'static str, String)>,
    pub age_bands: Vec<(&'static str, String)>,
    pub max_photos: usize,
}

impl TipFormView {
    /// The form, blank or as typed, with `errors` beside their fields.
    pub fn new(tr: &Tr, input: ReportInput, errors: FieldErrors, photos_lost: bool) -> Self {
        let picker = {
            let mut p = Picker::new(&input.province, &input.prefecture, &input.division);
            p.error = errors.get("division").map(str::to_owned);
            p
        };
        let mut shown: Vec<String> = [
            "what_happened",
            "division",
            "address",
            "date",
            "time",
            "people_at_risk",
            "suspects",
            "vehicles",
            "phones",
            "accounts",
            "contact.name",
            "contact.phone",
            "photos",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows = |field: &str, values: &[String], shown: &mut Vec<String>| -> Vec<ListRow> {
            let n = values.len().max(BLANK_ROWS);
            (0..n)
                .map(|i| {
                    let name = format!("{field}[{i}]");
                    shown.push(name.clone());
                    ListRow {
                        id: format!("{field}-{i}"),
                        value: values.get(i).cloned().unwrap_or_default(),
                        error: errors.get(&name).map(str::to_owned),
                        name,
                    }
                })
                .collect()
        };
        let suspects = rows("suspects", &input.suspects, &mut shown);
        let vehicles = rows("vehicles", &input.vehicles, &mut shown);
        let phones = rows("phones", &input.phones, &mut shown);
        let accounts = rows("accounts", &input.accounts, &mut shown);
        let n = input.groups.len().max(BLANK_ROWS);
        let groups = (0..n)
            .map(|i| {
                let g = input.groups.get(i).cloned().unwrap_or_default();
                let err = |part: &str, shown: &mut Vec<String>| {
                    let f = format!("people_at_risk[{i}].{part}");
                    let e = errors.get(&f).map(str::to_owned);
                    shown.push(f);
                    e
                };
                GroupRow {
                    index: i,
                    count_error: err("count", &mut shown),
                    sex_error: err("sex", &mut shown),
                    age_error: err("age_band", &mut shown),
                    count: g.count,
                    sex: g.sex,
                    age_band: g.age_band,
                }
            })
            .collect();
        let visible: Vec<&str> = shown.iter().map(String::as_str).collect();
        let general = errors
            .general(&visible)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let sexes = ["female", "male", "mixed", "unknown"]
            .into_iter()
            .map(|s| (s, tr.t(&format!("tip-sex-{s}"))))
            .collect();
        let age_bands = AgeBand::ALL
            .iter()
            .map(|b| (b.id(), tr.t1("tip-age-years", "band", &b.id())))
            .chain([("unknown", tr.t("tip-age-unknown"))])
            .collect();
        TipFormView {
            problem_count: errors.len(),
            input,
            errors,
            picker,
            groups,
            suspects,
            vehicles,
            phones,
            accounts,
            general,
            photos_lost,
            sexes,
            age_bands,
            max_photos: MAX_PHOTOS,
        }
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    /// Whether an optional section is opened: it holds something or an error.
    pub fn open_identifiers(&self) -> bool {
        [&self.vehicles, &self.phones, &self.accounts]
            .iter()
            .any(|rows| {
                rows.iter()
                    .any(|r| !r.value.trim().is_empty() || r.error.is_some())
            })
            || self.errors.has("vehicles")
            || self.errors.has("phones")
            || self.errors.has("accounts")
    }

    pub fn open_suspects(&self) -> bool {
        self.suspects
            .iter()
            .any(|r| !r.value.trim().is_empty() || r.error.is_some())
            || self.errors.has("suspects")
    }

    pub fn open_contact(&self) -> bool {
        !self.input.contact_name.trim().is_empty()
            || !self.input.contact_phone.trim().is_empty()
            || self.errors.has("contact.name")
            || self.errors.has("contact.phone")
    }
}

/// The translated message for a validation code, beside its field.
pub fn message_for(tr: &Tr, code: &str) -> String {
    let key = invalid_key(code);
    if tr.has(&key) {
        tr.t(&key)
    } else {
        tr.t("error-invalid")
    }
}

/// Every problem of the form, each under its field.
pub fn form_errors(tr: &Tr, errors: &TipFormErrors) -> FieldErrors {
    let mut out = FieldErrors::default();
    for e in errors.errors() {
        out.add(&e.field, message_for(tr, e.code));
    }
    out
}

/// A refusal of the input by the service (a photo, a source) beside its field; any
/// other failure is an error page.
pub fn service_field_error(tr: &Tr, e: ServiceError) -> Result<FieldErrors, WebError> {
    match &e {
        ServiceError::Invalid { field, code } => {
            let mut out = FieldErrors::default();
            out.add(field, message_for(tr, code));
            Ok(out)
        }
        _ => Err(WebError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn flat_names_fill_rows_at_their_index() {
        let r = ReportInput::from_fields(&f(&[
            ("phones[2]", "13800138000"),
            ("people_at_risk[1].count", "2"),
            ("people_at_risk[1].age_band", "6-13"),
            ("contact.phone", "13900139000"),
            ("child_involved", "true"),
            ("source", "walk_in"),
        ]))
        .unwrap();
        assert_eq!(r.phones, vec!["", "", "13800138000"]);
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.groups[1].count, "2");
        assert_eq!(r.groups[1].age_band, "6-13");
        assert_eq!(r.contact_phone, "13900139000");
        assert!(r.child_involved && !r.immediate_danger);
        assert_eq!(r.other("source"), "walk_in");
        let form = r.to_form();
        assert_eq!(form.phones.len(), 3);
        assert_eq!(form.people_at_risk[1].count, "2");
    }

    #[test]
    fn an_index_no_form_has_is_refused() {
        let e = ReportInput::from_fields(&f(&[("phones[100000]", "1")])).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert_eq!(e.field.as_deref(), Some("phones[100000]"));
    }

    #[test]
    fn picker_fills_the_levels_above_a_county() {
        // 湖南省株洲市渌口区
        let p = Picker::new("", "", "430212");
        assert!(p.provinces.iter().any(|o| o.selected && o.code == "430000"));
        assert!(p.seconds.iter().any(|o| o.selected && o.code == "430200"));
        assert!(p.counties.iter().any(|o| o.selected && o.code == "430212"));
        // Changing the province drops the prefecture and county of the old one.
        let p = Picker::new("110000", "430200", "430212");
        assert!(p.seconds.iter().all(|o| !o.selected));
        assert!(p.counties.is_empty());
        // A retired county is not offered.
        let p = Picker::new("430000", "430200", "430221");
        assert!(p.counties.iter().all(|o| o.code != "430221"));
    }
}
