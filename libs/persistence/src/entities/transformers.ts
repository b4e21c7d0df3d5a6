import type { ValueTransformer } from 'typeorm';

/** bigint columns come back from pg as strings; counts here stay far below 2^53. */
export const bigintToNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null || v === undefined ? v : Number(v)),
};
