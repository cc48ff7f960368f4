import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import * as z from '../zod.js';
import { HeraldError, errorMessage } from '../errors.js';
import { isCredentialRef } from '../secrets.js';
import { TemplateSet } from '../mail/templates.js';
import { actionByName, actionFiles, actions } from '../rules/actions/registry.js';
import { didYouMean } from '../suggest.js';
import { sourceById, sources } from '../sources/registry.js';
import { configSchema, type Config, type RuleConfig } from './schema.js';
import { parseComparison } from '../rules/match.js';
import { schemeFor, validateVersion } from '../versions/index.js';

import { defaultConfigObject } from './default.js';
import { rotationProblems } from '../rotation/check.js';
import { procedureProblems } from '../procedure/check.js';
import { targetProblems } from '../builds/tracker.js';

export const SYSTEM_CONFIG = '/etc/kernel-herald/config.yaml';

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or "(built-in default)". */
  origin: string;
  templates: TemplateSet;
}

/** `--config`, else $KERNEL_HERALD_CONFIG, else the system file if present, else the built-in default. */
export function resolveConfigPath(explicit?: string): string | undefined {
  if (explicit) return explicit;
  if (process.env.KERNEL_HERALD_CONFIG) return process.env.KERNEL_HERALD_CONFIG;
  if (existsSync(SYSTEM_CONFIG)) return SYSTEM_CONFIG;
  return undefined;
}

export function loadConfig(explicit?: string): LoadedConfig {
  const path = resolveConfigPath(explicit);
  if (!path) return fromObject(defaultConfigObject(), '(built-in default)', process.cwd());
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HeraldError('ECONFIG', `${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: path });
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, path: string): LoadedConfig {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${path}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new HeraldError('ECONFIG', `invalid YAML\n${lines.join('\n')}`, { file: path });
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HeraldError('ECONFIG', `${path}: the top level must be a mapping of keys (state_dir, mail, watchers, rules...)`, { file: path });
  }
  return fromObject(raw, path, dirname(resolve(path)));
}

/**
 * Validation in one report: the schema (shapes, unknown keys) and what needs
 * the whole (ids, templates, references). When the schema fails, the
 * references are still checked on the parts that passed it, so an operator
 * fixes everything in one round, not two.
 */
export function fromObject(raw: unknown, origin: string, baseDir: string): LoadedConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = formatIssues(parsed.error.issues);
    problems.push(...lenientProblems(raw, baseDir).filter((p) => !problems.includes(p)));
    throw configError(origin, problems);
  }
  const config = parsed.data as Config;
  const templates = finish(config, baseDir);
  const problems = semanticProblems(config, templates);
  if (problems.length > 0) throw configError(origin, problems);
  return { config, origin, templates };
}

/** Paths made absolute against the config's folder; the template set. */
function finish(config: Config, baseDir: string): TemplateSet {
  config.state_dir = resolvePath(baseDir, config.state_dir);
  if (config.templates_dir) config.templates_dir = resolvePath(baseDir, config.templates_dir);
  if (config.mail.dir) config.mail.dir = resolvePath(baseDir, config.mail.dir);
  if (config.mail.smtp?.password_file) config.mail.smtp.password_file = resolvePath(baseDir, config.mail.smtp.password_file);
  if (config.http !== 'off' && config.http.token_file) config.http.token_file = resolvePath(baseDir, config.http.token_file);
  for (const w of config.watchers) {
    if (w.type !== 'imap') continue;
    w.password_file = resolvePath(baseDir, w.password_file);
    if (w.ca_file) w.ca_file = resolvePath(baseDir, w.ca_file);
  }
  for (const f of actionFiles(config.rules)) f.set(resolvePath(baseDir, f.ref));
  for (const t of Object.values(config.builds) as Record<string, unknown>[]) {
    for (const key of ['token_file', 'api_token_file', 'cwd']) if (typeof t[key] === 'string') t[key] = resolvePath(baseDir, t[key]);
  }
  return TemplateSet.withShipped(config.templates_dir);
}

/**
 * The whole-config checks over what passed the schema: each section, and
 * each watcher, rule, person, rotation and build target on its own. Problems
 * that only follow from a part that failed (a reference to a person whose
 * entry is broken) are left out: the schema problem already names it.
 */
function lenientProblems(raw: unknown, baseDir: string): string[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const obj = raw as Record<string, unknown>;
  const shape = configSchema.shape as Record<string, z.ZodType>;
  const keep: Record<string, unknown> = {};
  const failed: string[] = [];
  const dropped = new Set<string>();
  const indexMap: Record<string, number[]> = {};
  const passes = (key: string, value: unknown) => z.object({ [key]: shape[key]! }).safeParse({ [key]: value }).success;
  for (const key of Object.keys(shape)) {
    if (!(key in obj)) continue;
    const value = obj[key];
    if ((key === 'watchers' || key === 'rules') && Array.isArray(value)) {
      keep[key] = [];
      indexMap[key] = [];
      value.forEach((el, i) => {
        if (passes(key, [el])) { (keep[key] as unknown[]).push(el); indexMap[key]!.push(i); } else {
          const id = (el as { id?: unknown } | null)?.id;
          if (typeof id === 'string') dropped.add(id);
        }
      });
    } else if ((key === 'people' || key === 'rotations' || key === 'builds' || key === 'procedures') && value && typeof value === 'object' && !Array.isArray(value)) {
      keep[key] = Object.fromEntries(Object.entries(value).filter(([name, v]) => {
        const ok = passes(key, { [name]: v });
        if (!ok) dropped.add(name);
        return ok;
      }));
    } else if (passes(key, value)) keep[key] = value;
    else failed.push(key);
  }
  // A broken mail section still lets the rest be checked.
  if (!('mail' in keep)) keep.mail = { from: 'kernel-herald@localhost' };
  const second = configSchema.safeParse(keep);
  if (!second.success) return [];
  const config = second.data as Config;
  const problems = semanticProblems(config, finish(config, baseDir));
  const remap = (p: string) => p.replace(/^(watchers|rules)\[(\d+)\]/, (_m, k: string, i: string) => `${k}[${indexMap[k]?.[Number(i)] ?? i}]`);
  return problems
    .filter((p) => !failed.some((f) => p.startsWith(f)) && ![...dropped].some((name) => p.includes(`"${name}"`)))
    .map(remap);
}

function resolvePath(base: string, p: string): string {
  return isAbsolute(p) || isCredentialRef(p) ? p : resolve(base, p);
}

function configError(origin: string, problems: string[]): HeraldError {
  return new HeraldError('ECONFIG', `${origin}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  ${p}`).join('\n')}`, { file: origin, problems });
}

