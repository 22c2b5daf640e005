//! A small table: aligned text columns for people, CSV (RFC 4180 quoting)
//! for spreadsheets and scripts.

/// How a column is aligned in the text form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    /// Text headers (upper case, short) and CSV headers (snake_case).
    columns: Vec<(&'static str, &'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: Vec<(&'static str, &'static str, Align)>) -> Table {
        Table {
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are empty, extra ones are dropped.
    pub fn row(&mut self, mut cells: Vec<String>) {
        cells.resize(self.columns.len(), String::new());
        self.rows.push(cells);
    }

    /// Aligned columns separated by two spaces; empty cells print `-` so
    /// that `awk` sees the same number of fields on every line.
    pub fn text(&self) -> String {
        let cell = |s: &str| {
            if s.is_empty() {
                "-".to_string()
            } else {
                s.to_string()
            }
        };
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.0.chars().count()).collect();
        for r in &self.rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell(c).chars().count());
            }
        }
        let mut out = String::new();
        let headers: Vec<String> = self.columns.iter().map(|c| c.0.to_string()).collect();
        for r in std::iter::once(&headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, ((c, w), col)) in r.iter().zip(&widths).zip(&self.columns).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let c = cell(c);
                let pad = w.saturating_sub(c.chars().count());
                match col.2 {
                    Align::Left => {
                        line.push_str(&c);
                        line.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        line.push_str(&" ".repeat(pad));
                        line.push_str(&c);
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// CSV with a header row; cells with a comma, quote or newline are quoted.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let headers: Vec<String> = self.columns.iter().map(|c| c.1.to_string()).collect();
        for r in std::iter::once(&headers).chain(&self.rows) {
            let cells: Vec<String> = r.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_aligns_and_csv_quotes() {
        let mut t = Table::new(vec![
            ("NAME", "name", Align::Left),
            ("N", "n", Align::Right),
        ]);
        t.row(vec!["a,b".into(), "7".into()]);
        t.row(vec!["long name".into(), "".into()]);
        assert_eq!(t.text(), "NAME       N\na,b        7\nlong name  -\n");
        assert_eq!(t.csv(), "name,n\n\"a,b\",7\nlong name,\n");
    }
}
