/**
 * A CPU-limited cgroup for a child process: Lambda runs each invoke at its memory's share of
 * one vCPU (1,769 MB = one vCPU; 128 MB ≈ 7.2 %), modelled as a CFS quota of 7,200 µs per
 * 100,000 µs period. cgroup v1 (`/sys/fs/cgroup/cpu/<group>/cpu.cfs_quota_us`,
 * `cpu.cfs_period_us`) or v2 (`/sys/fs/cgroup/<group>/cpu.max`: "7200 100000"), whichever
 * this machine mounts writable; `undefined` (with the reason) where neither can be written
 * (not root, a read-only mount): the bench then says so and skips the throttled part.
 * Kernel documentation: https://docs.kernel.org/scheduler/sched-bwc.html (v1) and
 * https://docs.kernel.org/admin-guide/cgroup-v2.html#cpu-interface-files (v2).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CpuCgroup {
  readonly version: 'v1' | 'v2';
  readonly path: string;
  /** quota ÷ period */
  readonly share: number;
  /** Moves a process (all its threads) into the group. */
  add(pid: number): void;
  /** Moves its processes back to the root group and removes the group. */
  remove(): void;
}

export const LAMBDA_128MB = { quotaUs: 7200, periodUs: 100_000 } as const;

function v2Root(): string | undefined {
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    const controllers = path.join(root, 'cgroup.controllers');
    if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes('cpu')) return root;
  }
  return undefined;
}

export function createCpuCgroup(name: string, limit: { quotaUs: number; periodUs: number } = LAMBDA_128MB): CpuCgroup | { unavailable: string } {
  const share = limit.quotaUs / limit.periodUs;
  try {
    const v1 = '/sys/fs/cgroup/cpu';
    if (existsSync(path.join(v1, 'cpu.cfs_quota_us'))) {
      const dir = path.join(v1, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(limit.periodUs));
      writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(limit.quotaUs));
      return group('v1', dir, v1, share);
    }
    const root = v2Root();
    if (root !== undefined) {
      const subtree = path.join(root, 'cgroup.subtree_control');
      if (!readFileSync(subtree, 'utf8').includes('cpu')) writeFileSync(subtree, '+cpu');
      const dir = path.join(root, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'cpu.max'), `${limit.quotaUs} ${limit.periodUs}`);
      return group('v2', dir, root, share);
    }
    return { unavailable: 'no cgroup cpu controller (neither v1 /sys/fs/cgroup/cpu nor v2 cpu.max) on this machine' };
  } catch (error) {
    return { unavailable: `cgroups cannot be written here (${(error as Error).message})` };
  }
}

function group(version: 'v1' | 'v2', dir: string, root: string, share: number): CpuCgroup {
  const procs = path.join(dir, 'cgroup.procs');
  return {
    version,
    path: dir,
    share,
    add: (pid) => writeFileSync(procs, String(pid)),
    remove: () => {
      for (const pid of readFileSync(procs, 'utf8').split('\n').filter(Boolean)) {
        try {
          writeFileSync(path.join(root, 'cgroup.procs'), pid);
        } catch {
          // the process has ended
        }
      }
      // A process that has just exited can keep the group busy for a moment (EBUSY): try again briefly.
      for (let attempt = 1; ; attempt++) {
        try {
          rmdirSync(dir);
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EBUSY' || attempt === 20) throw error;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
      }
    },
  };
}
