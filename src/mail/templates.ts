import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { HeraldError, errorMessage } from '../errors.js';
import { sampleContext } from './context.js';

/** config/templates/ ships beside src/ and dist/ alike. */
export const SHIPPED_TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'templates');

interface Compiled { file: string; subject: Handlebars.TemplateDelegate; body: Handlebars.TemplateDelegate; publish: boolean }

const hb = Handlebars.create();
hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));
hb.registerHelper('cve_url', (id: unknown) => `https://www.cve.org/CVERecord?id=${String(id)}`);
hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).find((a) => a !== undefined && a !== null && a !== '') ?? '');
hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every((a) => !!a && !(Array.isArray(a) && a.length === 0)));
hb.registerHelper('not', (a: unknown) => !a || (Array.isArray(a) && a.length === 0));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('inc', (n: unknown) => Number(n) + 1);
// Webhook bodies are JSON: a value as a JSON value, or as text inside a JSON string.
hb.registerHelper('json', (v: unknown) => JSON.stringify(v ?? null));
hb.registerHelper('json_text', (v: unknown) => JSON.stringify(typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v)).slice(1, -1));

const FRONT = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/**
 * Templates NAME.hbs with a `subject:` front matter. Looked up in the
 * config's templates_dir first, then in the shipped ones. Mail is plain text,
 * so nothing is HTML-escaped.
 */
export class TemplateSet {
  private readonly cache = new Map<string, Compiled>();
  readonly dirs: string[];

  constructor(dirs: (string | undefined)[]) {
    this.dirs = [...new Set(dirs.filter((d): d is string => !!d))];
  }

  static withShipped(templatesDir?: string): TemplateSet {
    return new TemplateSet([templatesDir, SHIPPED_TEMPLATES]);
  }

  fileOf(name: string): string | undefined {
    return this.dirs.map((d) => join(d, `${name}.hbs`)).find((f) => existsSync(f));
  }

  /** Every template name available, shipped ones included. */
  names(): string[] {
    return [...new Set(this.dirs.flatMap((d) => (existsSync(d) ? readdirSync(d) : []).filter((f) => f.endsWith('.hbs')).map((f) => f.slice(0, -4))))].sort();
  }

  has(name: string): boolean {
    return this.fileOf(name) !== undefined;
  }

  private load(name: string): Compiled {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const file = this.fileOf(name);
    if (!file) throw new HeraldError('ETEMPLATE', `no template "${name}" in ${this.dirs.join(' or ')}`, { template: name });
    const text = readFileSync(file, 'utf8');
    const fm = FRONT.exec(text);
    if (!fm) throw new HeraldError('ETEMPLATE', `${file}: missing front matter (---\\nsubject: ...\\n---)`, { template: name });
    let meta: unknown;
    try {
      meta = YAML.parse(fm[1]!);
    } catch (err) {
      throw new HeraldError('ETEMPLATE', `${file}: front matter: ${errorMessage(err)}`, { template: name });
    }
    const subject = (meta as { subject?: unknown } | null)?.subject;
    if (typeof subject !== 'string' || subject.trim() === '') throw new HeraldError('ETEMPLATE', `${file}: front matter has no subject:`, { template: name });
    const opts = { noEscape: true, strict: false };
    const publish = (meta as { publish?: unknown }).publish ?? false;
    if (typeof publish !== 'boolean') throw new HeraldError('ETEMPLATE', `${file}: front matter: publish must be true or false`, { template: name });
    const compiled: Compiled = { file, subject: hb.compile(subject, opts), body: hb.compile(text.slice(fm[0].length), opts), publish };
    this.cache.set(name, compiled);
    return compiled;
  }

  /** Templates whose front matter says `publish: true`: their mail goes to the announcement feed too. */
  published(): string[] {
    return this.names().filter((n) => this.load(n).publish);
  }

  render(name: string, context: Record<string, unknown>): { subject: string; body: string } {
    const t = this.load(name);
    try {
      return { subject: t.subject(context).replace(/\s+/g, ' ').trim(), body: t.body(context) };
    } catch (err) {
      throw new HeraldError('ETEMPLATE', `${t.file}: ${errorMessage(err)}`, { template: name });
    }
  }

  /** Compiles and renders against a sample event; the problem, or undefined. */
  compileError(name: string): string | undefined {
    try {
      this.render(name, sampleContext());
      return undefined;
    } catch (err) {
      return errorMessage(err);
    }
  }
}
