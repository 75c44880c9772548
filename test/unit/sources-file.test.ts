import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { InvalidValueError } from '../../src/domain/errors';
import { usccCheckCharacter } from '../../src/domain/uscc';
import { projectRoot } from '../../src/paths';
import {
  findSource, loadSourcesFile, parseSourcesFile, SOURCE_NOT_FOUND, SOURCES_FILE_INVALID, SOURCES_FILE_NOT_FOUND,
} from '../../etl/sources/sources-file';
import type { SourceDefinition } from '../../etl/sources/source-definition';

const ORIGIN = 'etl/sources.yaml';
const BASE_DIR = path.join(os.tmpdir(), 'hub-sources');
const AGENCY_USCC = '11350502MB0123456' + usccCheckCharacter('11350502MB0123456');
const DEMO_ENV = { HUB_DEMO_API_URL: 'http://127.0.0.1:4100/api/v1' };

/** One entry of the sources file: an HTTP source for 泉州市 unless the fields say otherwise. */
function aSource(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'quanzhou-platform',
    name: '泉州市行政执法平台',
    transport: 'HTTP',
    location: '${HUB_DEMO_API_URL}',
    covers: { region: '350500' },
    ...fields,
  };
}

/** A folder source for one agency. */
function aFolderSource(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return aSource({ id: 'county-deliveries', name: '某县手工报送', transport: 'FOLDER', location: 'deliveries/county', covers: { agency: AGENCY_USCC }, ...fields });
}

function fileOf(...sources: Record<string, unknown>[]): string {
  return stringify({ sources });
}

function parse(text: string, env: NodeJS.ProcessEnv = DEMO_ENV): SourceDefinition[] {
  return parseSourcesFile(text, ORIGIN, { baseDir: BASE_DIR, env });
}

function errorOf(text: string, env: NodeJS.ProcessEnv = DEMO_ENV): InvalidValueError {
  try {
    parse(text, env);
  } catch (error) {
    if (error instanceof InvalidValueError) return error;
    throw error;
  }
  throw new Error('expected the sources file to be refused');
}

/** The one problem line of a file holding one source with these fields. */
function problemOf(fields: Record<string, unknown>, env?: NodeJS.ProcessEnv): string {
  const error = errorOf(fileOf(aSource(fields)), env);
  const lines = error.message.split('\n');
  if (lines.length !== 1) throw new Error(`expected one problem, got:\n${error.message}`);
  return lines[0]!;
}

function byId(sources: SourceDefinition[], id: string): SourceDefinition {
  return findSource(sources, id);
}

describe('a valid sources file', () => {
  const sources = parse(fileOf(
    aSource({ schedule: '0 2 * * *', tokenEnv: 'QUANZHOU_API_TOKEN', entities: ['agencies', 'cases'], pageSize: 500, synthetic: true }),
    aFolderSource({ mapping: 'example-county-platform' }),
  ));

  test('gives each source as defined, an HTTP location expanded from the environment', () => {
    expect(byId(sources, 'quanzhou-platform')).toEqual({
      id: 'quanzhou-platform',
      name: '泉州市行政执法平台',
      transport: 'HTTP',
      location: 'http://127.0.0.1:4100/api/v1',
      covers: { region: '350500' },
      schedule: '0 2 * * *',
      tokenEnv: 'QUANZHOU_API_TOKEN',
      entities: ['agencies', 'cases'],
      pageSize: 500,
      synthetic: true,
    });
  });

  test('a folder location is resolved against the folder of the sources file', () => {
    expect(byId(sources, 'county-deliveries')).toEqual({
      id: 'county-deliveries',
      name: '某县手工报送',
      transport: 'FOLDER',
      location: path.join(BASE_DIR, 'deliveries', 'county'),
      covers: { agency: AGENCY_USCC },
      mapping: 'example-county-platform',
    });
  });

  test('an absolute folder location stays as written', () => {
    const absolute = path.join(os.tmpdir(), 'elsewhere');
    expect(parse(fileOf(aFolderSource({ location: absolute })))[0]!.location).toBe(absolute);
  });

  test('the sources read cannot be changed in place', () => {
    expect(Object.isFrozen(byId(sources, 'quanzhou-platform').covers)).toBe(true);
  });

  test('entities are pulled parents first, whatever order the file lists them in', () => {
    const [source] = parse(fileOf(aSource({ entities: ['cases', 'publications', 'agencies'] })));
    expect(source!.entities).toEqual(['agencies', 'cases', 'publications']);
  });

  test('an agency USCC is kept in capitals however it is typed', () => {
    const [source] = parse(fileOf(aFolderSource({ covers: { agency: AGENCY_USCC.toLowerCase() } })));
    expect(source!.covers).toEqual({ agency: AGENCY_USCC });
  });
});

