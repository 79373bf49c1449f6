// Test proxies: what a forward proxy does with a CONNECT, once, for every test that needs one.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

/** Answers a CONNECT by opening host:port and piping the client's socket to it both ways. */
export function tunnel(socket: Duplex, head: Buffer, port: number, host = '127.0.0.1'): void {
  const upstream = connect(port, host, () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
}
