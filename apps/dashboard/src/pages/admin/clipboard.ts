/** The outcome of a "Copy" button: the browser may lack the clipboard API or the user may deny it. */
export type CopyOutcome = 'copied' | 'denied' | 'unavailable';

export interface ClipboardLike {
  writeText(text: string): Promise<void>;
}

/** Copies `text` with the given clipboard (navigator.clipboard in the page), never throwing. */
export async function copyText(clipboard: ClipboardLike | undefined, text: string): Promise<CopyOutcome> {
  if (!clipboard || typeof clipboard.writeText !== 'function') return 'unavailable';
  try {
    await clipboard.writeText(text);
    return 'copied';
  } catch {
    return 'denied';
  }
}

export const COPY_TEXT: Record<CopyOutcome, string> = {
  copied: 'Copied to the clipboard.',
  denied: 'The browser did not allow copying: select the text and copy it yourself.',
  unavailable: 'This browser cannot copy from the page: select the text and copy it yourself.',
};
