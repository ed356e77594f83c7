//! A tiny SOQL: `SELECT field, ... FROM Account|Contact [LIMIT n]` over a few
//! fixed records, enough for the SOAP and REST query APIs to answer like
//! Salesforce does (including its error codes for bad queries).

/// One sObject type with its columns and rows; the first column is `Id`.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: &'static [&'static [&'static str]],
}

const ACCOUNT: Table = Table {
    name: "Account",
    columns: &["Id", "Name", "Industry", "BillingCity", "Phone"],
    rows: &[
        &[
            "001SB00000A1b2cAAA",
            "Acme Corporation",
            "Manufacturing",
            "San Francisco",
            "(415) 555-0100",
        ],
        &[
            "001SB00000A1b2dAAA",
            "Globex & Sons",
            "Energy",
            "Springfield",
            "(217) 555-0142",
        ],
        &[
            "001SB00000A1b2eAAA",
            "Initech",
            "Technology",
            "Austin",
            "(512) 555-0199",
        ],
    ],
};

const CONTACT: Table = Table {
    name: "Contact",
    columns: &["Id", "FirstName", "LastName", "Email", "AccountId"],
    rows: &[
        &[
            "003SB00000C3d4eAAA",
            "Ada",
            "Lovelace",
            "ada@acme.example",
            "001SB00000A1b2cAAA",
        ],
        &[
            "003SB00000C3d4fAAA",
            "Grace",
            "Hopper",
            "grace@globex.example",
            "001SB00000A1b2dAAA",
        ],
    ],
};

const TABLES: [&Table; 2] = [&ACCOUNT, &CONTACT];

/// A Salesforce-style query error: `errorCode` and message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SoqlError {
    pub code: &'static str,
    pub message: String,
}

impl SoqlError {
    fn malformed(message: impl Into<String>) -> Self {
        Self {
            code: "MALFORMED_QUERY",
            message: message.into(),
        }
    }
}

/// The rows a query selected, with the columns in the order asked for.
#[derive(Debug)]
pub(crate) struct QueryResult {
    pub table: &'static Table,
    /// Indexes into `table.columns`.
    pub columns: Vec<usize>,
    pub rows: Vec<&'static [&'static str]>,
}

impl QueryResult {
    /// `(column name, value)` pairs of one row, as selected.
    pub fn fields<'a>(
        &'a self,
        row: &'a [&'static str],
    ) -> impl Iterator<Item = (&'static str, &'static str)> + 'a {
        self.columns
            .iter()
            .map(move |&index| (self.table.columns[index], row[index]))
    }
}

pub(crate) fn run(soql: &str) -> Result<QueryResult, SoqlError> {
    let soql = soql.trim();
    let lower = soql.to_ascii_lowercase();
    if !lower.starts_with("select ") {
        return Err(SoqlError::malformed(
            "unexpected token: the query must start with SELECT",
        ));
    }
    let from = lower
        .find(" from ")
        .ok_or_else(|| SoqlError::malformed("unexpected token: FROM is missing"))?;
    let field_list = soql.get("select ".len()..from).unwrap_or_default();
    let mut rest = soql[from + " from ".len()..].split_whitespace();
    let object = rest
        .next()
        .ok_or_else(|| SoqlError::malformed("unexpected token: no object after FROM"))?;
    let table = TABLES
        .into_iter()
        .find(|table| table.name.eq_ignore_ascii_case(object))
        .ok_or_else(|| SoqlError {
            code: "INVALID_TYPE",
            message: format!("sObject type '{object}' is not supported."),
        })?;
    let columns = columns(table, field_list)?;
    let limit = limit(rest.collect::<Vec<_>>().as_slice())?;
    Ok(QueryResult {
        table,
        columns,
        rows: table.rows.iter().copied().take(limit).collect(),
    })
}

fn columns(table: &Table, field_list: &str) -> Result<Vec<usize>, SoqlError> {
    let names: Vec<&str> = field_list.split(',').map(str::trim).collect();
    if names.iter().any(|name| name.is_empty()) {
        return Err(SoqlError::malformed(
            "unexpected token: empty field in the SELECT list",
        ));
    }
    names
        .into_iter()
        .map(|name| {
            table
                .columns
                .iter()
                .position(|column| column.eq_ignore_ascii_case(name))
                .ok_or_else(|| SoqlError {
                    code: "INVALID_FIELD",
                    message: format!("No such column '{name}' on entity '{}'.", table.name),
                })
        })
        .collect()
}

fn limit(clauses: &[&str]) -> Result<usize, SoqlError> {
    match clauses {
        [] => Ok(usize::MAX),
        [keyword, count] if keyword.eq_ignore_ascii_case("limit") => count
            .parse()
            .map_err(|_| SoqlError::malformed(format!("unexpected token: '{count}'"))),
        [first, ..] => Err(SoqlError::malformed(format!(
            "unexpected token: '{first}' (the sandbox understands SELECT ... FROM ... [LIMIT n])"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_columns_in_the_order_asked_with_a_limit() {
        let result = run("select name, ID from account LIMIT 2").unwrap();
        assert_eq!(result.table.name, "Account");
        assert_eq!(result.rows.len(), 2);
        let first: Vec<_> = result.fields(result.rows[0]).collect();
        assert_eq!(
            first,
            vec![("Name", "Acme Corporation"), ("Id", "001SB00000A1b2cAAA")]
        );
    }

    #[test]
    fn bad_queries_get_salesforce_error_codes() {
        let cases = [
            ("SELECT Id FROM Opportunity", "INVALID_TYPE"),
            ("SELECT Nope FROM Contact", "INVALID_FIELD"),
            ("DELETE FROM Account", "MALFORMED_QUERY"),
            ("SELECT Id, FROM Account", "MALFORMED_QUERY"),
            ("SELECT Id FROM Account LIMIT x", "MALFORMED_QUERY"),
            ("SELECT Id FROM Account WHERE x", "MALFORMED_QUERY"),
            ("SELECT Id FROM", "MALFORMED_QUERY"),
            ("select from Account", "MALFORMED_QUERY"),
            ("SELECT Id FROM ", "MALFORMED_QUERY"),
        ];
        for (soql, code) in cases {
            assert_eq!(run(soql).unwrap_err().code, code, "{soql}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_query_answers_rows_or_an_error_without_panicking(soql in ".{0,80}") {
            let _ = run(&soql);
        }

        #[test]
        fn select_prefixed_garbage_never_panics(tail in ".{0,60}") {
            let _ = run(&format!("SELECT {tail}"));
        }
    }
}
