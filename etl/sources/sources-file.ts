/**
 * The sources file: every source the ETL pulls from, kept as data in the form below.
 * Reading it checks every entry against what the hub knows — the region tree, USCC check characters, the
 * mapping files, the entity names — and reports every problem of the file at once with its path and line.
 *
 *   sources:
 *     - id: quanzhou-platform            # [a-z0-9-], unique
 *       name: 泉州市行政执法平台
 *       transport: HTTP                  # HTTP | FOLDER
 *       location: ${HUB_DEMO_API_URL}    # URL, or a folder relative to this file; ${VAR} and ${VAR:-default}
 *       covers: { region: '350500' }     # or { agency: <USCC> }
 *       schedule: '0 2 * * *'            # cron, Asia/Shanghai
 *       lateAfterHours: 2                # LATE when no run succeeded within this long after a scheduled time (default 2)
 *       tokenEnv: QUANZHOU_API_TOKEN     # the variable holding the bearer token, never the token
 *       mapping: example-county-platform # etl/mappings/<name>.yaml
 *       entities: [agencies, cases]      # HTTP only
 *       pageSize: 500                    # HTTP only, 1..1000
 *       synthetic: true
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  bool, describe, knownList, list, mapping, matching, number, optional, readDataFile, text, word,
  type Reader, type Segment, type Problems,
} from '../../src/domain/data-file/checked-values';
import { displayOrigin, parseYamlText, readTextFile } from '../../src/domain/data-file/yaml-text';
import { InvalidValueError } from '../../src/domain/errors';
import { regionDirectory } from '../../src/domain/regions';
import { assertUscc, usccProblem } from '../../src/domain/uscc';
import { entityNames } from '../feed/entity-names';
import { availableMappings, feedMappingsDir } from '../feed/mapping';
import { loadOrder } from '../pipeline/load-specs';
import { cronProblem } from './cron-expression';
import type { SourceDefinition } from './source-definition';

export const SOURCES_FILE_INVALID = 'SOURCES_FILE_INVALID';
export const SOURCES_FILE_NOT_FOUND = 'SOURCES_FILE_NOT_FOUND';
export const SOURCE_NOT_FOUND = 'SOURCE_NOT_FOUND';

export interface SourcesFileOptions {
  /** the folder a FOLDER source's relative location is resolved against: the sources file's own */
  baseDir: string;
  /** where ${VAR} in a location is looked up */
  env: NodeJS.ProcessEnv;
}

// ---------------------------------------------------------------------------------------------------------
// Readers of one source's keys
// ---------------------------------------------------------------------------------------------------------

const SOURCE_ID = /^[a-z0-9][a-z0-9-]*$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Rows per API page at most: a page is one batch and one transaction, read again whole when it fails. */
const MAX_PAGE_SIZE = 1000;

const regionCode: Reader<string> = (value, at, problems) => {
  if (typeof value !== 'string') return problems.fail(at, `expected a quoted region code such as '350500', got ${describe(value)}`);
  try {
    return regionDirectory().require(value).code;
  } catch (error) {
    if (error instanceof InvalidValueError) return problems.fail(at, error.message);
    throw error;
  }
};

const agencyUscc: Reader<string> = (value, at, problems) => {
  if (typeof value !== 'string') return problems.fail(at, `expected the agency's 统一社会信用代码, got ${describe(value)}`);
  const problem = usccProblem(value);
  return problem ? problems.fail(at, problem.message) : assertUscc(value);
};

const covers = mapping(
  { region: optional(regionCode), agency: optional(agencyUscc) },
  {
    check: ({ region, agency }, at, problems) => {
      if (region !== undefined && agency !== undefined) {
        problems.note(at, 'give region or agency, not both: a source reports for the agencies of a region or for one agency');
      } else if (region === undefined && agency === undefined) {
        problems.note(at, "give the region the source reports for (region: '350500') or its one agency (agency: <USCC>)");
      }
    },
  },
);

