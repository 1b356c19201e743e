//! The authorisation matrix. Every server function, page and plain HTTP route is enumerated
//! from what the router serves (the server function registry, Leptos's route list and
//! `server::http::mounts`), called as anonymous, learner, expert, coordinator and admin, and,
//! where a record is involved, as its owner and as someone else; each answer must be the one
//! its row in `rows` gives. An endpoint without a row fails the test, so whoever adds one
//! decides here who may call it; a row whose endpoint is gone fails it too.
//!
//! Every server function also gets arguments of the wrong shape: the answer is the caller's
//! mistake (4xx), never the server's.
mod fixtures;
mod rows;

use crate::common::{Client, TestApp};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The matrix's columns: who calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Anonymous,
    Learner,
    Expert,
    Coordinator,
    Admin,
}

impl Role {
    const ALL: [Role; 5] = [
        Role::Anonymous,
        Role::Learner,
        Role::Expert,
        Role::Coordinator,
        Role::Admin,
    ];

    /// The demo account that plays the role; anonymous signs in as no one.
    fn account(self) -> Option<&'static str> {
        match self {
            Role::Anonymous => None,
            Role::Learner => Some("li.na"),
            Role::Expert => Some("chen.jing"),
            Role::Coordinator => Some("zhou.min"),
            Role::Admin => Some("admin"),
        }
    }
}

/// The other demo accounts a row may call as: two more learners and a second expert, who own
/// none of the fixtures' records.
const OTHERS: [&str; 3] = ["liu.yang", "zhang.wei", "wang.lei"];

/// What a caller must be answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// It works: 2xx (a page without a refusal on it).
    Ok,
    /// Authorised, whatever the outcome: anything but 401, 403, a sign-in redirect and 5xx
    /// (a bad value, a missing record or a wrong state is still the caller's own business).
    Acts,
    /// Asked to sign in: 401 (`"Unauthenticated"` from a server function), and for a page a
    /// redirect to `/login`.
    SignIn,
    /// Redirected to `/login` whatever kind of endpoint it is.
    SentToSignIn,
    /// Refused for the role: 403 (`"Forbidden"` from a server function; a page also says so).
    Refused,
    /// Someone else's record, not revealed: 404.
    Hidden,
    /// The code lets this caller act, and that looks wrong (the row's `doubt` says why):
    /// asserted only not to fail, and printed with its answer on every run until someone
    /// decides, rather than written down as right.
    Questioned,
}

/// Something the server answers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Endpoint {
    /// A server function by its endpoint name, at `/api/{name}`.
    Function(String),
    /// A page route as Leptos lists it, e.g. `/cases/{id}`.
    Page(String),
    /// A plain HTTP route: method and path as the router mounts it.
    Http(String, String),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Function(name) => write!(f, "fn {name}"),
            Endpoint::Page(path) => write!(f, "page {path}"),
            Endpoint::Http(method, path) => write!(f, "{method} {path}"),
        }
    }
}

/// How a row calls its endpoint.
#[derive(Clone, Debug)]
pub enum Call {
    /// A server function's arguments as form fields.
    Form(Vec<(String, String)>),
    /// A server function's arguments as a JSON object.
    Json(Value),
    /// `GET` a path (a page as a browser asks for it, or a file).
    Get(String),
    /// `POST` raw bytes to a path.
    Post(String, Vec<u8>),
}

/// One line of the matrix: an endpoint, how it is called, and what each caller is answered.
pub struct Row {
    pub endpoint: Endpoint,
    pub call: Call,
    /// Anonymous, learner, expert, coordinator, admin; every endpoint has one row with them.
    /// Further rows of an endpoint may name only `people`.
    pub roles: Option<[Expect; 5]>,
    /// Named accounts: the owner of the record and people who are not.
    pub people: Vec<(&'static str, Expect)>,
    /// The call ends or replaces the caller's session: it goes from a client of its own.
    pub fresh: bool,
    /// Why a rule this row asserts looks doubtful; printed with the results.
    pub doubt: Option<&'static str>,
}

/// Everything the server serves, read from the router's own sources.
fn enumerated() -> BTreeSet<Endpoint> {
    let mut all = BTreeSet::new();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        let name = path
            .strip_prefix("/api/")
            .unwrap_or_else(|| panic!("server function outside /api/: {path}"));
        assert_eq!(
            method,
            axum::http::Method::POST,
            "{path}: the matrix posts to server functions; teach it {method}"
        );
        all.insert(Endpoint::Function(name.to_string()));
    }
    for route in server::http::page_routes() {
        all.insert(Endpoint::Page(route.path().to_string()));
    }
    for (path, methods) in server::http::http_endpoints() {
        for method in methods {
            all.insert(Endpoint::Http(method.to_string(), path.clone()));
        }
    }
    all
}

