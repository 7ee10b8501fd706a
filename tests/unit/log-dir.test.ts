import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger, DEFAULT_LOG_DIR } from '@duet/server';

const PROJECT_LOGS = fileURLToPath(new URL('../../logs', import.meta.url));

describe('the log folder', () => {
  it("is the project's logs/, whatever folder the command runs in", () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'duet-cwd-'));
    const before = process.cwd();
    process.chdir(elsewhere);
    onTestFinished(() => {
      process.chdir(before);
      rmSync(elsewhere, { recursive: true, force: true });
    });
    createLogger({ level: 'silent' });
    expect(DEFAULT_LOG_DIR).toBe(PROJECT_LOGS);
    expect(existsSync(join(elsewhere, 'logs'))).toBe(false);
  });
});
