// Kubernetes protobuf request bodies: pkg/api/protobuf (one import). The decoder (protobufjs and its
// types, about 3 MiB of the process's memory) is loaded on the first protobuf body: only some kubectl
// commands send one (`kubectl create deployment|secret|...`); the descriptors' names are needed anyway.
import { messages } from "../../pkg/api/protobuf/descriptors.js";
import type { KubeObject } from "../../pkg/api/types.js";

export { isProtobufBody } from "../../pkg/api/protobuf/magic.js";

/** The object in a Kubernetes protobuf body (pkg/api/protobuf's decodeProtobufObject). */
export async function decodeProtobufObject(buf: Uint8Array): Promise<KubeObject> {
  const decoder = await import("../../pkg/api/protobuf/index.js");
  return decoder.decodeProtobufObject(buf);
}

/** The protobuf message names kubectl's descriptors know (`k8s.io.api.apps.v1.Deployment`): they give
 * the OpenAPI definition names their Go package. */
export const protobufMessageNames: string[] = Object.keys(messages);
