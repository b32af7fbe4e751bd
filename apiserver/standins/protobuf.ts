// STAND-IN for pkg/api/protobuf (being written by the printers helper). When it lands, replace this
// whole file with: `export { isProtobufBody, decodeProtobufObject } from "../../pkg/api/protobuf/index.js";`
import type { KubeObject } from "../../pkg/api/types.js";

export function isProtobufBody(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x6b && buf[1] === 0x38 && buf[2] === 0x73 && buf[3] === 0x00;
}

export function decodeProtobufObject(_buf: Uint8Array): KubeObject {
  throw new Error("protobuf request bodies are not supported yet");
}
