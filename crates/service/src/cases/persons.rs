//! People on a case (victims, suspects, gang members), the identifiers seen in it
//! (phones, vehicles, accounts) and gangs (团伙). Identity numbers, names, phones and
//! addresses are sealed under a data key per person; searches go through blind indexes
//! only, so the database never holds a number in clear.

use fanguai_domain::cases::{Classification, FastTrack, VictimAtEvent, fast_track_registration};
use fanguai_domain::ids::{PersonName, Phone, ResidentId, Sex};
use fanguai_domain::mask::{self, AgeBand};
use fanguai_domain::tips::{AccountRef, VehiclePlate};
use fanguai_store::Conn;
use fanguai_store::cases::{
    self as repo, CaseIdentifierRow, CasePersonRow, CaseRow, GangRow, PersonIndex,
};
use serde::{Deserialize, Serialize};

use super::records::{self, input_date, stored_date};
use super::{CaseDesk, Sight, links};
use crate::error::{Result, ServiceError};

/// A person to add to a case. The ID number, when given, is checked (GB 11643 check
/// character, 15-digit legacy numbers, division codes in use since 1981) and gives the
/// sex and the age on the day of the crime.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewCasePerson {
    /// `victim`, `suspect` or `gang_member`.
    pub role: String,
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    /// `female` or `male`, when there is no ID number.
    #[serde(default)]
    pub sex: String,
    /// Age in years on the day of the crime, when there is no ID number.
    #[serde(default)]
    pub age: Option<u16>,
    /// For suspects: principal (主犯), accomplice (从犯) or as written.
    #[serde(default)]
    pub suspect_role: String,
    #[serde(default)]
    pub gang_id: String,
    /// The victim's dedicated archive, once the victims' register holds one.
    #[serde(default)]
    pub victim_archive_id: String,
}

/// Custody, rescue and gang facts that change during the investigation; dates are
/// `YYYY-MM-DD`, blank leaves the fact unset.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonStatus {
    #[serde(default)]
    pub in_custody_on: String,
    #[serde(default)]
    pub rescued_on: String,
    #[serde(default)]
    pub gang_id: String,
    #[serde(default)]
    pub victim_archive_id: String,
}

/// A vehicle plate, phone number or bank/payment account seen in a case.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewIdentifier {
    /// `phone`, `vehicle` or `account`.
    pub kind: String,
    pub value: String,
}

/// A person as the reader may see them: in full, or masked (张*, age band, no numbers).
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: String,
    pub role: String,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub sex: Option<String>,
    pub age: Option<u16>,
    pub age_band_zh: Option<String>,
    pub age_band_en: Option<String>,
    pub suspect_role: Option<String>,
    pub gang_id: Option<String>,
    pub in_custody_on: Option<String>,
    pub rescued_on: Option<String>,
    pub victim_archive_id: Option<String>,
    pub masked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GangView {
    pub id: String,
    pub code_name: String,
    pub broken_up_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdentifierView {
    pub id: String,
    pub kind: String,
    pub value: String,
}

/// A case found by a search: the case, and whether the reader may open it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub case_id: String,
    pub person_id: String,
    pub role: String,
    pub state: String,
    pub masked: bool,
}

const ROLES: [&str; 3] = ["victim", "suspect", "gang_member"];

fn parse_sex(s: &str) -> Result<Option<Sex>> {
    match s.trim() {
        "" => Ok(None),
        "female" | "女" => Ok(Some(Sex::Female)),
        "male" | "男" => Ok(Some(Sex::Male)),
        _ => Err(ServiceError::invalid("sex", "case.person.sex_unknown")),
    }
}

fn sex_id(s: Sex) -> &'static str {
    match s {
        Sex::Female => "female",
        Sex::Male => "male",
    }
}

fn optional_text(field: &'static str, s: &str, max: usize) -> Result<Option<String>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(ServiceError::invalid(field, "case.text.invalid"));
    }
    Ok(Some(t.to_owned()))
}

/// The blind index of an identity number: the 18-character form, so a person's old and
/// new numbers find each other.
pub(crate) fn id_index(app: &crate::app::App, id: &ResidentId) -> String {
    app.ring()
        .blind_index("resident_id", &id.normalized_for_index())
}

