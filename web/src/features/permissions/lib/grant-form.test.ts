import { ApiError } from '@/lib/api-client';
import { EMPTY_GRANT_FORM, type GrantFormValues, endOfDay, grantRefusal, grantRequestBody } from './grant-form';
import { EMPTY_FILTER, grantListQuery } from './grant-filter';
import { describeGrant } from './grant-text';

const EMP = '3bb2c14e-f2b3-4b27-5e54-a7d63d01e66e';
const PROJECT = 'd5b0eaca-1ae6-6b66-1cf7-52c682a1d59f';
const form = (over: Partial<GrantFormValues>): GrantFormValues => ({ ...EMPTY_GRANT_FORM, ...over });

describe('grant form → request body', () => {
  it('grants on every instance: no entity id, no cascade', () => {
    const { body, errors } = grantRequestBody(form({ granteeId: EMP, entityType: 'client', levels: ['view', 'edit'], cascade: true }));
    expect(errors).toEqual({});
    expect(body).toEqual({ grantee_type: 'employee', grantee_id: EMP, entity_type: 'client', levels: [0, 1] });
  });

  it('grants on one instance with cascade, levels as numbers in order', () => {
    const { body } = grantRequestBody(
      form({
        granteeType: 'role',
        granteeId: EMP,
        entityType: 'project',
        scope: 'instance',
        entityId: PROJECT,
        levels: ['create', 'view', 'share'],
        cascade: true,
      }),
    );
    expect(body).toEqual({
      grantee_type: 'role',
      grantee_id: EMP,
      entity_type: 'project',
      entity_id: PROJECT,
      cascade: true,
      levels: [0, 2, 4],
    });
  });

  it('sends the expiry as the end of the chosen day', () => {
    const { body } = grantRequestBody(form({ granteeId: EMP, entityType: 'task', expiresOn: '2027-12-31' }));
    expect(body?.expires_ts).toBe(new Date('2027-12-31T23:59:59').toISOString());
    expect(endOfDay('31/12/2027')).toBeNull();
  });

  it('names what is missing, under the fields the API names', () => {
    const { body, errors } = grantRequestBody(form({ scope: 'instance', levels: [], expiresOn: 'soon' }));
    expect(body).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['entity_id', 'entity_type', 'expires_ts', 'grantee_id', 'levels']);
    expect(grantRequestBody(form({ granteeType: 'role' })).errors['grantee_id']).toBe('Choose a role.');
  });
});

describe('refused grants', () => {
  it('explains a 403 in words, passes other messages on', () => {
    const forbidden = new ApiError(403, { code: 'forbidden', message: 'sharing this client needs the Share level' });
    expect(grantRefusal(forbidden)).toBe(
      'Not allowed: sharing this client needs the Share level. You can grant only levels you hold, on records you may share.',
    );
    expect(grantRefusal(new ApiError(422, { code: 'validation_failed', message: 'the grant is invalid' }))).toBe('the grant is invalid');
    expect(grantRefusal(new TypeError('fetch failed'))).toMatch(/connection/);
  });
});

describe('grant list query', () => {
  it('administrators list everything, or what the filter names', () => {
    expect(grantListQuery(EMPTY_FILTER, { admin: true, me: EMP, cursor: null })).toEqual({ limit: 50 });
    expect(
      grantListQuery(
        { granteeType: 'employee', granteeId: EMP, entityType: 'project', entityId: null },
        { admin: true, me: 'x', cursor: 'c1' },
      ),
    ).toEqual({ limit: 50, cursor: 'c1', grantee_type: 'employee', grantee_id: EMP, entity_type: 'project' });
  });

  it('others see their own grants unless they name one instance', () => {
    expect(grantListQuery({ ...EMPTY_FILTER, entityType: 'project' }, { admin: false, me: EMP, cursor: null })).toEqual({
      limit: 50,
      grantee_type: 'employee',
      grantee_id: EMP,
    });
    expect(
      grantListQuery({ ...EMPTY_FILTER, entityType: 'project', entityId: PROJECT }, { admin: false, me: EMP, cursor: null }),
    ).toEqual({ limit: 50, entity_type: 'project', entity_id: PROJECT });
  });
});

describe('grant text', () => {
  it('describes a grant in one sentence', () => {
    const label = (type: string, plural = false) => (plural ? `${type}s` : type);
    const grant = {
      id: 'g',
      grantee_type: 'role' as const,
      grantee_id: 'r',
      grantee_name: 'Project Coordinator',
      entity_type: 'project' as const,
      entity_id: null,
      levels: ['view' as const],
      cascade: false,
      granted_ts: '2026-01-01T00:00:00Z',
    };
    expect(describeGrant(grant, label)).toBe('Everyone in the role Project Coordinator holds view on all projects.');
    expect(describeGrant({ ...grant, grantee_type: 'employee', grantee_name: 'Sarah Chen', entity_id: PROJECT, entity_name: 'Solar', cascade: true }, label)).toBe(
      'Sarah Chen holds view on project Solar (and linked records).',
    );
  });
});
