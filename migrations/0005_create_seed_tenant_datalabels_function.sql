-- Creates app.seed_tenant_datalabels(tenant): the single source of every tenant's default datalabels.
--
-- Idempotent (ON CONFLICT DO NOTHING): safe to call again; never overwrites a tenant's own edits.
-- Called by `pmo tenant create` and by the demo seed. Later migrations may CREATE OR REPLACE it to
-- add defaults; existing tenants then get the new rows by calling it again.
-- level_id is the stable key stored on entity rows; parent_id is the usual predecessor state.

CREATE FUNCTION app.seed_tenant_datalabels(p_tenant text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO app.setting_datalabel_office_level
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'Office',    'Branch office serving customers directly',        1, NULL::integer, '#3B82F6', false),
        (1, 'District',  'Group of branch offices in one area',             2, NULL, '#8B5CF6', false),
        (2, 'Region',    'Group of districts (e.g. a province)',            3, NULL, '#F59E0B', false),
        (3, 'Corporate', 'Head office',                                     4, NULL, '#10B981', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_business_level
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'Department', 'Operating unit delivering one service line',     1, NULL::integer, '#3B82F6', false),
        (1, 'Division',   'Group of departments',                           2, NULL, '#8B5CF6', false),
        (2, 'Corporate',  'The company as a whole',                         3, NULL, '#10B981', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_project_stage
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'Initiation', 'Idea and business case; scope not yet agreed',    1, NULL::integer, '#6B7280', false),
        (1, 'Planning',   'Scope, schedule, budget and crew being planned',  2, 0,    '#8B5CF6', false),
        (2, 'Execution',  'Work under way on site',                          3, 1,    '#F59E0B', false),
        (3, 'Monitoring', 'Work delivered; tracking results and follow-ups', 4, 2,    '#3B82F6', false),
        (4, 'Closure',    'Completed, handed over and closed',               5, 3,    '#10B981', true),
        (5, 'On Hold',    'Paused; waiting on client, permit or funding',    6, 2,    '#F59E0B', false),
        (6, 'Cancelled',  'Stopped before completion',                       7, NULL, '#9CA3AF', true)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_task_stage
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'Backlog',     'Captured, not yet scheduled',                    1, NULL::integer, '#6B7280', false),
        (1, 'To Do',       'Scheduled and ready to start',                   2, 0,    '#3B82F6', false),
        (2, 'In Progress', 'Being worked on',                                3, 1,    '#F59E0B', false),
        (3, 'In Review',   'Done by the assignee; waiting for review',       4, 2,    '#8B5CF6', false),
        (4, 'Blocked',     'Cannot proceed; waiting on something',           5, 2,    '#EF4444', false),
        (5, 'Done',        'Finished and accepted',                          6, 3,    '#10B981', true),
        (6, 'Cancelled',   'Will not be done',                               7, NULL, '#9CA3AF', true)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_position_level
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'CEO/President',       'Top of the organisation',               1, NULL::integer, '#1E3A8A', false),
        (1, 'C-Level',             'Chief officers reporting to the CEO',   2, NULL, '#1D4ED8', false),
        (2, 'SVP/EVP',             'Senior / executive vice presidents',    3, NULL, '#2563EB', false),
        (3, 'VP',                  'Vice presidents',                       4, NULL, '#3B82F6', false),
        (4, 'AVP',                 'Assistant vice presidents',             5, NULL, '#0EA5E9', false),
        (5, 'Senior Director',     'Senior directors',                      6, NULL, '#06B6D4', false),
        (6, 'Director',            'Directors',                             7, NULL, '#14B8A6', false),
        (7, 'Associate Director',  'Associate directors',                   8, NULL, '#10B981', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_opportunity_funnel_stage
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'Lead',                 'New contact, not yet qualified',       1, NULL::integer, '#6B7280', false),
        (1, 'Qualified',            'Need, budget and timing confirmed',    2, 0,    '#3B82F6', false),
        (2, 'Site Visit Scheduled', 'Estimator visit booked',               3, 1,    '#06B6D4', false),
        (3, 'Proposal Sent',        'Quote or proposal delivered',          4, 2,    '#8B5CF6', false),
        (4, 'Negotiation',          'Terms being negotiated',               5, 3,    '#F59E0B', false),
        (5, 'Contract Signed',      'Won',                                  6, 4,    '#10B981', true),
        (6, 'Lost',                 'Lost to a competitor or abandoned',    7, NULL, '#EF4444', true),
        (7, 'On Hold',              'Client paused the decision',           8, 4,    '#F97316', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_industry_sector
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0,  'Residential',             'Homeowners and tenants',           1,  NULL::integer, '#3B82F6', false),
        (1,  'Commercial Real Estate',  'Offices, retail and plazas',       2,  NULL, '#6366F1', false),
        (2,  'Healthcare',              'Hospitals, clinics, care homes',   3,  NULL, '#EF4444', false),
        (3,  'Education',               'Schools, colleges, universities',  4,  NULL, '#F59E0B', false),
        (4,  'Hospitality',             'Hotels, resorts, restaurants',     5,  NULL, '#EC4899', false),
        (5,  'Municipal/Government',    'Municipalities and agencies',      6,  NULL, '#0EA5E9', false),
        (6,  'Industrial',              'Plants, warehouses, manufacturing',7,  NULL, '#64748B', false),
        (7,  'Property Management',     'Condominiums and managed rentals', 8,  NULL, '#14B8A6', false),
        (8,  'Religious',               'Places of worship',                9,  NULL, '#A855F7', false),
        (9,  'Non-Profit',              'Charities and associations',       10, NULL, '#84CC16', false),
        (10, 'Automotive',              'Dealerships and garages',          11, NULL, '#F97316', false),
        (11, 'Financial Services',      'Banks, credit unions, insurers',   12, NULL, '#10B981', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_acquisition_channel
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0,  'Organic Search',        'Found us through a search engine',      1,  NULL::integer, '#10B981', false),
        (1,  'Paid Search',           'Search engine advertising',             2,  NULL, '#3B82F6', false),
        (2,  'Social Media Organic',  'Unpaid social media',                   3,  NULL, '#EC4899', false),
        (3,  'Paid Social Media',     'Social media advertising',              4,  NULL, '#A855F7', false),
        (4,  'Referral',              'Referred by a client or partner',       5,  NULL, '#F59E0B', false),
        (5,  'Direct',                'Came to us directly',                   6,  NULL, '#6B7280', false),
        (6,  'Email Marketing',       'Newsletter or campaign e-mail',         7,  NULL, '#06B6D4', false),
        (7,  'Content Marketing',     'Articles, guides, videos',              8,  NULL, '#14B8A6', false),
        (8,  'Trade Show/Event',      'Met at a show or event',                9,  NULL, '#F97316', false),
        (9,  'Traditional Media',     'Radio, print, flyers',                  10, NULL, '#64748B', false),
        (10, 'Partnership',           'Through a business partner',            11, NULL, '#6366F1', false),
        (11, 'Cold Outreach',         'Outbound calls or e-mail',              12, NULL, '#0EA5E9', false),
        (12, 'Online Directory',      'Listing sites and directories',         13, NULL, '#84CC16', false),
        (13, 'Real Estate Agent',     'Referred by a realtor',                 14, NULL, '#EAB308', false),
        (14, 'Municipal Contract',    'Public tender or municipal contract',   15, NULL, '#1D4ED8', false),
        (15, 'Previous Client',       'Returning client',                      16, NULL, '#059669', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_customer_tier
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'Standard',   'Pay-per-visit service',                         1, NULL::integer, '#6B7280', false),
        (1, 'Plus',       'Maintenance plan',                              2, NULL, '#3B82F6', false),
        (2, 'Premium',    'Priority scheduling and extended warranty',     3, NULL, '#8B5CF6', false),
        (3, 'Enterprise', 'Multi-site commercial agreement',               4, NULL, '#F59E0B', false),
        (4, 'Government', 'Public-sector contract terms',                  5, NULL, '#0EA5E9', false),
        (5, 'Strategic',  'Key account managed by an executive',           6, NULL, '#10B981', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_client_level
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'CEO',            'Decision maker is the chief executive',     1, NULL::integer, '#1E40AF', false),
        (1, 'Director',       'Decision maker is a director',              2, NULL, '#2563EB', false),
        (2, 'Senior Manager', 'Decision maker is a senior manager',        3, NULL, '#3B82F6', false),
        (3, 'Manager',        'Decision maker is a manager',               4, NULL, '#60A5FA', false),
        (4, 'Technical Lead', 'Main contact is technical staff',           5, NULL, '#14B8A6', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_client_status
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'active',    'Current client with active work or contract',   2, 2,    '#10B981', false),
        (1, 'inactive',  'No work in the last 12 months',                  3, 0,    '#9CA3AF', false),
        (2, 'prospect',  'Not yet a client',                               1, NULL::integer, '#3B82F6', false),
        (3, 'archived',  'Kept for records only',                          5, 1,    '#6B7280', true),
        (4, 'suspended', 'Service suspended (e.g. unpaid invoices)',       4, 0,    '#F59E0B', false),
        (5, 'churned',   'Left for a competitor',                          6, 4,    '#EF4444', true)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_task_priority
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'low',      'Whenever there is time',                          1, NULL::integer, '#6B7280', false),
        (1, 'medium',   'Normal priority',                                 2, NULL, '#3B82F6', false),
        (2, 'high',     'Schedule ahead of normal work',                   3, NULL, '#F59E0B', false),
        (3, 'critical', 'Blocks a project or a client commitment',         4, NULL, '#EF4444', false),
        (4, 'urgent',   'Drop everything (safety, no heat, flooding)',     5, NULL, '#B91C1C', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_task_update_type
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'comment',            'Comment',                               1, NULL::integer, '#3B82F6', false),
        (1, 'status_change',      'Stage changed',                         2, NULL, '#8B5CF6', false),
        (2, 'assignment',         'Assignees changed',                     3, NULL, '#06B6D4', false),
        (3, 'attachment',         'File attached',                         4, NULL, '#64748B', false),
        (4, 'description_update', 'Description edited',                    5, NULL, '#6B7280', false),
        (5, 'deadline_change',    'Due date changed',                      6, NULL, '#F59E0B', false),
        (6, 'priority_change',    'Priority changed',                      7, NULL, '#EF4444', false),
        (7, 'hours_logged',       'Time logged against the task',          8, NULL, '#10B981', false),
        (8, 'form_submission',    'Form submitted from the task',          9, NULL, '#14B8A6', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_wiki_publication_status
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'draft',      'Being written',                                 1, NULL::integer, '#6B7280', false),
        (1, 'review',     'Waiting for review',                            2, 0,    '#F59E0B', false),
        (2, 'published',  'Visible to readers',                            3, 1,    '#10B981', false),
        (3, 'archived',   'Kept for reference; no longer maintained',      5, 2,    '#9CA3AF', true),
        (4, 'deprecated', 'Superseded; do not follow',                     6, 2,    '#EF4444', true),
        (5, 'private',    'Visible to its authors only',                   4, 1,    '#8B5CF6', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_form_approval_status
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'pending',     'Waiting for an approver',                      1, NULL::integer, '#F59E0B', false),
        (1, 'approved',    'Approved',                                     2, 0,    '#10B981', true),
        (2, 'rejected',    'Rejected',                                     3, 0,    '#EF4444', true),
        (3, 'conditional', 'Approved with conditions',                     4, 0,    '#8B5CF6', false),
        (4, 'escalated',   'Sent to a higher approver',                    5, 0,    '#F97316', false)
    ) AS v ON CONFLICT DO NOTHING;

    INSERT INTO app.setting_datalabel_form_submission_status
        (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
    SELECT p_tenant, v.* FROM (VALUES
        (0, 'draft',        'Saved, not yet submitted',                    1, NULL::integer, '#6B7280', false),
        (1, 'submitted',    'Submitted',                                   2, 0,    '#3B82F6', false),
        (2, 'under_review', 'Being reviewed',                              3, 1,    '#F59E0B', false),
        (3, 'approved',     'Accepted',                                    4, 2,    '#10B981', true),
        (4, 'rejected',     'Not accepted',                                5, 2,    '#EF4444', true),
        (5, 'withdrawn',    'Withdrawn by the submitter',                  6, 0,    '#9CA3AF', true)
    ) AS v ON CONFLICT DO NOTHING;
END
$$;

COMMENT ON FUNCTION app.seed_tenant_datalabels(text) IS
    'Inserts the default rows of all 16 setting_datalabel_* tables for one tenant; idempotent.';
