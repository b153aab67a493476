//! Fields: what a field holds (`FieldKind`), where it is stored, and its rules, plus the const
//! builders the definitions are written with.

use serde::Serialize;
use utoipa::ToSchema;

use super::EntityType;

/// What a field holds, and how the API and the web app treat its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Markdown, rendered sanitised.
    LongText,
    Integer,
    /// A decimal number with `scale` digits after the point; a decimal string in JSON.
    Decimal {
        scale: u8,
    },
    /// An amount with two decimals; a decimal string in JSON.
    Money,
    Boolean,
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339, UTC.
    Timestamp,
    Uuid,
    Email,
    Url,
    Phone,
    /// A JSON array of strings.
    Tags,
    /// Free-form JSON (object or array).
    Json,
    /// The stable integer key of a row of `app.setting_datalabel_<datalabel>`.
    Datalabel {
        datalabel: &'static str,
    },
    /// The id of a record of another entity type (a composite foreign key in the schema).
    Reference {
        target: EntityType,
    },
    /// One of a fixed list of values (a CHECK-listed text column).
    Enum {
        #[schema(value_type = Vec<String>)]
        values: &'static [&'static str],
    },
}

impl FieldKind {
    pub fn datalabel(self) -> Option<&'static str> {
        match self {
            Self::Datalabel { datalabel } => Some(datalabel),
            _ => None,
        }
    }

    pub fn reference(self) -> Option<EntityType> {
        match self {
            Self::Reference { target } => Some(target),
            _ => None,
        }
    }
}

/// Where a field's value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// A column named like the field.
    Column,
    /// An encrypted `bytea` column; the API field carries the plaintext, the server encrypts on
    /// write and decrypts on read (for callers allowed to see it).
    Encrypted { column: &'static str },
}

/// Values the server fills in when a create leaves the field out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Generated {
    /// `<code_prefix>-<n>`, unique in the tenant.
    Code,
    /// Derived from `name` (lower case, `a-z0-9-`), made unique in the tenant.
    SlugFromName,
    /// The next line number of the header.
    LineNumber,
}

/// One field of an entity (or of a line): a column the API may expose or accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The API name; also the column unless `storage` says otherwise.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub storage: Storage,
    /// Must be given on create (NOT NULL without a default or a generated value).
    pub required: bool,
    /// Never accepted in a write: set by the server (ids, audit, totals, state changed by actions).
    pub read_only: bool,
    /// Filled in by the server when a create omits it.
    pub generated: Option<Generated>,
    /// Lists accept a filter on it.
    pub filterable: bool,
    /// Lists may sort by it.
    pub sortable: bool,
    /// A list's `q` searches it.
    pub searchable: bool,
    /// Never in lists; only for callers with Edit on the record (employee HR data).
    pub sensitive: bool,
    /// Longest accepted text, in characters (from the column's CHECK).
    pub max_length: Option<u32>,
    /// A regular expression the whole value must match (from the column's CHECK).
    pub pattern: Option<&'static str>,
    /// Smallest accepted number (exclusive when `min_exclusive`).
    pub min: Option<i64>,
    pub min_exclusive: bool,
    /// Largest accepted number (inclusive).
    pub max: Option<i64>,
    /// A read-only reference that mirrors the record's one active link under a parent of the
    /// target type (kept by a database trigger), so lists of that parent's children can use it.
    pub mirrors_link: bool,
}

/// Builders used by the definitions. Each kind starts with the list behaviour it usually has
/// (e.g. datalabels are filterable and sortable); definitions add or remove from there.
impl FieldDef {
    const fn new(name: &'static str, label: &'static str, kind: FieldKind) -> Self {
        Self {
            name,
            label,
            kind,
            storage: Storage::Column,
            required: false,
            read_only: false,
            generated: None,
            filterable: false,
            sortable: false,
            searchable: false,
            sensitive: false,
            max_length: None,
            pattern: None,
            min: None,
            min_exclusive: false,
            max: None,
            mirrors_link: false,
        }
    }

