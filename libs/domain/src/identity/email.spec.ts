import { ValidationError } from '../errors.js';
import { checkEmail, legacyEmailSpelling, normalizeEmail, normalizeEmailOrNull } from './email.js';

describe('checkEmail', () => {
  it.each([
    ['  Ana@Example.COM ', 'ana@example.com'],
    ['bob@example.com', 'bob@example.com'],
    ['Alice@Example.com', 'alice@example.com'],
    ['ａｌｉｃｅ@ｅｘａｍｐｌｅ.ｃｏｍ', 'alice@example.com'],
    ['ﬁona@example.com', 'fiona@example.com'],
    ['o\'brien+tag@mail.example.co.uk', 'o\'brien+tag@mail.example.co.uk'],
    ['first.last@xn--bcher-kva.de', 'first.last@xn--bcher-kva.de'],
    ['a-b_c@sub-domain.example.io', 'a-b_c@sub-domain.example.io'],
  ])('accepts %j as %j', (input, expected) => {
    expect(checkEmail(input)).toEqual({ ok: true, email: expected });
  });

  it.each([
    ['\u0430lice@example.com', 'non_ascii'], // Cyrillic а
    ['alice@ex\u0430mple.com', 'non_ascii'],
    ['\u03b1lice@example.com', 'non_ascii'], // Greek α
    ['josé@example.com', 'non_ascii'],
    ['alice@bücher.de', 'non_ascii'],
    ['alice\u200b@example.com', 'invisible_character'], // zero-width space
    ['ali\u200dce@example.com', 'invisible_character'], // zero-width joiner
    ['alice@exa\u00admple.com', 'invisible_character'], // soft hyphen
    ['\u202ealice@example.com', 'invisible_character'], // right-to-left override
    ['\ufeffalice@example.com', 'invisible_character'], // byte order mark
    ['ali ce@example.com', 'invisible_character'],
    ['alice\u00a0@example.com', 'invisible_character'],
    ['"alice"@example.com', 'quoted_local_part'],
    ['"ali ce"@example.com', 'invisible_character'],
    ['alice@', 'malformed'],
    ['@example.com', 'malformed'],
    ['alice', 'malformed'],
    ['alice@example', 'malformed'],
    ['alice@@example.com', 'malformed'],
    ['.alice@example.com', 'malformed'],
    ['alice.@example.com', 'malformed'],
    ['al..ice@example.com', 'malformed'],
    ['alice@-example.com', 'malformed'],
    ['alice@example..com', 'malformed'],
    ['alice@[127.0.0.1]', 'malformed'],
    ['alice@127.0.0.1', 'malformed'],
    ['alice(comment)@example.com', 'malformed'],
    [`${'a'.repeat(65)}@example.com`, 'malformed'],
    [`a@${'b'.repeat(250)}.com`, 'too_long'],
  ])('refuses %j (%s)', (input, problem) => {
    expect(checkEmail(input)).toMatchObject({ ok: false, problem, message: expect.stringMatching(/^email /) });
  });
});

describe('normalizeEmail', () => {
  it('returns the normalised address, and throws a 400 ValidationError naming the field for a refused one', () => {
    expect(normalizeEmail(' Ana@Example.COM')).toBe('ana@example.com');
    let thrown: unknown;
    try {
      normalizeEmail('\u0430lice@example.com');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(thrown).toMatchObject({ code: 'validation_failed', details: [{ field: 'email', messages: [expect.stringContaining('ASCII')] }] });
  });

  it('normalizeEmailOrNull answers null instead of throwing; the legacy spelling is trim and lower case only', () => {
    expect(normalizeEmailOrNull('alice\u200b@example.com')).toBeNull();
    expect(normalizeEmailOrNull('ALICE@example.com')).toBe('alice@example.com');
    expect(legacyEmailSpelling(' ALICE\u200b@Example.com ')).toBe('alice\u200b@example.com');
  });
});
