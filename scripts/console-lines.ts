const COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m'];
const RESET = '\x1b[0m';

/** `[name]`, colored (a stable color per index) when the output is a terminal. */
export function servicePrefix(name: string, index: number, colored: boolean): string {
  const label = `[${name}]`;
  return colored ? `${COLORS[index % COLORS.length]}${label}${RESET}` : label;
}

/**
 * Splits a child's output stream into lines and writes each with a prefix. A chunk may end
 * mid-line, so the tail is held until its newline arrives (or until flush at exit).
 */
export function createLinePrefixer(prefix: string, write: (line: string) => void) {
  let pending = '';
  return {
    push(chunk: string) {
      const lines = (pending + chunk).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) write(`${prefix} ${line}\n`);
    },
    flush() {
      if (pending) write(`${prefix} ${pending}\n`);
      pending = '';
    },
  };
}

/** A connection URL fit to print: the password, if any, is masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** True when an error means "nothing answered at that address" rather than "it answered no". */
export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: unknown; errors?: unknown[]; message?: unknown } | null;
  if (typeof e?.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  if (Array.isArray(e?.errors) && e.errors.some(isUnreachable)) return true;
  return typeof e?.message === 'string' && /timeout|timed out|Connection is closed/i.test(e.message);
}

/** One line saying why, without a stack; AggregateError (IPv4 and IPv6 both refused) has no message of its own. */
export function describeError(err: unknown): string {
  const e = err as { message?: unknown; errors?: unknown[]; code?: unknown } | null;
  if (typeof e?.message === 'string' && e.message) return e.message;
  if (Array.isArray(e?.errors) && e.errors.length) return e.errors.map(describeError).join('; ');
  if (typeof e?.code === 'string') return e.code;
  return String(err);
}

/** Whether a /health answer is the one `npm start` expects from the service it started: that name and that instance id. */
export function isOwnHealth(body: unknown, service: string, instance: string): boolean {
  const b = body as { status?: unknown; service?: unknown; instance?: unknown } | null;
  return typeof b === 'object' && b !== null && b.status === 'ok' && b.service === service && b.instance === instance;
}
