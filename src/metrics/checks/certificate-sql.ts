/**
 * Whether an officer's enforcement certificate is valid on a day (DOMAIN.md §4.5): status 有效, the day within
 * issue..expiry (no expiry: no end), not inside a suspension window (from..to inclusive; no end: still
 * suspended), and a certificate at all (number and issue date). The state that counts is the one in force on
 * that day: certificate_history keeps each reported state from the `updatedAt` that reported it, so a
 * certificate revoked in 2026 was still valid for a 2025 decision. Before the first report the first reported
 * state is the best knowledge there is, and it counts.
 */

/**
 * A lateral subquery `alias(certificate_*)`: the state of the certificate of person `personAlias` (a personnel
 * row) in force at the end of day `daySql` (Asia/Shanghai). Grain: at most one row.
 */
export function certificateInForceSql(personAlias: string, daySql: string): string {
  const dayEnds = `((${daySql}) + 1)::timestamp at time zone 'Asia/Shanghai'`;
  return `select h.certificate_no, h.certificate_issued_on, h.certificate_expires_on, h.certificate_status,
        h.certificate_suspended_from, h.certificate_suspended_to
      from certificate_history h
      where h.region_code = ${personAlias}.region_code and h.agency_uscc = ${personAlias}.agency_uscc
        and h.person_id = ${personAlias}.person_id
      order by h.valid_from < ${dayEnds} desc,
        case when h.valid_from < ${dayEnds} then h.valid_from end desc, h.valid_from
      limit 1`;
}

/** The validity rule over a certificate state `alias` (from certificateInForceSql) on day `daySql`. */
export function certificateValidSql(alias: string, daySql: string): string {
  return `(coalesce(${alias}.certificate_no, '') <> '' and ${alias}.certificate_issued_on is not null
      and ${alias}.certificate_status = 'VALID'
      and ${daySql} >= ${alias}.certificate_issued_on
      and (${alias}.certificate_expires_on is null or ${daySql} <= ${alias}.certificate_expires_on)
      and not coalesce(${daySql} >= ${alias}.certificate_suspended_from
        and (${alias}.certificate_suspended_to is null or ${daySql} <= ${alias}.certificate_suspended_to), false))`;
}
