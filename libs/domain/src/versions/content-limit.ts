import { ValidationError } from '../errors.js';

/** A prompt's content is at most 256 KiB of UTF-8 (API.md), refused with 400 at proposal. */
export const PROMPT_CONTENT_MAX_BYTES = 262_144;
/** Each chat message's content, when chat prompts arrive: the same 256 KiB. */
export const MESSAGE_CONTENT_MAX_BYTES = 262_144;

/** The UTF-8 length of `text` without encoding it; a lone surrogate counts as U+FFFD (3 bytes). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** `400 validation_failed` naming `field` when `text` is over `maxBytes` of UTF-8; else the text. */
export function checkContentSize(text: string, field = 'content', maxBytes = PROMPT_CONTENT_MAX_BYTES): string {
  // Every UTF-16 unit is at least one byte and at most three: the count is only needed in between.
  const over = text.length > maxBytes || (text.length * 3 > maxBytes && utf8ByteLength(text) > maxBytes);
  if (over) {
    throw new ValidationError(`${field} is larger than ${maxBytes} bytes of UTF-8.`, [
      { field, messages: [`${field} must be at most ${maxBytes} bytes (UTF-8)`] },
    ]);
  }
  return text;
}
