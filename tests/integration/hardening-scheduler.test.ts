import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { guardVariants, outputText, sandboxModes } from './sandbox-harness.ts';
import { KernelHost, ordinaryUser } from './sandbox-host.ts';

/**
 * Outside bwrap the kernel shares the host's PID namespace, so every call that
 * changes a process named by its pid could reach the server, or any process of
 * the same user: its scheduling policy, CPU affinity, priority, I/O priority,
 * limits, or a signal through a descriptor's owner. The server runs as an
 * ordinary user (root hides nothing here, but it is not how Duet is meant to
 * run) and starts a bystander of its own user. Judged from outside: what /proc
 * and ionice say about the server and the bystander, and that both still live.
 */

const modes = await sandboxModes();
const user = ordinaryUser();
console.info(`the servers in this suite run as ${user.name} (uid ${user.uid})`);

interface ProcessState {
  alive: boolean;
  nice: number;
  policy: number;
  cpus: string;
  openFiles: string;
  ioprio: string;
}

function stateOf(pid: number): ProcessState {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    return {
      alive: fields[0] !== 'Z',
      nice: Number(fields[16]),
      policy: Number(fields[38]),
      cpus: /^Cpus_allowed_list:\s*(.*)$/m.exec(status)?.[1] ?? '',
      openFiles: /^Max open files\s+(\S+\s+\S+)/m.exec(limits)?.[1] ?? '',
      ioprio: execFileSync('ionice', ['-p', String(pid)], { encoding: 'utf8' }).trim(),
    };
  } catch {
    return { alive: false, nice: 0, policy: 0, cpus: '', openFiles: '', ioprio: '' };
  }
}

/** Each attempt says how it ended; the judgement is made outside. */
const attacks = (targets: number[], withCtypes: boolean): string =>
  [
    'import os, resource, fcntl, signal',
    'said = []',
    'def attempt(name, act):',
    '    try:',
    '        act()',
    '        said.append(name + " returned")',
    '    except Exception as e:',
    '        said.append(f"{name}: {type(e).__name__}")',
    `for pid in ${JSON.stringify(targets)}:`,
    '    attempt("affinity", lambda: os.sched_setaffinity(pid, {0}))',
    '    attempt("idle", lambda: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0)))',
    '    attempt("batch", lambda: os.sched_setscheduler(pid, os.SCHED_BATCH, os.sched_param(0)))',
    '    attempt("param", lambda: os.sched_setparam(pid, os.sched_param(0)))',
    '    attempt("nice", lambda: os.setpriority(os.PRIO_PROCESS, pid, 19))',
    '    attempt("nice group", lambda: os.setpriority(os.PRIO_PGRP, os.getpgid(pid), 19))',
    '    attempt("prlimit", lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (3, 3)))',
    '    r, w = os.pipe()',
    '    attempt("sigio owner", lambda: fcntl.fcntl(r, fcntl.F_SETOWN, pid))',
    '    attempt("sigio signal", lambda: fcntl.fcntl(r, 10, signal.SIGKILL))',
    '    attempt("sigio on", lambda: fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_ASYNC))',
    '    os.write(w, b"x")',
    // Through pid 0, a priority for the whole user (or group) reaches every process of it.
    'attempt("nice user", lambda: os.setpriority(os.PRIO_USER, 0, 19))',
    'attempt("nice user by id", lambda: os.setpriority(os.PRIO_USER, os.getuid(), 19))',
    ...(withCtypes
      ? [
          'import ctypes, struct',
          'libc = ctypes.CDLL(None, use_errno=True)',
          'libc.syscall.restype = ctypes.c_long',
          `for pid in ${JSON.stringify(targets)}:`,
          // ioprio_set(IOPRIO_WHO_PROCESS, pid, IOPRIO_CLASS_IDLE), then for the whole user.
          '    attempt("ioprio", lambda: libc.syscall(251, 1, pid, 3 << 13))',
          // sched_setattr(pid, {size 48, SCHED_IDLE}, 0)
          '    attr = ctypes.create_string_buffer(struct.pack("=IIQiIQQQ", 48, 5, 0, 0, 0, 0, 0, 0), 48)',
          '    attempt("setattr", lambda: libc.syscall(314, pid, attr, 0))',
          '    mask = ctypes.c_ulong(1)',
          '    attempt("raw affinity", lambda: libc.syscall(203, pid, ctypes.sizeof(mask), ctypes.byref(mask)))',
          'attempt("ioprio user", lambda: libc.syscall(251, 3, 0, 3 << 13))',
        ]
      : []),
    'print(said)',
  ].join('\n');

const variants = guardVariants(modes);

describe.each(variants)('$label', ({ mode, guard }) => {
  it('a cell cannot reschedule, renice, limit or signal the server or another process of its user', async () => {
    const host = await KernelHost.start({ mode, kernel: { guard }, ordinary: true, bystander: true });
    onTestFinished(() => host.close());
    const { pid: server, bystanderPid } = host.started;
    if (bystanderPid === null) throw new Error('no bystander');
    const before = [stateOf(server), stateOf(bystanderPid)];
    expect(before.every((s) => s.alive)).toBe(true);

    const ran = await host.run(attacks([server, bystanderPid], !guard));
    expect(ran.status, `${ran.error ?? ''}${outputText(ran.outputs)}`).toBe('ok');
    expect([stateOf(server), stateOf(bystanderPid)]).toEqual(before);
    if (guard) {
      // Python code is told: nothing "returned" as if it had worked.
      expect(outputText(ran.outputs)).not.toMatch(/(affinity|idle|batch|param|nice|prlimit) returned/);
    }
    // The kernel itself may still set its own scheduling.
    const own = await host.run('import os\nos.sched_setaffinity(0, os.sched_getaffinity(0))\nos.setpriority(os.PRIO_PROCESS, 0, 1)\nprint("own ok")');
    expect(outputText(own.outputs)).toContain('own ok');
  });
});
