import { GraphQLDate, GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';

/**
 * The scalars of the schema, from graphql-scalars: `Date` (a civil date, 'YYYY-MM-DD', DOMAIN.md §3),
 * `DateTime` (an instant, RFC 3339) and `JSON` (quarantined raw rows). The warehouse keeps civil dates as text;
 * `civilDateOf` turns a parsed `Date` argument back into that text.
 */
export { GraphQLDate as DateScalar, GraphQLDateTime as DateTimeScalar, GraphQLJSON as JSONScalar };

/** graphql-scalars parses a Date argument to midnight UTC of that day: its UTC calendar day is the civil date. */
export function civilDateOf(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString().slice(0, 10);
}