describe('locations and the environment', () => {
  test('${VAR:-default} gives the default when the variable is unset or empty', () => {
    const written = { location: '${HUB_DEMO_API_URL:-http://localhost:4100/api}' };
    expect(parse(fileOf(aSource(written)), {})[0]!.location).toBe('http://localhost:4100/api');
    expect(parse(fileOf(aSource(written)), { HUB_DEMO_API_URL: '' })[0]!.location).toBe('http://localhost:4100/api');
    expect(parse(fileOf(aSource(written)), DEMO_ENV)[0]!.location).toBe(DEMO_ENV.HUB_DEMO_API_URL);
  });

  test('a variable may stand for part of a location', () => {
    const [source] = parse(fileOf(aFolderSource({ location: '${DELIVERY_ROOT}/county' })), { DELIVERY_ROOT: '/srv/hub' });
    expect(source!.location).toBe(path.resolve('/srv/hub/county'));
  });

  test('an unset ${VAR} without a default is refused naming the variable, the source and the line', () => {
    const text = [
      'sources:',
      '  - id: quanzhou-platform',
      '    name: 泉州市行政执法平台',
      '    transport: HTTP',
      '    location: ${HUB_DEMO_API_URL}',
      "    covers: { region: '350500' }",
    ].join('\n');
    const error = errorOf(text, {});
    expect(error.code).toBe(SOURCES_FILE_INVALID);
    expect(error.message).toBe(
      'etl/sources.yaml: sources[0].location: ${HUB_DEMO_API_URL} is not set in the environment, and source quanzhou-platform ' +
        'needs it for its location (set it, or give a default: ${HUB_DEMO_API_URL:-<value>}) (line 5)',
    );
  });

  test('a malformed variable reference is refused', () => {
    expect(problemOf({ location: '${HUB DEMO}/api' })).toMatch(/sources\[0\]\.location: "\$\{HUB DEMO\}" is not a variable reference/);
    expect(problemOf({ location: 'http://x/${HUB_DEMO_API_URL' })).toMatch(/sources\[0\]\.location: "\$\{" is not a variable reference/);
  });

  test('an HTTP location must be an http or https address', () => {
    expect(problemOf({ location: 'ftp://files.example.cn/feeds' }))
      .toBe('etl/sources.yaml: sources[0].location: expected an http:// or https:// address for an HTTP source, got "ftp://files.example.cn/feeds" (line 5)');
    expect(problemOf({ location: '${HUB_DEMO_API_URL}' }, { HUB_DEMO_API_URL: 'localhost:4100' }))
      .toMatch(/got "localhost:4100" \(from "\$\{HUB_DEMO_API_URL\}"\)/);
  });

  test('an address carrying a password is refused without repeating it', () => {
    const message = problemOf({ location: 'https://hub:s3cret@api.example.cn/v1' });
    expect(message).toContain('sources[0].location: the address carries a user name or password');
    expect(message).not.toContain('s3cret');
  });
});

describe('tokens', () => {
  test('a literal token is refused: the key `token` is unknown, and the message says where a token belongs', () => {
    const message = problemOf({ token: 'eyJhbGciOiJIUzI1NiJ9.secret' });
    expect(message).toMatch(/^etl\/sources\.yaml: sources\[0\]\.token: unknown key: a token is never written in the sources file/);
    expect(message).toContain("give that variable's name as tokenEnv");
    expect(message).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });

  test('tokenEnv takes the name of a variable; a token in its place is refused without repeating it', () => {
    const message = problemOf({ tokenEnv: 'sk-4f9a2b7c1d' });
    expect(message).toContain('sources[0].tokenEnv: expected the NAME of the environment variable holding the token');
    expect(message).not.toContain('sk-4f9a2b7c1d');
  });
});

describe('what a source covers', () => {
  test('covers names exactly one of a region or an agency', () => {
    expect(problemOf({ covers: { region: '350500', agency: AGENCY_USCC } })).toMatch(/sources\[0\]\.covers: give region or agency, not both/);
    expect(problemOf({ covers: {} })).toMatch(/sources\[0\]\.covers: give the region the source reports for/);
  });

  test('a region code must exist in the region tree', () => {
    expect(problemOf({ covers: { region: '359900' } }))
      .toBe('etl/sources.yaml: sources[0].covers.region: 行政区划代码 359900 不存在于 GB/T 2260 区划表 (line 7)');
  });

  test('an unquoted region code is refused with the quoted form', () => {
    expect(problemOf({ covers: { region: 350500 } })).toContain("sources[0].covers.region: expected a quoted region code such as '350500', got 350500");
  });

  test('an agency USCC with a wrong check character is refused with the character it should have', () => {
    const wrong = AGENCY_USCC.slice(0, 17) + (AGENCY_USCC.endsWith('0') ? '1' : '0');
    expect(problemOf({ covers: { agency: wrong } })).toMatch(/sources\[0\]\.covers\.agency: 统一社会信用代码 \w+ 校验位应为 \w，实为 \w/);
  });
});

