//! People: employees (the users of a tenant), roles and positions.

use super::common::{
    ADDRESS_LINE1, ADDRESS_LINE2, CITY, COUNTRY, POSTAL_CODE, PROVINCE, TIME_ZONE,
};
use super::{EntityDef, EntityType, FieldDef, NavGroup, RECENTLY_UPDATED};

/// Login and lock-out state (`password_hash`, `password_changed_ts`, `failed_login_attempts`,
/// `account_locked_until`) is deliberately absent: only the auth module touches it.
pub(super) static EMPLOYEE: EntityDef = EntityDef {
    entity_type: EntityType::Employee,
    table: "app.d_employee",
    label: "Employee",
    plural_label: "Employees",
    icon: "Users",
    display_order: 70,
    nav_group: NavGroup::People,
    // The code is the employee number (EMP-0001).
    code_prefix: "EMP",
    children: &[],
    fields: entity_fields![
        FieldDef::email("email", "E-mail")
            .required()
            .max_length(320)
            .filterable()
            .sortable()
            .searchable(),
        // Granting tenant administration is an admin action, never a field edit.
        FieldDef::boolean("tenant_admin", "Tenant admin").read_only(),
        FieldDef::timestamp("last_login_ts", "Last login").read_only(),
        FieldDef::text("first_name", "First name").sortable(),
        FieldDef::text("last_name", "Last name").sortable(),
        FieldDef::phone("phone", "Phone"),
        FieldDef::phone("mobile", "Mobile"),
        FieldDef::text("emergency_contact_name", "Emergency contact"),
        FieldDef::phone("emergency_contact_phone", "Emergency contact phone"),
        ADDRESS_LINE1,
        ADDRESS_LINE2,
        CITY,
        PROVINCE,
        POSTAL_CODE,
        COUNTRY,
        FieldDef::enumeration(
            "employee_type",
            "Employment type",
            &[
                "full-time",
                "part-time",
                "contract",
                "temporary",
                "intern",
                "seasonal"
            ],
        ),
        FieldDef::text("department", "Department")
            .filterable()
            .sortable(),
        FieldDef::text("title", "Title").filterable().sortable(),
        FieldDef::date("hire_date", "Hire date"),
        FieldDef::date("termination_date", "Termination date"),
        FieldDef::reference("manager_employee_id", "Manager", EntityType::Employee),
        TIME_ZONE,
        FieldDef::text("preferred_language", "Preferred language")
            .pattern("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"),
        FieldDef::boolean("remote_work_eligible", "Remote work eligible"),
        FieldDef::text("citizenship", "Citizenship"),
        FieldDef::text("security_clearance", "Security clearance"),
        // Sensitive HR data: never in lists, only for callers with Edit on the employee.
        FieldDef::text("government_id", "Government ID")
            .sensitive()
            .encrypted("government_id_encrypted"),
        FieldDef::date("birth_date", "Birth date").sensitive(),
        FieldDef::text("salary_band", "Salary band").sensitive(),
        FieldDef::text("pay_grade", "Pay grade").sensitive(),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

pub(super) static ROLE: EntityDef = EntityDef {
    entity_type: EntityType::Role,
    table: "app.d_role",
    label: "Role",
    plural_label: "Roles",
    icon: "UserCheck",
    display_order: 80,
    nav_group: NavGroup::People,
    code_prefix: "ROL",
    // Employees hold roles through role → employee links (permission grants go to roles).
    children: &[EntityType::Employee],
    fields: entity_fields![
        FieldDef::text("role_code", "Role code")
            .filterable()
            .sortable()
            .searchable(),
        FieldDef::enumeration(
            "role_category",
            "Category",
            &[
                "executive",
                "management",
                "operational",
                "technical",
                "administrative"
            ],
        ),
        FieldDef::boolean("is_system_role", "System role"),
        FieldDef::boolean("is_management_role", "Management role"),
        FieldDef::boolean("is_client_facing", "Client facing"),
        FieldDef::boolean("is_safety_critical", "Safety critical"),
        FieldDef::boolean("requires_background_check", "Background check required"),
        FieldDef::boolean("requires_bonding", "Bonding required"),
        FieldDef::boolean("requires_licensing", "Licensing required"),
        FieldDef::text("department_scope", "Department scope"),
        FieldDef::text("location_scope", "Location scope"),
        FieldDef::integer("reporting_level", "Reporting level").min(0),
        FieldDef::tags("required_certifications", "Required certifications"),
        FieldDef::tags("required_skills", "Required skills"),
        FieldDef::integer("required_experience_years", "Required experience (years)").min(0),
        FieldDef::long_text("education_requirements", "Education requirements"),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

pub(super) static POSITION: EntityDef = EntityDef {
    entity_type: EntityType::Position,
    table: "app.d_position",
    label: "Position",
    plural_label: "Positions",
    icon: "Briefcase",
    display_order: 90,
    nav_group: NavGroup::People,
    code_prefix: "POS",
    // Added (SPEC lists none): the employees holding the position; d_employee has no position column.
    children: &[EntityType::Employee],
    fields: entity_fields![
        FieldDef::datalabel("position_level", "Level").required(),
        FieldDef::reference("parent_id", "Reports to position", EntityType::Position),
        FieldDef::boolean("is_management", "Management"),
        FieldDef::boolean("is_executive", "Executive"),
        FieldDef::money("salary_band_min", "Salary band minimum").min(0),
        FieldDef::money("salary_band_max", "Salary band maximum"),
        FieldDef::decimal("bonus_target_pct", "Bonus target (%)", 2).range(0, 100),
        FieldDef::boolean("equity_eligible", "Equity eligible"),
        FieldDef::money("approval_limit", "Approval limit").min(0),
        FieldDef::integer("direct_reports_max", "Maximum direct reports").min(0),
        FieldDef::boolean("remote_eligible", "Remote eligible"),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};
