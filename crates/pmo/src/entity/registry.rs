//! The entity registry: every entity type, its table, fields and allowed child types, as static data.
//!
//! Everything here is `&'static`: the registry is compiled into the binary, costs nothing at run
//! time and cannot drift between callers. The definitions live in one file per sidebar group
//! (`registry/<group>.rs`); `field.rs` describes fields, `common.rs` the columns every entity
//! shares; this file holds the entity types and the lookups. `tests/api/entity_types.rs` checks every definition against the migrated schema.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Builds an entity's field list: the shared columns around the type's own fields, in the order
/// forms show them (identity first, then the type's fields, then description, tags and audit).
macro_rules! entity_fields {
    ($($field:expr),* $(,)?) => {
        &[
            $crate::entity::registry::common::ID,
            $crate::entity::registry::common::CODE,
            $crate::entity::registry::common::SLUG,
            $crate::entity::registry::common::NAME,
            $($field,)*
            $crate::entity::registry::common::DESCR,
            $crate::entity::registry::common::TAGS,
            $crate::entity::registry::common::METADATA,
            $crate::entity::registry::common::ACTIVE_FLAG,
            $crate::entity::registry::common::FROM_TS,
            $crate::entity::registry::common::TO_TS,
            $crate::entity::registry::common::CREATED_TS,
            $crate::entity::registry::common::UPDATED_TS,
            $crate::entity::registry::common::CREATED_BY,
            $crate::entity::registry::common::UPDATED_BY,
            $crate::entity::registry::common::VERSION,
        ]
    };
}

/// Builds a line table's field list: id and line number, the line's own fields, timestamps.
macro_rules! line_fields {
    ($($field:expr),* $(,)?) => {
        &[
            $crate::entity::registry::common::ID,
            $crate::entity::registry::common::LINE_NO,
            $($field,)*
            $crate::entity::registry::common::CREATED_TS,
            $crate::entity::registry::common::UPDATED_TS,
        ]
    };
}

pub mod common;
mod content;
mod field;
mod operations;
mod organisation;
mod people;
mod work;

pub use field::{FieldDef, FieldKind, Generated, Storage};

/// The 18 entity types. The names are exactly the values of the SQL domain `app.entity_type`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Project,
    Task,
    Employee,
    Client,
    Business,
    Office,
    Role,
    Position,
    Worksite,
    Artifact,
    Wiki,
    Form,
    Report,
    Product,
    Inventory,
    Order,
    Shipment,
    Invoice,
}

impl EntityType {
    /// Every type, in the order of the `app.entity_type` domain (not the display order).
    pub const ALL: [EntityType; 18] = [
        Self::Project,
        Self::Task,
        Self::Employee,
        Self::Client,
        Self::Business,
        Self::Office,
        Self::Role,
        Self::Position,
        Self::Worksite,
        Self::Artifact,
        Self::Wiki,
        Self::Form,
        Self::Report,
        Self::Product,
        Self::Inventory,
        Self::Order,
        Self::Shipment,
        Self::Invoice,
    ];

    /// The names of `ALL`, for columns typed `app.entity_type` (e.g. an artifact's owner type).
    pub const NAMES: [&'static str; 18] = [
        "project",
        "task",
        "employee",
        "client",
        "business",
        "office",
        "role",
        "position",
        "worksite",
        "artifact",
        "wiki",
        "form",
        "report",
        "product",
        "inventory",
        "order",
        "shipment",
        "invoice",
    ];

    pub const fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The type's definition.
    pub fn registry(self) -> &'static EntityDef {
        match self {
            Self::Project => &work::PROJECT,
            Self::Task => &work::TASK,
            Self::Employee => &people::EMPLOYEE,
            Self::Client => &organisation::CLIENT,
            Self::Business => &organisation::BUSINESS,
            Self::Office => &organisation::OFFICE,
            Self::Role => &people::ROLE,
            Self::Position => &people::POSITION,
            Self::Worksite => &organisation::WORKSITE,
            Self::Artifact => &content::ARTIFACT,
            Self::Wiki => &content::WIKI,
            Self::Form => &content::FORM,
            Self::Report => &content::REPORT,
            Self::Product => &operations::PRODUCT,
            Self::Inventory => &operations::INVENTORY,
            Self::Order => &operations::ORDER,
            Self::Shipment => &operations::SHIPMENT,
            Self::Invoice => &operations::INVOICE,
        }
    }

    /// Every type sorted by `display_order` (sidebar order).
    pub fn in_display_order() -> [EntityType; 18] {
        let mut types = Self::ALL;
        types.sort_by_key(|entity_type| entity_type.registry().display_order);
        types
    }

    /// The types that list this one among their children.
    pub fn parent_types(self) -> impl Iterator<Item = EntityType> {
        Self::ALL
            .into_iter()
            .filter(move |parent| parent.registry().allows_child(self))
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the 18 entity types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entity type `{0}`")]
pub struct UnknownEntityType(pub String);

impl FromStr for EntityType {
    type Err = UnknownEntityType;

    /// Exact, case-sensitive match: the names are identifiers, not display text.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|entity_type| entity_type.as_str() == name)
            .ok_or_else(|| UnknownEntityType(name.to_owned()))
    }
}

