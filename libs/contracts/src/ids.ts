import { z } from 'zod';

/**
 * An id our own database issued: any 8-4-4-4-12 hex string, as PostgreSQL's uuid type accepts and
 * prints it. zod's uuid() also demands RFC 4122's version and variant digits, which ids made by
 * md5()::uuid (bench/support/seed-prompts.ts) or imported from elsewhere do not have.
 */
export const dbId = () => z.guid();
