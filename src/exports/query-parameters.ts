import { isCivilDate } from '../domain/calendar/civil-date';
import { InvalidValueError } from '../domain/errors';

/**
 * The query parameters of an export (GET /export/…): every one named, checked, and refused in Chinese and
 * English when wrong, before the export reads or writes anything. The refusals are InvalidValueError, which the
 * HTTP layer answers with 400 and the message.
 */
export type QueryParameters = ReadonlyMap<string, string>;

/** What the parameters belong to, in both languages: 「数据集 cases」 / "dataset cases". */
export interface ExportSubject { zh: string; en: string }

export function refuseParameter(code: string, value: unknown, zh: string, en: string): InvalidValueError {
  return new InvalidValueError(code, value, `${zh} / ${en}`);
}

/** The query as a map; a parameter the export does not know, given twice or empty is refused rather than ignored. */
export function readParameters(query: URLSearchParams, subject: ExportSubject, allowed: readonly string[]): QueryParameters {
  const parameters = new Map<string, string>();
  for (const [name, value] of query) {
    if (!allowed.includes(name)) {
      throw refuseParameter('UNKNOWN_PARAMETER', name, `${subject.zh} 不接受查询参数 ${name}（可用：${allowed.join('、')}）`,
        `${subject.en} has no query parameter ${name} (known: ${allowed.join(', ')})`);
    }
    if (parameters.has(name)) throw refuseParameter('REPEATED_PARAMETER', name, `查询参数 ${name} 重复出现`, `query parameter ${name} is given more than once`);
    if (value.trim() === '') throw refuseParameter('EMPTY_PARAMETER', name, `查询参数 ${name} 为空`, `query parameter ${name} is empty`);
    parameters.set(name, value.trim());
  }
  return parameters;
}

export function dateParameter(parameters: QueryParameters, name: string): string | undefined {
  const value = parameters.get(name);
  if (value !== undefined && !isCivilDate(value)) {
    throw refuseParameter('INVALID_DATE', value, `查询参数 ${name}='${value}' 不是有效日期（应为 YYYY-MM-DD）`,
      `query parameter ${name}='${value}' is not a valid date (expected YYYY-MM-DD)`);
  }
  return value;
}

/** A parameter the export cannot do without; `expected` says what it holds, in both languages. */
export function requiredParameter(parameters: QueryParameters, name: string, subject: ExportSubject, expected: { zh: string; en: string }): string {
  const value = parameters.get(name);
  if (value === undefined) {
    throw refuseParameter('MISSING_PARAMETER', name, `${subject.zh} 须给出查询参数 ${name}（${expected.zh}）`,
      `${subject.en} needs query parameter ${name} (${expected.en})`);
  }
  return value;
}

export function requiredDateParameter(parameters: QueryParameters, name: string, subject: ExportSubject): string {
  requiredParameter(parameters, name, subject, { zh: 'YYYY-MM-DD', en: 'YYYY-MM-DD' });
  return dateParameter(parameters, name)!;
}

export function checkRange(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && from > to) {
    throw refuseParameter('PERIOD_REVERSED', { from, to }, `查询参数 from=${from} 晚于 to=${to}`, `query parameter from=${from} is after to=${to}`);
  }
}

/** A domain check's refusal, restated with the parameter that carried the value. */
export function named<T>(parameter: string, value: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    throw refuseParameter(error.code, value, `查询参数 ${parameter}=${value} 无效：${error.message}`, `invalid query parameter ${parameter}=${value}`);
  }
}
