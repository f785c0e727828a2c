// `npm run cluster`: a local trial of several instances ([scale] 7). Starts two Crux instances
// on loopback (ports 3001 and 3002) sharing one Postgres database and one Redis, and a small
// reverse proxy on 3000 in front of them: round-robin (or sticky with --sticky), WebSocket
// upgrades piped through, a health check every second, and fail-over to the other instance when
// one stops answering. Ctrl-C stops everything. Not a production load balancer: see README.
//
//   npm run cluster
//   npm run cluster -- --sticky            pin each browser to one instance (cookie crux_instance)
//   npm run cluster -- --no-build          use the existing .next build as it is
//
// Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crux_cluster — the
// database is created if it does not exist; nothing is ever dropped), REDIS_URL (default
// redis://127.0.0.1:6379), CLUSTER_PORT (3000), CLUSTER_INSTANCE_PORTS (3001,3002).
import { spawn } from 'node:child_process';
import { setInterval, clearInterval } from 'node:timers';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildIfNeeded } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const STICKY = argv.includes('--sticky');
const HOST = '127.0.0.1';
const PROXY_PORT = Number(process.env.CLUSTER_PORT ?? 3000);
const PORTS = (process.env.CLUSTER_INSTANCE_PORTS ?? '3001,3002').split(',').map(Number);
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/crux_cluster';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const HEALTH_MS = 1000;
const STICKY_COOKIE = 'crux_instance';

const say = (m) => console.log(`[cluster] ${m}`);

/** Creates the database named in DATABASE_URL if it is missing (connecting to `postgres` on the same server). */
async function ensureDatabase(url) {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`DATABASE_URL names database "${name}": use letters, digits and _ only`);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}"`);
      say(`created database ${name}`);
    }
  } finally {
    await admin.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Instances

const backends = PORTS.map((port, i) => ({ name: `i${i + 1}`, port, healthy: false, child: undefined, exited: false }));

function startInstance(b) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(b.port),
        HOST,
        DATABASE_URL,
        REDIS_URL,
        CRUX_INSTANCE_ID: b.name,
        // The proxy below sets X-Forwarded-For; browsers see the proxy's origin.
        CRUX_TRUST_PROXY: '1',
        CRUX_PUBLIC_URL: process.env.CRUX_PUBLIC_URL ?? `http://localhost:${PROXY_PORT}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    b.child = child;
    let ready = false;
    const relay = (stream, out) => {
      let buf = '';
      stream.on('data', (d) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          out.write(`[${b.name}] ${line}\n`);
          if (!ready && line.includes('Crux is ready at')) {
            ready = true;
            b.healthy = true;
            resolve();
          }
        }
      });
    };
    relay(child.stdout, process.stdout);
    relay(child.stderr, process.stderr);
    child.on('exit', (code, signal) => {
      b.exited = true;
      b.healthy = false;
      if (!ready) reject(new Error(`${b.name} exited (${signal ?? code}) before it was ready`));
      else if (!stopping) say(`${b.name} exited (${signal ?? code}); traffic goes to the others`);
    });
  });
}

/** A TCP connect is enough: a stopped or hung-up instance refuses or times out. */
function probe(b) {
  if (b.exited) return;
  const s = net.connect(b.port, HOST);
  const done = (ok) => {
    s.destroy();
    if (ok !== b.healthy) say(`${b.name} is ${ok ? 'back' : 'not answering'}`);
    b.healthy = ok;
  };
  s.setTimeout(HEALTH_MS, () => done(false));
  s.once('connect', () => done(true));
  s.once('error', () => done(false));
}

// ---------------------------------------------------------------------------------------------
// Proxy

let rr = 0;
function pick(req, avoid) {
  const healthy = backends.filter((b) => b.healthy && b !== avoid);
  if (healthy.length === 0) return undefined;
  if (STICKY) {
    const want = new RegExp(`(?:^|;\\s*)${STICKY_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
    const pinned = healthy.find((b) => b.name === want);
    if (pinned) return pinned;
  }
  return healthy[rr++ % healthy.length];
}

