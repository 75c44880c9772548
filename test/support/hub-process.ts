import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

export { freePort } from './free-port';

/** A real `hub` process (the compiled build), in its own process group like a command in a terminal. */
export interface HubProcess { child: ChildProcess; output(): string; exited: Promise<number | null> }

export function spawnHub(args: string[], env: NodeJS.ProcessEnv): HubProcess {
  let output = '';
  const child = spawn(process.execPath, [path.join(root, 'bin', 'hub.js'), ...args], {
    cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Ctrl-C on a terminal: SIGINT to the whole foreground process group (the hub and the postgres it started). */
export function pressCtrlC(hub: HubProcess): void {
  process.kill(-hub.child.pid!, 'SIGINT');
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, hub: HubProcess, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (hub.child.exitCode !== null) throw new Error(`hub exited (${hub.child.exitCode}) before ${what}:\n${hub.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${hub.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