pub(crate) fn phone_index(app: &crate::app::App, p: &Phone) -> String {
    app.ring().blind_index("phone", &p.normalized_for_index())
}

/// A parsed identifier: its kind, its text to seal, and its blind index.
pub(crate) fn parse_identifier(
    app: &crate::app::App,
    kind: &str,
    value: &str,
) -> Result<(&'static str, String, String)> {
    match kind.trim() {
        "phone" => {
            let p = Phone::parse(value).map_err(|e| ServiceError::invalid("value", e.code()))?;
            Ok(("phone", p.as_str().to_owned(), phone_index(app, &p)))
        }
        "vehicle" => {
            let v =
                VehiclePlate::parse(value).map_err(|e| ServiceError::invalid("value", e.code()))?;
            let bidx = app.ring().blind_index("vehicle", v.as_str());
            Ok(("vehicle", v.as_str().to_owned(), bidx))
        }
        "account" => {
            let a =
                AccountRef::parse(value).map_err(|e| ServiceError::invalid("value", e.code()))?;
            let key = a
                .match_key()
                .ok_or_else(|| ServiceError::invalid("value", "case.account.too_short"))?;
            let bidx = app.ring().blind_index("account", &key);
            Ok(("account", a.as_str().to_owned(), bidx))
        }
        _ => Err(ServiceError::invalid(
            "kind",
            "case.identifier.kind_unknown",
        )),
    }
}

/// The fast-track registration the case qualifies for now, by the domain's rule on its
/// classification and its victims' sexes and ages.
pub(crate) async fn fast_track_for(c: &mut Conn, row: &CaseRow) -> Result<Option<FastTrack>> {
    let class: Classification = records::classification_of(row);
    if !class.missing_person_report {
        return Ok(None);
    }
    let victims: Vec<VictimAtEvent> = repo::people(c, &row.id)
        .await?
        .iter()
        .filter(|p| p.role == "victim")
        .map(|p| {
            VictimAtEvent::with_age(
                p.sex.as_deref().and_then(|s| parse_sex(s).ok().flatten()),
                p.age_at_event.and_then(|a| u16::try_from(a).ok()),
            )
        })
        .collect();
    Ok(fast_track_registration(&class, &victims))
}