describe('the other keys', () => {
  test('an id is lower-case letters, digits and hyphens, and unique in the file', () => {
    expect(problemOf({ id: 'Quanzhou_Platform' })).toContain('sources[0].id: expected an id of lower-case letters, digits and hyphens, got "Quanzhou_Platform"');
    const error = errorOf(fileOf(aSource(), aFolderSource({ id: 'quanzhou-platform' })));
    expect(error.message).toMatch(/^etl\/sources\.yaml: sources\[1\]\.id: "quanzhou-platform" is already the id of sources\[0\] \(line \d+\)$/);
  });

  test('the transport is HTTP or FOLDER', () => {
    expect(problemOf({ transport: 'http' })).toContain('sources[0].transport: unknown transport "http" (known: HTTP, FOLDER)');
  });

  test('a mapping must be a file in etl/mappings; a missing one is named with those there are', () => {
    expect(parse(fileOf(aSource({ mapping: 'example-county-platform' })))[0]!.mapping).toBe('example-county-platform');
    expect(problemOf({ mapping: 'no-such-platform' }))
      .toMatch(/sources\[0\]\.mapping: no mapping "no-such-platform" in etl\/mappings \(available: .*example-county-platform/);
    expect(problemOf({ mapping: 'example-county-platform.yaml' })).toContain('sources[0].mapping: expected a mapping name');
  });

  test('entities are names from FEEDS.md, each listed once', () => {
    expect(problemOf({ entities: ['agencies', 'things'] })).toContain('sources[0].entities[1]: unknown entity "things" (known: agencies, personnel,');
    expect(problemOf({ entities: ['cases', 'cases'] })).toContain('sources[0].entities[1]: "cases" is listed twice');
  });

  test('a page holds 1 to 1000 rows', () => {
    expect(problemOf({ pageSize: 5000 })).toContain('sources[0].pageSize: expected a whole number from 1 to 1000, got 5000');
    expect(problemOf({ pageSize: 0 })).toContain('got 0');
  });

  test('entities and pageSize belong to HTTP sources only', () => {
    const message = errorOf(fileOf(aFolderSource({ entities: ['cases'], pageSize: 100 }))).message;
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/sources\[0\]\.entities: only an HTTP source is pulled entity by entity/),
      expect.stringMatching(/sources\[0\]\.pageSize: only an HTTP source is pulled in pages/),
    ]);
  });

  test('lateAfterHours, the grace before a scheduled source shows as late, is a positive number of hours and needs a schedule', () => {
    expect(byId(parse(fileOf(aSource({ schedule: '0 2 * * *', lateAfterHours: 1.5 }))), 'quanzhou-platform').lateAfterHours).toBe(1.5);
    expect(byId(parse(fileOf(aSource({ schedule: '0 2 * * *' }))), 'quanzhou-platform').lateAfterHours).toBeUndefined();
    expect(problemOf({ schedule: '0 2 * * *', lateAfterHours: 0 })).toContain('sources[0].lateAfterHours');
    expect(problemOf({ lateAfterHours: 4 })).toMatch(/sources\[0\]\.lateAfterHours: only a source with a schedule can be late/);
  });

  test('a misspelt key is refused with the known ones', () => {
    expect(problemOf({ schedul: '0 2 * * *' })).toMatch(/sources\[0\]\.schedul: unknown key \(known: id, name, transport, location, covers, schedule,/);
  });

  test('a missing key is named at its source', () => {
    const { name: _name, ...nameless } = aSource();
    expect(errorOf(fileOf(nameless)).message).toBe('etl/sources.yaml: sources[0].name: missing (line 2)');
  });
});

describe('schedules', () => {
  test.each([
    '0 2 * * *',
    '*/15 8-18 * * MON-FRI',
    '0 3 1,15 * 0',
    '30 1 * JAN-JUN 7',
    '0 0-12/3 * * *',
  ])('%s is a valid five-field schedule', (schedule) => {
    expect(parse(fileOf(aSource({ schedule })))[0]!.schedule).toBe(schedule);
  });

  test.each([
    ['0 2 * *', /expected 5 fields \(minute hour day-of-month month day-of-week\), got 4/],
    ['@daily', /expected 5 fields/],
    ['0 25 * * *', /hour 25 is outside 0–23/],
    ['0 2 * * MON-FRY', /day of week "FRY" is not a number or SUN–SAT/],
    ['0 2 32 * *', /day of month 32 is outside 1–31/],
    ['*/0 * * * *', /minute "\*\/0": the step after '\/' must be a whole number from 1 to 59/],
    ['0 18-8 * * *', /hour range "18-8" runs backwards/],
    ['0 2 * 13 *', /month 13 is outside 1–12/],
  ])('%s is refused saying which field is wrong', (schedule, reason) => {
    expect(problemOf({ schedule })).toMatch(reason);
  });
});

