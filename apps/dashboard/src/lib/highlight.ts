import { compileTemplate } from '../../../../libs/domain/src/portable/template.js';

/** A piece of prompt text: plain, or a `{{variable}}` (with its name). */
export type Segment = { kind: 'text'; text: string } | { kind: 'variable'; text: string; name: string };

/**
 * Splits content at its `{{variables}}` with the gateway's own template compiler (libs/domain
 * portable/template.ts), so the page highlights exactly what serving substitutes. Empty text pieces
 * are left out; joining every segment's `text` gives back the content.
 */
export function highlightSegments(content: string): Segment[] {
  const { texts, names } = compileTemplate(content);
  const segments: Segment[] = [];
  texts.forEach((text, i) => {
    if (text !== '') segments.push({ kind: 'text', text });
    if (i < names.length) segments.push({ kind: 'variable', text: `{{${names[i]}}}`, name: names[i] });
  });
  return segments;
}