/// An answer as the judge reads it.
struct Answer {
    status: u16,
    location: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The start of the body, for failure messages.
    fn excerpt(&self) -> String {
        let body: String = self.body.chars().take(160).collect();
        format!("{} {body}", self.status)
    }
}

/// The page text that says the role may not do this (`error.forbidden`, in the default
/// language pages are rendered in when the browser names none).
fn refusal_text() -> String {
    let zh: Value = serde_json::from_str(include_str!("../../app/locales/zh.json")).unwrap();
    zh["error"]["forbidden"].as_str().unwrap().to_string()
}

/// Sends `call` to `endpoint` as `client`.
async fn send(client: &Client, endpoint: &Endpoint, call: &Call) -> Answer {
    let http = &client.http;
    let request = match (endpoint, call) {
        (Endpoint::Function(name), Call::Form(fields)) => {
            http.post(client.url(&format!("/api/{name}"))).form(fields)
        }
        (Endpoint::Function(name), Call::Json(args)) => {
            http.post(client.url(&format!("/api/{name}"))).json(args)
        }
        (Endpoint::Page(_), Call::Get(path)) => {
            http.get(client.url(path)).header("accept", "text/html")
        }
        (Endpoint::Http(..), Call::Get(path)) => http.get(client.url(path)),
        (Endpoint::Http(..), Call::Post(path, body)) => http
            .post(client.url(path))
            .header("content-type", "application/octet-stream")
            .body(body.clone()),
        (endpoint, call) => panic!("{endpoint}: cannot be called with {call:?}"),
    };
    let res = request
        .send()
        .await
        // The whole error chain: a timeout, a refused connection or a cut-off answer.
        .unwrap_or_else(|e| panic!("{endpoint}: {e:?}"));
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = res.text().await.unwrap_or_default();
    Answer {
        status,
        location,
        body,
    }
}

/// Whether `answer` is what `expect` asks of `endpoint`; the reason when it is not.
fn judge(
    endpoint: &Endpoint,
    expect: Expect,
    answer: &Answer,
    refusal: &str,
) -> Result<(), String> {
    let page = matches!(endpoint, Endpoint::Page(_));
    let function = matches!(endpoint, Endpoint::Function(_));
    let sent_to_sign_in = answer.status == 303 && answer.location.starts_with("/login");
    let shows_refusal = page && answer.body.contains(refusal);
    if answer.status >= 500 {
        return Err("a server error".into());
    }
    let fine = match expect {
        Expect::Questioned => true,
        Expect::Ok => (200..300).contains(&answer.status) && !shows_refusal,
        Expect::Acts => !matches!(answer.status, 401 | 403) && !sent_to_sign_in && !shows_refusal,
        Expect::SignIn if page => sent_to_sign_in,
        Expect::SignIn if function => answer.status == 401 && answer.json() == "Unauthenticated",
        Expect::SignIn => answer.status == 401,
        Expect::SentToSignIn => sent_to_sign_in,
        Expect::Refused if function => answer.status == 403 && answer.json() == "Forbidden",
        Expect::Refused if page => answer.status == 403 && shows_refusal,
        Expect::Refused => answer.status == 403,
        Expect::Hidden if function => {
            answer.status == 404 && answer.json().get("NotFound").is_some()
        }
        Expect::Hidden => answer.status == 404,
    };
    if fine {
        Ok(())
    } else {
        Err(format!("expected {expect:?}"))
    }
}

/// Who a cell calls as: a role's account or a named one.
#[derive(Clone, Copy)]
enum Caller {
    Role(Role),
    Person(&'static str),
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Caller::Role(Role::Anonymous) => write!(f, "anonymous"),
            Caller::Role(role) => write!(f, "{role:?} {}", role.account().unwrap_or_default()),
            Caller::Person(name) => write!(f, "{name}"),
        }
    }
}

impl Caller {
    fn account(self) -> Option<&'static str> {
        match self {
            Caller::Role(role) => role.account(),
            Caller::Person(name) => Some(name),
        }
    }
}

/// The signed-in clients, by account, and an anonymous one.
struct Callers {
    signed_in: BTreeMap<&'static str, Client>,
    anonymous: Client,
}

