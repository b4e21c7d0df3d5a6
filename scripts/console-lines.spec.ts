import { createLinePrefixer, describeError, isOwnHealth, isUnreachable, redactUrl, servicePrefix } from './console-lines.js';

describe('servicePrefix', () => {
  it('is the bare name in brackets when output is not a terminal', () => {
    expect(servicePrefix('gateway', 1, false)).toBe('[gateway]');
  });

  it('wraps the name in a color and a reset on a terminal, a different color per service', () => {
    const registry = servicePrefix('registry', 0, true);
    const gateway = servicePrefix('gateway', 1, true);
    // eslint-disable-next-line no-control-regex -- the escape codes of a terminal color are what this checks.
    expect(registry).toMatch(/^\x1b\[\d+m\[registry\]\x1b\[0m$/);
    expect(registry.slice(0, 5)).not.toBe(gateway.slice(0, 5));
  });
});

describe('createLinePrefixer', () => {
  function collect() {
    const out: string[] = [];
    return { out, prefixer: createLinePrefixer('[gateway]', (l) => out.push(l)) };
  }

  it.each([
    ['one line per chunk', ['a\n', 'b\n'], ['[gateway] a\n', '[gateway] b\n']],
    ['several lines in one chunk', ['a\nb\nc\n'], ['[gateway] a\n', '[gateway] b\n', '[gateway] c\n']],
    ['a line split across chunks', ['{"lev', 'el":30}\n'], ['[gateway] {"level":30}\n']],
    ['CRLF endings', ['a\r\nb\r\n'], ['[gateway] a\n', '[gateway] b\n']],
    ['empty lines kept', ['a\n\nb\n'], ['[gateway] a\n', '[gateway] \n', '[gateway] b\n']],
  ])('%s', (_name, chunks, expected) => {
    const { out, prefixer } = collect();
    for (const c of chunks) prefixer.push(c);
    expect(out).toEqual(expected);
  });

  it('holds an unfinished line until flush, then writes it once', () => {
    const { out, prefixer } = collect();
    prefixer.push('no newline yet');
    expect(out).toEqual([]);
    prefixer.flush();
    prefixer.flush();
    expect(out).toEqual(['[gateway] no newline yet\n']);
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://postgres:hunter2@db:5432/promptgate', 'postgres://postgres:***@db:5432/promptgate'],
    ['postgres://postgres@127.0.0.1:5432/promptgate', 'postgres://postgres@127.0.0.1:5432/promptgate'],
    ['redis://:s3cret@cache:6379', 'redis://:***@cache:6379'],
    ['not a url', '(unparsable URL)'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('isUnreachable', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), true],
    [Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}), true],
    [Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' }), true],
    [new Error('Connection terminated due to connection timeout'), true],
    [Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' }), false],
    [null, false],
  ])('%s -> %s', (err, expected) => {
    expect(isUnreachable(err)).toBe(expected);
  });
});

describe('describeError', () => {
  it.each([
    [new Error('connect ECONNREFUSED 127.0.0.1:5432'), 'connect ECONNREFUSED 127.0.0.1:5432'],
    [new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')]),
      'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432'],
    [Object.assign(new Error(''), { code: 'ECONNRESET' }), 'ECONNRESET'],
    ['plain string', 'plain string'],
  ])('%s -> %s', (err, expected) => {
    expect(describeError(err)).toBe(expected);
  });
});

describe('isOwnHealth', () => {
  const id = '0b6a9c1e-2f7d-4e55-9a43-5d1f8e0c7b21';

  it('is true only for the service it started, with the instance id it handed that service', () => {
    expect(isOwnHealth({ status: 'ok', service: 'gateway', instance: id }, 'gateway', id)).toBe(true);
  });

  it('is false for anything else that answers /health 200 on the port', () => {
    for (const body of [
      { status: 'ok' },
      { status: 'ok', service: 'gateway' },
      { status: 'ok', service: 'gateway', instance: 'an-earlier-start' },
      { status: 'ok', service: 'registry', instance: id },
      { status: 'down', service: 'gateway', instance: id },
      'ok', null, [], 42,
    ]) expect([body, isOwnHealth(body, 'gateway', id)]).toEqual([body, false]);
  });
});
