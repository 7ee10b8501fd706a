import { describe, expect, it } from 'vitest';
import { classifyClose, CLOSE_CODES, renamedTarget, renamedTo, unavailableReason, type ServerClose } from '@duet/notebook';

describe('reading why the server closed a notebook’s socket', () => {
  it.each<{ name: string; code: number; reason: string; expected: ServerClose }>([
    { name: 'a deleted notebook is gone', code: CLOSE_CODES.deleted, reason: 'deleted', expected: { kind: 'deleted' } },
    { name: 'a renamed notebook names its new name', code: CLOSE_CODES.renamed, reason: 'renamed to results 2', expected: { kind: 'renamed', to: 'results 2' } },
    { name: 'a rename to a name with “renamed to” in it keeps all of it', code: CLOSE_CODES.renamed, reason: 'renamed to renamed to x', expected: { kind: 'renamed', to: 'renamed to x' } },
    { name: 'a rename without a readable name is a lost connection', code: CLOSE_CODES.renamed, reason: 'renamed', expected: { kind: 'lost' } },
    { name: 'a rename to nothing is a lost connection', code: CLOSE_CODES.renamed, reason: 'renamed to ', expected: { kind: 'lost' } },
    { name: 'a replaced file asks for a fresh snapshot', code: CLOSE_CODES.replaced, reason: 'replaced', expected: { kind: 'replaced' } },
    { name: 'an idle close reconnects', code: CLOSE_CODES.idle, reason: 'idle', expected: { kind: 'lost' } },
    { name: 'a server shutting down reconnects', code: CLOSE_CODES.shutdown, reason: 'server shutting down', expected: { kind: 'lost' } },
    { name: 'a dropped network reconnects', code: 1006, reason: '', expected: { kind: 'lost' } },
    { name: 'an unknown code reconnects', code: 4999, reason: 'renamed to x', expected: { kind: 'lost' } },
  ])('$name', ({ code, reason, expected }) => {
    expect(classifyClose(code, reason)).toEqual(expected);
  });

  it('reads no name from a reason that is not a rename', () => {
    expect(renamedTo('deleted')).toBeNull();
    expect(renamedTo('Renamed to x')).toBeNull();
  });
});

describe('finding where a rename went', () => {
  // The server cuts its close reasons to 120 characters: `renamed to ` leaves 109 for the name.
  const long = 'n'.repeat(115);
  const cut = long.slice(0, 109);

  it.each([
    { name: 'a whole name is taken as it is', to: 'after', listed: ['after', 'other'], expected: 'after' },
    { name: 'a whole name is taken even before the list shows it', to: 'after', listed: ['before'], expected: 'after' },
    { name: 'a cut name is completed from the one listed name it begins', to: cut, listed: [long, 'other'], expected: long },
    { name: 'a cut name that is itself listed stays', to: cut, listed: [cut, long], expected: cut },
    { name: 'a cut name that begins two listed names is not guessed', to: cut, listed: [`${cut}aa`, `${cut}bb`], expected: cut },
  ])('$name', ({ to, listed, expected }) => {
    expect(renamedTarget(to, listed)).toBe(expected);
  });
});

describe('whether a notebook that did not open is worth retrying', () => {
  it.each([
    { status: 404, expected: 'missing' },
    { status: 400, expected: 'bad-name' },
    { status: 422, expected: 'broken' },
    { status: 401, expected: 'forbidden' },
    { status: 403, expected: 'forbidden' },
    { status: 200, expected: null },
    { status: 0, expected: null },
    { status: 409, expected: null },
    { status: 500, expected: null },
    { status: 503, expected: null },
  ])('HTTP $status: $expected', ({ status, expected }) => {
    expect(unavailableReason(status)).toBe(expected);
  });
});