let vocabulary: Set<string> | undefined;

/** Every key the config (and each action) knows, for "did you mean" on an unknown one. */
function knownKeys(): Set<string> {
  if (vocabulary) return vocabulary;
  const keys = new Set<string>();
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) keys.add(k);
    for (const v of Object.values(o)) walk(v);
  };
  for (const schema of [configSchema, ...actions.map((a) => a.schema)]) walk(z.toJSONSchema(schema as z.ZodType, { unrepresentable: 'any', io: 'input' }));
  for (const a of actions) keys.add(a.name);
  vocabulary = keys;
  return keys;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(top level)';
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(`${formatPath([...issue.path, key])}: unknown key${didYouMean(key, knownKeys())}`);
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = 'is required';
    else if (issue.code === 'invalid_type') message = `must be ${issue.expected}`;
    else if (issue.code === 'invalid_value' && 'values' in issue) message = `must be one of: ${issue.values.map(String).join(', ')}`;
    out.push(`${formatPath(issue.path)}: ${message}`);
  }
  return out;
}

/** A version comparison must parse in the scheme of every distro the rule is for. */
function versionConditionProblems(rule: RuleConfig, at: string): string[] {
  const problems: string[] = [];
  const distros = rule.when.distro === undefined ? [] : (Array.isArray(rule.when.distro) ? rule.when.distro : [rule.when.distro]).map(String);
  for (const [key, cond] of Object.entries(rule.when)) {
    const comparisons = (Array.isArray(cond) ? cond : [cond]).map(parseComparison).filter((c) => c !== undefined);
    if (comparisons.length === 0) continue;
    if (distros.length === 0) {
      problems.push(`${at}.when.${key}: a version comparison needs distro: in the same rule, to know its version scheme`);
      continue;
    }
    for (const distro of distros) {
      const scheme = schemeFor(distro);
      if (!scheme) { problems.push(`${at}.when.distro: no version scheme is known for "${distro}", so ${key} cannot be compared`); continue; }
      for (const c of comparisons) {
        try {
          // What the tool would only warn about is, in a rule's operand, surely a typo.
          for (const w of validateVersion(scheme, c.operand)) problems.push(`${at}.when.${key}: "${c.operand}" is not a ${scheme === 'deb' ? 'Debian' : scheme} version: ${w} (the ${scheme} scheme of ${distro})`);
        } catch (err) {
          problems.push(`${at}.when.${key}: ${errorMessage(err)} (the ${scheme} scheme of ${distro})`);
        }
      }
    }
  }
  return problems;
}

