import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * A Dockerfile followed without Docker: each stage's file tree is built in a folder of its own,
 * which stands for the stage's WORKDIR, /app. Only the instructions this project's Dockerfile
 * uses are interpreted (ARG before the first FROM, FROM ... AS, WORKDIR, COPY [--from], RUN in
 * shell form, ENV, USER, EXPOSE, HEALTHCHECK, CMD in exec form); anything else fails loudly
 * rather than being half understood. The base image's own files (Debian, Node) are not built:
 * the caller's PATH stands in for them (a Node of the image's version first).
 */

export const APP = '/app';

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined (Docker keeps their indentation). */
  args: string;
  /** 1-based line of the Dockerfile where the instruction starts. */
  line: number;
}

export interface Stage {
  index: number;
  name: string | undefined;
  /** `name`, or `final` for an unnamed last stage, or `#<index>`. */
  label: string;
  image: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  args: Record<string, string>;
  stages: Stage[];
}

const KEYWORDS = new Set(['ARG', 'FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'CMD']);

/** Whitespace collapsed: how an instruction is compared with the text a caller names. */
export const normalize = (text: string) => text.trim().replace(/\s+/g, ' ');

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  if (lines.some((l) => /^#\s*escape\s*=/i.test(l))) throw new Error('Dockerfile: the escape directive is not interpreted here');
  const logical: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    // Comment lines go, also between continuation lines (as Docker drops them); so do empty ones.
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const continued = raw.trimEnd().endsWith('\\');
    const body = continued ? raw.trimEnd().slice(0, -1) : raw;
    if (current) current.text += body;
    else current = { text: body.trimStart(), line: i + 1 };
    if (!continued) {
      logical.push(current);
      current = undefined;
    }
  });
  if (current) throw new Error(`Dockerfile: line ${current.line} ends in a continuation with nothing after it`);

  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: t, line } of logical) {
    const match = /^(\S+)\s+([\s\S]*)$/.exec(t);
    const keyword = match?.[1].toUpperCase() ?? t.toUpperCase();
    const rest = match?.[2].trim() ?? '';
    if (!KEYWORDS.has(keyword)) throw new Error(`Dockerfile line ${line}: ${keyword} is not interpreted here (${t})`);
    if (keyword === 'ARG') {
      if (stages.length > 0) throw new Error(`Dockerfile line ${line}: an ARG inside a stage is not interpreted here`);
      const arg = /^([A-Za-z_]\w*)(?:=(\S*))?$/.exec(rest);
      if (!arg) throw new Error(`Dockerfile line ${line}: ARG not understood: ${rest}`);
      args[arg[1]] = arg[2] ?? '';
    } else if (keyword === 'FROM') {
      const from = /^([^\s-][^\s]*)(?:\s+AS\s+([a-z][\w.-]*))?$/i.exec(rest);
      if (!from) throw new Error(`Dockerfile line ${line}: FROM not understood (flags are not interpreted here): ${rest}`);
      const image = from[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
        const name = (a ?? b)!;
        if (!(name in args)) throw new Error(`Dockerfile line ${line}: FROM uses \${${name}}, which no ARG declares`);
        return args[name];
      });
      if (stages.some((s) => s.name === from[2] || s.name === image)) {
        throw new Error(`Dockerfile line ${line}: a stage built FROM another stage, or a repeated stage name, is not interpreted here`);
      }
      stages.push({ index: stages.length, name: from[2], label: '', image, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile line ${line}: ${keyword} before the first FROM`);
      stages.at(-1)!.instructions.push({ keyword, args: rest, line });
    }
  }
  if (stages.length === 0) throw new Error('Dockerfile: no FROM');
  for (const s of stages) s.label = s.name ?? (s.index === stages.length - 1 ? 'final' : `#${s.index}`);
  return { args, stages };
}

/** .dockerignore as Docker reads it, for the patterns this project uses: a predicate on context-relative paths. */
export function dockerignore(context: string): (relative: string) => boolean {
  const file = path.join(context, '.dockerignore');
  if (!existsSync(file)) return () => false;
  const patterns = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => {
      if (p.startsWith('!')) throw new Error(`.dockerignore: exceptions (${p}) are not interpreted here`);
      const clean = path.posix.normalize(p.replace(/^\/+/, ''));
      let re = '';
      for (let i = 0; i < clean.length; i++) {
        const c = clean[i];
        if (c === '*' && clean[i + 1] === '*') {
          i++;
          if (clean[i + 1] === '/') {
            i++;
            re += '(?:.*/)?';
          } else re += '.*';
        } else if (c === '*') re += '[^/]*';
        else if (c === '?') re += '[^/]';
        else if (c === '[' || c === '\\') throw new Error(`.dockerignore: character classes and escapes (${p}) are not interpreted here`);
        else re += c.replace(/[.+^${}()|\]]/g, '\\$&');
      }
      return new RegExp(`^${re}$`);
    });
  // A path is left out when it, or a folder above it, matches.
  return (relative) => {
    const parts = relative.split(path.sep);
    return parts.some((_, i) => {
      const prefix = parts.slice(0, i + 1).join('/');
      return patterns.some((re) => re.test(prefix));
    });
  };
}

