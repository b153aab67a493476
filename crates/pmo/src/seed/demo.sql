-- Demo tenant "demo": Huron Home Services, an Ontario home-services company (HVAC, plumbing,
-- landscaping & snow removal, solar & electrical). See docs/DATA-MODEL.md "Demo data".
--
-- Contract (crates/pmo/src/seed.rs):
--   * runs inside ONE transaction, after SELECT set_config('pmo.demo_password_hash', <argon2id hash>, true);
--     every employee gets that hash (all demo accounts share the demo password);
--   * idempotent: ids are deterministic (md5 of kind/code), every INSERT has ON CONFLICT, derived
--     values are only written when they differ, so a second run changes no row count;
--   * runs as the (non-superuser) owner of the database; uses only pg_temp helper functions.
--   * datalabels are referenced only by their stable integer keys (app.seed_tenant_datalabels).

-- ---------------------------------------------------------------------------------------------
-- Helpers (session-local; gone when the connection closes)
-- ---------------------------------------------------------------------------------------------

-- Deterministic id of a demo row: md5('demo/<kind>/<code>') read as a uuid.
CREATE OR REPLACE FUNCTION pg_temp.demo_id(kind text, code text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$ SELECT md5('demo/' || kind || '/' || code)::uuid $$;

-- URL slug: lower case, runs of anything but [a-z0-9] become one '-', trimmed, at most 200 chars.
CREATE OR REPLACE FUNCTION pg_temp.demo_slug(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT btrim(left(btrim(regexp_replace(lower(t), '[^a-z0-9]+', '-', 'g'), '-'), 200), '-')
$$;

-- Generated employee i (1..500) has employee number EMP-0026 .. EMP-0525 (the named five are EMP-0001..0005).
CREATE OR REPLACE FUNCTION pg_temp.demo_emp_code(i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'EMP-' || lpad((25 + i)::text, 4, '0') $$;

-- The one role of generated employee i. Disjoint ranges; CASE takes the first match.
CREATE OR REPLACE FUNCTION pg_temp.demo_role_of(i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN i = 1                   THEN 'CFO'
        WHEN i = 2                   THEN 'VP-HR'
        WHEN i = 3                   THEN 'DIR-FIN'
        WHEN i = 4                   THEN 'DIR-IT'
        WHEN i = 5                   THEN 'MGR-HVAC'
        WHEN i = 6                   THEN 'MGR-PLUMB'
        WHEN i = 7                   THEN 'MGR-LAND'
        WHEN i = 8                   THEN 'MGR-SNOW'
        WHEN i = 9                   THEN 'MGR-SOLAR'
        WHEN i = 10                  THEN 'SVP'
        WHEN i BETWEEN 11  AND 30    THEN 'SUP-FIELD'
        WHEN i BETWEEN 31  AND 45    THEN 'COORD-PROJ'
        WHEN i BETWEEN 46  AND 55    THEN 'ANALYST-FIN'
        WHEN i BETWEEN 56  AND 62    THEN 'COORD-HR'
        WHEN i BETWEEN 63  AND 70    THEN 'ADMIN-IT'
        WHEN i BETWEEN 71  AND 130   THEN 'TECH-SR'
        WHEN i BETWEEN 131 AND 360   THEN 'TECH-FIELD'
        WHEN i BETWEEN 361 AND 430   THEN 'SEASONAL'
        WHEN i BETWEEN 431 AND 500   THEN 'PT-SUPPORT'
    END
$$;

-- Trade (department) of a field employee: i % 4 spreads supervisors and technicians over the four departments.
CREATE OR REPLACE FUNCTION pg_temp.demo_trade_of(i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT (ARRAY['HVAC', 'Plumbing', 'Landscaping & Snow', 'Solar & Electrical'])[1 + i % 4]
$$;

-- Office of generated employee i: head-office functions at HQ, a few supervisors at the region and
-- district offices, everyone else at the London (2/3) or Kitchener (1/3) branch.
CREATE OR REPLACE FUNCTION pg_temp.demo_office_of(i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN i BETWEEN 1 AND 10 OR i BETWEEN 31 AND 70 THEN 'OFF-HQ'
        WHEN i IN (11, 12)                             THEN 'OFF-REG-ON'
        WHEN i IN (13, 14)                             THEN 'OFF-DIST-SWO'
        WHEN (i / 2) % 3 = 0                           THEN 'OFF-KIT'
        ELSE                                                'OFF-LON'
    END
$$;

-- Manager of generated employee i (always an employee that exists: a named executive or a generated manager).
CREATE OR REPLACE FUNCTION pg_temp.demo_manager_of(i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN i IN (1, 2)                 THEN 'EMP-0001'                 -- CFO, VP HR -> CEO
        WHEN i = 3                       THEN 'EMP-0026'                 -- Director of Finance -> CFO
        WHEN i = 4                       THEN 'EMP-0003'                 -- Director of IT -> CTO
        WHEN i BETWEEN 5 AND 10          THEN 'EMP-0002'                 -- trade managers, SVP Operations -> COO
        WHEN i BETWEEN 31 AND 45         THEN 'EMP-0005'                 -- project coordinators -> Senior PM
        WHEN i BETWEEN 46 AND 55         THEN 'EMP-0028'                 -- financial analysts -> Director of Finance
        WHEN i BETWEEN 56 AND 62         THEN 'EMP-0027'                 -- HR coordinators -> VP HR
        WHEN i BETWEEN 63 AND 70         THEN 'EMP-0029'                 -- IT administrators -> Director of IT
        WHEN i BETWEEN 431 AND 500       THEN 'EMP-0004'                 -- support staff -> VP Sales
        WHEN i BETWEEN 361 AND 430       THEN CASE WHEN i % 2 = 0 THEN 'EMP-0032' ELSE 'EMP-0033' END
        -- supervisors and technicians -> the manager of their trade
        ELSE CASE i % 4
                 WHEN 0 THEN 'EMP-0030'                                  -- HVAC
                 WHEN 1 THEN 'EMP-0031'                                  -- Plumbing
                 WHEN 2 THEN CASE WHEN i % 8 = 2 THEN 'EMP-0032' ELSE 'EMP-0033' END  -- Landscaping / Snow
                 ELSE        'EMP-0034'                                  -- Solar & Electrical
             END
    END
$$;

-- ---------------------------------------------------------------------------------------------
-- Tenant and its datalabels
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_tenant (id, name, settings)
VALUES ('demo', 'Huron Home Services',
        '{"locale": "en-CA", "currency": "CAD", "time_zone": "America/Toronto", "demo": true}')
ON CONFLICT DO NOTHING;

SELECT app.seed_tenant_datalabels('demo');

-- ---------------------------------------------------------------------------------------------
-- Offices: Corporate HQ London -> Ontario Region -> SW Ontario District -> London / Kitchener
-- office_level keys: 0 Office, 1 District, 2 Region, 3 Corporate
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_office (tenant_id, id, code, slug, name, descr, tags, parent_id, office_level,
                          address_line1, city, province, postal_code, country, phone, time_zone)
SELECT 'demo', pg_temp.demo_id('office', v.code), v.code, pg_temp.demo_slug(v.name), v.name, v.descr, v.tags::jsonb,
       CASE WHEN v.parent IS NOT NULL THEN pg_temp.demo_id('office', v.parent) END, v.lvl,
       v.addr, v.city, 'ON', v.postal, 'Canada', v.phone, 'America/Toronto'
FROM (VALUES
    ('OFF-HQ',       'Corporate HQ London',          'Head office: executive team, finance, HR, IT and the project management office.',
                     '["corporate", "london"]',   NULL::text,     3, '255 Queens Ave',      'London',    'N6A 5R8', '519-555-0100'),
    ('OFF-REG-ON',   'Ontario Region',               'Regional office coordinating all Ontario districts.',
                     '["region"]',                'OFF-HQ',       2, '100 King St W',       'Toronto',   'M5X 1A9', '416-555-0120'),
    ('OFF-DIST-SWO', 'SW Ontario District',          'District office for the London and Kitchener branches.',
                     '["district"]',              'OFF-REG-ON',   1, '1680 Richmond St',    'London',    'N6G 3Y9', '519-555-0140'),
    ('OFF-LON',      'London Office',                'Branch serving London, St. Thomas and Middlesex County.',
                     '["branch", "london"]',      'OFF-DIST-SWO', 0, '1120 Wellington Rd',  'London',    'N6E 1M2', '519-555-0160'),
    ('OFF-KIT',      'Kitchener Office',             'Branch serving Kitchener, Waterloo, Cambridge and Guelph.',
                     '["branch", "kitchener"]',   'OFF-DIST-SWO', 0, '305 Weber St N',      'Kitchener', 'N2H 4G7', '519-555-0180')
) AS v(code, name, descr, tags, parent, lvl, addr, city, postal, phone)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Employees: 5 named accounts + 500 generated. Password hash from pmo.demo_password_hash.
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_employee (tenant_id, id, code, slug, name, tags, email, password_hash, password_changed_ts,
                            tenant_admin, first_name, last_name, phone, mobile, address_line1, city, province,
                            postal_code, country, employee_type, department, title, hire_date, manager_employee_id,
                            time_zone, preferred_language, remote_work_eligible, citizenship, salary_band, pay_grade)
SELECT 'demo', pg_temp.demo_id('employee', v.code), v.code, pg_temp.demo_slug(v.first || ' ' || v.last),
       v.first || ' ' || v.last, v.tags::jsonb,
       lower(v.first) || '.' || lower(v.last) || '@huronhome.ca',
       current_setting('pmo.demo_password_hash'), now(),
       v.admin, v.first, v.last, v.phone, NULL, v.addr, 'London', 'ON', v.postal, 'Canada',
       'full-time', v.dept, v.title, v.hired::date,
       CASE WHEN v.mgr IS NOT NULL THEN pg_temp.demo_id('employee', v.mgr) END,
       'America/Toronto', 'en', true, 'Canadian', v.band, v.grade
FROM (VALUES
    ('EMP-0001', 'James',  'Miller',   true,  'Executive',                 'Chief Executive Officer',        NULL::text, '2009-04-01',
     '519-555-0101', '12 Ridout St S',     'N6C 3W8', 'E1', 'X1', '["executive", "founder"]'),
    ('EMP-0002', 'Sarah',  'Chen',     false, 'Operations',                'Chief Operating Officer',        'EMP-0001', '2011-02-14',
     '519-555-0102', '88 Blackfriars St',  'N6H 1K9', 'E1', 'X2', '["executive"]'),
    ('EMP-0003', 'Robert', 'Thompson', false, 'Information Technology',    'Chief Technology Officer',       'EMP-0001', '2014-09-02',
     '519-555-0103', '410 Cheapside St',   'N6A 2A4', 'E1', 'X2', '["executive"]'),
    ('EMP-0004', 'Emily',  'Roy',      false, 'Sales',                     'Vice President, Sales',          'EMP-0001', '2016-05-16',
     '519-555-0104', '23 Wortley Rd',      'N6C 3N5', 'E2', 'X3', '["executive", "sales"]'),
    ('EMP-0005', 'Mark',   'Lavoie',   false, 'Project Management Office', 'Senior Project Manager',         'EMP-0002', '2017-03-06',
     '519-555-0105', '1505 Hyde Park Rd',  'N6H 5L5', 'M1', 'P5', '["pmo"]')
) AS v(code, first, last, admin, dept, title, mgr, hired, phone, addr, postal, band, grade, tags)
ON CONFLICT (tenant_id, id) DO UPDATE
    SET password_hash = EXCLUDED.password_hash, password_changed_ts = now()
    WHERE d_employee.password_hash IS DISTINCT FROM EXCLUDED.password_hash;

WITH names AS (
    SELECT ARRAY['Liam','Olivia','Noah','Emma','William','Charlotte','Benjamin','Ava','Lucas','Sophia',
                 'Ethan','Amelia','Jacob','Mia','Logan','Chloe','Nathan','Abigail','Owen','Emily',
                 'Samuel','Madison','Daniel','Hannah','Matthew','Zoe','Alexander','Grace','Ryan','Avery',
                 'Dylan','Isla','Connor','Leah','Gabriel','Maya','Tyler','Nora','Jordan','Claire'] AS first_names,
           ARRAY['Smith','Brown','Tremblay','Martin','Roy','Wilson','MacDonald','Gagnon','Taylor','Campbell',
                 'Anderson','Leblanc','Lee','Gauthier','White','Morin','Thompson','Scott','Bouchard','Stewart',
                 'Young','Cote','Reid','Fraser','Gill','Singh','Wong','Nguyen','Patel','Clarke',
                 'Walker','Robinson','Mitchell','Ross','Bergeron','Lapointe','Kowalski','Kaur','Murphy','Hall',
                 'Grant'] AS last_names,
           ARRAY['Richmond St','Dundas St','Oxford St W','Wharncliffe Rd S','Commissioners Rd E','Adelaide St N',
                 'Sarnia Rd','Fanshawe Park Rd W'] AS london_streets,
           ARRAY['King St W','Weber St N','Victoria St S','Fischer-Hallman Rd','Ottawa St S','Highland Rd W',
                 'Belmont Ave W','Frederick St'] AS kitchener_streets,
           ARRAY['Bay St','Queen St W','Front St E','Spadina Ave'] AS toronto_streets
), g AS (
    SELECT i,
           pg_temp.demo_emp_code(i)  AS code,
           pg_temp.demo_role_of(i)   AS role_code,
           pg_temp.demo_trade_of(i)  AS trade,
           pg_temp.demo_office_of(i) AS office,
           n.first_names[1 + (i - 1) % 40] AS first,
           n.last_names[1 + (i * 7) % 41]  AS last,
           n.london_streets, n.kitchener_streets, n.toronto_streets
    FROM generate_series(1, 500) AS i CROSS JOIN names n
), d AS (
    SELECT g.*,
           CASE g.role_code
               WHEN 'CFO'         THEN 'Finance'
               WHEN 'VP-HR'       THEN 'Human Resources'
               WHEN 'DIR-FIN'     THEN 'Finance'
               WHEN 'DIR-IT'      THEN 'Information Technology'
               WHEN 'MGR-HVAC'    THEN 'HVAC'
               WHEN 'MGR-PLUMB'   THEN 'Plumbing'
               WHEN 'MGR-LAND'    THEN 'Landscaping & Snow'
               WHEN 'MGR-SNOW'    THEN 'Landscaping & Snow'
               WHEN 'MGR-SOLAR'   THEN 'Solar & Electrical'
               WHEN 'SVP'         THEN 'Operations'
               WHEN 'COORD-PROJ'  THEN 'Project Management Office'
               WHEN 'ANALYST-FIN' THEN 'Finance'
               WHEN 'COORD-HR'    THEN 'Human Resources'
               WHEN 'ADMIN-IT'    THEN 'Information Technology'
               WHEN 'SEASONAL'    THEN 'Landscaping & Snow'
               WHEN 'PT-SUPPORT'  THEN 'Customer Service'
               ELSE g.trade                                      -- SUP-FIELD, TECH-SR, TECH-FIELD
           END AS dept,
           CASE g.role_code
               WHEN 'CFO'         THEN 'Chief Financial Officer'
               WHEN 'VP-HR'       THEN 'Vice President, Human Resources'
               WHEN 'DIR-FIN'     THEN 'Director of Finance'
               WHEN 'DIR-IT'      THEN 'Director of Information Technology'
               WHEN 'MGR-HVAC'    THEN 'HVAC Service Manager'
               WHEN 'MGR-PLUMB'   THEN 'Plumbing Manager'
               WHEN 'MGR-LAND'    THEN 'Landscaping Manager'
               WHEN 'MGR-SNOW'    THEN 'Snow Operations Manager'
               WHEN 'MGR-SOLAR'   THEN 'Solar & Electrical Manager'
               WHEN 'SVP'         THEN 'Senior Vice President, Operations'
               WHEN 'SUP-FIELD'   THEN 'Field Supervisor, ' || g.trade
               WHEN 'COORD-PROJ'  THEN 'Project Coordinator'
               WHEN 'ANALYST-FIN' THEN 'Financial Analyst'
               WHEN 'COORD-HR'    THEN 'HR Coordinator'
               WHEN 'ADMIN-IT'    THEN 'IT Administrator'
               WHEN 'TECH-SR'     THEN CASE g.trade WHEN 'HVAC' THEN 'Senior HVAC Technician'
                                                    WHEN 'Plumbing' THEN 'Master Plumber'
                                                    WHEN 'Landscaping & Snow' THEN 'Senior Landscape Technician'
                                                    ELSE 'Senior Electrician' END
               WHEN 'TECH-FIELD'  THEN CASE g.trade WHEN 'HVAC' THEN 'HVAC Technician'
                                                    WHEN 'Plumbing' THEN 'Plumber'
                                                    WHEN 'Landscaping & Snow' THEN 'Landscape & Snow Technician'
                                                    ELSE 'Solar Installer' END
               WHEN 'SEASONAL'    THEN 'Seasonal Grounds & Snow Crew'
               WHEN 'PT-SUPPORT'  THEN 'Customer Support Representative'
           END AS title,
           CASE
               WHEN g.role_code = 'SEASONAL'                                  THEN 'seasonal'
               WHEN g.role_code = 'PT-SUPPORT'                                THEN 'part-time'
               WHEN g.role_code IN ('ANALYST-FIN', 'ADMIN-IT') AND g.i % 5 = 0 THEN 'intern'
               WHEN g.role_code = 'TECH-FIELD' AND g.i % 15 = 0               THEN 'contract'
               WHEN g.role_code = 'TECH-FIELD' AND g.i % 23 = 0               THEN 'temporary'
               ELSE 'full-time'
           END AS employee_type,
           CASE
               WHEN g.i <= 10                    THEN date '2010-01-04' + (g.i * 211)           -- leadership: 2010-2015
               WHEN g.role_code = 'SEASONAL'     THEN date '2020-04-06' + (g.i % 6) * 365 + (g.i % 21)
               ELSE                                   date '2012-03-05' + (g.i * 53) % 5000     -- 2012-2025
           END AS hire_date
    FROM g
)
INSERT INTO app.d_employee (tenant_id, id, code, slug, name, tags, email, password_hash, password_changed_ts,
                            first_name, last_name, phone, mobile, address_line1, city, province, postal_code, country,
                            employee_type, department, title, hire_date, manager_employee_id, time_zone,
                            preferred_language, remote_work_eligible, citizenship, birth_date, salary_band, pay_grade)
SELECT 'demo', pg_temp.demo_id('employee', d.code), d.code,
       pg_temp.demo_slug(d.first || '-' || d.last || '-' || d.i),
       d.first || ' ' || d.last,
       jsonb_build_array(lower(d.role_code)),
       lower(d.first) || '.' || lower(d.last) || d.i || '@huronhome.ca',
       current_setting('pmo.demo_password_hash'), now(),
       d.first, d.last,
       '519-555-' || lpad((1000 + d.i)::text, 4, '0'),
       CASE WHEN d.i % 3 = 0 THEN '226-555-' || lpad((2000 + d.i)::text, 4, '0') END,
       (10 + (d.i * 37) % 1890)::text || ' ' || CASE d.office
           WHEN 'OFF-KIT'    THEN d.kitchener_streets[1 + d.i % 8]
           WHEN 'OFF-REG-ON' THEN d.toronto_streets[1 + d.i % 4]
           ELSE                   d.london_streets[1 + d.i % 8] END,
       CASE d.office WHEN 'OFF-KIT' THEN 'Kitchener' WHEN 'OFF-REG-ON' THEN 'Toronto' ELSE 'London' END,
       'ON',
       CASE d.office WHEN 'OFF-KIT' THEN 'N2' WHEN 'OFF-REG-ON' THEN 'M5' ELSE 'N6' END
           || substr('ABCEGHJK', 1 + d.i % 8, 1) || ' ' || (1 + d.i % 9)::text
           || substr('ABCEGHJKLMNPRSTVWXYZ', 1 + d.i % 20, 1) || ((d.i * 3) % 10)::text,
       'Canada',
       d.employee_type, d.dept, d.title, d.hire_date,
       pg_temp.demo_id('employee', pg_temp.demo_manager_of(d.i)),
       'America/Toronto',
       CASE WHEN d.i % 11 = 0 THEN 'fr-CA' ELSE 'en' END,
       d.role_code IN ('COORD-PROJ', 'ANALYST-FIN', 'COORD-HR', 'ADMIN-IT', 'PT-SUPPORT', 'DIR-IT', 'DIR-FIN'),
       CASE WHEN d.i % 9 = 0 THEN 'Permanent Resident' ELSE 'Canadian' END,
       (d.hire_date - make_interval(years => 20 + d.i % 30))::date,
       CASE WHEN d.i <= 10 THEN 'E2'
            WHEN d.role_code IN ('SUP-FIELD', 'TECH-SR', 'COORD-PROJ', 'ANALYST-FIN', 'ADMIN-IT') THEN 'B2'
            ELSE 'B1' END,
       CASE WHEN d.i <= 10 THEN 'M' || (1 + d.i % 3)::text ELSE 'G' || (1 + d.i % 6)::text END
FROM d
ON CONFLICT (tenant_id, id) DO UPDATE
    SET password_hash = EXCLUDED.password_hash, password_changed_ts = now()
    WHERE d_employee.password_hash IS DISTINCT FROM EXCLUDED.password_hash;

-- ---------------------------------------------------------------------------------------------
-- Business units: corporation -> 2 divisions -> 4 departments
-- business_level keys: 0 Department, 1 Division, 2 Corporate
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_business (tenant_id, id, code, slug, name, descr, parent_id, business_level, office_id,
                            budget_allocated, manager_employee_id)
SELECT 'demo', pg_temp.demo_id('business', v.code), v.code, pg_temp.demo_slug(v.name), v.name, v.descr,
       CASE WHEN v.parent IS NOT NULL THEN pg_temp.demo_id('business', v.parent) END, v.lvl,
       pg_temp.demo_id('office', v.office), v.budget, pg_temp.demo_id('employee', v.mgr)
FROM (VALUES
    ('BIZ-HHS',   'Huron Home Services',   'The corporation.',                                         NULL::text, 2, 'OFF-HQ',  24500000.00, 'EMP-0001'),
    ('BIZ-RES',   'Residential Services',  'Homeowner heating, cooling and plumbing.',                 'BIZ-HHS',  1, 'OFF-HQ',  11200000.00, 'EMP-0002'),
    ('BIZ-COM',   'Commercial Services',   'Commercial, municipal and institutional grounds and energy.','BIZ-HHS', 1, 'OFF-HQ',  12100000.00, 'EMP-0035'),
    ('BIZ-HVAC',  'HVAC',                  'Furnaces, boilers, heat pumps and air conditioning.',      'BIZ-RES',  0, 'OFF-LON',  6400000.00, 'EMP-0030'),
    ('BIZ-PLUMB', 'Plumbing',              'Repairs, re-piping, water heaters and drains.',            'BIZ-RES',  0, 'OFF-KIT',  4300000.00, 'EMP-0031'),
    ('BIZ-LAND',  'Landscaping & Snow',    'Landscape construction, grounds maintenance and snow removal.','BIZ-COM', 0, 'OFF-LON', 5200000.00, 'EMP-0032'),
    ('BIZ-SOLAR', 'Solar & Electrical',    'Rooftop solar, EV charging and electrical retrofits.',     'BIZ-COM',  0, 'OFF-KIT',  6300000.00, 'EMP-0034')
) AS v(code, name, descr, parent, lvl, office, budget, mgr)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Roles (22). Members are role -> employee links (below).
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_role (tenant_id, id, code, slug, name, descr, role_code, role_category, is_system_role,
                        is_management_role, is_client_facing, is_safety_critical, requires_background_check,
                        requires_bonding, requires_licensing, department_scope, location_scope, reporting_level,
                        required_certifications, required_skills, required_experience_years)
SELECT 'demo', pg_temp.demo_id('role', v.code), v.code, pg_temp.demo_slug(v.code), v.name, v.descr, v.code, v.cat,
       v.sys, v.mgmt, v.client, v.safety, v.bg, v.bond, v.lic, v.dept, v.loc, v.lvl, v.certs::jsonb, v.skills::jsonb, v.yrs
FROM (VALUES
    ('CEO',         'Chief Executive Officer',     'Leads the company.',                              'executive',      true,  true,  true,  false, true,  false, false, 'All',                   'All',      0, '[]', '["leadership", "strategy"]', 15),
    ('CFO',         'Chief Financial Officer',     'Finance, accounting and treasury.',               'executive',      true,  true,  false, false, true,  true,  false, 'Finance',               'All',      1, '["CPA"]', '["financial planning"]', 12),
    ('CTO',         'Chief Technology Officer',    'Technology and systems.',                         'executive',      true,  true,  false, false, true,  false, false, 'Information Technology','All',      1, '[]', '["architecture", "security"]', 12),
    ('COO',         'Chief Operating Officer',     'Runs field operations across all trades.',        'executive',      true,  true,  true,  true,  true,  false, false, 'Operations',            'All',      1, '[]', '["operations"]', 12),
    ('SVP',         'Senior Vice President',       'Leads a line of business (sales, operations).',   'executive',      false, true,  true,  false, true,  false, false, 'All',                   'All',      2, '[]', '["leadership"]', 10),
    ('VP-HR',       'Vice President, Human Resources','People, hiring, training and safety records.',  'management',     false, true,  false, false, true,  false, false, 'Human Resources',       'All',      3, '["CHRP"]', '["labour relations"]', 10),
    ('DIR-FIN',     'Director of Finance',         'Accounting, billing and collections.',            'management',     false, true,  false, false, true,  true,  false, 'Finance',               'HQ',       4, '["CPA"]', '["accounting"]', 8),
    ('DIR-IT',      'Director of IT',              'Systems, devices and data.',                      'management',     false, true,  false, false, true,  false, false, 'Information Technology','HQ',       4, '[]', '["systems administration"]', 8),
    ('MGR-LAND',    'Landscaping Manager',         'Landscape construction and grounds maintenance.', 'management',     false, true,  true,  true,  false, false, false, 'Landscaping & Snow',    'Branch',   5, '["Landscape Industry Certified"]', '["horticulture"]', 6),
    ('MGR-SNOW',    'Snow Operations Manager',     'Winter snow and ice control operations.',         'management',     false, true,  true,  true,  false, false, false, 'Landscaping & Snow',    'Branch',   5, '["Smart About Salt"]', '["dispatch"]', 6),
    ('MGR-HVAC',    'HVAC Service Manager',        'HVAC installs and maintenance contracts.',        'management',     false, true,  true,  true,  false, false, true,  'HVAC',                  'Branch',   5, '["G1 Gas Technician", "313A"]', '["hydronics"]', 8),
    ('MGR-PLUMB',   'Plumbing Manager',            'Plumbing service and re-piping.',                 'management',     false, true,  true,  true,  false, false, true,  'Plumbing',              'Branch',   5, '["306A Plumber"]', '["estimating"]', 8),
    ('MGR-SOLAR',   'Solar & Electrical Manager',  'Solar, EV charging and electrical retrofits.',    'management',     false, true,  true,  true,  false, false, true,  'Solar & Electrical',    'Branch',   5, '["309A Electrician"]', '["PV design"]', 8),
    ('SUP-FIELD',   'Field Supervisor',            'Leads crews on site; first line of safety.',      'operational',    false, true,  true,  true,  true,  false, false, 'Trades',                'Branch',   6, '["Working at Heights", "First Aid"]', '["crew leadership"]', 5),
    ('TECH-SR',     'Senior Technician',           'Licensed lead technician.',                       'technical',      false, false, true,  true,  true,  true,  true,  'Trades',                'Branch',   7, '["Trade licence"]', '["diagnostics"]', 5),
    ('TECH-FIELD',  'Field Technician',            'Installs, services and repairs on site.',         'technical',      false, false, true,  true,  true,  true,  false, 'Trades',                'Branch',   8, '["Working at Heights"]', '["installation"]', 1),
    ('COORD-PROJ',  'Project Coordinator',         'Schedules, permits and client updates for projects.','operational', false, false, true,  false, false, false, false, 'Project Management Office','All',   6, '[]', '["scheduling"]', 2),
    ('ANALYST-FIN', 'Financial Analyst',           'Job costing, budgets and reporting.',             'administrative', false, false, false, false, true,  false, false, 'Finance',               'HQ',       7, '[]', '["Excel", "job costing"]', 2),
    ('COORD-HR',    'HR Coordinator',              'Onboarding, training records, payroll inputs.',   'administrative', false, false, false, false, true,  false, false, 'Human Resources',       'HQ',       7, '[]', '["HRIS"]', 2),
    ('ADMIN-IT',    'IT Administrator',            'Devices, accounts and help desk.',                'technical',      true,  false, false, false, true,  false, false, 'Information Technology','HQ',       7, '[]', '["help desk"]', 2),
    ('SEASONAL',    'Seasonal Worker',             'Summer grounds crew and winter snow crew.',       'operational',    false, false, false, true,  false, false, false, 'Landscaping & Snow',    'Branch',   9, '["Smart About Salt"]', '[]', 0),
    ('PT-SUPPORT',  'Part-time Support Staff',     'Phones, booking and customer follow-up.',         'administrative', false, false, true,  false, false, false, false, 'Customer Service',      'Branch',   9, '[]', '["customer service"]', 0)
) AS v(code, name, descr, cat, sys, mgmt, client, safety, bg, bond, lic, dept, loc, lvl, certs, skills, yrs)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Positions (16) with a parent chain. position_level keys: 0 CEO/President, 1 C-Level, 2 SVP/EVP,
-- 3 VP, 4 AVP, 5 Senior Director, 6 Director, 7 Associate Director
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_position (tenant_id, id, code, slug, name, position_level, parent_id, is_management, is_executive,
                            salary_band_min, salary_band_max, bonus_target_pct, equity_eligible, approval_limit,
                            direct_reports_max, remote_eligible)
SELECT 'demo', pg_temp.demo_id('position', v.code), v.code, pg_temp.demo_slug(v.code), v.name, v.lvl,
       CASE WHEN v.parent IS NOT NULL THEN pg_temp.demo_id('position', v.parent) END,
       true, v.lvl <= 2, v.smin, v.smax, v.bonus, v.lvl <= 3, v.approval, v.reports, v.remote
FROM (VALUES
    ('CEO-POS',       'Chief Executive Officer',             0, NULL::text,      260000.00, 380000.00, 40.00, 5000000.00, 8,  false),
    ('COO-POS',       'Chief Operating Officer',             1, 'CEO-POS',       210000.00, 290000.00, 30.00, 1000000.00, 8,  false),
    ('CFO-POS',       'Chief Financial Officer',             1, 'CEO-POS',       200000.00, 280000.00, 30.00, 1000000.00, 6,  false),
    ('CTO-POS',       'Chief Technology Officer',            1, 'CEO-POS',       195000.00, 270000.00, 30.00,  750000.00, 6,  true),
    ('SVP-SALES',     'Senior Vice President, Sales',        2, 'CEO-POS',       165000.00, 225000.00, 25.00,  500000.00, 10, false),
    ('SVP-OPS',       'Senior Vice President, Operations',   2, 'COO-POS',       165000.00, 225000.00, 25.00,  500000.00, 10, false),
    ('VP-HR-POS',     'Vice President, Human Resources',     3, 'COO-POS',       140000.00, 185000.00, 20.00,  150000.00, 8,  true),
    ('VP-RES',        'Vice President, Residential Services',3, 'SVP-OPS',       140000.00, 190000.00, 20.00,  250000.00, 8,  false),
    ('VP-COM',        'Vice President, Commercial Services', 3, 'SVP-OPS',       140000.00, 190000.00, 20.00,  250000.00, 8,  false),
    ('AVP-FIN',       'Assistant Vice President, Finance',   4, 'CFO-POS',       125000.00, 160000.00, 15.00,  150000.00, 6,  true),
    ('AVP-IT',        'Assistant Vice President, IT',        4, 'CTO-POS',       120000.00, 155000.00, 15.00,  100000.00, 6,  true),
    ('SR-DIR-FIELD',  'Senior Director, Field Operations',   5, 'VP-RES',        115000.00, 145000.00, 12.00,  100000.00, 12, false),
    ('DIR-FIN-POS',   'Director, Finance',                   6, 'AVP-FIN',       100000.00, 130000.00, 10.00,   50000.00, 10, true),
    ('DIR-IT-POS',    'Director, Information Technology',    6, 'AVP-IT',         98000.00, 128000.00, 10.00,   50000.00, 10, true),
    ('DIR-PMO',       'Director, Project Management Office', 6, 'VP-COM',        102000.00, 132000.00, 10.00,   75000.00, 16, false),
    ('ASSOC-DIR-OPS', 'Associate Director, Operations',      7, 'SR-DIR-FIELD',   90000.00, 115000.00,  8.00,   25000.00, 20, false)
) AS v(code, name, lvl, parent, smin, smax, bonus, approval, reports, remote)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Worksites (6)
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_worksite (tenant_id, id, code, slug, name, descr, worksite_type, office_id, address_line1, city,
                            province, postal_code, country, latitude, longitude, time_zone, capacity_workers,
                            indoor_space_sqft, outdoor_space_sqft, equipment_storage, vehicle_parking,
                            security_required, office_space, washroom_facilities, power_available, water_available,
                            safety_rating, safety_last_inspection, seasonal_use, seasonal_period, emergency_contact)
SELECT 'demo', pg_temp.demo_id('worksite', v.code), v.code, pg_temp.demo_slug(v.name), v.name, v.descr, v.wtype,
       pg_temp.demo_id('office', v.office), v.addr, v.city, 'ON', v.postal, 'Canada', v.lat, v.lon, 'America/Toronto',
       v.cap, v.indoor, v.outdoor, v.storage, v.parking, v.security, v.offsp, v.washroom, true, v.water,
       v.rating, v.inspected::date, v.seasonal, v.period,
       jsonb_build_object('name', v.contact, 'phone', v.phone)
FROM (VALUES
    ('WS-HQ',     'London Headquarters',               'Head office and main dispatch.',                 'headquarters',   'OFF-HQ',
     '255 Queens Ave',        'London',    'N6A 5R8', 42.984300::numeric, -81.246200::numeric, 120, 24000, 6000,  false, true,  true,  true,  true,  true,  5, '2026-03-12', false, NULL::text,  'Facilities desk', '519-555-0199'),
    ('WS-TOR',    'Toronto Service Centre',            'Service centre for Greater Toronto accounts.',   'service_center', 'OFF-REG-ON',
     '55 Industry St',        'Toronto',   'M6M 4L4', 43.691600, -79.483900, 45,  9000,  12000, true,  true,  true,  true,  true,  true,  4, '2026-02-20', false, NULL,        'Centre lead',     '416-555-0190'),
    ('WS-SNOW',   'Winter Staging Yard',               'Salt dome, plows and loaders for the winter.',   'seasonal',       'OFF-LON',
     '2400 Oxford St W',      'London',    'N6K 4P9', 42.963900, -81.348000, 60,  2000,  80000, true,  true,  true,  false, true,  true,  4, '2026-10-15', true,  'November-April', 'Snow dispatch', '519-555-0197'),
    ('WS-PRJ-01', 'Forest City Steel Rooftop',         'Rooftop solar installation site.',               'client_site',    'OFF-LON',
     '900 Industrial Rd',     'London',    'N5V 3N5', 43.010200, -81.165400, 18,  0,     45000, false, true,  true,  false, false, true,  3, '2026-08-05', false, NULL,        'Plant manager',   '519-555-0301'),
    ('WS-PRJ-02', 'Victoria Hospital Boiler Plant',    'Boiler room retrofit inside an occupied hospital.','client_site',  'OFF-LON',
     '800 Commissioners Rd E','London',    'N6A 5W9', 42.961300, -81.225600, 12,  6500,  0,     false, true,  true,  false, true,  true,  4, '2026-09-18', false, NULL,        'Facilities manager','519-555-0302'),
    ('WS-STOR',   'Kitchener Equipment Storage',       'Equipment, trailers and bulk materials.',        'storage',        'OFF-KIT',
     '120 Shirley Ave',       'Kitchener', 'N2B 2E1', 43.456000, -80.465700, 10,  15000, 20000, true,  true,  true,  false, true,  true,  4, '2026-04-02', false, NULL,        'Yard lead',       '519-555-0188')
) AS v(code, name, descr, wtype, office, addr, city, postal, lat, lon, cap, indoor, outdoor, storage, parking,
       security, offsp, washroom, water, rating, inspected, seasonal, period, contact, phone)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Clients (12). Datalabel keys: opportunity_funnel_stage (5 Contract Signed, 1..4 open, 6 Lost),
-- industry_sector, acquisition_channel, customer_tier, client_level, client_status (0 active, 1 inactive, 2 prospect)
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_client (tenant_id, id, code, slug, name, descr, tags, metadata, client_number, client_type,
                          address_line1, city, province, postal_code, country, latitude, longitude,
                          business_legal_name, business_type, gst_hst_number, business_number,
                          primary_contact_name, primary_contact_email, primary_contact_phone,
                          opportunity_funnel_stage, industry_sector, acquisition_channel, customer_tier,
                          client_level, client_status)
SELECT 'demo', pg_temp.demo_id('client', v.code), v.code, pg_temp.demo_slug(v.name), v.name, v.descr, v.tags::jsonb,
       v.meta::jsonb, v.num, v.ctype, v.addr, v.city, 'ON', v.postal, 'Canada', v.lat, v.lon,
       v.legal, v.btype, v.gst, v.bn, v.contact, v.email, v.phone,
       v.funnel, v.sector, v.channel, v.tier, v.lvl, v.status
FROM (VALUES
    ('CL-0001', 'Thompson Residence',                'Heat pump conversion, 2026.',                       '["residential", "heat-pump"]',
     '{"lifetime_value": 21400, "payment_terms": "due_on_receipt"}', 'HHS-10001', 'residential',
     '47 Baseline Rd W', 'London', 'N6J 1V1', 42.966200::numeric, -81.259100::numeric, NULL::text, NULL::text, NULL::text, NULL::text,
     'Karen Thompson', 'karen.thompson@example.com', '519-555-2101', 5, 0, 4, 1, 0, 0),
    ('CL-0002', 'Patel Family Home',                 'Basement finishing: plumbing rough-in.',            '["residential"]',
     '{"lifetime_value": 0}', 'HHS-10002', 'residential',
     '18 Westmount Rd N', 'Kitchener', 'N2M 1N1', 43.448500, -80.511200, NULL, NULL, NULL, NULL,
     'Ravi Patel', 'ravi.patel@example.com', '519-555-2102', 3, 0, 0, 0, 0, 2),
    ('CL-0003', 'Oakridge Condominium Corporation',  'Condo corporation, 212 units; plumbing riser program.', '["condo", "property-management"]',
     '{"annual_contract_value": 85000, "payment_terms": "net_30"}', 'HHS-20001', 'commercial',
     '1200 Oxford St W', 'London', 'N6H 4N2', 42.983600, -81.307400, 'Middlesex Standard Condominium Corporation No. 512', 'Condominium corporation', '812345671RT0001', '812345671',
     'Denise Fortier', 'manager@oakridge-condo.example.com', '519-555-2201', 5, 7, 13, 2, 2, 0),
    ('CL-0004', 'Masonville Plaza Holdings',         'Retail plaza grounds and landscape contract.',      '["retail", "landscaping"]',
     '{"annual_contract_value": 64000, "payment_terms": "net_30"}', 'HHS-20002', 'commercial',
     '1680 Richmond St N', 'London', 'N6G 3Y9', 43.026400, -81.277900, 'Masonville Plaza Holdings Inc.', 'Corporation', '823456782RT0001', '823456782',
     'Gordon Baxter', 'g.baxter@masonville-plaza.example.com', '519-555-2202', 5, 1, 8, 3, 1, 0),
    ('CL-0005', 'City of London Parks and Recreation','Municipal snow and ice control for parks and lots.', '["municipal", "snow"]',
     '{"annual_contract_value": 268000, "payment_terms": "net_45", "tender": "RFT-2026-118"}', 'HHS-30001', 'municipal',
     '300 Dufferin Ave', 'London', 'N6B 1Z2', 42.987600, -81.245200, 'The Corporation of the City of London', 'Municipality', NULL, NULL,
     'Priya Nair', 'parks.contracts@london.example.ca', '519-555-2301', 5, 5, 14, 4, 1, 0),
    ('CL-0006', 'Region of Waterloo Facilities',     'Regional facilities: EV charging program.',         '["municipal", "ev-charging"]',
     '{"annual_contract_value": 236000, "payment_terms": "net_45"}', 'HHS-30002', 'municipal',
     '150 Frederick St', 'Kitchener', 'N2G 4J3', 43.452700, -80.492800, 'Regional Municipality of Waterloo', 'Municipality', NULL, NULL,
     'Tom Becker', 'facilities@regionofwaterloo.example.ca', '519-555-2302', 5, 5, 14, 4, 1, 0),
    ('CL-0007', 'London Health Sciences Centre',     'Victoria Hospital boiler plant retrofit.',          '["healthcare", "hvac"]',
     '{"annual_contract_value": 485000, "payment_terms": "net_60"}', 'HHS-40001', 'institutional',
     '800 Commissioners Rd E', 'London', 'N6A 5W9', 42.961300, -81.225600, 'London Health Sciences Centre', 'Public hospital', '834567893RT0001', '834567893',
     'Dr. Helen Park', 'facilities.projects@lhsc.example.ca', '519-555-2401', 5, 2, 10, 5, 1, 0),
    ('CL-0008', 'Grand River Long-Term Care',        'Quarterly HVAC maintenance contract.',              '["healthcare", "maintenance-contract"]',
     '{"annual_contract_value": 96000, "payment_terms": "net_30"}', 'HHS-40002', 'institutional',
     '3570 King St E', 'Kitchener', 'N2A 2W1', 43.422100, -80.438200, 'Grand River Care Homes Ltd.', 'Corporation', '845678904RT0001', '845678904',
     'Maria Santos', 'maintenance@grandriverltc.example.com', '519-555-2402', 5, 2, 4, 2, 3, 0),
    ('CL-0009', 'Forest City Steel Fabricators',     '250 kW rooftop solar array.',                       '["industrial", "solar"]',
     '{"annual_contract_value": 612000, "payment_terms": "net_30"}', 'HHS-50001', 'industrial',
     '900 Industrial Rd', 'London', 'N5V 3N5', 43.010200, -81.165400, 'Forest City Steel Fabricators Ltd.', 'Corporation', '856789015RT0001', '856789015',
     'Walter Kowalczyk', 'w.kowalczyk@fcsteel.example.com', '519-555-2501', 5, 6, 8, 3, 0, 0),
    ('CL-0010', 'Conestoga Logistics',               'Warehouse LED lighting retrofit (on hold for incentive approval).', '["industrial", "lighting"]',
     '{"annual_contract_value": 174000, "payment_terms": "net_30"}', 'HHS-50002', 'industrial',
     '45 Goodrich Dr', 'Kitchener', 'N2C 0B8', 43.414500, -80.475300, 'Conestoga Logistics Inc.', 'Corporation', '867890126RT0001', '867890126',
     'Jason Miller', 'jason.miller@conestoga-logistics.example.com', '519-555-2502', 5, 6, 11, 3, 2, 0),
    ('CL-0011', 'Western Fair Hotel',                'Irrigation project cancelled after budget review.', '["hospitality"]',
     '{"lifetime_value": 3200}', 'HHS-20003', 'commercial',
     '845 Florence St', 'London', 'N5W 2M1', 42.985400, -81.221700, 'Western Fair Hospitality Ltd.', 'Corporation', '878901237RT0001', '878901237',
     'Amanda Cole', 'gm@westernfairhotel.example.com', '519-555-2203', 6, 4, 1, 0, 2, 1),
    ('CL-0012', 'St. Peter''s Parish',               'Church hall furnace replacement; proposal stage.',  '["religious"]',
     '{"lifetime_value": 0}', 'HHS-60001', 'institutional',
     '196 Dufferin Ave', 'London', 'N6A 1K8', 42.988300, -81.249500, 'St. Peter''s Parish Corporation', 'Religious organisation', NULL, NULL,
     'Fr. Michael Doyle', 'office@stpeters.example.org', '519-555-2601', 2, 8, 15, 0, 3, 2)
) AS v(code, name, descr, tags, meta, num, ctype, addr, city, postal, lat, lon, legal, btype, gst, bn,
       contact, email, phone, funnel, sector, channel, tier, lvl, status)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Projects (12). project_stage keys: 0 Initiation, 1 Planning, 2 Execution, 3 Monitoring,
-- 4 Closure, 5 On Hold, 6 Cancelled. Parents (business, office, client) are links (below).
-- ---------------------------------------------------------------------------------------------

CREATE TEMP TABLE demo_project ON COMMIT DROP AS
SELECT * FROM (VALUES
    ('PRJ-0001', 'Victoria Hospital Boiler Retrofit',       'Replace two 1990s boilers with high-efficiency condensing boilers in an occupied hospital.',
     2, 485000.00, 212400.00, '2026-09-14', '2027-01-29', '2026-09-21', NULL, 'EMP-0005', 'EMP-0002', 'BIZ-HVAC',  'OFF-LON', 'CL-0007'),
    ('PRJ-0002', 'Oakridge Condo Plumbing Riser Replacement','Replace corroded copper risers in a 212-unit condominium, one stack at a time.',
     1, 320000.00,   8500.00, '2026-10-19', '2027-05-28', NULL,        NULL, 'EMP-0031', 'EMP-0002', 'BIZ-PLUMB', 'OFF-LON', 'CL-0003'),
    ('PRJ-0003', 'City of London Parks Snow Removal 2026-27','Seasonal snow and ice control for 14 parks and 9 parking lots.',
     2, 268000.00,  41250.00, '2026-11-01', '2027-04-15', '2026-11-01', NULL, 'EMP-0033', 'EMP-0035', 'BIZ-LAND',  'OFF-LON', 'CL-0005'),
    ('PRJ-0004', 'Masonville Plaza Landscape Renewal',      'Regrade and replant plaza beds with native perennials and drip irrigation.',
     3, 148000.00, 139600.00, '2026-05-04', '2026-11-30', '2026-05-04', NULL, 'EMP-0032', 'EMP-0035', 'BIZ-LAND',  'OFF-LON', 'CL-0004'),
    ('PRJ-0005', 'Forest City Steel Rooftop Solar Array',   '250 kW ballasted rooftop PV array with net-metering connection.',
     2, 612000.00, 355800.00, '2026-08-03', '2026-12-18', '2026-08-10', NULL, 'EMP-0005', 'EMP-0001', 'BIZ-SOLAR', 'OFF-LON', 'CL-0009'),
    ('PRJ-0006', 'Thompson Residence Heat Pump Install',    'Replace gas furnace and AC with a cold-climate heat pump and smart thermostat.',
     4,  18500.00,  17940.00, '2026-04-20', '2026-05-15', '2026-04-27', '2026-05-14', 'EMP-0030', 'EMP-0002', 'BIZ-HVAC', 'OFF-LON', 'CL-0001'),
    ('PRJ-0007', 'Patel Home Basement Plumbing',            'Basement bathroom rough-in and water heater replacement.',
     0,  42000.00,      0.00, '2027-02-01', '2027-03-31', NULL,        NULL, 'EMP-0056', 'EMP-0002', 'BIZ-PLUMB', 'OFF-KIT', 'CL-0002'),
    ('PRJ-0008', 'Region of Waterloo EV Charger Installation','Eight Level-2 chargers at the regional administration building.',
     1, 236000.00,   4200.00, '2027-03-01', '2027-07-30', NULL,        NULL, 'EMP-0034', 'EMP-0035', 'BIZ-SOLAR', 'OFF-KIT', 'CL-0006'),
    ('PRJ-0009', 'Grand River LTC HVAC Maintenance 2026',   'Quarterly preventive maintenance of rooftop units and boilers.',
     3,  96000.00,  78400.00, '2026-01-05', '2026-12-31', '2026-01-05', NULL, 'EMP-0057', 'EMP-0002', 'BIZ-HVAC',  'OFF-KIT', 'CL-0008'),
    ('PRJ-0010', 'Conestoga Warehouse LED Lighting Retrofit','Replace 400 W metal-halide high-bays with LED; paused pending incentive approval.',
     5, 174000.00,  61300.00, '2026-09-08', '2026-12-11', '2026-09-21', NULL, 'EMP-0034', 'EMP-0035', 'BIZ-SOLAR', 'OFF-KIT', 'CL-0010'),
    ('PRJ-0011', 'Western Fair Hotel Irrigation',           'Irrigation for hotel grounds; cancelled by the client after design.',
     6,  58000.00,   3200.00, '2026-04-06', '2026-06-26', NULL,        NULL, 'EMP-0032', 'EMP-0035', 'BIZ-LAND',  'OFF-LON', 'CL-0011'),
    ('PRJ-0012', 'St. Peter''s Parish Furnace Replacement', 'Replace two church-hall furnaces; proposal for the parish council.',
     0,  65000.00,      0.00, '2027-04-05', '2027-06-18', NULL,        NULL, 'EMP-0030', 'EMP-0002', 'BIZ-HVAC',  'OFF-KIT', 'CL-0012')
) AS v(code, name, descr, stage, budget, spent, pstart, pend, astart, aend, mgr, sponsor, biz, office, client);

INSERT INTO app.d_project (tenant_id, id, code, slug, name, descr, tags, project_stage, budget_allocated, budget_spent,
                           planned_start_date, planned_end_date, actual_start_date, actual_end_date,
                           manager_employee_id, sponsor_employee_id, created_by)
SELECT 'demo', pg_temp.demo_id('project', p.code), p.code, pg_temp.demo_slug(p.code || ' ' || p.name), p.name, p.descr,
       jsonb_build_array(lower(p.biz)), p.stage, p.budget, p.spent, p.pstart::date, p.pend::date, p.astart::date,
       p.aend::date, pg_temp.demo_id('employee', p.mgr), pg_temp.demo_id('employee', p.sponsor),
       pg_temp.demo_id('employee', 'EMP-0001')
FROM demo_project p
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Tasks (62). task_stage keys: 0 Backlog, 1 To Do, 2 In Progress, 3 In Review, 4 Blocked, 5 Done,
-- 6 Cancelled. task_priority keys: 0 low, 1 medium, 2 high, 3 critical, 4 urgent.
-- Stages agree with the project stage (a closed project has only done tasks, and so on).
-- ---------------------------------------------------------------------------------------------

CREATE TEMP TABLE demo_task ON COMMIT DROP AS
SELECT 'TSK-' || lpad(row_number() OVER (ORDER BY t.project, t.seq)::text, 4, '0') AS code,
       row_number() OVER (ORDER BY t.project, t.seq) AS n,
       count(*) OVER (PARTITION BY t.project) AS tasks_in_project,
       t.*
FROM (VALUES
    ('PRJ-0001', 1, 'Site survey and boiler room measurements',          5, 2, 16.0, 3),
    ('PRJ-0001', 2, 'Submit TSSA fuel-gas permit application',           5, 3,  6.0, 2),
    ('PRJ-0001', 3, 'Decommission existing boiler #2',                   2, 2, 40.0, 8),
    ('PRJ-0001', 4, 'Install high-efficiency condensing boiler',         1, 3, 64.0, 13),
    ('PRJ-0001', 5, 'Commission boiler and balance hydronic loop',       0, 2, 24.0, 5),
    ('PRJ-0001', 6, 'Infection-control hoarding around the work area',   3, 4, 12.0, 3),
    ('PRJ-0002', 1, 'Inspect risers and document corrosion',             5, 2, 20.0, 5),
    ('PRJ-0002', 2, 'Prepare resident water shut-off schedule',          2, 1,  8.0, 2),
    ('PRJ-0002', 3, 'Order PEX-A pipe and fittings',                     1, 1,  4.0, 1),
    ('PRJ-0002', 4, 'Obtain City of London plumbing permit',             1, 2,  6.0, 2),
    ('PRJ-0002', 5, 'Replace riser stack A (floors 1-8)',                0, 2, 80.0, 13),
    ('PRJ-0003', 1, 'Stake park pathways and parking lots',              5, 1, 28.0, 5),
    ('PRJ-0003', 2, 'Pre-season inspection of plows and salters',        5, 2, 16.0, 3),
    ('PRJ-0003', 3, 'Stockpile road salt at the winter staging yard',    2, 2, 12.0, 3),
    ('PRJ-0003', 4, 'Set up 24/7 dispatch on-call rota',                 3, 2,  6.0, 2),
    ('PRJ-0003', 5, 'First snowfall event response',                     1, 3, 48.0, 8),
    ('PRJ-0003', 6, 'Monthly service report to the City',                0, 1,  4.0, 1),
    ('PRJ-0003', 7, 'Track salt usage for the environmental report',     0, 0,  6.0, 2),
    ('PRJ-0004', 1, 'Remove dead shrubs and regrade beds',               5, 1, 32.0, 5),
    ('PRJ-0004', 2, 'Install drip irrigation',                           5, 2, 24.0, 5),
    ('PRJ-0004', 3, 'Plant native perennials',                           5, 1, 40.0, 8),
    ('PRJ-0004', 4, 'Fall plant health walkthrough',                     2, 1,  4.0, 1),
    ('PRJ-0004', 5, 'Replace failed plantings under warranty',           1, 0,  8.0, 2),
    ('PRJ-0005', 1, 'Structural roof load assessment',                   5, 3, 12.0, 3),
    ('PRJ-0005', 2, 'London Hydro connection application',               5, 2,  6.0, 2),
    ('PRJ-0005', 3, 'Install racking and ballast',                       2, 2, 72.0, 13),
    ('PRJ-0005', 4, 'Mount 60 PV modules',                               1, 2, 56.0, 8),
    ('PRJ-0005', 5, 'Inverter and disconnect wiring',                    1, 2, 32.0, 5),
    ('PRJ-0005', 6, 'ESA electrical inspection',                         4, 3,  4.0, 1),
    ('PRJ-0005', 7, 'Set up the client monitoring portal',               0, 0,  3.0, 1),
    ('PRJ-0006', 1, 'Heat-loss calculation',                             5, 1,  4.0, 2),
    ('PRJ-0006', 2, 'Remove old furnace and AC condenser',               5, 1,  6.0, 2),
    ('PRJ-0006', 3, 'Install cold-climate heat pump',                    5, 2, 14.0, 5),
    ('PRJ-0006', 4, 'Install smart thermostat',                          5, 1,  2.0, 1),
    ('PRJ-0006', 5, 'Customer walkthrough and rebate paperwork',         5, 1,  2.0, 1),
    ('PRJ-0007', 1, 'Initial site visit and quote',                      2, 1,  3.0, 1),
    ('PRJ-0007', 2, 'Rough-in layout for the basement bathroom',         0, 1,  6.0, 2),
    ('PRJ-0007', 3, 'Water heater replacement options',                  0, 0,  2.0, 1),
    ('PRJ-0007', 4, 'Permit drawings',                                   0, 1,  5.0, 2),
    ('PRJ-0008', 1, 'Load calculation for the administration building panel', 2, 2, 10.0, 3),
    ('PRJ-0008', 2, 'Select charger model and network',                  3, 1,  6.0, 2),
    ('PRJ-0008', 3, 'Trenching plan for parking-lot conduit',            1, 1, 12.0, 3),
    ('PRJ-0008', 4, 'ESA permit application',                            1, 2,  4.0, 1),
    ('PRJ-0008', 5, 'Install eight Level-2 chargers',                    0, 2, 96.0, 13),
    ('PRJ-0009', 1, 'Q1 rooftop unit maintenance',                       5, 1, 24.0, 5),
    ('PRJ-0009', 2, 'Q2 filter change, all wings',                       5, 1, 16.0, 3),
    ('PRJ-0009', 3, 'Q3 cooling-season inspection',                      5, 1, 20.0, 3),
    ('PRJ-0009', 4, 'Q4 heating-season start-up',                        2, 2, 24.0, 5),
    ('PRJ-0009', 5, 'Annual maintenance report',                         1, 1,  6.0, 2),
    ('PRJ-0010', 1, 'Lighting audit of aisles 1-20',                     5, 1, 12.0, 3),
    ('PRJ-0010', 2, 'Save on Energy incentive application',              4, 3,  6.0, 2),
    ('PRJ-0010', 3, 'Replace high-bays in aisles 1-10',                  4, 2, 40.0, 8),
    ('PRJ-0010', 4, 'Replace high-bays in aisles 11-20',                 1, 2, 40.0, 8),
    ('PRJ-0010', 5, 'Post-retrofit light-level survey',                  0, 1,  6.0, 2),
    ('PRJ-0011', 1, 'Irrigation design',                                 5, 1, 16.0, 3),
    ('PRJ-0011', 2, 'Backflow preventer quote',                          6, 1,  2.0, 1),
    ('PRJ-0011', 3, 'Install irrigation zones',                          6, 1, 48.0, 8),
    ('PRJ-0011', 4, 'Spring start-up',                                   6, 0,  4.0, 1),
    ('PRJ-0012', 1, 'Assess existing furnaces',                          1, 1,  4.0, 2),
    ('PRJ-0012', 2, 'Prepare proposal for the parish council',           0, 1,  6.0, 2),
    ('PRJ-0012', 3, 'Asbestos check of duct insulation',                 0, 2,  3.0, 1),
    ('PRJ-0012', 4, 'Schedule installation around services',             0, 0,  2.0, 1)
) AS t(project, seq, name, stage, priority, est, points);

INSERT INTO app.d_task (tenant_id, id, code, slug, name, descr, tags, task_stage, task_priority, estimated_hours,
                        actual_hours, story_points, due_date, created_by)
SELECT 'demo', pg_temp.demo_id('task', t.code), t.code, pg_temp.demo_slug(t.code || ' ' || t.name), t.name,
       'Step ' || t.seq || ' of ' || t.tasks_in_project || ' in ' || p.code || ' ' || p.name || '.',
       jsonb_build_array(lower(p.code)),
       t.stage, t.priority, t.est,
       CASE WHEN t.stage = 5 THEN round(t.est * (0.85 + (t.n % 4) * 0.1), 2)     -- done: close to the estimate
            WHEN t.stage IN (2, 3, 4) THEN round(t.est * 0.5, 2)                   -- started
            WHEN t.stage = 6 AND t.seq = 1 THEN t.est
            ELSE 0 END,
       t.points,
       p.pstart::date + ((p.pend::date - p.pstart::date) * t.seq / (t.tasks_in_project + 1))::integer,
       pg_temp.demo_id('employee', p.mgr)
FROM demo_task t JOIN demo_project p ON p.code = t.project
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Products (20): code = SKU, prices in CAD
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_product (tenant_id, id, code, slug, name, descr, product_level, department, product_class,
                           product_subclass, unit_of_measure, units_per_package, package_type, unit_price, unit_cost,
                           currency, taxable_flag, weight_kg, featured_flag, seasonal_flag)
SELECT 'demo', pg_temp.demo_id('product', v.code), v.code, pg_temp.demo_slug(v.code), v.name, v.descr, 4,
       v.dept, v.cls, v.sub, v.uom, v.upp, v.pkg, v.price, v.cost, 'CAD', true, v.kg, v.featured, v.seasonal
FROM (VALUES
    ('LBR-001',  '2x4x8 SPF Stud',                         'Kiln-dried spruce-pine-fir stud.',               'Lumber',     'Dimensional Lumber', 'Studs',          'each',   NULL::integer, NULL::text, 6.48::numeric,   4.10::numeric,  4.100::numeric, false, false),
    ('LBR-002',  '3/4 in. Plywood Sheet 4x8',              'Sanded softwood plywood.',                       'Lumber',     'Sheet Goods',        'Plywood',        'sheet',  NULL, NULL,        62.97,   44.20,  27.000,  false, false),
    ('LBR-003',  '4x4x8 Pressure-Treated Post',            'Ground-contact treated post.',                   'Lumber',     'Treated Lumber',     'Posts',          'each',   NULL, NULL,        18.97,   12.35,  11.300,  false, true),
    ('ELC-001',  '14/2 NMD90 Copper Wire, 75 m',           'Residential branch-circuit cable.',              'Electrical', 'Wire and Cable',     'NMD90',          'roll',   NULL, NULL,       129.00,   88.40,   9.100,  false, false),
    ('ELC-002',  'Solar PV Module 410 W Mono',             'Monocrystalline half-cut module, 25-year warranty.','Electrical','Solar',            'PV Modules',     'each',   NULL, NULL,       289.00,  198.00,  21.500,  true,  false),
    ('ELC-003',  'Level 2 EV Charger 48 A',                'Networked commercial Level-2 charger.',          'Electrical', 'EV Charging',        'Level 2',        'each',   NULL, NULL,      1849.00, 1290.00,  11.800,  true,  false),
    ('ELC-004',  'LED High-Bay Fixture 150 W',             'Replaces 400 W metal-halide; 21,000 lm.',        'Electrical', 'Lighting',           'High-Bay',       'each',   NULL, NULL,       219.00,  138.00,   4.200,  false, false),
    ('PLM-001',  '1/2 in. PEX-A Pipe, 100 ft',             'Expansion PEX for potable water.',               'Plumbing',   'Pipe',               'PEX',            'roll',   NULL, NULL,        94.50,   61.00,   4.500,  false, false),
    ('PLM-002',  '1/2 in. Copper 90-Degree Elbow, 10-pack','Wrought copper sweat fittings.',                 'Plumbing',   'Fittings',           'Copper',         'box',    10,   'box',       24.98,   14.90,   0.450,  false, false),
    ('PLM-003',  '50 gal Power-Vent Gas Water Heater',     'Residential power-vent tank, 40,000 BTU.',       'Plumbing',   'Water Heaters',      'Gas',            'each',   NULL, NULL,      1899.00, 1340.00,  68.000,  true,  false),
    ('HVAC-001', 'MERV 11 Furnace Filter 16x25x1',         'Pleated filter, 3-month life.',                  'HVAC',       'Filters',            'Pleated',        'each',   NULL, NULL,        21.98,   11.50,   0.400,  false, false),
    ('HVAC-002', 'Cold-Climate Heat Pump 3 Ton',           'Variable-speed ducted heat pump, rated to -30 C.','HVAC',      'Heat Pumps',         'Ducted',         'each',   NULL, NULL,      8950.00, 6420.00, 112.000,  true,  false),
    ('HVAC-003', 'Smart Wi-Fi Thermostat',                 'Heat-pump compatible, remote sensors.',          'HVAC',       'Controls',           'Thermostats',    'each',   NULL, NULL,       329.00,  214.00,   0.600,  false, false),
    ('PNT-001',  'Interior Latex Paint, Eggshell, 3.78 L', 'Low-VOC interior paint.',                        'Paint',      'Interior Paint',     'Latex',          'each',   NULL, NULL,        62.98,   38.00,   5.100,  false, false),
    ('PNT-002',  'Exterior Acrylic Stain, 3.78 L',         'Solid-colour deck and fence stain.',             'Paint',      'Exterior Stain',     'Acrylic',        'each',   NULL, NULL,        69.98,   42.50,   5.000,  false, true),
    ('PNT-003',  'Multi-Surface Primer, 3.78 L',           'Stain-blocking primer.',                         'Paint',      'Primers',            'Acrylic',        'each',   NULL, NULL,        49.98,   29.90,   4.800,  false, false),
    ('FLR-001',  'Luxury Vinyl Plank, 20 sq ft box',       'Waterproof click-lock plank.',                   'Flooring',   'Vinyl',              'LVP',            'box',    20,   'box',       74.80,   47.00,  17.500,  false, false),
    ('FLR-002',  'Porcelain Floor Tile 12x24, 16 sq ft box','Matte porcelain tile.',                         'Flooring',   'Tile',               'Porcelain',      'box',    8,    'box',       55.84,   33.60,  24.000,  false, false),
    ('HRD-001',  'Structural Screws #10 x 3 in., 250-pack','Exterior-coated structural screws.',             'Hardware',   'Fasteners',          'Screws',         'box',    250,  'box',       42.97,   24.80,   3.100,  false, false),
    ('HRD-002',  'Concrete Wedge Anchors 1/2 in., 25-pack','Zinc-plated wedge anchors.',                     'Hardware',   'Fasteners',          'Anchors',        'box',    25,   'box',       38.47,   21.40,   2.900,  false, false)
) AS v(code, name, descr, dept, cls, sub, uom, upp, pkg, price, cost, kg, featured, seasonal)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Inventory: one stock row per office x product (5 x 20). qty_on_hand = sum of the ledger below.
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_inventory (tenant_id, id, code, slug, name, office_id, product_id, qty_on_hand, reorder_point,
                             reorder_qty, bin_location, last_counted_ts)
SELECT 'demo', pg_temp.demo_id('inventory', o.code || '/' || p.code), 'STK-' || o.code || '-' || p.code,
       pg_temp.demo_slug('stk-' || o.code || '-' || p.code), p.code || ' at ' || o.name,
       o.id, p.id, 0,
       CASE WHEN p.unit_price >= 1000 THEN 1 ELSE 10 END,
       CASE WHEN p.unit_price >= 1000 THEN 2 ELSE 50 END,
       'Aisle ' || (1 + p.rn % 6) || '-' || lpad((p.rn * 3)::text, 2, '0'),
       timestamptz '2026-01-05 08:00:00-05'
FROM app.d_office o
JOIN (SELECT d.*, row_number() OVER (ORDER BY d.code) AS rn FROM app.d_product d WHERE d.tenant_id = 'demo') p
  ON p.tenant_id = o.tenant_id
WHERE o.tenant_id = 'demo' AND o.code IN ('OFF-HQ', 'OFF-REG-ON', 'OFF-DIST-SWO', 'OFF-LON', 'OFF-KIT')
  AND p.code IN ('LBR-001','LBR-002','LBR-003','ELC-001','ELC-002','ELC-003','ELC-004','PLM-001','PLM-002','PLM-003',
                 'HVAC-001','HVAC-002','HVAC-003','PNT-001','PNT-002','PNT-003','FLR-001','FLR-002','HRD-001','HRD-002')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Orders (4) with lines. Header totals are computed from the lines after they are inserted.
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_order (tenant_id, id, code, slug, name, descr, client_id, project_id, office_id, worksite_id,
                         sales_rep_employee_id, order_type, order_source, order_date, requested_delivery_date,
                         promised_delivery_date, order_status, payment_terms, po_number, shipping_total, total)
SELECT 'demo', pg_temp.demo_id('order', v.code), v.code, pg_temp.demo_slug(v.code), v.name, v.descr,
       pg_temp.demo_id('client', v.client), pg_temp.demo_id('project', v.project), pg_temp.demo_id('office', v.office),
       CASE WHEN v.worksite IS NOT NULL THEN pg_temp.demo_id('worksite', v.worksite) END,
       pg_temp.demo_id('employee', v.rep), v.otype, v.source, v.odate::date, v.req::date, v.prom::date, v.status,
       v.terms, v.po, v.shipping, v.shipping          -- total = subtotal (0 until lines exist) + tax + shipping
FROM (VALUES
    ('ORD-2026-0001', 'Solar array materials - Forest City Steel',   'Modules, cable and fasteners for PRJ-0005.',
     'CL-0009', 'PRJ-0005', 'OFF-LON', 'WS-PRJ-01'::text, 'EMP-0004', 'standard', 'contract',  '2026-08-20', '2026-09-01', '2026-09-02', 'delivered',  'net_30',         'FCS-PO-44817', 250.00::numeric),
    ('ORD-2026-0002', 'LED high-bays - Conestoga Logistics',          'Fixtures for PRJ-0010, shipped in two lots.',
     'CL-0010', 'PRJ-0010', 'OFF-KIT', NULL,        'EMP-0004', 'standard', 'email',     '2026-09-15', '2026-11-16', '2026-11-20', 'processing', 'net_30',         'CL-77120',     120.00),
    ('ORD-2026-0003', 'Heat pump package - Thompson Residence',       'Equipment for PRJ-0006, delivered by our crew.',
     'CL-0001', 'PRJ-0006', 'OFF-LON', NULL,        'EMP-0030', 'standard', 'in_person', '2026-04-24', '2026-05-11', '2026-05-11', 'delivered',  'due_on_receipt', NULL,             0.00),
    ('ORD-2026-0004', 'Quote: basement plumbing - Patel Family Home', 'Materials quote for PRJ-0007.',
     'CL-0002', 'PRJ-0007', 'OFF-KIT', NULL,        'EMP-0031', 'quote',    'phone',     '2026-11-10', NULL,         NULL,         'quote',      'net_30',         NULL,             0.00)
) AS v(code, name, descr, client, project, office, worksite, rep, otype, source, odate, req, prom, status, terms, po, shipping)
ON CONFLICT DO NOTHING;

INSERT INTO app.d_order_line (tenant_id, id, order_id, line_no, product_id, description, quantity, unit_of_measure,
                              unit_price, unit_cost, discount_pct, tax_rate, quantity_shipped)
SELECT 'demo', pg_temp.demo_id('order_line', v.ord || '/' || v.line_no), pg_temp.demo_id('order', v.ord), v.line_no,
       p.id, p.name, v.qty, p.unit_of_measure, p.unit_price, p.unit_cost, v.disc, 0.13, v.shipped
FROM (VALUES
    ('ORD-2026-0001', 1, 'ELC-002',  60.000::numeric, 5.00::numeric, 60.000::numeric),
    ('ORD-2026-0001', 2, 'ELC-001',   4.000,          0.00,           4.000),
    ('ORD-2026-0001', 3, 'HRD-001',  10.000,          0.00,          10.000),
    ('ORD-2026-0002', 1, 'ELC-004',  40.000,          8.00,          24.000),
    ('ORD-2026-0002', 2, 'HRD-002',   4.000,          0.00,           0.000),
    ('ORD-2026-0003', 1, 'HVAC-002',  1.000,          0.00,           1.000),
    ('ORD-2026-0003', 2, 'HVAC-003',  1.000,          0.00,           1.000),
    ('ORD-2026-0003', 3, 'HVAC-001',  4.000,          0.00,           4.000),
    ('ORD-2026-0004', 1, 'PLM-003',   1.000,          0.00,           0.000),
    ('ORD-2026-0004', 2, 'PLM-001',   2.000,          0.00,           0.000),
    ('ORD-2026-0004', 3, 'PLM-002',   3.000,          0.00,           0.000)
) AS v(ord, line_no, sku, qty, disc, shipped)
JOIN app.d_product p ON p.tenant_id = 'demo' AND p.code = v.sku
ON CONFLICT DO NOTHING;

-- Header totals from the lines, exactly as app.recompute_order_totals computes them; written only when they differ.
UPDATE app.d_order o
   SET subtotal = s.subtotal, discount_total = s.discount_total, tax_total = s.tax_total,
       total = s.subtotal + s.tax_total + o.shipping_total
  FROM (SELECT l.order_id, sum(l.line_subtotal) AS subtotal, sum(l.line_discount) AS discount_total,
               sum(l.line_tax) AS tax_total
          FROM app.d_order_line l WHERE l.tenant_id = 'demo' GROUP BY l.order_id) s
 WHERE o.tenant_id = 'demo' AND o.id = s.order_id AND o.code LIKE 'ORD-2026-%'
   AND (o.subtotal, o.discount_total, o.tax_total, o.total)
       IS DISTINCT FROM (s.subtotal, s.discount_total, s.tax_total, s.subtotal + s.tax_total + o.shipping_total);

-- ---------------------------------------------------------------------------------------------
-- Shipments (3) with lines against the order lines
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_shipment (tenant_id, id, code, slug, name, order_id, client_id, office_id, worksite_id,
                            shipment_method, carrier, service_level, tracking_number, shipment_status, ship_date,
                            estimated_delivery_date, delivered_ts, delivery_address_line1, delivery_city,
                            delivery_province, delivery_postal_code, delivery_country, delivery_instructions,
                            package_count, total_weight_kg, freight_cost)
SELECT 'demo', pg_temp.demo_id('shipment', v.code), v.code, pg_temp.demo_slug(v.code), v.name,
       pg_temp.demo_id('order', v.ord), c.id, pg_temp.demo_id('office', v.office),
       CASE WHEN v.worksite IS NOT NULL THEN pg_temp.demo_id('worksite', v.worksite) END,
       v.method, v.carrier, v.service, v.tracking, v.status, v.ship::date, v.eta::date, v.delivered::timestamptz,
       c.address_line1, c.city, c.province, c.postal_code, c.country, v.instructions, v.pkgs, v.kg, v.freight
FROM (VALUES
    ('SHP-2026-0001', 'Solar materials to Forest City Steel', 'ORD-2026-0001', 'CL-0009', 'OFF-LON', 'WS-PRJ-01'::text,
     'freight', 'Purolator Freight', 'LTL next day', 'PF3318820457', 'delivered', '2026-09-01', '2026-09-02',
     '2026-09-02 10:40:00-04'::text, 'Deliver to loading dock 3; crane lift booked for 11:00.', 4, 1400.000::numeric, 250.00::numeric),
    ('SHP-2026-0002', 'LED high-bays lot 1 to Conestoga',      'ORD-2026-0002', 'CL-0010', 'OFF-KIT', NULL,
     'ground',  'Day & Ross',        'Standard',     'DR5520019832', 'in_transit', '2026-11-23', '2026-11-27',
     NULL, 'Receiving hours 7:00-15:00, dock door 12.', 2, 110.000, 120.00),
    ('SHP-2026-0003', 'Heat pump package to Thompson Residence','ORD-2026-0003', 'CL-0001', 'OFF-LON', NULL,
     'direct',  'Huron Home Services crew', 'Install day', NULL,    'delivered', '2026-05-11', '2026-05-11',
     '2026-05-11 08:15:00-04', 'Side gate; the crew installs on delivery.', 3, 115.000, 0.00)
) AS v(code, name, ord, client, office, worksite, method, carrier, service, tracking, status, ship, eta, delivered,
       instructions, pkgs, kg, freight)
JOIN app.d_client c ON c.tenant_id = 'demo' AND c.id = pg_temp.demo_id('client', v.client)
ON CONFLICT DO NOTHING;

INSERT INTO app.d_shipment_line (tenant_id, id, shipment_id, line_no, order_line_id, product_id, description,
                                 quantity_shipped)
SELECT 'demo', pg_temp.demo_id('shipment_line', v.shp || '/' || v.line_no), pg_temp.demo_id('shipment', v.shp),
       v.line_no, ol.id, ol.product_id, ol.description, v.qty
FROM (VALUES
    ('SHP-2026-0001', 1, 'ORD-2026-0001', 1, 60.000::numeric),
    ('SHP-2026-0001', 2, 'ORD-2026-0001', 2,  4.000),
    ('SHP-2026-0001', 3, 'ORD-2026-0001', 3, 10.000),
    ('SHP-2026-0002', 1, 'ORD-2026-0002', 1, 24.000),
    ('SHP-2026-0003', 1, 'ORD-2026-0003', 1,  1.000),
    ('SHP-2026-0003', 2, 'ORD-2026-0003', 2,  1.000),
    ('SHP-2026-0003', 3, 'ORD-2026-0003', 3,  4.000)
) AS v(shp, line_no, ord, ord_line, qty)
JOIN app.d_order_line ol ON ol.tenant_id = 'demo' AND ol.id = pg_temp.demo_id('order_line', v.ord || '/' || v.ord_line)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Inventory ledger: an opening count per stock row, then the issues for the shipments above,
-- one transfer London -> Kitchener and one adjustment. qty_on_hand is then set to the ledger sum.
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_inventory_movement (tenant_id, id, inventory_id, movement_type, quantity, unit_cost, reason,
                                      performed_by, posted_ts)
SELECT 'demo', pg_temp.demo_id('inventory_movement', i.code || '/opening'), i.id, 'receipt',
       CASE o.code
           WHEN 'OFF-LON' THEN CASE WHEN p.unit_price >= 1000 THEN 4 WHEN p.code = 'ELC-002' THEN 90 ELSE 40 + (p.rn * 13) % 60 END
           WHEN 'OFF-KIT' THEN CASE WHEN p.unit_price >= 1000 THEN 3 WHEN p.code = 'ELC-004' THEN 60 ELSE 30 + (p.rn * 11) % 50 END
           ELSE                CASE WHEN p.unit_price >= 1000 THEN 1 ELSE 2 + (p.rn * 5) % 12 END
       END,
       p.unit_cost, 'Opening stock count', pg_temp.demo_id('employee', 'EMP-0028'),
       timestamptz '2026-01-05 08:00:00-05'
FROM app.d_inventory i
JOIN app.d_office o ON o.tenant_id = i.tenant_id AND o.id = i.office_id
JOIN (SELECT d.*, row_number() OVER (ORDER BY d.code) AS rn FROM app.d_product d WHERE d.tenant_id = 'demo') p
  ON p.id = i.product_id
WHERE i.tenant_id = 'demo' AND i.code LIKE 'STK-%'
ON CONFLICT DO NOTHING;

INSERT INTO app.d_inventory_movement (tenant_id, id, inventory_id, movement_type, quantity, unit_cost, order_id,
                                      shipment_id, transfer_group_id, reason, performed_by, posted_ts)
SELECT 'demo', pg_temp.demo_id('inventory_movement', v.key), pg_temp.demo_id('inventory', v.office || '/' || v.sku),
       v.mtype, v.qty, p.unit_cost,
       CASE WHEN v.ord IS NOT NULL THEN pg_temp.demo_id('order', v.ord) END,
       CASE WHEN v.shp IS NOT NULL THEN pg_temp.demo_id('shipment', v.shp) END,
       CASE WHEN v.mtype LIKE 'transfer%' THEN pg_temp.demo_id('transfer', 'TRF-2026-0001') END,
       v.reason, pg_temp.demo_id('employee', v.who), v.posted::timestamptz
FROM (VALUES
    ('SHP-2026-0001/1', 'OFF-LON', 'ELC-002',  'issue',        -60.000::numeric, 'ORD-2026-0001'::text, 'SHP-2026-0001'::text, 'Shipped to Forest City Steel', 'EMP-0034', '2026-09-01 07:30:00-04'),
    ('SHP-2026-0001/2', 'OFF-LON', 'ELC-001',  'issue',         -4.000,          'ORD-2026-0001',       'SHP-2026-0001',       'Shipped to Forest City Steel', 'EMP-0034', '2026-09-01 07:30:00-04'),
    ('SHP-2026-0001/3', 'OFF-LON', 'HRD-001',  'issue',        -10.000,          'ORD-2026-0001',       'SHP-2026-0001',       'Shipped to Forest City Steel', 'EMP-0034', '2026-09-01 07:30:00-04'),
    ('SHP-2026-0002/1', 'OFF-KIT', 'ELC-004',  'issue',        -24.000,          'ORD-2026-0002',       'SHP-2026-0002',       'Lot 1 shipped to Conestoga Logistics', 'EMP-0034', '2026-11-23 09:10:00-05'),
    ('SHP-2026-0003/1', 'OFF-LON', 'HVAC-002', 'issue',         -1.000,          'ORD-2026-0003',       'SHP-2026-0003',       'Loaded on the install truck', 'EMP-0030', '2026-05-11 07:00:00-04'),
    ('SHP-2026-0003/2', 'OFF-LON', 'HVAC-003', 'issue',         -1.000,          'ORD-2026-0003',       'SHP-2026-0003',       'Loaded on the install truck', 'EMP-0030', '2026-05-11 07:00:00-04'),
    ('SHP-2026-0003/3', 'OFF-LON', 'HVAC-001', 'issue',         -4.000,          'ORD-2026-0003',       'SHP-2026-0003',       'Loaded on the install truck', 'EMP-0030', '2026-05-11 07:00:00-04'),
    ('TRF-2026-0001/out','OFF-LON','PLM-001',  'transfer_out',  -5.000,          NULL,                  NULL,                  'Transfer to Kitchener for PRJ-0002 prep', 'EMP-0031', '2026-10-14 13:00:00-04'),
    ('TRF-2026-0001/in', 'OFF-KIT','PLM-001',  'transfer_in',    5.000,          NULL,                  NULL,                  'Transfer from London', 'EMP-0031', '2026-10-15 09:00:00-04'),
    ('ADJ-2026-0001',    'OFF-KIT','HRD-002',  'adjustment',    -2.000,          NULL,                  NULL,                  'Two boxes damaged by water, found at cycle count', 'EMP-0028', '2026-10-31 16:00:00-04')
) AS v(key, office, sku, mtype, qty, ord, shp, reason, who, posted)
JOIN app.d_product p ON p.tenant_id = 'demo' AND p.code = v.sku
ON CONFLICT DO NOTHING;

UPDATE app.d_inventory i
   SET qty_on_hand = s.qty
  FROM (SELECT m.inventory_id, sum(m.quantity) AS qty
          FROM app.d_inventory_movement m WHERE m.tenant_id = 'demo' GROUP BY m.inventory_id) s
 WHERE i.tenant_id = 'demo' AND i.id = s.inventory_id AND i.code LIKE 'STK-%'
   AND i.qty_on_hand IS DISTINCT FROM s.qty;

-- ---------------------------------------------------------------------------------------------
-- Invoices (4) with lines; totals from the lines. HST 13 %.
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_invoice (tenant_id, id, code, slug, name, descr, client_id, order_id, project_id, office_id,
                           invoice_type, invoice_date, due_date, service_period_start, service_period_end,
                           payment_terms, po_number, invoice_status, sent_ts, paid_ts, payment_method,
                           payment_reference)
SELECT 'demo', pg_temp.demo_id('invoice', v.code), v.code, pg_temp.demo_slug(v.code), v.name, v.descr,
       pg_temp.demo_id('client', v.client),
       CASE WHEN v.ord IS NOT NULL THEN pg_temp.demo_id('order', v.ord) END,
       pg_temp.demo_id('project', v.project), pg_temp.demo_id('office', v.office),
       v.itype, v.idate::date, v.due::date, v.sps::date, v.spe::date, v.terms, v.po, v.status,
       v.sent::timestamptz, v.paid::timestamptz, v.method, v.ref
FROM (VALUES
    ('INV-2026-0001', 'Progress invoice 1 - solar materials', 'Materials and freight for ORD-2026-0001.',
     'CL-0009', 'ORD-2026-0001'::text, 'PRJ-0005', 'OFF-LON', 'progress', '2026-09-03', '2026-10-03', NULL::text, NULL::text,
     'net_30', 'FCS-PO-44817'::text, 'paid', '2026-09-03 10:00:00-04'::text, '2026-09-29 14:20:00-04'::text, 'eft'::text, 'EFT 2026-0929-118'::text),
    ('INV-2026-0002', 'Progress invoice - LED lot 1 and labour', 'First lot of fixtures and installation labour.',
     'CL-0010', 'ORD-2026-0002', 'PRJ-0010', 'OFF-KIT', 'progress', '2026-11-24', '2026-12-24', '2026-11-01', '2026-11-24',
     'net_30', 'CL-77120', 'sent', '2026-11-24 11:00:00-05', NULL, NULL, NULL),
    ('INV-2026-0003', 'Final invoice - heat pump installation', 'Equipment, installation labour and loyalty discount.',
     'CL-0001', 'ORD-2026-0003', 'PRJ-0006', 'OFF-LON', 'final',    '2026-05-15', '2026-05-15', NULL, NULL,
     'due_on_receipt', NULL, 'partial', '2026-05-15 16:30:00-04', NULL, 'credit_card', 'Deposit VISA *4421'),
    ('INV-2026-0004', 'Snow program mobilisation - October 2026', 'Pre-season staking and mobilisation for RFT-2026-118.',
     'CL-0005', NULL, 'PRJ-0003', 'OFF-LON', 'standard', '2026-11-02', '2026-12-17', '2026-10-01', '2026-10-31',
     'net_45', 'PO-CL-2026-5531', 'sent', '2026-11-02 09:00:00-05', NULL, NULL, NULL)
) AS v(code, name, descr, client, ord, project, office, itype, idate, due, sps, spe, terms, po, status, sent, paid, method, ref)
ON CONFLICT DO NOTHING;

INSERT INTO app.d_invoice_line (tenant_id, id, invoice_id, line_no, line_item_type, product_id, order_line_id,
                                description, quantity, unit_of_measure, unit_price, discount_pct, tax_rate)
SELECT 'demo', pg_temp.demo_id('invoice_line', v.inv || '/' || v.line_no), pg_temp.demo_id('invoice', v.inv),
       v.line_no, v.ltype, ol.product_id, ol.id, coalesce(v.descr, ol.description), v.qty,
       coalesce(ol.unit_of_measure, v.uom), coalesce(v.price, ol.unit_price), coalesce(ol.discount_pct, 0), 0.13
FROM (VALUES
    ('INV-2026-0001', 1, 'product', 'ORD-2026-0001/1'::text, NULL::text,                            60.000::numeric, NULL::numeric, 'each'),
    ('INV-2026-0001', 2, 'product', 'ORD-2026-0001/2',       NULL,                                   4.000,          NULL,          'each'),
    ('INV-2026-0001', 3, 'product', 'ORD-2026-0001/3',       NULL,                                  10.000,          NULL,          'each'),
    ('INV-2026-0001', 4, 'expense', NULL,                    'Freight (Purolator, SHP-2026-0001)',   1.000,          250.00,        'each'),
    ('INV-2026-0002', 1, 'product', 'ORD-2026-0002/1',       NULL,                                  24.000,          NULL,          'each'),
    ('INV-2026-0002', 2, 'labor',   NULL,                    'Electrician labour, aisles 1-6',      32.000,           95.00,        'hour'),
    ('INV-2026-0002', 3, 'expense', NULL,                    'Freight (Day & Ross, SHP-2026-0002)',  1.000,          120.00,        'each'),
    ('INV-2026-0003', 1, 'product', 'ORD-2026-0003/1',       NULL,                                   1.000,          NULL,          'each'),
    ('INV-2026-0003', 2, 'product', 'ORD-2026-0003/2',       NULL,                                   1.000,          NULL,          'each'),
    ('INV-2026-0003', 3, 'product', 'ORD-2026-0003/3',       NULL,                                   4.000,          NULL,          'each'),
    ('INV-2026-0003', 4, 'labor',   NULL,                    'Heat pump installation labour (2 technicians)', 16.000, 110.00,       'hour'),
    ('INV-2026-0003', 5, 'discount',NULL,                    'Returning-client discount',            1.000,         -150.00,        'each'),
    ('INV-2026-0004', 1, 'service', NULL,                    'Pre-season staking, 14 parks',        14.000,          185.00,        'each'),
    ('INV-2026-0004', 2, 'service', NULL,                    'Seasonal mobilisation fee',            1.000,         4500.00,        'each')
) AS v(inv, line_no, ltype, ord_line, descr, qty, price, uom)
LEFT JOIN app.d_order_line ol
  ON ol.tenant_id = 'demo' AND v.ord_line IS NOT NULL
 AND ol.id = pg_temp.demo_id('order_line', v.ord_line)
ON CONFLICT DO NOTHING;

-- Header totals from the lines, exactly as app.recompute_invoice_totals computes them.
UPDATE app.d_invoice i
   SET subtotal = s.subtotal, discount_total = s.discount_total, tax_total = s.tax_total,
       total = s.subtotal + s.tax_total
  FROM (SELECT l.invoice_id, sum(l.line_subtotal) AS subtotal, sum(greatest(l.line_discount, 0)) AS discount_total,
               sum(l.line_tax) AS tax_total
          FROM app.d_invoice_line l WHERE l.tenant_id = 'demo' GROUP BY l.invoice_id) s
 WHERE i.tenant_id = 'demo' AND i.id = s.invoice_id AND i.code LIKE 'INV-2026-%'
   AND (i.subtotal, i.discount_total, i.tax_total, i.total)
       IS DISTINCT FROM (s.subtotal, s.discount_total, s.tax_total, s.subtotal + s.tax_total);

-- Payments: INV-2026-0001 paid in full; INV-2026-0003 has a 2,500.00 deposit (partial, overdue).
UPDATE app.d_invoice i
   SET amount_paid = CASE i.code WHEN 'INV-2026-0001' THEN i.total ELSE 2500.00 END
 WHERE i.tenant_id = 'demo' AND i.code IN ('INV-2026-0001', 'INV-2026-0003')
   AND i.amount_paid IS DISTINCT FROM CASE i.code WHEN 'INV-2026-0001' THEN i.total ELSE 2500.00 END;

-- ---------------------------------------------------------------------------------------------
-- Wiki (3 pages, one revision each)
-- wiki_publication_status keys: 0 draft, 1 review, 2 published
-- ---------------------------------------------------------------------------------------------

CREATE TEMP TABLE demo_wiki ON COMMIT DROP AS
SELECT * FROM (VALUES
    ('WIKI-0001', 'Working at Heights Safety Procedure', 'policy', 'Safety', '/safety/working-at-heights', 2,
     '2026-03-02 09:00:00-05'::text, 'EMP-0002', 'Rules for ladders, roofs and elevated work platforms.',
     '["safety", "policy"]', '["heights", "fall protection", "ladders"]',
     E'# Working at Heights\n\nEvery technician who works more than 3 m above ground must hold a valid **Working at Heights** certificate (Ontario Reg. 297/13).\n\n## Before you start\n\n1. Inspect your harness, lanyard and anchor point.\n2. Check the weather: no roof work in winds above 40 km/h or on icy surfaces.\n3. Set up guardrails or a travel-restraint system and tell your supervisor.\n\n## Ladders\n\n- Use the 4:1 rule and extend 1 m above the landing.\n- Keep three points of contact.\n\n## Incidents\n\nReport every near miss to your field supervisor the same day.\n',
     'EMP-0002', 'First published version'),
    ('WIKI-0002', 'New Technician Onboarding Guide', 'guide', 'People', '/people/technician-onboarding', 2,
     '2026-04-14 09:00:00-04', 'EMP-0027', 'Your first two weeks at Huron Home Services.',
     '["onboarding", "hr"]', '["onboarding", "training", "tools"]',
     E'# Welcome aboard\n\nThis guide walks a new field technician through the first two weeks.\n\n## Week 1\n\n- Safety orientation at the London HQ (Monday).\n- Collect your truck stock list, tablet and PPE.\n- Ride along with a senior technician.\n\n## Week 2\n\n- First supervised service calls.\n- Learn to post **task updates** and log hours in the app.\n\nQuestions? Ask your HR coordinator or your field supervisor.\n',
     'EMP-0056', 'Initial guide'),
    ('WIKI-0003', 'Winter Snow Operations Playbook', 'workflow', 'Operations', '/operations/snow-playbook', 1,
     NULL, NULL, 'How the snow team mobilises, dispatches and reports during an event.',
     '["snow", "operations"]', '["snow", "dispatch", "salt"]',
     E'# Snow Operations Playbook\n\n## Triggers\n\n- **2 cm** forecast: salt pathways and lots.\n- **5 cm** accumulation: plow all contracted sites.\n\n## Dispatch\n\n1. The on-call dispatcher confirms the event with Environment Canada alerts.\n2. Crews load at the Winter Staging Yard.\n3. Each route lead posts a task update when their route is complete.\n\n## Reporting\n\nSalt usage and completion times go into the monthly City report.\n',
     'EMP-0033', 'Draft for review by the COO')
) AS v(code, name, wtype, category, path, status, published, published_by, summary, tags, keywords, body, author, change);

INSERT INTO app.d_wiki (tenant_id, id, code, slug, name, descr, tags, wiki_type, category, page_path, sort_order,
                        wiki_publication_status, published_ts, published_by, visibility, summary, keywords, created_by)
SELECT 'demo', pg_temp.demo_id('wiki', w.code), w.code, pg_temp.demo_slug(w.name), w.name, w.summary, w.tags::jsonb,
       w.wtype, w.category, w.path, row_number() OVER (ORDER BY w.code) * 10, w.status, w.published::timestamptz,
       CASE WHEN w.published_by IS NOT NULL THEN pg_temp.demo_id('employee', w.published_by) END,
       'internal', w.summary, w.keywords::jsonb, pg_temp.demo_id('employee', w.author)
FROM demo_wiki w
ON CONFLICT DO NOTHING;

INSERT INTO app.d_wiki_data (tenant_id, id, wiki_id, revision_no, content_markdown, change_summary, word_count,
                             author_employee_id, created_ts)
SELECT 'demo', pg_temp.demo_id('wiki_data', w.code || '/1'), pg_temp.demo_id('wiki', w.code), 1, w.body, w.change,
       coalesce(array_length(regexp_split_to_array(btrim(w.body), '\s+'), 1), 0),
       pg_temp.demo_id('employee', w.author), coalesce(w.published::timestamptz, timestamptz '2026-11-18 10:00:00-05')
FROM demo_wiki w
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Form (1) and submissions (2). form_submission_status keys: 1 submitted, 3 approved;
-- form_approval_status keys: 0 pending, 1 approved.
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_form_head (tenant_id, id, code, slug, name, descr, tags, form_type, form_schema, created_by)
VALUES ('demo', pg_temp.demo_id('form', 'FRM-0001'), 'FRM-0001', 'site-safety-inspection', 'Site Safety Inspection',
        'Daily pre-start safety inspection filled in by the field supervisor.', '["safety"]', 'multi_step',
        '{"steps": [
            {"id": "site", "name": "site", "title": "Site", "description": "Where and when",
             "fields": [
                {"name": "site_name", "label": "Site", "type": "text", "required": true},
                {"name": "inspection_date", "label": "Inspection date", "type": "date", "required": true},
                {"name": "crew_size", "label": "Crew on site", "type": "number", "required": true, "min": 1, "max": 40}
             ]},
            {"id": "checks", "name": "checks", "title": "Safety checks", "description": "Before work starts",
             "fields": [
                {"name": "ppe_ok", "label": "All crew wear the required PPE", "type": "checkbox", "required": true},
                {"name": "fall_protection_ok", "label": "Fall protection in place where needed", "type": "checkbox", "required": true},
                {"name": "risk_rating", "label": "Overall risk", "type": "select", "required": true,
                 "options": ["low", "medium", "high"]},
                {"name": "hazards", "label": "Hazards observed", "type": "textarea", "required": false}
             ]}
         ]}'::jsonb,
        pg_temp.demo_id('employee', 'EMP-0005'))
ON CONFLICT DO NOTHING;

INSERT INTO app.d_form_data (tenant_id, id, form_id, form_version, submission_data, form_submission_status,
                             form_approval_status, submitted_by, submitted_ts, approved_by, approval_notes,
                             approved_ts, created_ts, updated_ts)
SELECT 'demo', pg_temp.demo_id('form_data', v.key), pg_temp.demo_id('form', 'FRM-0001'), 1, v.data::jsonb,
       v.sub_status, v.appr_status, pg_temp.demo_id('employee', v.who), v.ts::timestamptz,
       CASE WHEN v.approver IS NOT NULL THEN pg_temp.demo_id('employee', v.approver) END, v.notes,
       v.approved::timestamptz, v.ts::timestamptz, coalesce(v.approved, v.ts)::timestamptz
FROM (VALUES
    ('FRM-0001/1', '{"site_name": "Victoria Hospital Boiler Plant", "inspection_date": "2026-11-23", "crew_size": 5, "ppe_ok": true, "fall_protection_ok": true, "risk_rating": "medium", "hazards": "Hot surfaces near boiler #1; hoarding door must stay closed."}',
     3, 1, 'EMP-0041', '2026-11-23 07:10:00-05', 'EMP-0005'::text, 'Good. Keep the infection-control door log current.'::text, '2026-11-23 09:05:00-05'::text),
    ('FRM-0001/2', '{"site_name": "Forest City Steel Rooftop", "inspection_date": "2026-11-25", "crew_size": 6, "ppe_ok": true, "fall_protection_ok": true, "risk_rating": "high", "hazards": "Wind gusts near 35 km/h; frost on the north roof section."}',
     1, 0, 'EMP-0040', '2026-11-25 07:05:00-05', NULL, NULL, NULL)
) AS v(key, data, sub_status, appr_status, who, ts, approver, notes, approved)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Report definition (1) and e-mail templates (2)
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_reports (tenant_id, id, code, slug, name, descr, tags, report_type, report_category,
                           data_source_config, query_definition, visualization_config, chart_type, refresh_frequency,
                           created_by)
VALUES ('demo', pg_temp.demo_id('report', 'RPT-0001'), 'RPT-0001', 'open-tasks-by-stage', 'Open Tasks by Stage',
        'Count of open tasks per stage across all active projects.', '["operations"]', 'chart', 'Operations',
        '{"entity": "task"}',
        '{"group_by": ["task_stage"], "measures": [{"fn": "count"}], "filters": {"active_flag": true, "task_stage": {"not_in": [5, 6]}}}',
        '{"x": "task_stage_name", "y": "count", "color_by": "task_stage"}',
        'bar', 'manual', pg_temp.demo_id('employee', 'EMP-0005'))
ON CONFLICT DO NOTHING;

INSERT INTO app.d_email_template (tenant_id, id, code, slug, name, descr, subject, preview_text, body_markdown,
                                  body_text, template_schema, variables, from_name, from_email, reply_to_email, status)
VALUES
    ('demo', pg_temp.demo_id('email_template', 'welcome'), 'welcome', 'welcome', 'Welcome new client',
     'Sent when a new client signs a contract.', 'Welcome to Huron Home Services, {{first_name}}',
     'Your project team and what happens next',
     E'Hi {{first_name}},\n\nThank you for choosing **Huron Home Services**. Your project coordinator will call you within two business days to book a site visit.\n\nThe Huron Home Services team',
     E'Hi {{first_name}},\n\nThank you for choosing Huron Home Services. Your project coordinator will call you within two business days to book a site visit.\n\nThe Huron Home Services team',
     '{"blocks": [{"id": "b1", "type": "text", "content": "Hi {{first_name}},"}, {"id": "b2", "type": "text", "content": "Thank you for choosing Huron Home Services."}, {"id": "b3", "type": "button", "content": "Visit your client page", "properties": {"href": "{{portal_url}}"}}], "globalStyles": {"backgroundColor": "#FFFFFF", "fontFamily": "Arial, sans-serif", "maxWidth": "600px"}}',
     '["first_name", "portal_url"]', 'Huron Home Services', 'hello@huronhome.ca', 'office@huronhome.ca', 'published'),
    ('demo', pg_temp.demo_id('email_template', 'service-feedback'), 'service-feedback', 'service-feedback',
     'Service feedback request', 'Asks the client to rate a completed job.', 'How did we do at {{site_name}}?',
     'Two minutes to tell us about your service',
     E'Hi {{first_name}},\n\nOur crew finished the work at {{site_name}}. Could you rate the service? It takes two minutes.\n\nThank you!',
     E'Hi {{first_name}},\n\nOur crew finished the work at {{site_name}}. Could you rate the service? It takes two minutes.\n\nThank you!',
     '{"blocks": [{"id": "b1", "type": "text", "content": "Hi {{first_name}},"}, {"id": "b2", "type": "button", "content": "Rate the service", "properties": {"href": "{{feedback_url}}"}}], "globalStyles": {"backgroundColor": "#FFFFFF", "fontFamily": "Arial, sans-serif", "maxWidth": "600px"}}',
     '["first_name", "site_name", "feedback_url"]', 'Huron Home Services', 'hello@huronhome.ca', 'office@huronhome.ca', 'draft')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Links (d_entity_id_map), only allowed type pairs:
--   office -> employee, role -> employee (assigned_to), business/office/client -> project,
--   project -> task, task -> employee (assigned_to), project/office -> wiki, project -> form,
--   order -> invoice, order -> shipment
-- Link id = demo_id('link', '<parent id>><child id>').
-- ---------------------------------------------------------------------------------------------

CREATE TEMP TABLE demo_link (
    parent_type text, parent_id uuid, child_type text, child_id uuid, relationship text
) ON COMMIT DROP;

-- Every employee belongs to exactly one office.
INSERT INTO demo_link
SELECT 'office', pg_temp.demo_id('office', 'OFF-HQ'), 'employee', pg_temp.demo_id('employee', c), 'contains'
FROM unnest(ARRAY['EMP-0001', 'EMP-0002', 'EMP-0003', 'EMP-0004', 'EMP-0005']) AS c
UNION ALL
SELECT 'office', pg_temp.demo_id('office', pg_temp.demo_office_of(i)), 'employee',
       pg_temp.demo_id('employee', pg_temp.demo_emp_code(i)), 'contains'
FROM generate_series(1, 500) AS i;

-- Every employee holds exactly one role.
INSERT INTO demo_link
SELECT 'role', pg_temp.demo_id('role', v.role), 'employee', pg_temp.demo_id('employee', v.emp), 'assigned_to'
FROM (VALUES ('EMP-0001', 'CEO'), ('EMP-0002', 'COO'), ('EMP-0003', 'CTO'), ('EMP-0004', 'SVP'),
             ('EMP-0005', 'COORD-PROJ')) AS v(emp, role)
UNION ALL
SELECT 'role', pg_temp.demo_id('role', pg_temp.demo_role_of(i)), 'employee',
       pg_temp.demo_id('employee', pg_temp.demo_emp_code(i)), 'assigned_to'
FROM generate_series(1, 500) AS i;

-- Project parents: its department (business), its branch office and its client.
INSERT INTO demo_link
SELECT 'business', pg_temp.demo_id('business', p.biz), 'project', pg_temp.demo_id('project', p.code), 'contains'
FROM demo_project p
UNION ALL
SELECT 'office', pg_temp.demo_id('office', p.office), 'project', pg_temp.demo_id('project', p.code), 'contains'
FROM demo_project p
UNION ALL
SELECT 'client', pg_temp.demo_id('client', p.client), 'project', pg_temp.demo_id('project', p.code), 'contains'
FROM demo_project p;

-- Every task belongs to exactly one project.
INSERT INTO demo_link
SELECT 'project', pg_temp.demo_id('project', t.project), 'task', pg_temp.demo_id('task', t.code), 'contains'
FROM demo_task t;

-- Assignees: 1-2 per task, from the project's trade and branch office. The first assignee is a field
-- technician; tasks whose number is not a multiple of 3 also get a lead (senior technician or supervisor).
WITH crew AS (
    SELECT i, pg_temp.demo_role_of(i) AS role_code, pg_temp.demo_trade_of(i) AS trade,
           pg_temp.demo_office_of(i) AS office
    FROM generate_series(11, 360) AS i
), techs AS (
    SELECT c.*, row_number() OVER (PARTITION BY trade, office ORDER BY i) AS rn,
           count(*) OVER (PARTITION BY trade, office) AS cnt
    FROM crew c WHERE role_code = 'TECH-FIELD'
), leads AS (
    SELECT c.*, row_number() OVER (PARTITION BY trade, office ORDER BY i) AS rn,
           count(*) OVER (PARTITION BY trade, office) AS cnt
    FROM crew c WHERE role_code IN ('TECH-SR', 'SUP-FIELD')
), tp AS (
    SELECT t.code, t.n, p.office,
           CASE p.biz WHEN 'BIZ-HVAC' THEN 'HVAC' WHEN 'BIZ-PLUMB' THEN 'Plumbing'
                      WHEN 'BIZ-LAND' THEN 'Landscaping & Snow' ELSE 'Solar & Electrical' END AS trade
    FROM demo_task t JOIN demo_project p ON p.code = t.project
)
INSERT INTO demo_link
SELECT 'task', pg_temp.demo_id('task', tp.code), 'employee', pg_temp.demo_id('employee', pg_temp.demo_emp_code(x.i)),
       'assigned_to'
FROM tp
JOIN techs x ON x.trade = tp.trade AND x.office = tp.office AND x.rn = 1 + (tp.n * 7) % x.cnt
UNION ALL
SELECT 'task', pg_temp.demo_id('task', tp.code), 'employee', pg_temp.demo_id('employee', pg_temp.demo_emp_code(x.i)),
       'assigned_to'
FROM tp
JOIN leads x ON x.trade = tp.trade AND x.office = tp.office AND x.rn = 1 + (tp.n * 5) % x.cnt
WHERE tp.n % 3 <> 0;

-- Content and operations.
INSERT INTO demo_link VALUES
    ('office',  pg_temp.demo_id('office', 'OFF-HQ'),    'wiki',     pg_temp.demo_id('wiki', 'WIKI-0001'),         'contains'),
    ('office',  pg_temp.demo_id('office', 'OFF-HQ'),    'wiki',     pg_temp.demo_id('wiki', 'WIKI-0002'),         'contains'),
    ('project', pg_temp.demo_id('project', 'PRJ-0003'), 'wiki',     pg_temp.demo_id('wiki', 'WIKI-0003'),         'contains'),
    ('project', pg_temp.demo_id('project', 'PRJ-0001'), 'form',     pg_temp.demo_id('form', 'FRM-0001'),          'contains'),
    ('project', pg_temp.demo_id('project', 'PRJ-0005'), 'form',     pg_temp.demo_id('form', 'FRM-0001'),          'contains'),
    ('order',   pg_temp.demo_id('order', 'ORD-2026-0001'), 'invoice',  pg_temp.demo_id('invoice', 'INV-2026-0001'),  'contains'),
    ('order',   pg_temp.demo_id('order', 'ORD-2026-0002'), 'invoice',  pg_temp.demo_id('invoice', 'INV-2026-0002'),  'contains'),
    ('order',   pg_temp.demo_id('order', 'ORD-2026-0003'), 'invoice',  pg_temp.demo_id('invoice', 'INV-2026-0003'),  'contains'),
    ('order',   pg_temp.demo_id('order', 'ORD-2026-0001'), 'shipment', pg_temp.demo_id('shipment', 'SHP-2026-0001'), 'contains'),
    ('order',   pg_temp.demo_id('order', 'ORD-2026-0002'), 'shipment', pg_temp.demo_id('shipment', 'SHP-2026-0002'), 'contains'),
    ('order',   pg_temp.demo_id('order', 'ORD-2026-0003'), 'shipment', pg_temp.demo_id('shipment', 'SHP-2026-0003'), 'contains');

INSERT INTO app.d_entity_id_map (tenant_id, id, parent_entity_type, parent_entity_id, child_entity_type,
                                 child_entity_id, relationship_type, created_by)
SELECT 'demo', pg_temp.demo_id('link', l.parent_id::text || '>' || l.child_id::text), l.parent_type, l.parent_id,
       l.child_type, l.child_id, l.relationship, pg_temp.demo_id('employee', 'EMP-0001')
FROM demo_link l
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Task updates (d_task_data), authored by the task's assignee or the project manager.
-- task_update_type keys: 0 comment, 1 status_change, 2 assignment, 6 priority_change, 7 hours_logged.
-- ---------------------------------------------------------------------------------------------

WITH first_assignee AS (
    SELECT DISTINCT ON (t.code) t.code, e.id AS employee_id
    FROM demo_task t
    JOIN app.d_entity_id_map m ON m.tenant_id = 'demo' AND m.parent_entity_type = 'task'
     AND m.parent_entity_id = pg_temp.demo_id('task', t.code) AND m.child_entity_type = 'employee' AND m.active_flag
    JOIN app.d_employee e ON e.tenant_id = 'demo' AND e.id = m.child_entity_id
    ORDER BY t.code, e.code
)
INSERT INTO app.d_task_data (tenant_id, id, task_id, author_employee_id, task_update_type, body_markdown,
                             hours_logged, stage_from, stage_to, metadata, created_ts, updated_ts)
SELECT 'demo', pg_temp.demo_id('task_data', v.task || '/' || v.seq), pg_temp.demo_id('task', v.task),
       coalesce(pg_temp.demo_id('employee', v.author), fa.employee_id),
       v.utype, v.body, v.hours, v.sfrom, v.sto, '{}'::jsonb, v.ts::timestamptz, v.ts::timestamptz
FROM (VALUES
    ('TSK-0001', 1, 'EMP-0005'::text, 0, 'Survey done with the LHSC facilities team. Boiler room access only through the east corridor.', NULL::numeric, NULL::integer, NULL::integer, '2026-09-22 15:30:00-04'),
    ('TSK-0003', 1, NULL,             1, 'Started isolating boiler #2.',                                                         NULL,  1,    2,    '2026-11-16 08:05:00-05'),
    ('TSK-0003', 2, NULL,             7, 'Drained the loop and disconnected the flue.',                                          6.50,  NULL, NULL, '2026-11-16 16:10:00-05'),
    ('TSK-0003', 3, NULL,             0, 'Need a second pair of hands for the burner assembly tomorrow.',                        NULL,  NULL, NULL, '2026-11-16 16:20:00-05'),
    ('TSK-0006', 1, 'EMP-0005',       6, 'Raised to **urgent**: infection control requires the hoarding before any demolition.', NULL,  NULL, NULL, '2026-11-12 10:00:00-05'),
    ('TSK-0029', 1, 'EMP-0005',       1, 'Blocked: ESA inspection cannot be booked until London Hydro approves the connection.', NULL,  2,    4,    '2026-11-20 11:45:00-05'),
    ('TSK-0052', 1, 'EMP-0034',       2, 'Crew re-assigned to other jobs while the incentive application (TSK-0051) is pending.',                              NULL,  NULL, NULL, '2026-10-30 09:30:00-04')
) AS v(task, seq, author, utype, body, hours, sfrom, sto, ts)
LEFT JOIN first_assignee fa ON fa.code = v.task
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Entity registry: one row per entity instance of every seeded table (types = app.entity_type).
-- ---------------------------------------------------------------------------------------------

CREATE TEMP TABLE demo_registry (entity_type text, entity_id uuid, name text, code text, slug text, active_flag boolean)
ON COMMIT DROP;

INSERT INTO demo_registry
          SELECT 'employee',  id, name, code, slug, active_flag FROM app.d_employee       WHERE tenant_id = 'demo'
UNION ALL SELECT 'office',    id, name, code, slug, active_flag FROM app.d_office         WHERE tenant_id = 'demo'
UNION ALL SELECT 'business',  id, name, code, slug, active_flag FROM app.d_business       WHERE tenant_id = 'demo'
UNION ALL SELECT 'client',    id, name, code, slug, active_flag FROM app.d_client         WHERE tenant_id = 'demo'
UNION ALL SELECT 'role',      id, name, code, slug, active_flag FROM app.d_role           WHERE tenant_id = 'demo'
UNION ALL SELECT 'position',  id, name, code, slug, active_flag FROM app.d_position       WHERE tenant_id = 'demo'
UNION ALL SELECT 'worksite',  id, name, code, slug, active_flag FROM app.d_worksite       WHERE tenant_id = 'demo'
UNION ALL SELECT 'project',   id, name, code, slug, active_flag FROM app.d_project        WHERE tenant_id = 'demo'
UNION ALL SELECT 'task',      id, name, code, slug, active_flag FROM app.d_task           WHERE tenant_id = 'demo'
UNION ALL SELECT 'artifact',  id, name, code, slug, active_flag FROM app.d_artifact       WHERE tenant_id = 'demo'
UNION ALL SELECT 'wiki',      id, name, code, slug, active_flag FROM app.d_wiki           WHERE tenant_id = 'demo'
UNION ALL SELECT 'form',      id, name, code, slug, active_flag FROM app.d_form_head      WHERE tenant_id = 'demo'
UNION ALL SELECT 'report',    id, name, code, slug, active_flag FROM app.d_reports        WHERE tenant_id = 'demo'
UNION ALL SELECT 'product',   id, name, code, slug, active_flag FROM app.d_product        WHERE tenant_id = 'demo'
UNION ALL SELECT 'inventory', id, name, code, slug, active_flag FROM app.d_inventory      WHERE tenant_id = 'demo'
UNION ALL SELECT 'order',     id, name, code, slug, active_flag FROM app.d_order          WHERE tenant_id = 'demo'
UNION ALL SELECT 'shipment',  id, name, code, slug, active_flag FROM app.d_shipment       WHERE tenant_id = 'demo'
UNION ALL SELECT 'invoice',   id, name, code, slug, active_flag FROM app.d_invoice        WHERE tenant_id = 'demo';

INSERT INTO app.d_entity_instance_id AS r (tenant_id, entity_type, entity_id, name, code, slug, active_flag)
SELECT 'demo', g.entity_type, g.entity_id, g.name, g.code, g.slug, g.active_flag
FROM demo_registry g
ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE
    SET name = EXCLUDED.name, code = EXCLUDED.code, slug = EXCLUDED.slug, active_flag = EXCLUDED.active_flag,
        updated_ts = now()
    WHERE (r.name, r.code, r.slug, r.active_flag)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.code, EXCLUDED.slug, EXCLUDED.active_flag);

-- ---------------------------------------------------------------------------------------------
-- Sample grants (d_entity_id_rbac_map). James Miller is tenant admin and needs none.
-- Levels: 0 View, 1 Edit, 2 Share, 3 Delete, 4 Create.
-- ---------------------------------------------------------------------------------------------

INSERT INTO app.d_entity_id_rbac_map (tenant_id, id, grantee_type, grantee_id, entity_type, entity_id, permission,
                                      cascade_flag, granted_by, granted_ts)
SELECT 'demo', pg_temp.demo_id('grant', v.key), v.gtype, v.grantee, v.etype, v.eid, v.perm::smallint[], v.cascade,
       pg_temp.demo_id('employee', 'EMP-0001'), timestamptz '2026-09-01 09:00:00-04'
FROM (VALUES
    -- Senior Project Manager (mark.lavoie@huronhome.ca): full control of his two projects and everything under them.
    ('EMP-0005/project/PRJ-0001', 'employee', pg_temp.demo_id('employee', 'EMP-0005'), 'project',
     pg_temp.demo_id('project', 'PRJ-0001'), '{0,1,2,3,4}', true),
    ('EMP-0005/project/PRJ-0005', 'employee', pg_temp.demo_id('employee', 'EMP-0005'), 'project',
     pg_temp.demo_id('project', 'PRJ-0005'), '{0,1,2,3,4}', true),
    -- ... and View on every client.
    ('EMP-0005/client/all',       'employee', pg_temp.demo_id('employee', 'EMP-0005'), 'client', NULL::uuid, '{0}', false),
    -- Role COORD-PROJ (project coordinators, and the Senior PM): View on every project and task.
    ('COORD-PROJ/project/all',    'role',     pg_temp.demo_id('role', 'COORD-PROJ'),   'project', NULL,        '{0}', false),
    ('COORD-PROJ/task/all',       'role',     pg_temp.demo_id('role', 'COORD-PROJ'),   'task',    NULL,        '{0}', false),
    -- A field technician: View + Edit on the one task he works on (TSK-0003), no cascade.
    ('TECH/task/TSK-0003',        'employee',
     (SELECT m.child_entity_id FROM app.d_entity_id_map m JOIN app.d_employee e
        ON e.tenant_id = m.tenant_id AND e.id = m.child_entity_id
       JOIN app.d_entity_id_map rm ON rm.tenant_id = m.tenant_id AND rm.parent_entity_type = 'role'
        AND rm.parent_entity_id = pg_temp.demo_id('role', 'TECH-FIELD') AND rm.child_entity_type = 'employee'
        AND rm.child_entity_id = e.id AND rm.active_flag
      WHERE m.tenant_id = 'demo' AND m.parent_entity_type = 'task' AND m.child_entity_type = 'employee'
        AND m.parent_entity_id = pg_temp.demo_id('task', 'TSK-0003') AND m.active_flag
      ORDER BY e.code LIMIT 1),
     'task', pg_temp.demo_id('task', 'TSK-0003'), '{0,1}', false)
) AS v(key, gtype, grantee, etype, eid, perm, cascade)
ON CONFLICT DO NOTHING;