    pub const fn text(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Text)
    }

    pub const fn long_text(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::LongText)
    }

    pub const fn integer(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Integer).sortable()
    }

    pub const fn decimal(name: &'static str, label: &'static str, scale: u8) -> Self {
        Self::new(name, label, FieldKind::Decimal { scale }).sortable()
    }

    pub const fn money(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Money).sortable()
    }

    pub const fn boolean(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Boolean).filterable()
    }

    pub const fn date(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Date)
            .filterable()
            .sortable()
    }

    pub const fn timestamp(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Timestamp)
            .filterable()
            .sortable()
    }

    pub const fn uuid(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Uuid)
    }

    pub const fn email(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Email)
    }

    pub const fn url(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Url)
    }

    pub const fn phone(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Phone)
    }

    pub const fn tags(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Tags).filterable()
    }

    pub const fn json(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Json)
    }

    /// A datalabel field; the column is named like the datalabel (`task_stage`).
    pub const fn datalabel(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Datalabel { datalabel: name })
            .filterable()
            .sortable()
    }

    pub const fn reference(name: &'static str, label: &'static str, target: EntityType) -> Self {
        Self::new(name, label, FieldKind::Reference { target }).filterable()
    }

    pub const fn enumeration(
        name: &'static str,
        label: &'static str,
        values: &'static [&'static str],
    ) -> Self {
        Self::new(name, label, FieldKind::Enum { values })
            .filterable()
            .sortable()
    }

    pub const fn required(self) -> Self {
        Self {
            required: true,
            ..self
        }
    }

    /// See [`FieldDef::mirrors_link`]; such a field is never written by the API.
    pub const fn mirrors_link(self) -> Self {
        Self {
            mirrors_link: true,
            read_only: true,
            ..self
        }
    }

    pub const fn read_only(self) -> Self {
        Self {
            read_only: true,
            ..self
        }
    }

    pub const fn generated(self, generated: Generated) -> Self {
        Self {
            generated: Some(generated),
            ..self
        }
    }

    pub const fn filterable(self) -> Self {
        Self {
            filterable: true,
            ..self
        }
    }

    pub const fn not_filterable(self) -> Self {
        Self {
            filterable: false,
            ..self
        }
    }

    pub const fn sortable(self) -> Self {
        Self {
            sortable: true,
            ..self
        }
    }

    pub const fn not_sortable(self) -> Self {
        Self {
            sortable: false,
            ..self
        }
    }

    pub const fn searchable(self) -> Self {
        Self {
            searchable: true,
            ..self
        }
    }

    /// Sensitive fields are never filtered, sorted or searched on: each would reveal the values.
    pub const fn sensitive(self) -> Self {
        Self {
            sensitive: true,
            filterable: false,
            sortable: false,
            searchable: false,
            ..self
        }
    }

    pub const fn encrypted(self, column: &'static str) -> Self {
        Self {
            storage: Storage::Encrypted { column },
            ..self
        }
    }

    pub const fn max_length(self, max_length: u32) -> Self {
        Self {
            max_length: Some(max_length),
            ..self
        }
    }

    pub const fn pattern(self, pattern: &'static str) -> Self {
        Self {
            pattern: Some(pattern),
            ..self
        }
    }

    pub const fn min(self, min: i64) -> Self {
        Self {
            min: Some(min),
            ..self
        }
    }

    /// Strictly greater than `min` (quantities).
    pub const fn greater_than(self, min: i64) -> Self {
        Self {
            min: Some(min),
            min_exclusive: true,
            ..self
        }
    }

    pub const fn max(self, max: i64) -> Self {
        Self {
            max: Some(max),
            ..self
        }
    }

    pub const fn range(self, min: i64, max: i64) -> Self {
        Self {
            min: Some(min),
            max: Some(max),
            ..self
        }
    }
}

impl FieldDef {
    /// The column that stores the field.
    pub fn column(&self) -> &'static str {
        match self.storage {
            Storage::Column => self.name,
            Storage::Encrypted { column } => column,
        }
    }

    pub fn is_writable(&self) -> bool {
        !self.read_only
    }
}
