/**
 * Graceful stop of a running edge (server.ts on SIGTERM/SIGINT/SIGHUP; tested in-process by
 * test/http/health.test.ts):
 *
 * 1. `/readyz` answers 503 from now on (balancers stop sending), and the listener closes: no
 *    new connections; idle keep-alive connections are closed.
 * 2. Requests in flight finish; those still open after `graceMs` are cut.
 * 3. WebSocket clients are told "going away" (close code 1001, so they reconnect to another
 *    instance): features/realtime's sockets through its closeAll, any other socket of the
 *    WebSocket server directly; cut if they have not closed after `graceMs`.
 * 4. Then the edge closes its pools and background jobs (EdgeApp.close).
 */
import type { Server } from 'node:http';
import type { WebSocketServer } from 'ws';
import type { EdgeApp } from '../app.ts';

export const GOING_AWAY = 1001;

export interface Running {
  server: Server;
  wss: WebSocketServer;
  edge: Pick<EdgeApp, 'drain' | 'close'> & Partial<Pick<EdgeApp, 'realtime'>>;
}

export async function gracefulStop(r: Running, graceMs: number): Promise<void> {
  r.edge.drain();
  // close() stops accepting, ends idle keep-alive connections and waits for requests in flight.
  const closed = new Promise<void>((res) => r.server.close(() => res()));
  const sockets = [...r.wss.clients].map(
    (ws) =>
      new Promise<void>((res) => {
        if (ws.readyState === ws.CLOSED) return res();
        ws.once('close', () => res());
      }),
  );
  r.edge.realtime?.closeAll(GOING_AWAY, 'Server shutting down');
  for (const ws of r.wss.clients) if (ws.readyState === ws.OPEN) ws.close(GOING_AWAY, 'Server shutting down');
  const cut = setTimeout(() => {
    r.server.closeAllConnections();
    for (const ws of r.wss.clients) ws.terminate();
  }, graceMs);
  try {
    await Promise.all([closed, ...sockets]);
  } finally {
    clearTimeout(cut);
  }
  await r.edge.close();
}
