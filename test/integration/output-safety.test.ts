import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOne } from '../helpers/checks.js';
import { startRawServer, type LocalServer } from '../helpers/servers.js';

// Guards: what a server sends (a Location header) reaches report messages only as printable text.
describe('server-controlled text in results', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startRawServer((socket) => {
      socket.once('data', () => {
        const head = Buffer.concat([
          Buffer.from('HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: http://[', 'latin1'),
          Buffer.from([0x9b]),
          Buffer.from('31mred\r\n\r\n', 'latin1'),
        ]);
        socket.end(head);
      });
    });
  });
  afterAll(() => server.close());

  it('escapes a C1 control character from a malformed Location in the message', async () => {
    const result = await checkOne(server.url('/start'), { retries: 0 });
    expect(result.error?.code).toBe('INVALID_URL');
    expect(result.error?.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(result.error?.message).toContain('\\u009b');
  });
});