/// The sidebar groups of the web app, in sidebar order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NavGroup {
    Organisation,
    Work,
    People,
    Operations,
    Content,
    /// Settings pages (datalabels, linkage, permissions); no entity type belongs to it today.
    Settings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    Asc,
    Desc,
}

/// The order of a list when the caller does not ask for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct DefaultSort {
    pub field: &'static str,
    pub direction: SortDirection,
}

/// Most lists open on the most recently changed rows: every entity table has an index for it.
pub const RECENTLY_UPDATED: DefaultSort = DefaultSort {
    field: "updated_ts",
    direction: SortDirection::Desc,
};

/// One entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityDef {
    pub entity_type: EntityType,
    /// Schema-qualified table, e.g. `app.d_project` (`report` → `app.d_reports`, `form` → `app.d_form_head`).
    pub table: &'static str,
    pub label: &'static str,
    pub plural_label: &'static str,
    /// A lucide icon name, as the original used.
    pub icon: &'static str,
    /// Sidebar position, 10, 20, … across all groups.
    pub display_order: u16,
    pub nav_group: NavGroup,
    /// Prefix of server-generated codes (`PRJ` → `PRJ-0042`) when a create omits `code`.
    pub code_prefix: &'static str,
    /// Types that may be linked under this one (parent → child). See `parent_reference` for the
    /// pairs stored as a column on the child instead of a link.
    pub children: &'static [EntityType],
    /// Every field the API may expose or accept; columns not listed here never leave the server.
    pub fields: &'static [FieldDef],
    pub default_sort: DefaultSort,
    /// The field that names a record in titles, pickers and search results.
    pub title_field: &'static str,
    /// The datalabel field a kanban board groups by.
    pub kanban_field: Option<&'static str>,
    /// Header/line types (order, shipment, invoice): the line table.
    pub lines: Option<LinesDef>,
}

impl EntityType {
    /// The types a cascade can pass through on its way to an instance of `self`: `self` and every
    /// type from which `self` is reachable through allowed parent → child pairs. A link into an
    /// employee is a reference, never walked (`auth::permissions`), so an employee is reached by
    /// no path: its own is just itself.
    pub fn cascade_path_types(self) -> Vec<EntityType> {
        let mut path = vec![self];
        loop {
            let before = path.len();
            for candidate in EntityType::ALL {
                if !path.contains(&candidate)
                    && candidate
                        .registry()
                        .children
                        .iter()
                        .any(|child| child.is_contained() && path.contains(child))
                {
                    path.push(candidate);
                }
            }
            if path.len() == before {
                return path;
            }
        }
    }

    /// `self` and every type that can sit below an instance of it through containment links: the
    /// types whose instances a link to a `self` brings into (or takes out of) a cascade's reach.
    pub fn contained_types(self) -> Vec<EntityType> {
        let mut below = vec![self];
        let mut next = 0;
        while let Some(parent) = below.get(next).copied() {
            next += 1;
            for child in parent.registry().children {
                if child.is_contained() && !below.contains(child) {
                    below.push(*child);
                }
            }
        }
        below
    }

    /// Whether a link to an instance of this type is containment, which cascades follow. Links
    /// to employees (a task's assignee, a role's member, an office's staff) are references.
    pub fn is_contained(self) -> bool {
        self != EntityType::Employee
    }
}

impl EntityDef {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|field| field.name == name)
    }

    pub fn allows_child(&self, child: EntityType) -> bool {
        self.children.contains(&child)
    }

    /// The child's column that holds the parent, when a parent→child pair is stored on the child
    /// row (`invoice.order_id` for order → invoice) rather than as a link in `d_entity_id_map`.
    /// `None` when the child has no writable reference to the parent type, or more than one.
    pub fn parent_reference(&self, parent: EntityType) -> Option<&'static FieldDef> {
        let mut candidates = self
            .fields
            .iter()
            .filter(|field| !field.read_only && field.kind.reference() == Some(parent));
        let first = candidates.next()?;
        candidates.next().is_none().then_some(first)
    }

    /// The column that mirrors this record's link under a parent of that type, if there is one:
    /// lists of the parent's children filter on it instead of joining the link table.
    pub fn link_mirror(&self, parent: EntityType) -> Option<&'static FieldDef> {
        self.fields
            .iter()
            .find(|field| field.mirrors_link && field.kind.reference() == Some(parent))
    }

    /// The fields a list answer may carry: everything except sensitive fields.
    pub fn list_fields(&self) -> impl Iterator<Item = &'static FieldDef> {
        self.fields.iter().filter(|field| !field.sensitive)
    }

    /// The text fields a list's `q` searches.
    pub fn searchable_fields(&self) -> impl Iterator<Item = &'static FieldDef> {
        self.fields.iter().filter(|field| field.searchable)
    }
}

