import { Prisma } from "@switchyard/db";

/** A bigint as a numeric(39,0) SQL parameter (sent as text: offsets of IPv6 pools exceed int8). */
export const num = (value: bigint): Prisma.Sql => Prisma.sql`${value.toString()}::numeric`;

/** A list of bigints as a numeric[] parameter. */
export const numArray = (values: readonly bigint[]): Prisma.Sql =>
  Prisma.sql`${values.map((v) => v.toString())}::numeric[]`;

/** A JS Date as a timestamp(3) parameter; Prisma stores UTC wall-clock time in `timestamp without time zone`. */
export const ts = (date: Date): Prisma.Sql =>
  Prisma.sql`${date.toISOString()}::timestamptz AT TIME ZONE 'UTC'`;