function semanticProblems(config: Config, templates: TemplateSet): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  config.watchers.forEach((w, i) => {
    const at = `watchers[${i}]`;
    if (seen.has(w.id)) problems.push(`${at}.id: duplicate watcher id "${w.id}"`);
    seen.add(w.id);
    if (w.type !== 'imap' && w.every !== undefined && w.cron !== undefined) problems.push(`${at}: give either every: or cron:, not both`);
    if (w.type === 'repo' && w.format === 'apt' && !w.suite) problems.push(`${at}.suite: is required with format apt (e.g. jammy-updates)`);
    if (w.type === 'imap') {
      if (w.filters?.subject !== undefined) {
        try {
          new RegExp(w.filters.subject);
        } catch (err) {
          problems.push(`${at}.filters.subject: not a regular expression: ${errorMessage(err)}`);
        }
      }
      if (w.security === 'plain' && !/^(127\.|::1$|localhost$)/.test(w.host)) problems.push(`${at}.security: plain sends the password in clear; allowed only to a loopback host`);
    }
    if (w.source !== undefined && !sourceById(w.source)) problems.push(`${at}.source: unknown source "${w.source}"${didYouMean(w.source, sources.map((s) => s.id))} (known: ${sources.map((s) => s.id).join(', ')})`);
  });
  problems.push(...rotationProblems(config.rotations, config.people));
  for (const [name, t] of Object.entries(config.builds)) {
    problems.push(...targetProblems(name, t));
    if (t.wait_for_packages?.format === 'apt' && !t.wait_for_packages.suite) problems.push(`builds.${name}.wait_for_packages.suite: is required with format apt`);
  }
  problems.push(...procedureProblems(config.procedures, { people: config.people, rotations: config.rotations, builds: config.builds, templates }));
  const ruleIds = new Set<string>();
  config.rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (ruleIds.has(rule.id)) problems.push(`${at}.id: duplicate rule id "${rule.id}"`);
    ruleIds.add(rule.id);
    problems.push(...versionConditionProblems(rule, at));
    rule.do.forEach((action, j) => {
      const runner = actionByName(action.action);
      for (const p of runner?.check?.(action.params, { templates, people: config.people, rotations: config.rotations, builds: config.builds, procedures: config.procedures }) ?? []) problems.push(`${at}.do[${j}].${action.action}.${p}`);
    });
  });
  if (config.mail.transport === 'smtp' && !config.mail.smtp) problems.push('mail.smtp: is required when mail.transport is smtp');
  if (config.mail.smtp?.password_file && !config.mail.smtp.user) problems.push('mail.smtp.user: is required with password_file');
  if (config.mail.smtp?.password_file && !isCredentialRef(config.mail.smtp.password_file) && !existsSync(config.mail.smtp.password_file)) problems.push(`mail.smtp.password_file: ${config.mail.smtp.password_file} does not exist`);
  if (!/@/.test(config.mail.from)) problems.push('mail.from: must contain an email address');
  if (config.templates_dir && !existsSync(config.templates_dir)) problems.push(`templates_dir: ${config.templates_dir} does not exist`);
  return problems;
}
