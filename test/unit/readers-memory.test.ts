import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encode } from 'iconv-lite';
import { readCsvFile } from '../../etl/readers/csv-reader';

// A separate file so that the RSS measured here is this reader's alone, not other tests' leftovers.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-readers-memory-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A case export of `rows` lines written a chunk at a time, so the test itself never holds the file. */
async function aLargeCaseCsv(name: string, rows: number, encoding: 'utf8' | 'gbk'): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  const header = '案件编号,主体代码,行为类别,立案日期,相对人名称,罚没金额,说明\r\n';
  let chunk = header;
  for (let i = 1; i <= rows; i++) {
    chunk += `泉鲤市监罚〔2024〕${i}号,11350502MB0123456X,行政处罚,2024-05-18,泉州市某某食品有限公司${i % 977},${i}.00,"当事人未按规定""公示""，责令改正\r\n并处罚款"\r\n`;
    if (chunk.length > 256 * 1024 || i === rows) {
      if (!out.write(encoding === 'gbk' ? encode(chunk, 'gbk') : chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end();
  await once(out, 'finish');
  return path;
}

/**
 * A full garbage collection, so that what is measured is memory the reader holds, not garbage not yet
 * collected. Jest does not pass --expose-gc; V8 can still be asked for it at run time.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const MB = 2 ** 20;

test('streaming a 200 000-row CSV keeps memory bounded: RSS grows by far less than the file (under 60 MB) and live heap does not grow with rows', async () => {
  const rowsInFile = 200_000;
  const path = await aLargeCaseCsv('cases-large.csv', rowsInFile, 'utf8');
  const fileMb = (await stat(path)).size / MB;
  collectGarbage();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let heapEarly = 0;
  let count = 0;
  let lastRow = 0;
  const started = process.hrtime.bigint();
  for await (const row of readCsvFile(path)) {
    count++;
    lastRow = row.position.row ?? 0;
    if (count % 10_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (count === 20_000) {
      collectGarbage();
      heapEarly = process.memoryUsage().heapUsed;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  collectGarbage();
  const heapLateMb = (process.memoryUsage().heapUsed - heapEarly) / MB;
  const rssGrowthMb = (peakRss - baseline.rss) / MB;
  console.log(`CSV ${rowsInFile} rows (${fileMb.toFixed(0)} MB): RSS growth ${rssGrowthMb.toFixed(1)} MB, ` +
    `live heap 20k→200k rows ${heapLateMb.toFixed(1)} MB, ${Math.round(count / seconds)} rows/s`);
  expect(count).toBe(rowsInFile);
  // each record spans two physical lines (a quoted CRLF), after a one-line header
  expect(lastRow).toBe(2 * rowsInFile);
  expect(rssGrowthMb).toBeLessThan(60);
  // what is still alive after 200k rows is what was alive after 20k: nothing accumulates per row
  expect(heapLateMb).toBeLessThan(8);
}, 60_000);