impl CaseDesk {
    /// Adds a person to a case. A missing child or girl under 18 added to an accepted
    /// missing-person case registers it at once. Suspects' identities and phones are
    /// compared with other cases for serial-case links.
    pub async fn add_person(&self, case_id: &str, p: &NewCasePerson) -> Result<PersonView> {
        let role = ROLES
            .into_iter()
            .find(|r| *r == p.role.trim())
            .ok_or_else(|| ServiceError::invalid("role", "case.person.role_unknown"))?;
        let name =
            PersonName::parse(&p.name).map_err(|e| ServiceError::invalid("name", e.code()))?;
        let id_number = match p.id_number.trim() {
            "" => None,
            s => Some(
                ResidentId::parse(s).map_err(|e| ServiceError::invalid("id_number", e.code()))?,
            ),
        };
        let phone = match p.phone.trim() {
            "" => None,
            s => Some(Phone::parse(s).map_err(|e| ServiceError::invalid("phone", e.code()))?),
        };
        let address = optional_text("address", &p.address, 200)?;
        let suspect_role = optional_text("suspect_role", &p.suspect_role, 50)?;
        let archive = optional_text("victim_archive_id", &p.victim_archive_id, 100)?;
        let typed_sex = parse_sex(&p.sex)?;
        if p.age.is_some_and(|a| a > 120) {
            return Err(ServiceError::invalid("age", "case.person.age_range"));
        }

        let tx = self.app.store().begin().await?;
        let (mut tx, mut row) = self.writable(tx, case_id, "case.person.add").await?;
        let occurred = stored_date(&row.occurred_on)?;
        // The ID number is the better source of sex and age than what was typed.
        let (sex, age) = match &id_number {
            Some(id) => (Some(id.sex()), mask::age(id.birth_date(), occurred)),
            None => (typed_sex, p.age),
        };
        let gang_id = match p.gang_id.trim() {
            "" => None,
            g => {
                if !repo::gangs(&mut tx, case_id)
                    .await?
                    .iter()
                    .any(|x| x.id == g)
                {
                    return Err(ServiceError::invalid("gang_id", "case.gang.unknown"));
                }
                Some(g.to_owned())
            }
        };
        let id = uuid::Uuid::now_v7().to_string();
        let (key_id, key) =
            crate::people::new_key(&mut tx, &self.app, &records::person_subject(&id)).await?;
        let seal = |column: &str, v: &str| records::seal(&key, "case_people", column, &id, v);
        let now = self.app.now_ms();
        let person = CasePersonRow {
            id: id.clone(),
            case_id: case_id.to_owned(),
            role: role.to_owned(),
            data_key_id: key_id,
            name_enc: seal("name", name.as_str()),
            id_number_enc: id_number.as_ref().map(|n| seal("id_number", n.as_str())),
            phone_enc: phone.as_ref().map(|n| seal("phone", n.as_str())),
            address_enc: address.as_ref().map(|a| seal("address", a)),
            id_number_bidx: id_number.as_ref().map(|n| id_index(&self.app, n)),
            phone_bidx: phone.as_ref().map(|n| phone_index(&self.app, n)),
            sex: sex.map(|s| sex_id(s).to_owned()),
            age_at_event: age.map(i64::from),
            suspect_role: if role == "victim" { None } else { suspect_role },
            gang_id,
            in_custody_on: None,
            rescued_on: None,
            victim_archive_id: if role == "victim" { archive } else { None },
            created_at: now,
            updated_at: now,
        };
        repo::insert_person(&mut tx, &person).await?;
        if role != "victim" {
            links::propose_for(self, &mut tx, &row).await?;
        }
        self.register_at_once_if_due(&mut tx, &mut row).await?;
        self.audit(
            &mut tx,
            "case.person.add",
            "case",
            case_id,
            format!("{role} {id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(PersonView {
            id,
            role: role.to_owned(),
            name: name.as_str().to_owned(),
            id_number: id_number.map(|n| n.as_str().to_owned()),
            phone: phone.map(|p| p.as_str().to_owned()),
            address,
            sex: sex.map(|s| sex_id(s).to_owned()),
            age,
            age_band_zh: age.map(|a| AgeBand::of_age(a).label_zh()),
            age_band_en: age.map(|a| AgeBand::of_age(a).label_en()),
            suspect_role: person.suspect_role,
            gang_id: person.gang_id,
            in_custody_on: None,
            rescued_on: None,
            victim_archive_id: person.victim_archive_id,
            masked: false,
        })
    }

