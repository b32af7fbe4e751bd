// The Kubernetes protobuf envelope's magic, apart from the decoder so that a server can recognise a
// protobuf body without loading protobufjs (the apiserver loads the decoder on the first such body).

/** The 4 bytes every Kubernetes protobuf body starts with. */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** Whether a request body is a Kubernetes protobuf envelope. */
export function isProtobufBody(buf: Uint8Array): boolean {
  return buf.length >= 4 && PROTOBUF_MAGIC.every((b, i) => buf[i] === b);
}