const schedule: Reader<string> = (value, at, problems) => {
  const expression = text(value, at, problems);
  const problem = cronProblem(expression);
  return problem ? problems.fail(at, problem) : expression;
};

/** Only a name: a token written here would be committed with the file and copied into the sources table. */
const tokenEnv: Reader<string> = (value, at, problems) =>
  typeof value === 'string' && ENV_NAME.test(value)
    ? value
    : problems.fail(at, 'expected the NAME of the environment variable holding the token, such as QUANZHOU_API_TOKEN ' +
        '(upper-case letters, digits and _), not the token itself');

const mappingName: Reader<string> = (value, at, problems) => {
  const name = matching(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, `a mapping name (a file in ${displayOrigin(feedMappingsDir)} without .yaml)`)(value, at, problems);
  if (!fs.existsSync(path.join(feedMappingsDir, `${name}.yaml`))) {
    problems.fail(at, `no mapping ${describe(name)} in ${displayOrigin(feedMappingsDir)} (available: ${availableMappings().join(', ') || 'none'})`);
  }
  return name;
};

const sourceFields = mapping(
  {
    id: matching(SOURCE_ID, 'an id of lower-case letters, digits and hyphens'),
    name: text,
    transport: word(['HTTP', 'FOLDER'] as const, 'transport'),
    location: text,
    covers,
    schedule: optional(schedule),
    lateAfterHours: optional(number({ positive: true })),
    tokenEnv: optional(tokenEnv),
    mapping: optional(mappingName),
    entities: optional(list(word(entityNames, 'entity'), { nonEmpty: true })),
    pageSize: optional(number({ integer: true, min: 1, max: MAX_PAGE_SIZE })),
    synthetic: optional(bool),
  },
  {
    refused: {
      token: 'a token is never written in the sources file, which is committed and copied into the database; ' +
        'put it in an environment variable and give that variable\'s name as tokenEnv',
    },
  },
);

// ---------------------------------------------------------------------------------------------------------
// The location: ${VAR} expanded, then a URL or a folder
// ---------------------------------------------------------------------------------------------------------

/**
 * `written` with ${VAR} and ${VAR:-default} replaced from `env` (the default also stands for an empty
 * variable, as in the shell), or the problem: a malformed reference, or variables set nowhere.
 */
function expandVariables(written: string, env: NodeJS.ProcessEnv, sourceId: string): { value: string } | { problem: string } {
  const unset: string[] = [];
  let malformed: string | null = null;
  const value = written.replace(/\$\{([^}]*)\}|\$\{/g, (reference, inner: string | undefined) => {
    const parts = inner === undefined ? null : /^([^:]*)(?::-([\s\S]*))?$/.exec(inner);
    const name = parts?.[1] ?? '';
    if (!parts || !VARIABLE_NAME.test(name)) {
      malformed ??= reference;
      return reference;
    }
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (parts[2] !== undefined) return parts[2];
    unset.push(name);
    return reference;
  });
  if (malformed !== null) {
    return { problem: `${JSON.stringify(malformed)} is not a variable reference: write \${NAME} or \${NAME:-default}` };
  }
  if (unset.length > 0) {
    const names = unset.map((name) => `\${${name}}`).join(', ');
    const verb = unset.length === 1 ? 'is' : 'are';
    return {
      problem: `${names} ${verb} not set in the environment, and source ${sourceId} needs ${unset.length === 1 ? 'it' : 'them'} ` +
        `for its location (set ${unset.length === 1 ? 'it' : 'them'}, or give a default: \${${unset[0]}:-<value>})`,
    };
  }
  return { value };
}