/// The lines of a header/line type (order, shipment and invoice lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinesDef {
    /// Schema-qualified line table, e.g. `app.d_order_line`.
    pub table: &'static str,
    /// The line column holding the header id (set from the header, never from the body).
    pub parent_column: &'static str,
    pub label: &'static str,
    pub plural_label: &'static str,
    pub fields: &'static [FieldDef],
    pub default_sort: DefaultSort,
}

impl LinesDef {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|field| field.name == name)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cascade_paths_follow_the_allowed_pairs() {
        use EntityType::*;
        let path = |t: EntityType| {
            let mut types = t.cascade_path_types();
            types.sort_unstable();
            types
        };
        // Projects sit under businesses, clients and offices; nothing cascades into them otherwise.
        let mut projects = vec![Project, Business, Client, Office];
        projects.sort_unstable();
        assert_eq!(path(Project), projects);
        // Tasks: their own parents (project, office) and the project's parents.
        assert!(path(Task).contains(&Project) && path(Task).contains(&Business));
        assert!(!path(Task).contains(&Artifact) && !path(Task).contains(&Employee));
        // Files hang under almost everything; employees never pass a cascade on.
        assert!(path(Artifact).contains(&Form) && path(Artifact).contains(&Task));
        assert!(!path(Artifact).contains(&Employee));
        // No cascade reaches an employee, so nothing is on the way to one.
        assert_eq!(path(Employee), vec![Employee]);
    }

    #[test]
    fn contained_types_are_what_can_sit_below() {
        use EntityType::*;
        let below = |t: EntityType| {
            let mut types = t.contained_types();
            types.sort_unstable();
            types
        };
        let mut task = vec![Task, Form, Artifact];
        task.sort_unstable();
        assert_eq!(below(Task), task);
        assert!(below(Project).contains(&Task) && below(Project).contains(&Artifact));
        assert!(!below(Project).contains(&Employee) && !below(Role).contains(&Employee));
        assert_eq!(below(Employee), vec![Employee]);
        assert_eq!(below(Artifact), vec![Artifact]);
        // The inverse of the cascade paths: `a` is below `b` exactly when `b` is on a path to `a`.
        for a in EntityType::ALL {
            for b in EntityType::ALL {
                assert_eq!(
                    b.contained_types().contains(&a),
                    a.cascade_path_types().contains(&b),
                    "{a} below {b}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for entity_type in EntityType::ALL {
            assert_eq!(entity_type.as_str().parse::<EntityType>(), Ok(entity_type));
            assert_eq!(entity_type.registry().entity_type, entity_type);
            let json = serde_json::to_value(entity_type).unwrap();
            assert_eq!(json, entity_type.as_str());
        }
        assert!("Project".parse::<EntityType>().is_err());
        assert!("client ".parse::<EntityType>().is_err());
        assert_eq!(
            "reports".parse::<EntityType>(),
            Err(UnknownEntityType("reports".to_owned()))
        );
    }

    #[test]
    fn every_definition_is_coherent() {
        for entity_type in EntityType::ALL {
            let def = entity_type.registry();
            let mut names: Vec<&str> = def.fields.iter().map(|field| field.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "{entity_type}: duplicate field names");
            for common in common::FIELDS {
                assert_eq!(
                    def.field(common.name),
                    Some(&common),
                    "{entity_type}: shared field {}",
                    common.name
                );
            }
            for field in def
                .fields
                .iter()
                .chain(def.lines.iter().flat_map(|lines| lines.fields))
            {
                assert!(
                    !(field.required && field.read_only),
                    "{entity_type}.{}: required and read-only",
                    field.name
                );
                assert!(
                    !(field.required && field.generated.is_some()),
                    "{entity_type}.{}",
                    field.name
                );
                let numeric = matches!(
                    field.kind,
                    FieldKind::Integer | FieldKind::Decimal { .. } | FieldKind::Money
                );
                assert!(
                    numeric || (field.min.is_none() && field.max.is_none()),
                    "{entity_type}.{}: bounds",
                    field.name
                );
                let text = matches!(
                    field.kind,
                    FieldKind::Text | FieldKind::LongText | FieldKind::Email
                );
                assert!(
                    text || (field.max_length.is_none() && field.pattern.is_none()),
                    "{entity_type}.{}",
                    field.name
                );
                assert!(
                    !field.sensitive || !(field.filterable || field.sortable || field.searchable),
                    "{entity_type}.{}: sensitive fields are not list criteria",
                    field.name
                );
            }
            assert!(
                def.field(def.title_field).is_some(),
                "{entity_type}: title field"
            );
            let sort = def.field(def.default_sort.field).unwrap();
            assert!(
                sort.sortable,
                "{entity_type}: default sort field is sortable"
            );
            if let Some(kanban) = def.kanban_field {
                assert!(
                    def.field(kanban)
                        .and_then(|field| field.kind.datalabel())
                        .is_some(),
                    "{entity_type}: kanban"
                );
            }
        }
    }
}
