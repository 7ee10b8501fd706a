import { describe, expect, it } from 'vitest';
import { KernelSession, type KernelLogger } from '@duet/kernel';
import { INVENTORY_CANDIDATES, inventoryLine, readKernelInventory } from '@duet/server';

describe('inventoryLine', () => {
  it.each([
    { name: 'three packages', packages: ['numpy', 'pandas', 'matplotlib'], expected: 'Python 3.11.2 with numpy, pandas and matplotlib installed; nothing else can be installed (no pip, no network).' },
    { name: 'two packages', packages: ['numpy', 'scipy'], expected: 'Python 3.11.2 with numpy and scipy installed; nothing else can be installed (no pip, no network).' },
    { name: 'one package', packages: ['numpy'], expected: 'Python 3.11.2 with numpy installed; nothing else can be installed (no pip, no network).' },
    { name: 'no package', packages: [], expected: 'Python 3.11.2 with only the standard library; nothing else can be installed (no pip, no network).' },
  ])('names the version and $name', ({ packages, expected }) => {
    expect(inventoryLine({ python: '3.11.2', packages })).toBe(expected);
  });

  it('claims nothing it does not know when the kernel could not be asked', () => {
    expect(inventoryLine({ python: 'unknown', packages: [] })).toBe('Python 3; packages cannot be installed (no pip, no network).');
  });
});

describe('INVENTORY_CANDIDATES', () => {
  it('holds no module the guard refuses to notebook code, such as requests', () => {
    expect(INVENTORY_CANDIDATES).not.toContain('requests');
    expect(INVENTORY_CANDIDATES).toContain('numpy');
  });
});

describe('readKernelInventory', () => {
  it('returns unknown and logs, without throwing, when no kernel is running', async () => {
    const warnings: object[] = [];
    const log: KernelLogger = { debug() {}, info() {}, warn: (obj) => warnings.push(obj), error() {} };
    const kernel = new KernelSession({ python: '/usr/bin/python3', workdir: '/nonexistent/duet-inventory' });

    await expect(readKernelInventory(kernel, log)).resolves.toEqual({ python: 'unknown', packages: [] });
    expect(warnings).toHaveLength(1);
  });
});
