import { templateDatabase, withAdminClient } from './test-cluster';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { hubTestServer?: { url: string; stop(): Promise<void> } }).hubTestServer;
  if (!server) return;
  await withAdminClient(server.url, (client) => client.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`));
  await server.stop();
}