/** The location as the pipeline uses it: variables expanded, a folder made absolute, an address checked. */
function location(
  fields: { id: string; transport: 'HTTP' | 'FOLDER'; location: string },
  at: Segment[],
  problems: Problems,
  options: SourcesFileOptions,
): string {
  const expanded = expandVariables(fields.location, options.env, fields.id);
  if ('problem' in expanded) return problems.fail(at, expanded.problem);
  const { value } = expanded;
  const shown = value === fields.location ? describe(value) : `${describe(value)} (from ${describe(fields.location)})`;
  if (value.trim() === '') return problems.fail(at, `expected a location, got an empty text from ${describe(fields.location)}`);
  if (fields.transport === 'FOLDER') return path.resolve(options.baseDir, value);

  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problems.fail(at, `expected an http:// or https:// address for an HTTP source, got ${shown}`);
  }
  if (url.username !== '' || url.password !== '') {
    // Not echoed: the address carries a credential.
    return problems.fail(at, 'the address carries a user name or password; the location is stored and shown, so give the token by tokenEnv instead');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return problems.fail(at, `expected an http:// or https:// address for an HTTP source, got ${shown}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------------------

function sourceReader(options: SourcesFileOptions): Reader<SourceDefinition> {
  return (value, at, problems) => {
    const fields = sourceFields(value, at, problems);
    const before = problems.list.length;
    if (fields.transport === 'FOLDER') {
      // A folder's files say which entity each holds, and are read whole.
      if (fields.entities) problems.note([...at, 'entities'], 'only an HTTP source is pulled entity by entity; a FOLDER source\'s file names say what they hold');
      if (fields.pageSize) problems.note([...at, 'pageSize'], 'only an HTTP source is pulled in pages');
    }
    if (fields.lateAfterHours !== undefined && fields.schedule === undefined) {
      problems.note([...at, 'lateAfterHours'], 'only a source with a schedule can be late: give its schedule, or leave lateAfterHours out');
    }
    const source: SourceDefinition = { ...fields, location: location(fields, [...at, 'location'], problems, options) };
    problems.failIfNotedSince(before);
    // Pulled parents first whatever order the file lists them in, so children rarely wait for them.
    if (fields.entities) source.entities = loadOrder.filter((entity) => fields.entities!.includes(entity));
    return source;
  };
}

function sourcesFileReader(options: SourcesFileOptions): Reader<{ sources: SourceDefinition[] }> {
  return mapping(
    { sources: list(sourceReader(options), { unique: false }) },
    {
      check: ({ sources }, at, problems) => {
        const first = new Map<string, number>();
        sources.forEach((source, index) => {
          const earlier = first.get(source.id);
          if (earlier !== undefined) problems.note([...at, 'sources', index, 'id'], `${describe(source.id)} is already the id of sources[${earlier}]`);
          else first.set(source.id, index);
        });
      },
    },
  );
}

/** The checked sources of a sources file's text; `origin` names the file in every error. */
export function parseSourcesFile(text: string, origin: string, options: SourcesFileOptions): SourceDefinition[] {
  const yaml = parseYamlText(text, origin, SOURCES_FILE_INVALID);
  return readDataFile(sourcesFileReader(options), yaml.value, SOURCES_FILE_INVALID, origin, yaml).sources;
}

/** The sources of `file`, checked, with locations resolved (folders against the file's own folder). */
export function loadSourcesFile(file: string, env: NodeJS.ProcessEnv = process.env): SourceDefinition[] {
  const resolved = path.resolve(file);
  const origin = displayOrigin(resolved);
  const text = readTextFile(resolved, () => new InvalidValueError(SOURCES_FILE_NOT_FOUND, file, `no sources file ${origin}`));
  return parseSourcesFile(text, origin, { baseDir: path.dirname(resolved), env });
}

/** The source with this id, or an error naming the ids there are. */
export function findSource(sources: readonly SourceDefinition[], id: string): SourceDefinition {
  const source = sources.find((s) => s.id === id);
  if (source) return source;
  const known = sources.length > 0 ? knownList(sources.map((s) => s.id)) : 'the sources file lists none';
  throw new InvalidValueError(SOURCE_NOT_FOUND, id, `no source ${describe(id)} (${known})`);
}