impl Callers {
    async fn sign_in(app: &TestApp) -> Callers {
        let mut signed_in = BTreeMap::new();
        let accounts = Role::ALL.iter().filter_map(|r| r.account());
        for account in accounts.chain(OTHERS) {
            signed_in.insert(account, app.signed_in(account).await);
        }
        Callers {
            signed_in,
            anonymous: app.client(),
        }
    }

    /// The caller's client; a new one (signed in afresh) when the call would end or replace
    /// its session: a visitor's sign-in must not leave the shared anonymous client signed in.
    async fn client(&self, app: &TestApp, caller: Caller, fresh: bool) -> Client {
        match (caller.account(), fresh) {
            (None, false) => self.anonymous.clone(),
            (None, true) => app.client(),
            (Some(account), false) => self
                .signed_in
                .get(account)
                .unwrap_or_else(|| panic!("{account} is not one of the matrix's callers"))
                .clone(),
            (Some(account), true) => app.signed_in(account).await,
        }
    }
}

#[test]
fn every_endpoint_answers_each_role_as_the_matrix_says() {
    // Pages render whole in this test; unoptimised renders need more than 2 MiB of stack.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(Box::pin(matrix()));
}

async fn matrix() {
    let (app, fixtures) = fixtures::build().await;
    let rows = rows::all(&fixtures);
    let served = enumerated();

    // Coverage: every endpoint has a row with the five roles, every row an endpoint.
    let with_roles: BTreeSet<&Endpoint> = rows
        .iter()
        .filter(|r| r.roles.is_some())
        .map(|r| &r.endpoint)
        .collect();
    let unplaced: Vec<String> = served
        .iter()
        .filter(|e| !with_roles.contains(e))
        .map(ToString::to_string)
        .collect();
    let stale: BTreeSet<String> = rows
        .iter()
        .filter(|r| !served.contains(&r.endpoint))
        .map(|r| r.endpoint.to_string())
        .collect();

    let callers = Callers::sign_in(&app).await;
    let refusal = refusal_text();
    // SONOHUB_MATRIX_TRACE=1 prints every answer, to read the matrix as the server has it.
    let trace = std::env::var("SONOHUB_MATRIX_TRACE").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut questioned = Vec::new();
    let mut cells = 0;
    let mut people_cells = 0;
    for row in rows.iter().filter(|r| served.contains(&r.endpoint)) {
        let mut plan: Vec<(Caller, Expect)> = Vec::new();
        if let Some(roles) = row.roles {
            plan.extend(Role::ALL.into_iter().map(Caller::Role).zip(roles));
        }
        plan.extend(row.people.iter().map(|&(who, e)| (Caller::Person(who), e)));
        // Refusals first: they must see the record as it was, before an allowed call
        // changes it (submits, ends, discards).
        plan.sort_by_key(|&(_, e)| matches!(e, Expect::Ok | Expect::Acts));
        for (caller, expect) in plan {
            let client = callers.client(&app, caller, row.fresh).await;
            let answer = send(&client, &row.endpoint, &row.call).await;
            if trace {
                println!("{} as {caller}: {}", row.endpoint, answer.excerpt());
            }
            if expect == Expect::Questioned {
                assert!(
                    row.doubt.is_some(),
                    "{}: a questioned cell says why",
                    row.endpoint
                );
                let answer: String = answer.excerpt().chars().take(80).collect();
                questioned.push(format!("{} as {caller} answered {answer}", row.endpoint));
            }
            if let Err(why) = judge(&row.endpoint, expect, &answer, &refusal) {
                failures.push(format!(
                    "{} as {caller}: {why}, got {}",
                    row.endpoint,
                    answer.excerpt()
                ));
            }
            match caller {
                Caller::Role(_) => cells += 1,
                Caller::Person(_) => people_cells += 1,
            }
        }
    }

    let admin = &callers.signed_in["admin"];
    let malformed = malformed_arguments(admin, &rows, &served, trace).await;

    let count = |kind: fn(&Endpoint) -> bool| served.iter().filter(|e| kind(e)).count();
    println!(
        "authorisation matrix: {} endpoints ({} server functions, {} pages, {} HTTP routes) \
         × 5 roles = {cells} cells ({} of them questioned, not asserted), plus \
         {people_cells} owner/non-owner cells; {} malformed-argument requests",
        served.len(),
        count(|e| matches!(e, Endpoint::Function(_))),
        count(|e| matches!(e, Endpoint::Page(_))),
        count(|e| matches!(e, Endpoint::Http(..))),
        questioned.len(),
        malformed.sent,
    );
    for row in rows.iter().filter(|r| r.doubt.is_some()) {
        println!("doubtful rule, {}: {}", row.endpoint, row.doubt.unwrap());
    }
    for cell in &questioned {
        println!("questioned, not asserted: {cell}");
    }

    let mut report = String::new();
    if !unplaced.is_empty() {
        report += &format!(
            "\n{} endpoints have no row with the five roles in server/tests/matrix/rows.rs \
             (pages and routes: rows/routes.rs); decide who may call them:\n  {}\n",
            unplaced.len(),
            unplaced.join("\n  ")
        );
    }
    if !stale.is_empty() {
        report += &format!(
            "\n{} rows name endpoints the server no longer serves:\n  {}\n",
            stale.len(),
            stale.into_iter().collect::<Vec<_>>().join("\n  ")
        );
    }
    if !failures.is_empty() {
        report += &format!(
            "\n{} answers differ from the matrix:\n  {}\n",
            failures.len(),
            failures.join("\n  ")
        );
    }
    if !malformed.failures.is_empty() {
        report += &format!(
            "\n{} malformed-argument requests were not answered as the caller's mistake:\n  {}\n",
            malformed.failures.len(),
            malformed.failures.join("\n  ")
        );
    }
    app.started.stop().await.unwrap();
    assert!(report.is_empty(), "{report}");
}

