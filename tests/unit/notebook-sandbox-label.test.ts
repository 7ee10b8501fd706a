/** The status bar's word on where model code runs and what isolates it. */
import { describe, expect, it } from 'vitest';
import { sandboxLabel } from '@duet/notebook';

describe('the sandbox label', () => {
  it('names the gateway host for kernels on a gateway, not a sandbox mode', () => {
    expect(sandboxLabel({ mode: 'remote', host: 'gpu-box:8888', available: true, notes: [] })).toBe('Remote kernel on gpu-box:8888');
  });

  it('names the local sandbox, or says plainly that there is none', () => {
    expect(sandboxLabel({ mode: 'bwrap', available: true, notes: [] })).toBe('Sandbox: bwrap');
    expect(sandboxLabel({ mode: 'none', available: false, notes: [] })).toBe('No sandbox: model code runs with your rights');
  });
});
