//! The two migration sources describe one schema: applied through `Db::connect`, the SQLite
//! and PostgreSQL migrations give the same tables, the same columns with the same nullability
//! and kind of value, and the same indexes. Types are compared by family (SQLite's INTEGER is
//! PostgreSQL's BIGINT), since the repositories bind the same values on both.
use domain::{Db, DbKind};
use std::collections::BTreeMap;
use std::fmt;

/// One column as both engines can describe it.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    nullable: bool,
    /// integer, real, text, blob or numeric; anything else keeps the engine's name.
    family: String,
}

/// An index created by a migration (not one that backs a key or UNIQUE constraint).
#[derive(Debug, Clone, PartialEq)]
struct Index {
    table: String,
    columns: Vec<String>,
    unique: bool,
}

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unique = if self.unique { "unique " } else { "" };
        write!(f, "{unique}on {}({})", self.table, self.columns.join(", "))
    }
}

/// What the migrations made: columns by table, indexes by name.
#[derive(Debug, Default)]
struct Schema {
    tables: BTreeMap<String, BTreeMap<String, Column>>,
    indexes: BTreeMap<String, Index>,
}

#[derive(sqlx::FromRow)]
struct ColumnRow {
    table_name: String,
    column_name: String,
    /// SQLite's declared type or PostgreSQL's `data_type`.
    column_type: String,
    /// 1 when the column takes NULL.
    nullable: i64,
}

#[derive(sqlx::FromRow)]
struct IndexRow {
    index_name: String,
    table_name: String,
    column_name: String,
    position: i64,
    is_unique: i64,
}

/// SQLite: a key column counts as NOT NULL, as on PostgreSQL. (SQLite lets a key that is not
/// an INTEGER PRIMARY KEY hold NULL, a legacy quirk of every such table, not of a migration.)
///
/// The library's text search is each engine's own index (FTS5 on SQLite, an index in
/// PostgreSQL), so SQLite's virtual tables, their shadow tables and the one table that numbers
/// the index's rows (`SQLITE_SEARCH_INDEX`) are not part of the shared schema.
const SQLITE_COLUMNS: &str = r#"
    SELECT t.name AS table_name, c.name AS column_name, c.type AS column_type,
           CASE WHEN c."notnull" = 0 AND c.pk = 0 THEN 1 ELSE 0 END AS nullable
    FROM pragma_table_list t JOIN pragma_table_info(t.name) c
    WHERE t.schema = 'main' AND t.type = 'table'
      AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
      AND t.name <> '_sqlx_migrations'
      AND t.name NOT IN (SELECT value FROM json_each(?))"#;

/// SQLite's own tables of the search index that are ordinary tables.
const SQLITE_SEARCH_INDEX: &[&str] = &["case_search_keys"];

/// SQLite: indexes written as CREATE INDEX (constraints' own have no SQL).
const SQLITE_INDEXES: &str = r#"
    SELECT m.name AS index_name, m.tbl_name AS table_name, i.name AS column_name,
           i.seqno AS position, l."unique" AS is_unique
    FROM sqlite_master m
    JOIN pragma_index_info(m.name) i
    JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name
    WHERE m.type = 'index' AND m.sql IS NOT NULL"#;

const POSTGRES_COLUMNS: &str = "
    SELECT table_name::text AS table_name, column_name::text AS column_name,
           data_type::text AS column_type,
           CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END::int8 AS nullable
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'";

/// PostgreSQL: B-tree indexes that no constraint owns (the text search's trigram index is
/// PostgreSQL's own, as SQLite's FTS5 tables are SQLite's).
const POSTGRES_INDEXES: &str = "
    SELECT i.relname::text AS index_name, t.relname::text AS table_name,
           a.attname::text AS column_name, k.position::int8 AS position,
           x.indisunique::int::int8 AS is_unique
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    JOIN pg_am am ON am.oid = i.relam
    WHERE t.relnamespace = current_schema()::regnamespace AND am.amname = 'btree'
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)";

/// SQLite's type affinity of a declared type (the rules of its documentation, §3.1).
fn sqlite_family(declared: &str) -> String {
    let t = declared.to_uppercase();
    let family = if t.contains("INT") {
        "integer"
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|s| t.contains(s)) {
        "text"
    } else if t.is_empty() || t.contains("BLOB") {
        "blob"
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|s| t.contains(s)) {
        "real"
    } else {
        "numeric"
    };
    family.to_string()
}

/// The same families for PostgreSQL's types; a type SQLite has no family for keeps its name.
fn postgres_family(data_type: &str) -> String {
    match data_type {
        "smallint" | "integer" | "bigint" => "integer",
        "text" | "character varying" | "character" => "text",
        "real" | "double precision" => "real",
        "bytea" => "blob",
        "numeric" => "numeric",
        other => other,
    }
    .to_string()
}