const forwardedFor = (req) => [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');

function forward(req, res, b, retried) {
  if (!b) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('no instance is answering');
    return;
  }
  const headers = {
    ...req.headers,
    'x-forwarded-for': forwardedFor(req),
    'x-forwarded-proto': 'http',
    'x-forwarded-host': req.headers.host ?? '',
  };
  const up = http.request({ host: HOST, port: b.port, method: req.method, path: req.url, headers });
  up.on('response', (r) => {
    const h = { ...r.headers };
    if (STICKY) h['set-cookie'] = [...(r.headers['set-cookie'] ?? []), `${STICKY_COOKIE}=${b.name}; Path=/; HttpOnly; SameSite=Lax`];
    res.writeHead(r.statusCode ?? 502, r.statusMessage, h);
    r.pipe(res);
  });
  up.on('error', () => {
    b.healthy = false;
    // A request without a body can go to another instance; one whose body was sent cannot.
    if (!retried && !res.headersSent && (req.method === 'GET' || req.method === 'HEAD')) return forward(req, res, pick(req, b), true);
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('the instance went away');
    } else res.destroy();
  });
  if (retried) up.end();
  else req.pipe(up);
}

function upgrade(req, socket, head, b, retried) {
  if (!b) {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const up = net.connect(b.port, HOST);
  let connected = false;
  up.once('connect', () => {
    connected = true;
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      if (req.rawHeaders[i].toLowerCase() !== 'x-forwarded-for') lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) up.write(head);
    socket.pipe(up).pipe(socket);
  });
  up.on('error', () => {
    if (!connected) {
      b.healthy = false;
      if (!retried) return upgrade(req, socket, head, pick(req, b), true);
    }
    socket.destroy();
  });
  // An instance that dies closes its sockets; the client's provider reconnects, through us, elsewhere.
  up.on('close', () => socket.destroy());
  socket.on('error', () => up.destroy());
  socket.on('close', () => up.destroy());
}

// ---------------------------------------------------------------------------------------------

let stopping = false;
let proxy;
let healthTimer;

function stop(signal) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping the instances…`);
  clearInterval(healthTimer);
  proxy?.close();
  proxy?.closeAllConnections();
  const alive = backends.filter((b) => b.child && !b.exited);
  for (const b of alive) b.child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const b of alive) if (!b.exited) b.child.kill('SIGKILL');
  }, 15_000);
  Promise.all(alive.map((b) => new Promise((r) => (b.exited ? r() : b.child.once('exit', r))))).then(() => {
    clearTimeout(force);
    process.exit(process.exitCode ?? 0);
  });
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  await ensureDatabase(DATABASE_URL);
  if (!argv.includes('--no-build')) buildIfNeeded();
  // One after the other: the first applies migrations and seeds; the second finds them done.
  for (const b of backends) {
    say(`starting ${b.name} on http://${HOST}:${b.port}`);
    await startInstance(b);
  }
  proxy = http.createServer((req, res) => forward(req, res, pick(req)));
  proxy.on('upgrade', (req, socket, head) => upgrade(req, socket, head, pick(req)));
  proxy.on('clientError', (_e, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(PROXY_PORT, HOST, resolve);
  });
  healthTimer = setInterval(() => backends.forEach(probe), HEALTH_MS);
  say(
    `proxy on http://localhost:${PROXY_PORT} → ${backends.map((b) => b.port).join(', ')} (${STICKY ? 'sticky' : 'round-robin'}; ` +
      `Postgres ${new URL(DATABASE_URL).pathname.slice(1)}, Redis ${REDIS_URL}). Ctrl-C stops everything.`,
  );
} catch (e) {
  console.error(`[cluster] ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
  stop('error');
}
