import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLock, LOCK_FILE, parseLock, type LockFile } from './core/lock.js';
import { parsePromptFile, PROMPT_FILE_SUFFIX, type PromptFile } from './core/prompt-file.js';

/** The prompt files and the lock file of one folder (the current one, or pull's DIR). */
export class PromptFolder {
  constructor(readonly dir: string) {}

  ensure(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  readLock(): LockFile | null {
    const file = join(this.dir, LOCK_FILE);
    if (!existsSync(file)) return null;
    return parseLock(readFileSync(file, 'utf8'));
  }

  writeLock(lock: LockFile): void {
    this.writeWhole(LOCK_FILE, formatLock(lock));
  }

  /** Every `<key>.prompt.yaml` here, parsed and checked, in name order; the first invalid one stops the command (exit 2). */
  readPromptFiles(): PromptFile[] {
    return this.promptFileNames().map((name) => parsePromptFile(name, readFileSync(join(this.dir, name), 'utf8')));
  }

  promptFileNames(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => f.endsWith(PROMPT_FILE_SUFFIX)).sort();
  }

  readText(name: string): string | null {
    const file = join(this.dir, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  }

  /** Written to a temporary file and renamed, so a reader never sees half a file. */
  writeWhole(name: string, text: string): void {
    const file = join(this.dir, name);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  }
}
