import { didYouMean } from '../suggest.js';
import type { TemplateSet } from '../mail/templates.js';
import type { ProcedureConfig } from './schema.js';

/** What the schema cannot see: the rotation, targets, testers and templates a procedure names exist. */
export function procedureProblems(procedures: Record<string, ProcedureConfig>, env: { people: Record<string, unknown>; rotations: Record<string, unknown>; builds: Record<string, unknown>; templates: TemplateSet }): string[] {
  const problems: string[] = [];
  const known = (what: string, name: string, pool: Record<string, unknown>) =>
    `"${name}" is not in ${what}:${didYouMean(name, Object.keys(pool)) || (Object.keys(pool).length ? ` (configured: ${Object.keys(pool).join(', ')})` : '')}`;
  for (const [name, p] of Object.entries(procedures)) {
    const at = `procedures.${name}.phases`;
    const { assign, build, test, publish } = p.phases;
    if (assign) {
      if (!(assign.rotation in env.rotations)) problems.push(`${at}.assign.rotation: ${known('rotations', assign.rotation, env.rotations)}`);
      for (const [kind, t] of Object.entries(assign.templates)) {
        if (!env.templates.has(t)) problems.push(`${at}.assign.templates.${kind}: no template "${t}"${didYouMean(t, env.templates.names())}`);
      }
    }
    build?.targets.forEach((t, i) => {
      if (!(t in env.builds)) problems.push(`${at}.build.targets[${i}]: ${known('builds', t, env.builds)}`);
    });
    test?.testers.forEach((t, i) => {
      if (!(t in env.people)) problems.push(`${at}.test.testers[${i}]: ${known('people', t, env.people)}`);
    });
    if (test && test.testers.length > 0 && test.approvals > test.testers.length) problems.push(`${at}.test.approvals: ${test.approvals} approvals from ${test.testers.length} tester${test.testers.length === 1 ? '' : 's'} can never be reached`);
    if (publish?.repo?.format === 'apt' && !publish.repo.suite) problems.push(`${at}.publish.repo.suite: is required with format apt`);
  }
  return problems;
}
