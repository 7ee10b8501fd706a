import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConnectionFileError, DEFAULT_LIMITS, parseConnectionInfo } from '@duet/kernel';
import { ConfigError, DEFAULT_KERNEL_NAME, DUET_BIN, checkKernelName, checkSandbox, jupyterDataDir, kernelLimits, kernelSpec, kernelSpecDir, positiveFlag } from '@duet/server';

describe('the kernelspec duet kernelspec install writes', () => {
  it('runs duet kernel with this Node and this checkout, the connection file passed through', () => {
    const spec = kernelSpec();
    expect(spec.argv).toEqual([process.execPath, DUET_BIN, 'kernel', '--connection-file', '{connection_file}']);
    expect(DUET_BIN).toMatch(/\/apps\/server\/bin\/duet\.js$/);
    expect(existsSync(DUET_BIN)).toBe(true);
  });

  it('is a Python kernel that is interrupted by message, not by signal', () => {
    const spec = kernelSpec();
    expect(spec.display_name).toBe('Python 3 (Duet sandbox)');
    expect(spec.language).toBe('python');
    expect(spec.interrupt_mode).toBe('message');
  });

  it('passes on the sandbox and Python given, and only those', () => {
    expect(kernelSpec({ sandbox: 'landlock', python: '/opt/py/bin/python3', node: '/n', duetBin: '/d.js' }).argv).toEqual([
      '/n',
      '/d.js',
      'kernel',
      '--connection-file',
      '{connection_file}',
      '--sandbox',
      'landlock',
      '--python',
      '/opt/py/bin/python3',
    ]);
    expect(kernelSpec({ sandbox: 'bwrap' }).argv.slice(5)).toEqual(['--sandbox', 'bwrap']);
    expect(kernelSpec({ diskLimitMb: 200, maxFiles: 500 }).argv.slice(5)).toEqual(['--disk-limit', '200', '--max-files', '500']);
  });

  it('goes where jupyter kernelspec install puts it', () => {
    expect(DEFAULT_KERNEL_NAME).toBe('duet-sandboxed');
    expect(kernelSpecDir('duet-sandboxed', '/opt/env')).toBe('/opt/env/share/jupyter/kernels/duet-sandboxed');
    expect(kernelSpecDir('k', undefined, '/data/jupyter')).toBe('/data/jupyter/kernels/k');
    expect(jupyterDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/jupyter');
    expect(jupyterDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/jupyter');
    expect(jupyterDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Jupyter');
    expect(jupyterDataDir({ JUPYTER_DATA_DIR: '/j' }, 'linux', '/home/u')).toBe('/j');
  });

  it('gives the kernel Duet\'s limits, with the disk limit and file count asked for', () => {
    expect(kernelLimits({})).toEqual(DEFAULT_LIMITS);
    expect(kernelLimits({ diskLimitMb: 2, maxFiles: 7 })).toEqual({ ...DEFAULT_LIMITS, diskBytes: 2 * 1024 ** 2, maxFiles: 7 });
    expect(positiveFlag('12', '--max-files')).toBe(12);
    expect(() => positiveFlag('0', '--max-files')).toThrow(/--max-files must be a whole number/);
  });

  it('refuses names Jupyter refuses, and running without a sandbox', () => {
    expect(checkKernelName('duet-sandboxed.v2_x')).toBe('duet-sandboxed.v2_x');
    expect(() => checkKernelName('a b')).toThrow(ConfigError);
    expect(() => checkKernelName('../x')).toThrow(ConfigError);
    expect(checkSandbox(undefined)).toBeUndefined();
    expect(checkSandbox('bwrap')).toBe('bwrap');
    expect(() => checkSandbox('none')).toThrow(/never runs model code without a sandbox/);
  });
});

describe("a gateway's connection file", () => {
  const file = { transport: 'tcp', ip: '127.0.0.1', shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, key: 'k', signature_scheme: 'hmac-sha256', kernel_name: 'duet-sandboxed' };

  it('gives the ports and the key the kernel is started with', () => {
    expect(parseConnectionInfo(file, 'f.json')).toEqual(file);
  });

  it('is refused, saying why, when the kernel could not speak to the gateway', () => {
    expect(() => parseConnectionInfo({ ...file, signature_scheme: 'hmac-sha512' }, 'f.json')).toThrow(/Session.signature_scheme/);
    expect(() => parseConnectionInfo({ ...file, hb_port: 0 }, 'f.json')).toThrow(ConnectionFileError);
    expect(() => parseConnectionInfo({ ...file, transport: 'udp' }, 'f.json')).toThrow(/only tcp and ipc/);
    expect(() => parseConnectionInfo({ ...file, key: 3 }, 'f.json')).toThrow(ConnectionFileError);
    expect(() => parseConnectionInfo([], 'f.json')).toThrow(ConnectionFileError);
  });
});
