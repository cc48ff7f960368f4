import type { PersonRef } from '../domain.js';

/** The roles a recipient may name, resolved when the mail is rendered. */
export const ROLES = ['release_manager', 'support_person', 'testers', 'escalation'] as const;
export type Role = typeof ROLES[number];

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

export interface RoleHolders {
  release_manager: PersonRef | null;
  support_person: PersonRef | null;
  testers: PersonRef[];
  /** Whom a release.overdue reminder names (the release manager, then the support person, then the rotation). */
  escalation: PersonRef[];
  rotation(name: string): PersonRef[] | undefined;
}

/** A recipient entry as the config has it: an address, a person, a role, or rotation:NAME. */
export function recipientProblem(r: string, people: Record<string, unknown>, rotations: Record<string, unknown>): string | undefined {
  if (EMAIL.test(r) || r in people || (ROLES as readonly string[]).includes(r)) return undefined;
  if (r.startsWith('rotation:')) return r.slice(9) in rotations ? undefined : `"${r}": no rotation "${r.slice(9)}" in rotations:`;
  return `"${r}" is neither an email address, a person in people:, a role (${ROLES.join(', ')}) nor rotation:NAME`;
}

/**
 * People and plain addresses, deduplicated. A role nobody holds yet (no
 * release manager before the rotation found one) resolves to nobody, and
 * the caller says so.
 */
export function resolveRecipients(list: string[], people: Record<string, { name: string; email: string }>, roles: RoleHolders): { people: PersonRef[]; addresses: string[]; unresolved: string[] } {
  const out = new Map<string, PersonRef>();
  const addresses = new Set<string>();
  const unresolved: string[] = [];
  const add = (p: PersonRef | null | undefined) => { if (p && p.email) out.set(p.id, p); };
  for (const r of list) {
    const person = people[r];
    if (person) add({ id: r, name: person.name, email: person.email });
    else if (r === 'release_manager' || r === 'support_person') {
      if (roles[r]) add(roles[r]); else unresolved.push(r);
    } else if (r === 'testers' || r === 'escalation') {
      if (roles[r].length) roles[r].forEach(add); else unresolved.push(r);
    } else if (r.startsWith('rotation:')) {
      const members = roles.rotation(r.slice(9));
      if (members?.length) members.forEach(add); else unresolved.push(r);
    } else addresses.add(r);
  }
  // A person also named by address gets one copy: their own.
  const own = new Set([...out.values()].map((p) => p.email.toLowerCase()));
  return { people: [...out.values()], addresses: [...addresses].filter((a) => !own.has(a.toLowerCase())), unresolved };
}