    /// Records custody (归案), rescue (解救), gang membership or the victim archive link.
    pub async fn update_person(
        &self,
        case_id: &str,
        person_id: &str,
        s: &PersonStatus,
    ) -> Result<()> {
        let tx = self.app.store().begin().await?;
        let (mut tx, _row) = self.writable(tx, case_id, "case.person.update").await?;
        let mut p = repo::person(&mut tx, person_id)
            .await?
            .filter(|p| p.case_id == case_id)
            .ok_or(ServiceError::NotFound("person"))?;
        let day = |field: &'static str, v: &str| -> Result<Option<String>> {
            match v.trim() {
                "" => Ok(None),
                d => Ok(Some(records::date_text(input_date(field, d)?))),
            }
        };
        if let Some(d) = day("in_custody_on", &s.in_custody_on)? {
            if p.role == "victim" {
                return Err(ServiceError::invalid(
                    "in_custody_on",
                    "case.person.not_suspect",
                ));
            }
            p.in_custody_on = Some(d);
        }
        if let Some(d) = day("rescued_on", &s.rescued_on)? {
            if p.role != "victim" {
                return Err(ServiceError::invalid(
                    "rescued_on",
                    "case.person.not_victim",
                ));
            }
            p.rescued_on = Some(d);
        }
        if !s.gang_id.trim().is_empty() {
            if !repo::gangs(&mut tx, case_id)
                .await?
                .iter()
                .any(|g| g.id == s.gang_id.trim())
            {
                return Err(ServiceError::invalid("gang_id", "case.gang.unknown"));
            }
            p.gang_id = Some(s.gang_id.trim().to_owned());
        }
        if let Some(a) = optional_text("victim_archive_id", &s.victim_archive_id, 100)? {
            p.victim_archive_id = Some(a);
        }
        p.updated_at = self.app.now_ms();
        repo::update_person_status(&mut tx, &p).await?;
        self.audit(
            &mut tx,
            "case.person.update",
            "case",
            case_id,
            format!("person {person_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a phone, vehicle plate or account seen in the case, and proposes links to
    /// cases that share it.
    pub async fn add_identifier(&self, case_id: &str, i: &NewIdentifier) -> Result<IdentifierView> {
        let (kind, value, bidx) = parse_identifier(&self.app, &i.kind, &i.value)?;
        let tx = self.app.store().begin().await?;
        let (mut tx, row) = self.writable(tx, case_id, "case.identifier.add").await?;
        let key = records::key(&mut tx, &self.app, &row.data_key_id).await?;
        let id = uuid::Uuid::now_v7().to_string();
        repo::insert_identifier(
            &mut tx,
            &CaseIdentifierRow {
                id: id.clone(),
                case_id: case_id.to_owned(),
                kind: kind.to_owned(),
                value_enc: records::seal(&key, "case_identifiers", "value", &id, &value),
                bidx,
                created_at: self.app.now_ms(),
            },
        )
        .await
        .map_err(|e| match e {
            fanguai_store::StoreError::Conflict { .. } => {
                ServiceError::Conflict("the case already has this identifier".into())
            }
            other => other.into(),
        })?;
        links::propose_for(self, &mut tx, &row).await?;
        self.audit(
            &mut tx,
            "case.identifier.add",
            "case",
            case_id,
            kind.to_owned(),
        )
        .await?;
        tx.commit().await?;
        Ok(IdentifierView {
            id,
            kind: kind.to_owned(),
            value,
        })
    }

    /// Adds a gang (团伙) to a case under a code name.
    pub async fn add_gang(&self, case_id: &str, code_name: &str) -> Result<GangView> {
        let name = code_name.trim();
        if !(2..=50).contains(&name.chars().count()) || name.chars().any(char::is_control) {
            return Err(ServiceError::invalid("code_name", "case.gang.name_length"));
        }
        let tx = self.app.store().begin().await?;
        let (mut tx, _row) = self.writable(tx, case_id, "case.gang.add").await?;
        let g = GangRow {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: case_id.to_owned(),
            code_name: name.to_owned(),
            broken_up_on: None,
            created_at: self.app.now_ms(),
        };
        repo::insert_gang(&mut tx, &g).await?;
        self.audit(&mut tx, "case.gang.add", "case", case_id, g.id.clone())
            .await?;
        tx.commit().await?;
        Ok(GangView {
            id: g.id,
            code_name: g.code_name,
            broken_up_on: None,
        })
    }

    /// Records that a gang was broken up (打掉) on a day.
    pub async fn break_up_gang(&self, case_id: &str, gang_id: &str, on: &str) -> Result<()> {
        let day = records::date_text(input_date("broken_up_on", on)?);
        let tx = self.app.store().begin().await?;
        let (mut tx, _row) = self.writable(tx, case_id, "case.gang.break_up").await?;
        repo::set_gang_broken_up(&mut tx, case_id, gang_id, &day)
            .await
            .map_err(|e| match e {
                fanguai_store::StoreError::NotFound => ServiceError::NotFound("gang"),
                other => other.into(),
            })?;
        self.audit(
            &mut tx,
            "case.gang.break_up",
            "case",
            case_id,
            gang_id.to_owned(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finds the cases of a person by identity number or phone, through the blind
    /// indexes only. Only cases the reader may see are returned; the search itself is
    /// audited without the searched number.
    pub async fn search_person(&self, id_number: &str, phone: &str) -> Result<Vec<SearchHit>> {
        let (index, bidx) = match (id_number.trim(), phone.trim()) {
            ("", "") => return Err(ServiceError::invalid("id_number", "case.search.empty")),
            (id, "") => {
                let rid = ResidentId::parse(id)
                    .map_err(|e| ServiceError::invalid("id_number", e.code()))?;
                (PersonIndex::IdNumber, id_index(&self.app, &rid))
            }
            (_, p) => {
                let ph = Phone::parse(p).map_err(|e| ServiceError::invalid("phone", e.code()))?;
                (PersonIndex::Phone, phone_index(&self.app, &ph))
            }
        };
        let mut tx = self.app.store().begin().await?;
        let found = repo::people_by_index(&mut tx, index, &bidx).await?;
        let mut hits = Vec::new();
        for p in found {
            if let Ok((row, sight)) = self.readable(&mut tx, &p.case_id).await? {
                hits.push(SearchHit {
                    case_id: row.id,
                    person_id: p.id,
                    role: p.role,
                    state: row.state,
                    masked: sight == Sight::Masked,
                });
            }
        }
        self.audit(
            &mut tx,
            "case.person.search",
            "case_person",
            "",
            format!("{:?}, {} hits", index, hits.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(hits)
    }
}

/// The people of a case as `sight` allows.
pub(crate) async fn views(
    desk: &CaseDesk,
    c: &mut Conn,
    row: &CaseRow,
    sight: Sight,
) -> Result<Vec<PersonView>> {
    let mut out = Vec::new();
    for p in repo::people(c, &row.id).await? {
        let key = match records::key(c, &desk.app, &p.data_key_id).await {
            Ok(k) => Some(k),
            // A shredded person stays on the case without identity.
            Err(ServiceError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let open = |column: &str, v: &Option<Vec<u8>>| -> Result<Option<String>> {
            match (&key, v) {
                (Some(k), Some(sealed)) => {
                    records::open(k, "case_people", column, &p.id, sealed).map(Some)
                }
                _ => Ok(None),
            }
        };
        let name = open("name", &Some(p.name_enc.clone()))?.unwrap_or_else(|| "—".into());
        let age = p.age_at_event.and_then(|a| u16::try_from(a).ok());
        let full = sight == Sight::Full;
        let id_number = open("id_number", &p.id_number_enc)?;
        let phone = open("phone", &p.phone_enc)?;
        out.push(PersonView {
            id: p.id.clone(),
            role: p.role.clone(),
            name: if full { name } else { mask::name(&name) },
            id_number: if full {
                id_number
            } else {
                id_number.map(|n| mask::resident_id(&n))
            },
            phone: if full {
                phone
            } else {
                phone.map(|n| mask::phone(&n))
            },
            address: if full {
                open("address", &p.address_enc)?
            } else {
                None
            },
            sex: p.sex.clone(),
            age: if full { age } else { None },
            age_band_zh: age.map(|a| AgeBand::of_age(a).label_zh()),
            age_band_en: age.map(|a| AgeBand::of_age(a).label_en()),
            suspect_role: p.suspect_role.clone(),
            gang_id: p.gang_id.clone(),
            in_custody_on: p.in_custody_on.clone(),
            rescued_on: p.rescued_on.clone(),
            victim_archive_id: if full {
                p.victim_archive_id.clone()
            } else {
                None
            },
            masked: !full,
        });
    }
    Ok(out)
}

pub(crate) async fn gang_views(c: &mut Conn, case_id: &str) -> Result<Vec<GangView>> {
    Ok(repo::gangs(c, case_id)
        .await?
        .into_iter()
        .map(|g| GangView {
            id: g.id,
            code_name: g.code_name,
            broken_up_on: g.broken_up_on,
        })
        .collect())
}

pub(crate) async fn identifier_views(
    desk: &CaseDesk,
    c: &mut Conn,
    row: &CaseRow,
) -> Result<Vec<IdentifierView>> {
    let key = records::key(c, &desk.app, &row.data_key_id).await?;
    repo::identifiers(c, &row.id)
        .await?
        .into_iter()
        .map(|i| {
            Ok(IdentifierView {
                value: records::open(&key, "case_identifiers", "value", &i.id, &i.value_enc)?,
                id: i.id,
                kind: i.kind,
            })
        })
        .collect()
}