describe('the file as a whole', () => {
  test('every problem of the file is reported at once, each with its path and line', () => {
    const text = [
      'sources:', // 1
      '  - id: quanzhou-platform', // 2
      '    name: 泉州市行政执法平台', // 3
      '    transport: HTTPS', // 4
      '    location: ${HUB_DEMO_API_URL}', // 5
      "    covers: { region: '359900' }", // 6
      '  - id: county-deliveries', // 7
      '    name: 某县手工报送', // 8
      '    transport: FOLDER', // 9
      '    location: deliveries/county', // 10
      `    covers: { agency: ${AGENCY_USCC} }`, // 11
      "    schedule: '0 2 * *'", // 12
      '    pageSize: 5000', // 13
    ].join('\n');
    const error = errorOf(text);
    expect(error.code).toBe(SOURCES_FILE_INVALID);
    expect(error.message.split('\n')).toEqual([
      'etl/sources.yaml: sources[0].transport: unknown transport "HTTPS" (known: HTTP, FOLDER) (line 4)',
      'etl/sources.yaml: sources[0].covers.region: 行政区划代码 359900 不存在于 GB/T 2260 区划表 (line 6)',
      expect.stringMatching(/^etl\/sources\.yaml: sources\[1\]\.schedule: expected 5 fields .* \(line 12\)$/),
      'etl/sources.yaml: sources[1].pageSize: expected a whole number from 1 to 1000, got 5000 (line 13)',
    ]);
  });

  test('a file without a sources list is refused', () => {
    expect(errorOf('').message).toBe('etl/sources.yaml: (top level): expected a mapping with keys sources, got null');
    expect(errorOf('source:\n  - id: x\n').message.split('\n')).toEqual([
      'etl/sources.yaml: source: unknown key (known: sources) (line 1)',
      'etl/sources.yaml: sources: missing',
    ]);
  });

  test('a YAML syntax error names the file, line and column', () => {
    expect(errorOf('sources:\n  - id: [quanzhou\n').message).toMatch(/^etl\/sources\.yaml:\d+:\d+: YAML syntax error/);
  });

  test('an empty sources list is no sources', () => {
    expect(parse('sources: []\n')).toEqual([]);
  });
});

describe('loading the file', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sources-file-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('loadSourcesFile resolves folders against the file\'s own folder and reads variables from the given environment', () => {
    const file = path.join(dir, 'sources.yaml');
    fs.writeFileSync(file, fileOf(aSource(), aFolderSource()));
    const sources = loadSourcesFile(file, DEMO_ENV);
    expect(byId(sources, 'county-deliveries').location).toBe(path.join(dir, 'deliveries', 'county'));
    expect(byId(sources, 'quanzhou-platform').location).toBe(DEMO_ENV.HUB_DEMO_API_URL);
  });

  test('errors name the file as given when it lies outside the project', () => {
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, fileOf(aSource({ pageSize: 0 })));
    expect(() => loadSourcesFile(file, DEMO_ENV)).toThrow(`${file}: sources[0].pageSize: expected a whole number from 1 to 1000, got 0`);
  });

  test('a missing sources file is named', () => {
    const file = path.join(dir, 'no-such-sources.yaml');
    expect(() => loadSourcesFile(file, DEMO_ENV)).toThrow(
      expect.objectContaining({ code: SOURCES_FILE_NOT_FOUND, message: expect.stringContaining('no-such-sources.yaml') }),
    );
  });
});

describe('finding a source', () => {
  const sources = parse(fileOf(aSource(), aFolderSource()));

  test('findSource gives the source with that id', () => {
    expect(findSource(sources, 'county-deliveries').transport).toBe('FOLDER');
  });

  test('an unknown id is refused listing the ids there are', () => {
    expect(() => findSource(sources, 'quanzhou')).toThrow(
      expect.objectContaining({ code: SOURCE_NOT_FOUND, message: 'no source "quanzhou" (known: quanzhou-platform, county-deliveries)' }),
    );
  });
});

describe('the example sources file', () => {
  test('etl/sources.example.yaml, the format documented for deployments, loads as it stands', () => {
    const sources = loadSourcesFile(path.join(projectRoot, 'etl', 'sources.example.yaml'), {});
    expect(sources.map((source) => source.id)).toEqual(['quanzhou-platform', 'jinjiang-drop', 'county-platform-export']);
  });
});
