//! Work: projects and tasks.

use super::{EntityDef, EntityType, FieldDef, NavGroup, RECENTLY_UPDATED};

pub(super) static PROJECT: EntityDef = EntityDef {
    entity_type: EntityType::Project,
    table: "app.d_project",
    label: "Project",
    plural_label: "Projects",
    icon: "FolderOpen",
    display_order: 50,
    nav_group: NavGroup::Work,
    code_prefix: "PRJ",
    // SPEC: task, wiki, artifact, form. Added: employee (team members), order and invoice (stored
    // as the child's project_id column).
    children: &[
        EntityType::Task,
        EntityType::Wiki,
        EntityType::Artifact,
        EntityType::Form,
        EntityType::Employee,
        EntityType::Order,
        EntityType::Invoice,
    ],
    fields: entity_fields![
        FieldDef::datalabel("project_stage", "Stage"),
        FieldDef::money("budget_allocated", "Budget").min(0),
        FieldDef::money("budget_spent", "Spent").min(0),
        FieldDef::date("planned_start_date", "Planned start"),
        FieldDef::date("planned_end_date", "Planned end"),
        FieldDef::date("actual_start_date", "Actual start"),
        FieldDef::date("actual_end_date", "Actual end"),
        FieldDef::reference("manager_employee_id", "Manager", EntityType::Employee),
        FieldDef::reference("sponsor_employee_id", "Sponsor", EntityType::Employee),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: Some("project_stage"),
    lines: None,
};

pub(super) static TASK: EntityDef = EntityDef {
    entity_type: EntityType::Task,
    table: "app.d_task",
    label: "Task",
    plural_label: "Tasks",
    icon: "CheckSquare",
    display_order: 60,
    nav_group: NavGroup::Work,
    code_prefix: "TSK",
    // Employee children are the task's assignees.
    children: &[EntityType::Form, EntityType::Artifact, EntityType::Employee],
    fields: entity_fields![
        FieldDef::datalabel("task_stage", "Stage"),
        FieldDef::datalabel("task_priority", "Priority"),
        FieldDef::decimal("estimated_hours", "Estimated hours", 2).min(0),
        FieldDef::decimal("actual_hours", "Actual hours", 2).min(0),
        FieldDef::integer("story_points", "Story points").min(0),
        FieldDef::date("due_date", "Due"),
        // A task belongs to at most one project (the project -> task link); this mirrors it.
        FieldDef::reference("project_id", "Project", EntityType::Project).mirrors_link(),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: Some("task_stage"),
    lines: None,
};