/// What the malformed-argument pass sent and what failed.
struct Malformed {
    sent: usize,
    failures: Vec<String>,
}

/// Sends every server function, as a signed-in admin, a body with nothing in it and one with
/// each of its arguments of the wrong type (a nested form map, or a JSON list, where a value
/// or a record is due; a string where a flag is).
/// Arguments are decoded before any check runs, so the role does not matter: the wrong types
/// must answer 4xx with the app's error, and no body may answer 5xx.
async fn malformed_arguments(
    admin: &Client,
    rows: &[Row],
    served: &BTreeSet<Endpoint>,
    trace: bool,
) -> Malformed {
    let mut out = Malformed {
        sent: 0,
        failures: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    for row in rows {
        let Endpoint::Function(name) = &row.endpoint else {
            continue;
        };
        // A function without arguments runs whatever it is sent: one that ends the session
        // (logout) would end the admin's.
        let runs_anyway = matches!(&row.call, Call::Form(f) if f.is_empty());
        if !served.contains(&row.endpoint)
            || (row.fresh && runs_anyway)
            || !seen.insert(name.clone())
        {
            continue;
        }
        let (empty, wrong) = match &row.call {
            Call::Form(fields) => {
                let names: BTreeSet<&str> = fields
                    .iter()
                    .map(|(k, _)| k.split('[').next().unwrap_or(k))
                    .collect();
                let wrong: Vec<(String, String)> = names
                    .iter()
                    .map(|k| (format!("{k}[unexpected][0]"), "1".to_string()))
                    .collect();
                (
                    Call::Form(Vec::new()),
                    (!wrong.is_empty()).then_some(Call::Form(wrong)),
                )
            }
            Call::Json(args) => {
                let wrong: serde_json::Map<String, Value> = args
                    .as_object()
                    .map(|o| o.keys().map(|k| (k.clone(), wrong_type(&o[k]))).collect())
                    .unwrap_or_default();
                (
                    Call::Json(Value::Object(Default::default())),
                    (!wrong.is_empty()).then_some(Call::Json(Value::Object(wrong))),
                )
            }
            _ => continue,
        };
        let answer = send(admin, &row.endpoint, &empty).await;
        out.sent += 1;
        if trace {
            println!("fn {name} with no arguments: {}", answer.excerpt());
        }
        if answer.status >= 500 {
            out.failures
                .push(format!("fn {name} with no arguments: {}", answer.excerpt()));
        }
        if let Some(wrong) = wrong {
            let answer = send(admin, &row.endpoint, &wrong).await;
            out.sent += 1;
            if trace {
                println!("fn {name} with the wrong types: {}", answer.excerpt());
            }
            let app_error = answer.json().is_object() || answer.json().is_string();
            if !(400..500).contains(&answer.status) || !app_error {
                out.failures.push(format!(
                    "fn {name} with arguments of the wrong type: {}",
                    answer.excerpt()
                ));
            }
        }
    }
    out
}

/// A JSON value no argument of `valid`'s type accepts: a string where a flag is due, a
/// number list where anything else is.
fn wrong_type(valid: &Value) -> Value {
    match valid {
        Value::Bool(_) => Value::from("yes"),
        _ => serde_json::json!([[0]]),
    }
}
