//! Every future the store hands out must be `Send`, or it cannot run in a spawned task
//! or an axum handler. This fails to compile, rather than at run time, when one is not.

use fanguai_store::audit::{self, AuditFilter, NewAuditEvent};
use fanguai_store::{
    Conn, DataKeyRow, SessionRow, Store, UnitRow, UserRow, data_keys, sessions, settings, units,
    users,
};

fn is_send<T: Send>(_: &T) {}

#[allow(dead_code)]
fn store_futures_are_send(store: Store, path: &std::path::Path) {
    is_send(&Store::connect("sqlite::memory:"));
    is_send(&store.migrate());
    is_send(&store.pending_migrations());
    is_send(&store.ping());
    is_send(&store.begin());
    is_send(&store.conn());
    is_send(&store.backup_sqlite_to(path));
    is_send(&store.close());
}

#[allow(dead_code)]
async fn tx_futures_are_send(store: Store) {
    let tx = store.begin().await.unwrap();
    is_send(&tx.commit());
}

macro_rules! check {
    ($($e:expr),* $(,)?) => {{ $( is_send(&$e); )* }};
}

#[allow(dead_code)]
fn repository_futures_are_send(
    c: &mut Conn,
    unit: &UnitRow,
    user: &UserRow,
    session: &SessionRow,
    key: &DataKeyRow,
    filter: &AuditFilter,
) {
    check!(units::insert(c, unit));
    check!(units::get(c, "x"));
    check!(units::list(c));
    check!(units::set_liaison(c, "x", None));
    check!(users::insert(c, user));
    check!(users::get(c, "x"));
    check!(users::by_username(c, "x"));
    check!(users::list(c));
    check!(users::list_by_unit(c, "x"));
    check!(users::update(c, user));
    check!(users::count(c));
    check!(users::record_failed_login(c, "x", 1, None));
    check!(sessions::insert(c, session));
    check!(sessions::get(c, "x"));
    check!(sessions::touch(c, "x", 1));
    check!(sessions::update(c, session));
    check!(sessions::delete(c, "x"));
    check!(sessions::delete_for_user(c, "x"));
    check!(sessions::delete_expired(c, 1));
    check!(data_keys::insert(c, key));
    check!(data_keys::get(c, "x"));
    check!(data_keys::by_subject(c, "x"));
    check!(data_keys::list_wrapped_by(c, "x", 1));
    check!(data_keys::update_wrapped(c, "x", b"", "m"));
    check!(data_keys::destroy(c, "x", 1));
    check!(data_keys::count_by_master(c));
    check!(audit::append(
        c,
        NewAuditEvent::default(),
        |_: &str, _: &_| String::new()
    ));
    check!(audit::list(c, filter));
    check!(audit::count(c, filter));
    check!(audit::scan(c, 0, 1));
    check!(audit::head(c));
    check!(settings::get(c, "x"));
    check!(settings::set(c, "x", "y"));
}

#[test]
fn compiles() {}
