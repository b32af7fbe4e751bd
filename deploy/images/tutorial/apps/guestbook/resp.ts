// Just enough of the Redis protocol (RESP) for the guestbook's GET and SET.

export type RespValue = string | null | { error: string };

export function encodeCommand(args: string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
  return Buffer.from(parts.join(""));
}

/**
 * Parses one reply from the start of the buffer: the value and how many bytes it took, or undefined when
 * more bytes are needed. Simple strings, errors, integers and bulk strings (what GET and SET answer).
 */
export function parseReply(buf: Buffer): { value: RespValue; length: number } | undefined {
  const eol = buf.indexOf("\r\n");
  if (eol < 0) return undefined;
  const line = buf.subarray(1, eol).toString("utf8");
  switch (String.fromCharCode(buf[0] ?? 0)) {
    case "+":
    case ":":
      return { value: line, length: eol + 2 };
    case "-":
      return { value: { error: line }, length: eol + 2 };
    case "$": {
      const n = Number.parseInt(line, 10);
      if (n < 0) return { value: null, length: eol + 2 };
      const end = eol + 2 + n;
      if (buf.length < end + 2) return undefined;
      return { value: buf.subarray(eol + 2, end).toString("utf8"), length: end + 2 };
    }
    default:
      return {
        value: { error: `unexpected reply ${JSON.stringify(buf.subarray(0, 16).toString())}` },
        length: buf.length,
      };
  }
}