/** A RUN not run as written, for a stated reason. Matched on the stage's label and the RUN's text (whitespace collapsed). */
export interface Substitute {
  stage: string;
  run: string;
  why: string;
  /** A shell command run instead (with /app mapped like any RUN), or what the test does instead. */
  instead: string | ((stageDir: string) => Promise<void>);
}

export interface HealthCheck {
  options: Record<string, string>;
  /** Shell form: the command for `/bin/sh -c`. */
  command: string;
}

export interface Step {
  stage: string;
  line: number;
  instruction: string;
  ms: number;
  note?: string;
}

export interface BuiltStage {
  stage: Stage;
  dir: string;
  env: Record<string, string>;
  user: string | undefined;
  expose: string[];
  healthcheck: HealthCheck | undefined;
  cmd: string[] | undefined;
}

export interface BuildOptions {
  /** The build context (`docker build <context>`). */
  context: string;
  /** One folder per stage is made here (it must exist). */
  workRoot: string;
  /** Environment of every RUN (PATH, HOME, npm's cache...), under the stage's ENV. */
  runEnv: NodeJS.ProcessEnv;
  substitutes: Substitute[];
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface BuiltImage {
  stages: BuiltStage[];
  final: BuiltStage;
  steps: Step[];
  /** The substitutes used, with the instruction's line. */
  substituted: { substitute: Substitute; line: number }[];
}

/** `/app` in a command or path mapped to the stage's folder (`/app/x` too; `/apple` not). */
const mapApp = (text: string, dir: string) => text.replace(/\/app(?![\w.-])/g, dir);

function run(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${[command, ...args].join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.slice(-6000)}`));
    });
  });
}

/** COPY's flags and operands; only `--from` is interpreted. */
function parseCopy(args: string, line: number): { from: string | undefined; sources: string[]; dest: string } {
  if (args.startsWith('[')) throw new Error(`Dockerfile line ${line}: COPY in JSON form is not interpreted here`);
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = /^--from=(\S+)$/.exec(words.shift()!);
    if (!flag) throw new Error(`Dockerfile line ${line}: COPY flags other than --from are not interpreted here: ${args}`);
    from = flag[1];
  }
  if (words.length < 2) throw new Error(`Dockerfile line ${line}: COPY needs a source and a destination`);
  const dest = words.pop()!;
  for (const w of [...words, dest]) {
    if (/[*?[$]/.test(w)) throw new Error(`Dockerfile line ${line}: wildcards and variables in COPY (${w}) are not interpreted here`);
  }
  if (words.length > 1 && !dest.endsWith('/')) throw new Error(`Dockerfile line ${line}: COPY of several sources needs a destination ending in /`);
  return { from, sources: words, dest };
}

/** `KEY=value` pairs (values may be double-quoted); `ENV KEY value` as well. */
function parseEnv(args: string, line: number): Record<string, string> {
  const env: Record<string, string> = {};
  if (!args.includes('=')) {
    const [key, ...value] = args.split(/\s+/);
    env[key] = value.join(' ');
    return env;
  }
  const pair = /([A-Za-z_]\w*)=(?:"([^"\\$]*)"|([^\s"'\\$]*))(?:\s+|$)/y;
  let at = 0;
  while (at < args.length) {
    pair.lastIndex = at;
    const m = pair.exec(args);
    if (!m) throw new Error(`Dockerfile line ${line}: ENV not understood (quoting, escapes or variables): ${args}`);
    env[m[1]] = m[2] ?? m[3];
    at = pair.lastIndex;
  }
  return env;
}

function parseHealthcheck(args: string, line: number): HealthCheck {
  const options: Record<string, string> = {};
  let rest = args;
  for (let m = /^--([\w-]+)=(\S+)\s+/.exec(rest); m; m = /^--([\w-]+)=(\S+)\s+/.exec(rest)) {
    options[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  const cmd = /^CMD\s+([\s\S]+)$/.exec(rest);
  if (!cmd || cmd[1].startsWith('[')) throw new Error(`Dockerfile line ${line}: only HEALTHCHECK ... CMD <shell command> is interpreted here`);
  return { options, command: cmd[1].trim() };
}

/**
 * Builds every stage, each in a folder of its own under `workRoot`, stages that do not depend
 * on each other at the same time (as BuildKit does); a COPY --from waits for its stage. RUN is
 * `/bin/sh -c` in the stage's folder, as Docker runs the shell form (dash on Debian, as in the
 * bookworm image), with `/app` in the command replaced by that folder. A `Substitute` replaces
 * a RUN it names exactly; one that names no RUN fails the build (the Dockerfile changed).
 */
export async function buildImage(dockerfile: Dockerfile, o: BuildOptions): Promise<BuiltImage> {
  const ignored = dockerignore(o.context);
  const steps: Step[] = [];
  const substituted: BuiltImage['substituted'] = [];
  const log = o.log ?? (() => undefined);
  const builds = new Map<string, Promise<BuiltStage>>();

  const buildStage = async (stage: Stage): Promise<BuiltStage> => {
    const dir = path.join(o.workRoot, `stage-${stage.index}-${stage.label.replace(/\W/g, '')}`);
    await mkdir(dir);
    // WORKDIR makes /app as root with mode 0755; mkdtemp's folders would be 0700.
    await chmod(dir, 0o755);
    const built: BuiltStage = { stage, dir, env: {}, user: undefined, expose: [], healthcheck: undefined, cmd: undefined };
    let workdir: string | undefined;
    for (const ins of stage.instructions) {
      let started = Date.now();
      let note: string | undefined;
      const where = `Dockerfile line ${ins.line}`;
      const needWorkdir = () => {
        if (workdir !== APP) throw new Error(`${where}: ${ins.keyword} before WORKDIR ${APP}`);
      };
      switch (ins.keyword) {
        case 'WORKDIR':
          if (ins.args !== APP) throw new Error(`${where}: WORKDIR ${ins.args}: only ${APP} is mapped here`);
          workdir = ins.args;
          break;
        case 'COPY': {
          needWorkdir();
          const { from, sources, dest } = parseCopy(ins.args, ins.line);
          const destAbs = path.posix.resolve(APP, dest);
          if (destAbs !== APP && !destAbs.startsWith(`${APP}/`)) throw new Error(`${where}: COPY into ${destAbs}, outside ${APP}`);
          const target = path.join(dir, path.posix.relative(APP, destAbs));
          let fromDir = o.context;
          if (from !== undefined) {
            const source = builds.get(from);
            const earlier = dockerfile.stages.find((s) => s.name === from || String(s.index) === from);
            if (!source || !earlier || earlier.index >= stage.index) {
              throw new Error(`${where}: COPY --from=${from}: no earlier stage of that name (images are not pulled here)`);
            }
            fromDir = (await source).dir;
            // The time spent waiting for that stage is its own, not this COPY's.
            if (Date.now() - started >= 1_000) note = `waited ${((Date.now() - started) / 1000).toFixed(1)} s for stage ${from}`;
            started = Date.now();
          }
          for (const src of sources) {
            let srcPath: string;
            if (from === undefined) {
              const rel = path.normalize(src.replace(/^\/+/, ''));
              if (rel.startsWith('..')) throw new Error(`${where}: COPY ${src} reaches outside the build context`);
              if (ignored(rel)) throw new Error(`${where}: COPY ${src}: left out by .dockerignore (Docker: not found)`);
              srcPath = path.join(o.context, rel);
            } else {
              if (!src.startsWith(`${APP}/`)) throw new Error(`${where}: COPY --from path ${src} outside ${APP} is not mapped here`);
              srcPath = path.join(fromDir, path.posix.relative(APP, src));
            }
            const info = await stat(srcPath).catch(() => undefined);
            if (!info) throw new Error(`${where}: COPY ${src}: not found`);
            // A folder's contents go into the destination; a file goes into it when it ends in /.
            const to = info.isDirectory() ? target : dest.endsWith('/') ? path.join(target, path.basename(srcPath)) : target;
            await mkdir(info.isDirectory() ? to : path.dirname(to), { recursive: true });
            if (from === undefined) {
              await cp(srcPath, to, {
                recursive: true,
                verbatimSymlinks: true,
                filter: (p) => !ignored(path.relative(o.context, p)),
              });
            } else {
              // coreutils' cp: several times faster than fs.cp on a node_modules folder.
              await run('cp', ['-a', info.isDirectory() ? `${srcPath}/.` : srcPath, to], { cwd: dir, env: o.runEnv });
            }
          }
          break;
        }
        case 'RUN': {
          needWorkdir();
          if (ins.args.startsWith('[') || ins.args.includes('<<')) throw new Error(`${where}: RUN in exec or heredoc form is not interpreted here`);
          const text = normalize(ins.args);
          const sub = o.substitutes.find((s) => s.stage === stage.label && normalize(s.run) === text);
          const env = { ...o.runEnv, ...built.env };
          if (sub) {
            substituted.push({ substitute: sub, line: ins.line });
            note = `instead: ${typeof sub.instead === 'string' ? sub.instead : '(done by the test)'}`;
            if (typeof sub.instead === 'string') await run('/bin/sh', ['-c', mapApp(sub.instead, dir)], { cwd: dir, env });
            else await sub.instead(dir);
          } else {
            await run('/bin/sh', ['-c', mapApp(ins.args, dir)], { cwd: dir, env });
          }
          break;
        }
        case 'ENV':
          Object.assign(built.env, parseEnv(ins.args, ins.line));
          break;
        case 'USER':
          built.user = ins.args;
          break;
        case 'EXPOSE':
          built.expose.push(...ins.args.split(/\s+/));
          break;
        case 'HEALTHCHECK':
          built.healthcheck = parseHealthcheck(ins.args, ins.line);
          break;
        case 'CMD':
          if (!ins.args.startsWith('[')) throw new Error(`${where}: CMD in shell form is not interpreted here`);
          built.cmd = JSON.parse(ins.args) as string[];
          break;
        default:
          throw new Error(`${where}: ${ins.keyword} is not interpreted here`);
      }
      const ms = Date.now() - started;
      steps.push({ stage: stage.label, line: ins.line, instruction: `${ins.keyword} ${normalize(ins.args)}`, ms, note });
      if (ms > 1_000) log(`[${stage.label}] ${ins.keyword} ${normalize(ins.args).slice(0, 80)}: ${(ms / 1000).toFixed(1)} s${note ? ` (${note})` : ''}`);
    }
    return built;
  };

  for (const stage of dockerfile.stages) {
    const promise = buildStage(stage);
    // Named and numbered, as COPY --from accepts either.
    builds.set(String(stage.index), promise);
    if (stage.name) builds.set(stage.name, promise);
  }
  // Every stage finishes (or fails) before the answer: nothing keeps writing into a folder the caller removes.
  const results = await Promise.allSettled(dockerfile.stages.map((s) => builds.get(String(s.index))!));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const unused = o.substitutes.filter((s) => !substituted.some((u) => u.substitute === s));
  if (unused.length > 0) {
    throw new Error(
      `These RUN substitutes match no RUN of the Dockerfile any more (it changed: look again at what they stand for):\n` +
        unused.map((s) => `  [${s.stage}] RUN ${s.run}`).join('\n'),
    );
  }
  const stages = results.map((r) => (r as PromiseFulfilledResult<BuiltStage>).value);
  return { stages, final: stages.at(-1)!, steps, substituted };
}
