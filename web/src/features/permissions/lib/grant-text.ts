import type { Grant } from '../api/get-grants';

/** What a grant reaches, e.g. "all projects" or "project Solar Roof (and linked records)". */
export function grantTarget(grant: Grant, typeLabel: (type: string, plural?: boolean) => string): string {
  if (!grant.entity_id) return `all ${typeLabel(grant.entity_type, true).toLowerCase()}`;
  const name = grant.entity_name ?? grant.entity_id;
  return `${typeLabel(grant.entity_type).toLowerCase()} ${name}${grant.cascade ? ' (and linked records)' : ''}`;
}

export function granteeText(grant: Grant): string {
  const name = grant.grantee_name ?? grant.grantee_id;
  return grant.grantee_type === 'role' ? `everyone in the role ${name}` : name;
}

/** One sentence for confirmations: "Sarah Chen holds view, edit on project Solar Roof." */
export function describeGrant(grant: Grant, typeLabel: (type: string, plural?: boolean) => string): string {
  const who = granteeText(grant);
  return `${who.charAt(0).toUpperCase()}${who.slice(1)} holds ${grant.levels.join(', ')} on ${grantTarget(grant, typeLabel)}.`;
}
