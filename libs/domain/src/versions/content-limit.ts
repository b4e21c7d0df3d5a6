import { ValidationError } from '../errors.js';
import { utf8ByteLength } from '../portable/template.js';

export { utf8ByteLength };

/** A prompt's content is at most 256 KiB of UTF-8 (API.md), refused with 400 at proposal. */
export const PROMPT_CONTENT_MAX_BYTES = 262_144;
/** Each chat message's content, when chat prompts arrive: the same 256 KiB. */
export const MESSAGE_CONTENT_MAX_BYTES = 262_144;

/** Whether `text` is over `maxBytes` of UTF-8; every UTF-16 unit is 1 to 3 bytes, so most texts are decided without counting. */
export function overUtf8Bytes(text: string, maxBytes: number): boolean {
  return text.length > maxBytes || (text.length * 3 > maxBytes && utf8ByteLength(text) > maxBytes);
}

/** `400 validation_failed` naming `field` when `text` is over `maxBytes` of UTF-8; else the text. */
export function checkContentSize(text: string, field = 'content', maxBytes = PROMPT_CONTENT_MAX_BYTES): string {
  if (overUtf8Bytes(text, maxBytes)) {
    throw new ValidationError(`${field} is larger than ${maxBytes} bytes of UTF-8.`, [
      { field, messages: [`${field} must be at most ${maxBytes} bytes (UTF-8)`] },
    ]);
  }
  return text;
}