/// Reads the schema of a migrated database.
async fn schema(db: &Db) -> Schema {
    let (columns, indexes, family): (_, _, fn(&str) -> String) = match db.kind {
        DbKind::Sqlite => (SQLITE_COLUMNS, SQLITE_INDEXES, sqlite_family),
        DbKind::Postgres => (POSTGRES_COLUMNS, POSTGRES_INDEXES, postgres_family),
    };
    let mut schema = Schema::default();
    let mut query = sqlx::query_as(columns);
    if db.kind == DbKind::Sqlite {
        query = query.bind(serde_json::to_string(SQLITE_SEARCH_INDEX).unwrap());
    }
    let rows: Vec<ColumnRow> = query
        .fetch_all(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{:?} columns: {e}", db.kind));
    for row in rows {
        let column = Column {
            nullable: row.nullable == 1,
            family: family(&row.column_type),
        };
        schema
            .tables
            .entry(row.table_name)
            .or_default()
            .insert(row.column_name, column);
    }
    let mut rows: Vec<IndexRow> = sqlx::query_as(indexes)
        .fetch_all(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{:?} indexes: {e}", db.kind));
    rows.sort_by_key(|row| row.position);
    for row in rows {
        schema
            .indexes
            .entry(row.index_name)
            .or_insert_with(|| Index {
                table: row.table_name,
                columns: Vec::new(),
                unique: row.is_unique == 1,
            })
            .columns
            .push(row.column_name);
    }
    schema
}

fn describe(column: &Column) -> String {
    let null = if column.nullable {
        "nullable"
    } else {
        "NOT NULL"
    };
    format!("{} {null}", column.family)
}

/// Every way the two schemas differ, one line each, naming the table and column or index.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut found = Vec::new();
    let only = |name: &str, in_sqlite: bool| {
        let engine = if in_sqlite { "SQLite" } else { "PostgreSQL" };
        format!("{name}: only in {engine}")
    };
    for (table, columns) in &sqlite.tables {
        let Some(theirs) = postgres.tables.get(table) else {
            found.push(only(&format!("table {table}"), true));
            continue;
        };
        for (column, ours) in columns {
            match theirs.get(column) {
                None => found.push(only(&format!("table {table}, column {column}"), true)),
                Some(other) if other != ours => found.push(format!(
                    "table {table}, column {column}: {} in SQLite, {} in PostgreSQL",
                    describe(ours),
                    describe(other)
                )),
                Some(_) => {}
            }
        }
        for column in theirs.keys().filter(|c| !columns.contains_key(*c)) {
            found.push(only(&format!("table {table}, column {column}"), false));
        }
    }
    for table in postgres.tables.keys() {
        if !sqlite.tables.contains_key(table) {
            found.push(only(&format!("table {table}"), false));
        }
    }
    for (name, ours) in &sqlite.indexes {
        match postgres.indexes.get(name) {
            None => found.push(only(&format!("index {name} ({ours})"), true)),
            Some(other) if other != ours => found.push(format!(
                "index {name}: {ours} in SQLite, {other} in PostgreSQL"
            )),
            Some(_) => {}
        }
    }
    for (name, theirs) in &postgres.indexes {
        if !sqlite.indexes.contains_key(name) {
            found.push(only(&format!("index {name} ({theirs})"), false));
        }
    }
    found
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_make_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let urls = crate::common::databases(dir.path()).await;
    let [sqlite, postgres] = urls.as_slice() else {
        eprintln!("note: PostgreSQL not configured; the two schemas were not compared");
        return;
    };
    let connect = async |url: &str| {
        Db::connect(url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:#}"))
    };
    let sqlite = schema(&connect(sqlite).await).await;
    let postgres = schema(&connect(postgres).await).await;
    // The reading itself works: the first migration's table and index are there.
    for schema in [&sqlite, &postgres] {
        assert!(
            schema.tables.get("users").is_some_and(|c| c.len() > 5),
            "{schema:?}"
        );
        assert!(schema.indexes.contains_key("users_site"), "{schema:?}");
    }
    let found = differences(&sqlite, &postgres);
    assert!(
        found.is_empty(),
        "the SQLite and PostgreSQL migrations make different schemas:\n  {}",
        found.join("\n  ")
    );
}

/// The comparison names what differs (so a passing run above means agreement, not blindness).
#[test]
fn differences_name_the_table_and_column() {
    let column = |nullable, family: &str| Column {
        nullable,
        family: family.into(),
    };
    let table = |columns: &[(&str, Column)]| {
        columns
            .iter()
            .map(|(name, c)| (name.to_string(), c.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let index = |table: &str, columns: &[&str]| Index {
        table: table.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        unique: false,
    };
    let sqlite = Schema {
        tables: BTreeMap::from([
            (
                "cases".to_string(),
                table(&[
                    ("id", column(false, "text")),
                    ("title", column(false, "text")),
                    ("note", column(true, "text")),
                ]),
            ),
            ("old".to_string(), table(&[("id", column(false, "text"))])),
        ]),
        indexes: BTreeMap::from([
            ("cases_title".to_string(), index("cases", &["title"])),
            ("cases_note".to_string(), index("cases", &["note"])),
        ]),
    };
    let postgres = Schema {
        tables: BTreeMap::from([(
            "cases".to_string(),
            table(&[
                ("id", column(false, "text")),
                ("title", column(true, "text")),
                ("seen", column(false, "integer")),
            ]),
        )]),
        indexes: BTreeMap::from([("cases_title".to_string(), index("cases", &["id"]))]),
    };
    assert_eq!(
        differences(&sqlite, &postgres),
        [
            "table cases, column note: only in SQLite",
            "table cases, column title: text NOT NULL in SQLite, text nullable in PostgreSQL",
            "table cases, column seen: only in PostgreSQL",
            "table old: only in SQLite",
            "index cases_note (on cases(note)): only in SQLite",
            "index cases_title: on cases(title) in SQLite, on cases(id) in PostgreSQL",
        ]
    );
    assert!(differences(&sqlite, &sqlite).is_empty());
}
