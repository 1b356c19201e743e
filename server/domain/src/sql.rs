//! Searches whose conditions are only known at run time (the case library's filters, the
//! DICOMweb matching keys): SQL text with `$N` placeholders, each value bound at its own
//! type so that a comparison can use the column's index, on SQLite and PostgreSQL alike.
use crate::{Db, Result};
use sqlx::any::{Any, AnyArguments, AnyRow, AnyTypeInfo};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Arguments, Encode, FromRow, Type};

/// An optional float to bind: every `Option<f64>` goes into SQL through this.
///
/// sqlx 0.8.6's Any driver declares a NULL double to PostgreSQL as `float4` (its argument
/// conversion swaps `Real` and `Double` for NULLs). PostgreSQL keeps that type in the
/// connection's prepared statement, so once a statement ran with a NULL there, every later
/// value on that connection is refused ("incorrect binary data format in bind parameter"):
/// imports of pixel-cleaned clips failed for good after one import without a PSNR. Bound
/// through `Float`, a NULL is declared `float8`, the type the values have.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Float(pub Option<f64>);

impl Type<Any> for Float {
    fn type_info() -> AnyTypeInfo {
        <f64 as Type<Any>>::type_info()
    }
}

impl<'q> Encode<'q, Any> for Float {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> std::result::Result<IsNull, BoxDynError> {
        match self.0 {
            Some(value) => <f64 as Encode<'q, Any>>::encode_by_ref(&value, buf),
            // A NULL of sqlx's `f32` kind is the one 0.8.6 declares as `float8`.
            None => <Option<f32> as Encode<'q, Any>>::encode_by_ref(&None, buf),
        }
    }
}

/// A search statement assembled piece by piece: `push` SQL, `bind` values, then fetch.
///
/// Not `sqlx::QueryBuilder<Any>`: in sqlx 0.8 it writes `?` placeholders for the Any driver,
/// which PostgreSQL refuses (launchbadge/sqlx#3000). Both engines accept `$N`.
pub struct Search<'q> {
    sql: String,
    args: AnyArguments<'q>,
    /// The first value that could not be encoded; the search fails with it when run.
    unencodable: Option<BoxDynError>,
    /// Whether the `WHERE` has been written.
    filtered: bool,
}

impl<'q> Search<'q> {
    /// Starts from the statement's fixed part, e.g. `SELECT … FROM … JOIN …`.
    pub fn new(select: impl Into<String>) -> Self {
        Search {
            sql: select.into(),
            args: AnyArguments::default(),
            unencodable: None,
            filtered: false,
        }
    }

    /// Appends SQL text as it is (never user input: that goes through `bind`).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Starts the next condition: ` WHERE ` before the first, ` AND ` before the others.
    pub fn and_where(&mut self) -> &mut Self {
        let joiner = if self.filtered { " AND " } else { " WHERE " };
        self.filtered = true;
        self.push(joiner)
    }

    /// Binds a value and writes its placeholder.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'q, Any> + Type<Any> + 'q,
    {
        let n = self.args.len() + 1;
        if let Err(e) = self.args.add(value) {
            self.unencodable.get_or_insert(e);
        }
        self.sql.push('$');
        self.sql.push_str(&n.to_string());
        self
    }

    /// Binds each value and writes their placeholders separated by commas (for `IN (…)`).
    pub fn bind_list<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self
    where
        T: Encode<'q, Any> + Type<Any> + 'q,
    {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self
    }

    /// The SQL as written so far.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Every row, read by column name into `R`.
    pub async fn fetch_all<R>(self, db: &Db) -> Result<Vec<R>>
    where
        R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        if let Some(e) = self.unencodable {
            return Err(sqlx::Error::Encode(e).into());
        }
        let rows = sqlx::query_as_with::<_, R, _>(&self.sql, self.args)
            .fetch_all(&db.pool)
            .await?;
        Ok(rows)
    }

    /// The one row (e.g. a count), read by column name into `R`.
    pub async fn fetch_one<R>(self, db: &Db) -> Result<R>
    where
        R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        if let Some(e) = self.unencodable {
            return Err(sqlx::Error::Encode(e).into());
        }
        let row = sqlx::query_as_with::<_, R, _>(&self.sql, self.args)
            .fetch_one(&db.pool)
            .await?;
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(sqlx::FromRow)]
    struct SiteCode {
        code: String,
    }

    #[derive(sqlx::FromRow)]
    struct Count {
        n: i64,
    }

    #[tokio::test]
    async fn numbered_binds_of_each_type_find_the_rows_on_sqlite() {
        // In memory, but named: through the Any driver every pooled connection to
        // `sqlite::memory:` would open a database of its own, without the migrations.
        let url = format!("sqlite:file:search-{}?mode=memory", crate::new_id());
        let db = Db::connect(&url).await.unwrap();
        crate::sites::ensure_network(&db).await.unwrap();
        let hub = crate::sites::by_code(&db, "HUB").await.unwrap().unwrap();
        crate::sites::update(&db, &hub.id, "中心", "Hub", false)
            .await
            .unwrap();

        let mut search = Search::new("SELECT code FROM sites");
        search
            .and_where()
            .push("kind = ")
            .bind("community".to_string())
            .and_where()
            .push("code IN (")
            .bind_list(["XC", "DH", "HUB", "ZZ"].map(String::from))
            .push(")")
            .and_where()
            .push("active = ")
            .bind(1_i64)
            .push(" ORDER BY code LIMIT ")
            .bind(10_i64)
            .push(" OFFSET ")
            .bind(0_i64);
        assert_eq!(
            search.sql(),
            "SELECT code FROM sites WHERE kind = $1 AND code IN ($2, $3, $4, $5) \
             AND active = $6 ORDER BY code LIMIT $7 OFFSET $8"
        );
        let found: Vec<SiteCode> = search.fetch_all(&db).await.unwrap();
        let codes: Vec<&str> = found.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["DH", "XC"]);

        // The inactive hub is found only by the integer it is stored as.
        let mut search = Search::new("SELECT COUNT(*) AS n FROM sites");
        search.and_where().push("active = ").bind(0_i64);
        let inactive: Count = search.fetch_one(&db).await.unwrap();
        assert_eq!(inactive.n, 1);

        let unfiltered: Count = Search::new("SELECT COUNT(*) AS n FROM sites")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(unfiltered.n, 14);
    }
}
