import { canCreate, canShareSomething, isTenantAdmin, type PermissionSummary, recordLevels, typeLevels } from './permissions';

const summary = (over: Partial<PermissionSummary> = {}): PermissionSummary => ({
  tenant_admin: false,
  types: [{ entity_type: 'task', levels: ['edit', 'create'] }],
  instance_grants: [{ entity_type: 'project', entity_id: 'p1', levels: ['edit'], cascade: true }],
  ...over,
});

describe('permissions', () => {
  it('admins hold every level on every type', () => {
    expect(canCreate(summary({ tenant_admin: true }), 'invoice')).toBe(true);
    expect([...typeLevels(summary({ tenant_admin: true }), 'wiki')].sort()).toEqual(['create', 'delete', 'edit', 'share', 'view']);
  });

  it('any level implies view', () => {
    expect([...typeLevels(summary(), 'task')].sort()).toEqual(['create', 'edit', 'view']);
  });

  it('hides create while permissions are unknown or missing for the type', () => {
    expect(canCreate(undefined, 'task')).toBe(false);
    expect(canCreate(summary(), 'project')).toBe(false);
    expect(canCreate(summary(), 'task')).toBe(true);
  });

  it("prefers a record's own _permissions", () => {
    const levels = recordLevels({ id: 'x', _permissions: ['view'] }, summary({ tenant_admin: true }), 'task');
    expect([...levels]).toEqual(['view']);
  });

  it('falls back to type levels plus instance grants', () => {
    expect([...recordLevels({ id: 'p1' }, summary(), 'project')].sort()).toEqual(['edit', 'view']);
    expect([...recordLevels({ id: 'p2' }, summary(), 'project')]).toEqual([]);
    expect([...recordLevels(undefined, undefined, 'project')]).toEqual([]);
  });

  it('offers the admin pages only to administrators and sharers', () => {
    expect(isTenantAdmin(undefined)).toBe(false);
    expect(isTenantAdmin(summary({ tenant_admin: true }))).toBe(true);
    expect(canShareSomething(undefined)).toBe(false);
    expect(canShareSomething(summary())).toBe(false);
    expect(canShareSomething(summary({ tenant_admin: true }))).toBe(true);
    expect(canShareSomething(summary({ types: [{ entity_type: 'client', levels: ['share'] }] }))).toBe(true);
    expect(
      canShareSomething(summary({ instance_grants: [{ entity_type: 'project', entity_id: 'p1', levels: ['view', 'share'], cascade: false }] })),
    ).toBe(true);
  });
});
